#!/usr/bin/env bash
# What lever writes, and how it ends: one writer per model or job directory (a second is refused with the
# holder's pid; readers are not), no write through a symbolic link in a model or job directory, every
# command's output checked (stdout on /dev/full fails with exit 1 and the reason), predict never writing
# over its input and replacing its output whole, the temporaries of killed runs removed at the next start
# (only those), and exit 130 / 143 for a run stopped by SIGINT / SIGTERM with a checkpoint.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 "$(dirname "$0")/digits_csv.py" "$work" digits_ || { echo "FAIL: could not write digits"; exit 1; }
/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: could not write the data"; exit 1; }
import random, sys
random.seed(1)
with open(f"{sys.argv[1]}/binary.csv", "w") as f, open(f"{sys.argv[1]}/scores.csv", "w") as s:
    f.write("x,y,label\n")
    s.write("probability,label\n")
    for _ in range(200):
        x, y = random.random(), random.random()
        label = int(x + 0.3 * random.random() > 0.6)
        f.write(f"{x:.4f},{y:.4f},{label}\n")
        s.write(f"{x:.4f},{label}\n")
PY
cat > "$work/digits.yaml" <<'YAML'
data: {train: digits_train.csv, eval: digits_test.csv, label: label}
estimator: {type: dnn, hidden_units: [32], optimizer: adam, learning_rate: 0.001}
train: {max_steps: 100, batch_size: 100}
eval: {every_steps: 100}
run: {model_dir: runs/digits, save_checkpoints_steps: 50}
YAML
cut -d, -f1-64 "$work/digits_test.csv" > "$work/unlabeled.csv"
# A pid no process has: a child's, after it ended.
sh -c 'exit 0' &
dead=$!
wait "$dead"

# --- litter: temporaries of killed runs (pid gone) are removed when the next writer starts; a live
# process's (this shell's) are kept.
mkdir -p "$work/runs/digits/export/latest/.70.tmp-$dead/variables" "$work/runs/digits/export/latest/.80.tmp-$$"
touch "$work/runs/digits/ckpt-50.json.tmp.$dead" "$work/runs/digits/checkpoint.tmp.$dead" \
  "$work/runs/digits/checkpoint.tmp.$$"
out=$("$lever" train --config "$work/digits.yaml" 2>&1) || fail "digits run: $out"
for f in "ckpt-50.json.tmp.$dead" "checkpoint.tmp.$dead" "export/latest/.70.tmp-$dead"; do
  [ -e "$work/runs/digits/$f" ] && fail "the stale $f was not removed"
done
for f in "checkpoint.tmp.$$" "export/latest/.80.tmp-$$"; do
  [ -e "$work/runs/digits/$f" ] || fail "a live process's $f was removed"
done
mkdir -p "$work/bundles/.b.tmp-$dead/variables" "$work/bundles/.c.tmp-$$"
touch "$work/bundles/notes.tmp.$dead"
out=$("$lever" export --config "$work/digits.yaml" --no-eval --output "$work/bundles/b" 2>&1) || fail "export: $out"
[ -e "$work/bundles/.b.tmp-$dead" ] && fail "export left the stale .b.tmp-$dead"
[ -e "$work/bundles/.c.tmp-$$" ] && [ -e "$work/bundles/notes.tmp.$dead" ] ||
  fail "export removed a live process's bundle or a file of the user's: $(ls -a "$work/bundles")"
mkdir -p "$work/job"
touch "$work/job/result.json.tmp.$dead"
out=$("$lever" train -q --train-file "$work/binary.csv" --test-file "$work/binary.csv" --label label --steps 20 --job-dir "$work/job" 2>&1) ||
  fail "train --train-file --job-dir: $out"
[ -e "$work/job/result.json.tmp.$dead" ] && fail "train --job-dir left the stale result.json.tmp.$dead"

# --- one writer per directory. A run holds its model directory: a second writer is refused at once with
# the holder's pid; lever eval and predict (readers) still work; SIGINT then stops the run with exit 130.
"$lever" train --config "$work/digits.yaml" --job-dir "$work/long" --doctor --train.max_steps=1000000 > "$work/long.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do
  { [ -f "$work/long/checkpoint" ] || ! kill -0 "$pid" 2> /dev/null; } && break
  sleep 0.05
done
expect_exit2 "another lever process is writing the model directory '$work/long': pid $pid holds $work/long/lever.lock" \
  "$lever" train --config "$work/digits.yaml" --job-dir "$work/long"
expect_exit2 "pid $pid holds" "$lever" train --config "$work/digits.yaml" --job-dir "$work/long" --train.max_steps=5
out=$("$lever" eval --config "$work/digits.yaml" --job-dir "$work/long" 2>&1) || fail "eval while a run writes: $out"
out=$("$lever" predict --config "$work/digits.yaml" --job-dir "$work/long" --input "$work/unlabeled.csv" 2>&1 > /dev/null) ||
  fail "predict while a run writes: $out"
kill -INT "$pid" 2> /dev/null
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] && grep -q "^stopped by Ctrl-C at step" "$work/long.log" ||
  fail "SIGINT: exit $rc, wanted 130 (128 + SIGINT) and a clean stop: $(tail -2 "$work/long.log")"
# The doctor's record says the run was interrupted, not that it still runs or finished.
out=$("$lever" doctor "$work/long" 2>&1) || fail "lever doctor after SIGINT: exit $?" "$out"
[[ "$out" == *": interrupted at step "*" of 1000000"* ]] || fail "lever doctor after SIGINT: the state" "$out"
# A record that says running while nobody holds the lock was left by a killed run.
/usr/bin/python3 -c 'import json, sys
p = sys.argv[1]; r = json.load(open(p)); r["running"] = True; r.pop("interrupted"); json.dump(r, open(p, "w"))' \
  "$work/long/doctor_record.json"
out=$("$lever" doctor "$work/long" 2>&1) || fail "lever doctor on a killed run's record: exit $?" "$out"
[[ "$out" == *"the run that wrote it is no longer running (killed?)"* ]] || fail "lever doctor: a killed run" "$out"
# The lock went with the run: the same command continues.
out=$("$lever" train -q --config "$work/digits.yaml" --job-dir "$work/long" --train.max_steps=5 2>&1) ||
  fail "a run after the stop: $out"
# A job directory held by another process (here python's flock; its pid from /proc/locks).
/usr/bin/python3 -c 'import fcntl, os, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX); print(os.getpid(), flush=True); time.sleep(60)' \
  "$work/job/lever.lock" > "$work/holder.pid" &
holder=$!
for _ in $(seq 100); do [ -s "$work/holder.pid" ] && break; sleep 0.05; done
expect_exit2 "another lever process is writing the job directory '$work/job': pid $holder holds" \
  "$lever" train -q --train-file "$work/binary.csv" --test-file "$work/binary.csv" --label label --steps 20 --job-dir "$work/job"
kill "$holder"
wait "$holder" 2> /dev/null

# --- no write through a symbolic link in a model or job directory.
echo "keep me" > "$work/outside.txt"
ln -sf "$work/outside.txt" "$work/job/result.json"
expect_exit2 "result.json': it is a symbolic link" \
  "$lever" train -q --train-file "$work/binary.csv" --test-file "$work/binary.csv" --label label --steps 20 --job-dir "$work/job"
rm "$work/job/result.json"
# The run log (events.jsonl, eval/events.jsonl) is refused through a link as a model directory's is.
mkdir -p "$work/job/eval"
ln -sf "$work/outside.txt" "$work/job/eval/events.jsonl"
expect_exit2 "events.jsonl': it is a symbolic link" \
  "$lever" train -q --train-file "$work/binary.csv" --test-file "$work/binary.csv" --label label --steps 20 --job-dir "$work/job"
rm "$work/job/eval/events.jsonl"
mkdir -p "$work/linked"
ln -sf "$work/outside.txt" "$work/linked/events.jsonl"
expect_exit2 "events.jsonl': it is a symbolic link" \
  "$lever" train -q --config "$work/digits.yaml" --job-dir "$work/linked"
[ "$(cat "$work/outside.txt")" = "keep me" ] || fail "a file outside the model directory was written: $(cat "$work/outside.txt")"

# --- predict: never over its input; the output replaced whole (a new file renamed into place).
cp "$work/unlabeled.csv" "$work/in.csv"
ln "$work/in.csv" "$work/hardlink.csv"
for output in "$work/in.csv" "$work/./in.csv" "$work/hardlink.csv"; do
  expect_exit2 "--output $output is the input file" \
    "$lever" predict --config "$work/digits.yaml" --input "$work/in.csv" --output "$output"
done
cmp -s "$work/in.csv" "$work/unlabeled.csv" || fail "predict wrote over its input"
"$lever" predict --config "$work/digits.yaml" --input "$work/in.csv" --output "$work/p.csv" || fail "predict"
before=$(stat -c %i "$work/p.csv")
"$lever" predict --config "$work/digits.yaml" --input "$work/in.csv" --output "$work/p.csv" || fail "predict again"
[ "$(stat -c %i "$work/p.csv")" != "$before" ] || fail "predict --output truncated the file in place"
[ "$(wc -l < "$work/p.csv")" -eq 451 ] || fail "predict csv rows: $(wc -l < "$work/p.csv")"
expect_exit2 "--roc $work/scores.csv is the input file" \
  "$lever" threshold --predictions "$work/scores.csv" --roc "$work/scores.csv"

# --- every command's output is checked: stdout on a full device fails with exit 1 and the reason.
cat > "$work/study.yaml" <<YAML
trainingInput:
  hyperparameters:
    goal: MINIMIZE
    hyperparameterMetricTag: loss
    maxTrials: 1
    params:
    - {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}
trainer:
  command: [sh, -c, 'echo "{\"global_step\": \"1\", \"loss\": \"0.5\"}" > "\$CLOUD_ML_HP_METRIC_FILE"']
YAML
out=$("$lever" tune -q --config "$work/study.yaml" --study-dir "$work/study" 2>&1) || fail "tune: $out"
expect_full() {
  local out rc
  out=$(timeout 300 "$@" 2>&1 > /dev/full)
  rc=$?
  if [ "$rc" -ne 1 ] || [[ "$out" != *"No space left on device"* ]]; then
    fail "${*:2} > /dev/full -> exit $rc, wanted 1 and 'No space left on device' in:" "$out"
  fi
}
expect_full "$lever" eval --config "$work/digits.yaml"
expect_full "$lever" eval --json --config "$work/digits.yaml"
expect_full "$lever" train -q --steps 20
expect_full "$lever" train --config "$work/digits.yaml" --job-dir "$work/full" --train.max_steps=20
expect_full "$lever" linear --json --train "$work/binary.csv" --label label
expect_full "$lever" threshold --predictions "$work/scores.csv"
expect_full "$lever" tune --show "$work/study"
expect_full "$lever" predict --config "$work/digits.yaml" --input "$work/in.csv"
# An output file on a full device: exit 2 (an IoError naming it) with the reason.
for output in /dev/full /dev/stdout; do
  out=$("$lever" predict --config "$work/digits.yaml" --input "$work/in.csv" --output $output 2>&1 > /dev/full)
  rc=$?
  [ "$rc" -eq 2 ] && [[ "$out" == *"cannot write '$output': No space left on device"* ]] ||
    fail "predict --output $output > /dev/full -> exit $rc: $out"
done

finish
