#!/bin/bash
# How results/cpu was trained (2026-12-02, one 2-core build machine): two of these workers at once,
# `run-worker.sh 1` and, 15 s later, `run-worker.sh 2`, from a copy of the launcher jar and its lib/
# in /tmp/runjar built from the working tree at 07:12 UTC, whose ScaleMapping, Suite, ExperimentData
# and SuiteRunner are those committed in 9657c6f (the records' provenance says 8a49031, dirty: the last
# commit at the time). Before `suite --workers` existed, two processes sharing the results
# directory through the run locks did what `--workers 2` does now; seeds 1, 2, 3 in turn so that an
# interrupted run would still have whole seeds. Exit 3 = some runs were locked (by the other
# worker). verify-all.log: `./densenet suite all --scale cpu --seeds 3 --results results/cpu`
# afterwards, every run skipped as finished (exit 0). The efficiency suite's densenet-28-12 runs
# (the same network as densenet-16-12's at this scale, trained before Suite.expand dropped such
# duplicates) were then deleted; the checkpoints are not published.
# one worker of the cpu reproduction: seeds 1, 2, 3 in turn (seed-major), one thread
w=$1
export LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 TF_CPP_MIN_LOG_LEVEL=2
for s in 1 2 3; do
  echo "=== worker $w seeds $s start $(date -u +%FT%TZ)"
  java -Xmx4g -Ddensenet.home=/work/main -jar /tmp/runjar/densenet.jar suite all --scale cpu --seeds $s --threads 1 --results /work/main/results/cpu --no-progress
  echo "=== worker $w seeds $s exit $? $(date -u +%FT%TZ)"
done
