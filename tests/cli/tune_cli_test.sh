#!/usr/bin/env bash
# `lever tune` end to end with shell-script trainers: the table, the summary and plots; a study whose
# tuner is killed (SIGKILL) while trials run, resumed with nothing lost or rerun; failing trainers and
# maxFailedTrials; --show; and exit code 2 with a clear message for bad invocations.
lever=$1
source "$(dirname "$0")/lib.sh"
dir=$work

# A trainer: logs "start N" and "end N" to $TUNE_TEST_LOG around a 0.3 s sleep, and reports
# loss = (x - 0.3)^2 at global_step 1 (after the sleep, before "end").
cat > "$dir/train.sh" <<'SH'
#!/bin/sh
x=''
for a in "$@"; do case "$a" in --x=*) x="${a#--x=}";; esac; done
echo "start $CLOUD_ML_TRIAL_ID" >> "$TUNE_TEST_LOG"
sleep 0.3
v=$(awk -v x="$x" 'BEGIN { printf "%.17g", (x - 0.3) ^ 2 }')
echo "{\"global_step\": \"1\", \"loss\": \"$v\", \"timestamp\": 1, \"trial\": \"$CLOUD_ML_TRIAL_ID\"}" > "$CLOUD_ML_HP_METRIC_FILE"
echo "end $CLOUD_ML_TRIAL_ID" >> "$TUNE_TEST_LOG"
SH
chmod +x "$dir/train.sh"
cat > "$dir/study.yaml" <<YAML
trainingInput:
  hyperparameters:
    goal: MINIMIZE
    hyperparameterMetricTag: loss
    maxTrials: 8
    maxParallelTrials: 2
    params:
    - parameterName: x
      type: DOUBLE
      minValue: 0
      maxValue: 1
    - parameterName: opt
      type: CATEGORICAL
      categoricalValues: [adam, sgd]
trainer:
  command: [./train.sh]
  working_directory: .   # the spec's directory
  env: {TUNE_TEST_LOG: "$dir/log.txt"}
YAML

# ---- A whole study: table, summary, plots ---------------------------------------------------------------
out=$("$lever" tune --config "$dir/study.yaml" --study-dir "$dir/whole" --max-trials 4 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "whole study: exit $rc" "$out"
for part in "trial  state" "COMPLETED" "[4/4 finished, 0 running; best loss" \
            "study ended (maxTrials reached): 4 trials, 0 failed" "best: trial" "job dir $dir/whole/trials/" \
            "parameter importance" "plots: $dir/whole/metric_by_trial.svg"; do
  [[ "$out" == *"$part"* ]] || fail "whole study output lacks '$part'" "$out"
done
[ "$(ls "$dir/whole/trials" | wc -l)" -eq 4 ] || fail "whole study: expected 4 trial directories" "$(ls "$dir/whole/trials")"
for svg in metric_by_trial metric_vs_x metric_vs_opt; do
  /usr/bin/python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$dir/whole/$svg.svg" ||
    fail "$svg.svg is not well-formed XML"
done
show=$("$lever" tune --show "$dir/whole" 2>&1)
[ "$(grep -c COMPLETED <<< "$show")" -eq 4 ] || fail "--show should list 4 completed trials" "$show"
# The same study again: nothing left to run.
rm -f "$dir/log.txt"
out=$("$lever" tune --config "$dir/study.yaml" --study-dir "$dir/whole" --max-trials 4 2>&1)
[ ! -e "$dir/log.txt" ] || fail "a finished study ran trials again" "$(cat "$dir/log.txt")"
[[ "$out" == *"resuming: 4 trials kept, 0 interrupted"* ]] || fail "a rerun should say it resumes" "$out"

# ---- Killed mid-study and resumed ---------------------------------------------------------------------
rm -f "$dir/log.txt"
"$lever" tune --config "$dir/study.yaml" --study-dir "$dir/killed" > "$dir/first.txt" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  [ "$(grep -c '^end' "$dir/log.txt" 2> /dev/null)" -ge 3 ] 2> /dev/null && break
  sleep 0.05
done
sleep 0.1  # the next trials are running now
kill -9 "$pid"
{ wait "$pid"; } 2> /dev/null
before=$("$lever" tune --show "$dir/killed" 2>&1)
completed=$(awk '$2 == "COMPLETED" { print $1 }' <<< "$before")
running=$(awk '$2 == "RUNNING" { print $1 }' <<< "$before")
[ "$(wc -w <<< "$completed")" -ge 2 ] || fail "the killed tuner should have completed trials" "$before"
[ "$(wc -w <<< "$running")" -ge 1 ] || fail "the killed tuner should have left running trials" "$before"
out=$("$lever" tune --config "$dir/study.yaml" --study-dir "$dir/killed" 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "resume: exit $rc" "$out"
[[ "$out" == *"interrupted by a stopped tuner to run again"* ]] || fail "resume should report interrupted trials" "$out"
after=$("$lever" tune --show "$dir/killed" 2>&1)
[ "$(grep -cE '^ +[0-9]+  COMPLETED' <<< "$after")" -eq 8 ] || fail "after resuming, 8 trials should be completed" "$after"
[ "$(ls "$dir/killed/trials" | wc -l)" -eq 8 ] || fail "expected 8 trial directories" "$(ls "$dir/killed/trials")"
for n in $completed; do
  [ "$(grep -c "^start $n\$" "$dir/log.txt")" -eq 1 ] || fail "trial $n completed before the kill but ran again" "$(cat "$dir/log.txt")"
done
for n in $running; do
  [ "$(grep -c "^start $n\$" "$dir/log.txt")" -eq 2 ] || fail "interrupted trial $n should have run twice" "$(cat "$dir/log.txt")"
  [ -e "$dir/killed/trials/$n/stdout.log.attempt1" ] || fail "trial $n's first attempt's log should be kept"
done
[ "$(grep -c '^start' "$dir/log.txt")" -eq $((8 + $(wc -w <<< "$running"))) ] ||
  fail "every trial should start once, interrupted ones twice" "$(cat "$dir/log.txt")"

# ---- Failing trainers ----------------------------------------------------------------------------------
cat > "$dir/crash.sh" <<'SH'
#!/bin/sh
echo "Traceback (most recent call last):" >&2
echo "ValueError: learning rate too high" >&2
exit 3
SH
chmod +x "$dir/crash.sh"
out=$("$lever" tune --config "$dir/study.yaml" --study-dir "$dir/crash" --max-trials 5 -- "$dir/crash.sh" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "all trials failing should exit 2, got $rc" "$out"
for part in "FAILED" "exit code 3" "| ValueError: learning rate too high" "stderr ($dir/crash/trials/0/stderr.log)" \
            "no trial reported a usable metric: 5 trials failed"; do
  [[ "$out" == *"$part"* ]] || fail "crash output lacks '$part'" "$out"
done
sed 's/maxParallelTrials: 2/maxParallelTrials: 1\n    maxFailedTrials: 2/' "$dir/study.yaml" > "$dir/limited.yaml"
out=$("$lever" tune --config "$dir/limited.yaml" --study-dir "$dir/limited" -- "$dir/crash.sh" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "maxFailedTrials should exit 2, got $rc" "$out"
[[ "$out" == *"study ended (maxFailedTrials reached): 2 trials, 2 failed"* ]] || fail "maxFailedTrials should end the study" "$out"

# ---- Bad invocations -----------------------------------------------------------------------------------
expect_error() {  # expect_error <what> <message part> args...
  local what=$1 part=$2
  shift 2
  out=$("$lever" tune "$@" 2>&1)
  local rc=$?
  [ $rc -eq 2 ] || fail "$what: expected exit 2, got $rc" "$out"
  [[ "$out" == *"$part"* ]] || fail "$what: message lacks '$part'" "$out"
}
expect_error "no config" "needs --config <study.yaml> and --study-dir <dir>" --study-dir "$dir/x"
expect_error "missing config file" "cannot open study spec YAML file '$dir/nope.yaml': No such file or directory" --config "$dir/nope.yaml" --study-dir "$dir/x"
expect_error "no trainer program" "'no-such-trainer' is not an executable on PATH" \
             --config "$dir/study.yaml" --study-dir "$dir/x" -- no-such-trainer
expect_error "--show of nothing" "no study database at '$dir/nowhere/study.db'" --show "$dir/nowhere"
sed 's/maxValue: 1/maxValue: 2/' "$dir/study.yaml" > "$dir/changed.yaml"
expect_error "changed spec" "study 'default' was created with params" --config "$dir/changed.yaml" --study-dir "$dir/whole"

finish
