#!/usr/bin/env bash
# Runs peer_bench.py (the PyTorch peer of `./densenet bench train`) configured at its best on
# these machines, installing what it needs first:
#   - python3-torch (Debian's PyTorch) when `import torch` fails (needs root; apt-get)
#   - libjemalloc2, preloaded with MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1: jemalloc keeps
#     freed pages instead of returning them to the kernel. Issue 10 reports PyTorch training
#     DenseNet-40 at about 5 img/s with plain jemalloc on these VMs (every step faults its
#     activations in again) and at about 68 img/s like this.
#   - OMP_WAIT_POLICY=PASSIVE unless set: these machines are shared, and PyTorch's OpenMP threads
#     spinning for work collapse when other processes want the cores. Measured at load average
#     about 9, DenseNet-40 batch 64, two alternating runs each: train 4.4 and 4.8 img/s with the
#     default policy, 18.7 and 11.9 with PASSIVE (inference 15.5/28.6 vs 85.1/45.6).
# Arguments go to peer_bench.py (--model, --batch, --steps, --warmup, --threads, --json, --params).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PEER_PYTHON:-/usr/bin/python3}"
need=()
"$python" -c 'import torch' 2>/dev/null || need+=(python3-torch)
jemalloc=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
[ -f "$jemalloc" ] || need+=(libjemalloc2)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run_peer.sh: missing Debian packages ${need[*]}; run as root or install them first" >&2
    exit 1
  fi
  echo "run_peer.sh: installing ${need[*]}" >&2
  apt-get -o DPkg::Lock::Timeout=600 update >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${need[@]}" >&2
fi
export LD_PRELOAD="$jemalloc"
export MALLOC_CONF="dirty_decay_ms:-1,muzzy_decay_ms:-1"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec "$python" "$here/peer_bench.py" "$@"
