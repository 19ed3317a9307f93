#!/usr/bin/env bash
# The project's test command (what CI runs): installs the system packages the tests need when
# they are missing, then runs the Maven build with every unit and integration test and the
# smoke-scale reproduction.
#   - dataset-fashion-mnist: the real Fashion-MNIST files (/usr/share/datasets/fashion-mnist)
#   - libjemalloc2: the allocator ./densenet preloads (TensorFlow's CPU throughput is better with it)
#   - jupyter-notebook, jupyter-nbconvert, jupyter-client, jupyter-core: the Jupyter (on /usr/bin/python3)
#     the notebooks module runs its Java kernel and executes its notebooks with
#   - fonts-dejavu-core: a font for the charts the notebooks render (headless AWT needs one)
#   - slurm-wlm, munge: the one-node Slurm cluster (munged, slurmctld, slurmd) that the cli module's
#     SlurmClusterIT starts as its own processes to run a suite as a job array
#   - python3-torch: the PyTorch peer of the benchmark (bench/pytorch), whose networks PeerBenchTest
#     checks against ours
#   - gcc: the build compiles the project's own TensorFlow kernels (core/src/main/c/densenet_ops.c)
# Extra arguments are passed to Maven (e.g. ./test.sh -pl core -am).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

packages=(dataset-fashion-mnist libjemalloc2 jupyter-notebook jupyter-nbconvert jupyter-client jupyter-core fonts-dejavu-core slurm-wlm munge python3-torch gcc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages ${missing[*]}; run as root or install them first" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
fi

exec mvn -B verify "$@"
