#!/usr/bin/env bash
# Runs resume_test.sh RUNS times in a row while LOAD busy processes compete for the cores (the flakiness
# check of issue 11: zero failures expected). Not part of ctest (it takes minutes); run by hand:
#
#   tests/estimator/resume_stress.sh build/tests/resume_driver build/tests/liblever_fault_injection.so [RUNS] [LOAD]
set -uo pipefail
driver=$1
shim=$2
runs=${3:-50}
load=${4:-2}
here=$(dirname "$0")
pids=()
for _ in $(seq "$load"); do
  ( while :; do :; done ) &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2> /dev/null' EXIT
failures=0
for run in $(seq "$runs"); do
  start=$(date +%s)
  if "$here/resume_test.sh" "$driver" "$shim" > "/tmp/resume_stress.$run.log" 2>&1; then
    echo "run $run: passed in $(( $(date +%s) - start )) s"
    rm -f "/tmp/resume_stress.$run.log"
  else
    failures=$((failures + 1))
    echo "run $run: FAILED in $(( $(date +%s) - start )) s (log: /tmp/resume_stress.$run.log)"
  fi
done
echo "$((runs - failures)) passed, $failures failed (under $load busy processes)"
exit $((failures > 0))
