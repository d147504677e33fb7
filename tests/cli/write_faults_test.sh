#!/usr/bin/env bash
# Write faults (issue 14): a checkpoint save (`lever train --config`), a bundle export (`lever export`) and a
# study save (`lever tune`) with one write failing, in turn every write of the operation, with ENOSPC and with
# EIO. Each case must end in exit 2 and a message with the system's reason (never a crash, a hang or a silent
# success), leave the previous good state whole (the earlier checkpoint evaluates, the earlier bundle predicts,
# the study shows its earlier trials), and the same command run again without the fault continues from it.
#
# The failures come from the LD_PRELOAD shim tests/testing/fault_injection.cpp: a clean run first counts the
# operation's calls (LEVER_FAULT_LOG: every write, pwrite, writev, fsync, fdatasync, close of a file open for
# writing and rename under the operation's directory), then LEVER_FAULT=io:N:ERRNO fails the Nth.
#
#   write_faults_test.sh LEVER FAULT_INJECTION_SO [SANITIZERS]
# With SANITIZERS (LEVER_SANITIZE's value) the test is skipped (exit 77): a sanitizer's own interceptors of
# write and close would come between lever and the shim, and its slower runs would not fit the time.
lever=$1
shim=$2
if [ -n "${3:-}" ]; then
  echo "skipped: built with sanitizers ($3); the write fault test runs in the plain build"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
work=$(cd "$work" && pwd -P) && cd "$work" || exit 1  # the real path: the shim sees files by it
start=$SECONDS

/usr/bin/python3 - <<'PY' || { echo "FAIL: could not write the data"; exit 1; }
import random
random.seed(3)
with open("t.csv", "w") as f:
    f.write("a,b,y\n")
    for i in range(40):
        a, b = random.random(), random.random()
        f.write(f"{a:.3f},{b:.3f},{int(a + b > 1)}\n")
PY
cat > run.yaml <<'YAML'
data: {train: t.csv, eval: t.csv, label: y}
estimator: {type: dnn, hidden_units: [2]}
feature_columns: [{numeric: a}, {numeric: b}]
train: {max_steps: 10, batch_size: 10, validation_split: 0}
eval: {every_steps: 10}
run: {model_dir: m, save_checkpoints_steps: 10, log_step_count_steps: 10}
YAML
cat > train.sh <<'SH'
#!/bin/sh
x=''
for a in "$@"; do case "$a" in --x=*) x="${a#--x=}";; esac; done
v=$(awk -v x="$x" 'BEGIN { printf "%.17g", (x - 0.3) ^ 2 }')
echo "{\"global_step\": \"1\", \"loss\": \"$v\", \"timestamp\": 1, \"trial\": \"$CLOUD_ML_TRIAL_ID\"}" > "$CLOUD_ML_HP_METRIC_FILE"
SH
# The trainers run without the shim: the faults are the tuner's.
cat > study.yaml <<'YAML'
trainingInput:
  hyperparameters:
    goal: MINIMIZE
    hyperparameterMetricTag: loss
    maxTrials: 2
    maxParallelTrials: 1
    algorithm: RANDOM_SEARCH
    params:
    - {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}
trainer:
  command: [env, -u, LD_PRELOAD, sh, ./train.sh]
  working_directory: .
YAML

declare -A reason=([ENOSPC]="No space left on device" [EIO]="Input/output error")

# count DIR COMMAND...: sets $calls to the number of io calls under DIR in a clean run of COMMAND (which must
# succeed); calls.log lists them.
count() {
  local dir=$1 out
  shift
  rm -f calls.log
  out=$(LD_PRELOAD="$shim" LEVER_FAULT_LOG="$work/calls.log" LEVER_FAULT_PATH="$work/$dir" "$@" 2>&1) ||
    fail "clean run of $* under the shim" "$out"
  calls=$(cat calls.log 2> /dev/null | wc -l)
  [ "$calls" -gt 0 ] || fail "no calls counted under $dir for $*"
}

# Calls whose failure the program absorbs by design, so that it may end with exit 0 (the checks after it then
# find the new state whole): the pid written into a lock file and its close (a note for a refused process's
# message; the lock is the flock), the atomic exchange of a bundle with its predecessor (a file system without
# it gets two renames), and SQLite's own work outside a transaction (the shared-memory index, the directory's
# sync, the copy of the write-ahead log into the database when the tuner closes it, with its syncs and closes:
# the log keeps every commit until a copy succeeds).
absorbed='^[0-9]+ ((pwrite|close) [^ ]*\.lock|renameat2 |pwrite64 [^ ]*/study\.db(-shm)?$|fdatasync [^ ]*/(s|study\.db(-wal)?)$|close [^ ]*/study\.db)'

# faulty DIR N ERRNO COMMAND...: runs COMMAND with the Nth io call under DIR failing with ERRNO; it must end
# with exit 2 and the reason in an error message, or exit 0 for an absorbed call. Sets $out, $rc, $call.
faulty() {
  local dir=$1 n=$2 errno=$3
  shift 3
  out=$(LD_PRELOAD="$shim" LEVER_FAULT="io:$n:$errno" LEVER_FAULT_PATH="$work/$dir" timeout 60 "$@" 2>&1)
  rc=$?
  call=$(sed -n "${n}p" calls.log)
  if [ "$rc" -eq 0 ] && [[ "$call" =~ $absorbed ]]; then
    absorbed_cases=$((absorbed_cases + 1))
  elif [ "$rc" -ne 2 ] || [[ "$out" != *"error: "*"${reason[$errno]}"* ]]; then
    fail "$errno at call $n ($call) of '$*': exit $rc, wanted 2 and '${reason[$errno]}' in an error" "$out"
  fi
}
absorbed_cases=0

# ---- Checkpoint save: a run from step 10 to 20 -----------------------------------------------------------
"$lever" train -q --config run.yaml > /dev/null || fail "training to step 10"
cp -a m m.base
count m "$lever" train -q --config run.yaml --train.max_steps=20
checkpoint_calls=$calls
grep -q "rename .*ckpt-20.json" calls.log || fail "the counted calls hold no checkpoint commit" "$(cat calls.log)"
cp calls.log checkpoint_calls.log
for errno in ENOSPC EIO; do
  for n in $(seq 1 "$checkpoint_calls"); do
    rm -rf m && cp -a m.base m
    faulty m "$n" "$errno" "$lever" train -q --config run.yaml --train.max_steps=20
    result=$("$lever" eval --config run.yaml --json 2>&1) ||
      fail "checkpoint, $errno at call $n: the earlier checkpoint does not evaluate" "$result"
    [[ "$result" == *'"global_step":10.0'* || "$result" == *'"global_step":20.0'* ]] ||
      fail "checkpoint, $errno at call $n: eval's step" "$result"
    result=$("$lever" train -q --config run.yaml --train.max_steps=20 2>&1)
    [[ $? -eq 0 && "$result" == *"final: step 20"* ]] ||
      fail "checkpoint, $errno at call $n: the run again without the fault" "$result"
  done
done

# ---- Bundle export: the step-10 bundle replaced by step 20's ---------------------------------------------
rm -rf m && cp -a m.base m
"$lever" export --config run.yaml -o b/bundle --no-eval > /dev/null || fail "export of step 10"
cp -a b b.base
"$lever" train -q --config run.yaml --train.max_steps=20 > /dev/null || fail "training to step 20"
count b "$lever" export --config run.yaml -o b/bundle --no-eval
bundle_calls=$calls
cp calls.log bundle_calls.log
step_of() { sed -n 's/.*"global_step": \([0-9]*\).*/\1/p' b/bundle/bundle.json; }
for errno in ENOSPC EIO; do
  for n in $(seq 1 "$bundle_calls"); do
    rm -rf b && cp -a b.base b
    faulty b "$n" "$errno" "$lever" export --config run.yaml -o b/bundle --no-eval
    result=$("$lever" predict --model b/bundle --input t.csv 2>&1) ||
      fail "bundle, $errno at call $n: the bundle does not predict" "$result"
    [[ "$(step_of)" == 10 || "$(step_of)" == 20 ]] || fail "bundle, $errno at call $n: step '$(step_of)'"
    [ "$(ls -A b | grep -vc '^bundle$')" -eq 0 ] || fail "bundle, $errno at call $n: left beside the bundle" "$(ls -A b)"
    result=$("$lever" export --config run.yaml -o b/bundle --no-eval 2>&1)
    [[ $? -eq 0 && "$(step_of)" == 20 ]] || fail "bundle, $errno at call $n: the export again" "$result"
  done
done

# ---- Study save: a study of 2 trials continued to 3 -------------------------------------------------------
completed() { "$lever" tune --show s 2>&1 | grep -c COMPLETED; }
"$lever" tune -q --config study.yaml --study-dir s > /dev/null 2>&1 || fail "the study's first 2 trials"
cp -a s s.base
count s "$lever" tune -q --config study.yaml --study-dir s --max-trials 3
study_calls=$calls
cp calls.log study_calls.log
for errno in ENOSPC EIO; do
  for n in $(seq 1 "$study_calls"); do
    rm -rf s && cp -a s.base s
    faulty s "$n" "$errno" "$lever" tune -q --config study.yaml --study-dir s --max-trials 3
    kept=$(completed)
    [ "$kept" -ge 2 ] || fail "study, $errno at call $n: $kept completed trials left, wanted the earlier 2" \
      "$("$lever" tune --show s 2>&1)"
    result=$("$lever" tune -q --config study.yaml --study-dir s --max-trials 3 2>&1)
    [[ $? -eq 0 && "$(completed)" -eq 3 ]] || fail "study, $errno at call $n: the run again" "$result"
  done
done

echo "write faults: checkpoint save $checkpoint_calls calls, bundle export $bundle_calls, study save $study_calls;" \
  "$((2 * (checkpoint_calls + bundle_calls + study_calls))) cases (ENOSPC and EIO), $absorbed_cases absorbed by design," \
  "in $((SECONDS - start)) s"
finish
