#!/usr/bin/env bash
# `lever train` on a numeric CSV table: scikit-learn's digits (10 classes, 8x8 pixels), the same 75/25
# split scikit-learn's MLPClassifier is scored on here, with its default settings as the bar; the job
# directory's files and the tuner's metric file; clear errors for a bad label.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 "$(dirname "$0")/digits_csv.py" "$work" || { echo "FAIL: could not write digits"; exit 1; }
mlp=$(cd "$(dirname "$0")" && /usr/bin/python3 -c '
from digits_csv import split
from sklearn.neural_network import MLPClassifier
xtr, xte, ytr, yte = split()
print(MLPClassifier(random_state=0).fit(xtr, ytr).score(xte, yte))
'
) || { echo "FAIL: could not build digits or fit MLPClassifier"; exit 1; }

run=(--train-file "$work/train.csv" --test-file "$work/test.csv" --hidden 100 --activation relu --optimizer adam
     --lr 0.001 --l2 0.0001 --batch-size 200 --steps 1500 --seed 1)
out=$(CLOUD_ML_HP_METRIC_FILE="$work/hp/metrics.jsonl" CLOUD_ML_TRIAL_ID=4 "$lever" train "${run[@]}" --job-dir "$work/job")
[ $? -eq 0 ] || fail "digits run: $out"
[[ "$out" == *"label 'label': 10 distinct whole numbers 0..9 -> multi_class, 10 classes (pass --task regression to override)"* ]] ||
  fail "the label line should name the task: $out"
acc=$(echo "$out" | sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p')
echo "digits: lever test accuracy $acc, MLPClassifier (defaults) $mlp"
awk -v a="$acc" -v b="$mlp" 'BEGIN { exit !(a >= b) }' || fail "digits test accuracy $acc below MLPClassifier's $mlp"

# The job directory: the run log as an estimator writes it (events.jsonl, the training loss every 100 steps;
# eval/events.jsonl, one line per evaluation: 10) with TensorBoard files, and result.json.
[ "$(wc -l < "$work/job/eval/events.jsonl")" -eq 10 ] ||
  fail "eval/events.jsonl should have 10 lines: $(cat "$work/job/eval/events.jsonl")"
[ "$(wc -l < "$work/job/events.jsonl")" -eq 15 ] || fail "events.jsonl should have 15 lines: $(cat "$work/job/events.jsonl")"
ls "$work/job"/events.out.tfevents.* "$work/job"/eval/events.out.tfevents.* > /dev/null || fail "no TensorBoard files"
/usr/bin/python3 -c 'import json, sys; e = json.loads(open(sys.argv[1]).readlines()[-1])
assert e["step"] == 1500 and 0 < e["accuracy"] <= 1 and e["train_loss"] > 0, e' \
  "$work/job/eval/events.jsonl" || fail "eval/events.jsonl: $(tail -1 "$work/job/eval/events.jsonl")"
grep -q '"test_accuracy"' "$work/job/result.json" || fail "result.json lacks test_accuracy: $(cat "$work/job/result.json")"
# Early stopping by default: 10% of the training rows held out, the kept weights' step said and recorded.
[[ "$out" == *"early stopping: holdout loss "*" at step "*"of the training rows held out"* ]] ||
  fail "no early stopping line: $out"
/usr/bin/python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["early_stopping"]
assert e["holdout_rows"] > 0 and 0 < e["best_step"] <= 1500 and e["holdout_loss"] > 0, e' "$work/job/result.json" ||
  fail "result.json early_stopping: $(cat "$work/job/result.json")"
# The tuner's file: cloudml-hypertune's JSON lines, the last at the final step with the final accuracy.
/usr/bin/python3 - "$work/hp/metrics.jsonl" "$acc" <<'PY' || fail "metric file"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 10, lines
last = lines[-1]
assert last["trial"] == "4" and last["global_step"] == "1500", last
assert abs(float(last["accuracy"]) - float(sys.argv[2])) < 1e-4, (last, sys.argv[2])
assert float(last["loss"]) > 0 and isinstance(last["timestamp"], float), last
PY

# lever tune drives lever train: a small study on digits (6 trials, 2 at a time) completes every trial
# and finds a configuration above 0.9 test accuracy.
cat > "$work/study.yaml" <<YAML
trainingInput:
  hyperparameters:
    goal: MAXIMIZE
    hyperparameterMetricTag: accuracy
    maxTrials: 6
    maxParallelTrials: 2
    params:
    - {parameterName: learning_rate, type: DOUBLE, minValue: 0.0003, maxValue: 0.03, scaleType: UNIT_LOG_SCALE}
    - {parameterName: hidden_units, type: CATEGORICAL, categoricalValues: ["16", "64"]}
    - {parameterName: batch_size, type: DISCRETE, discreteValues: [32, 64]}
trainer:
  command: [$lever, train, --train-file=$work/train.csv, --test-file=$work/test.csv, --activation=relu, --steps=300, -q]
YAML
tune_out=$("$lever" tune --config "$work/study.yaml" --study-dir "$work/study" --seed 1 2>&1) || fail "lever tune on lever train: $tune_out"
completed=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from trials where state='COMPLETED'\").fetchone()[0])" "$work/study/study.db")
best=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select max(objective) from trials where state='COMPLETED'\").fetchone()[0])" "$work/study/study.db")
[ "$completed" = 6 ] || fail "digits study: $completed of 6 trials completed: $tune_out"
awk -v a="$best" 'BEGIN { exit !(a > 0.9) }' || fail "digits study best accuracy $best"
[ -f "$work/study/trials/0/result.json" ] || fail "trial 0's job directory lacks result.json"
echo "digits study: 6 trials completed, best test accuracy $best"

# Underscore spellings, as a tuner passes --<parameterName>=<value>.
"$lever" train -q --train-file "$work/train.csv" --test-file "$work/test.csv" --learning_rate=0.01 --batch_size=32 \
  --hidden_units=16 --steps 50 > /dev/null || fail "underscore flag spellings"

expect_error() { local want=$1; shift; expect_exit2 "$want" "$lever" train -q "$@"; }
expect_error "label column 'digit'" --train-file "$work/train.csv" --test-file "$work/test.csv" --label digit
expect_error "needs a --test-file" --train-file "$work/train.csv"
# One table split by --train-percent: the data line says so, and the figures come out.
"$lever" train --train-file "$work/train.csv" --train-percent 80 --hidden 16 --steps 50 > "$work/split.out" ||
  fail "--train-percent without --test-file"
grep -q "test: a 80% split by seed 1)" "$work/split.out" || fail "the split's data line: $(grep data: "$work/split.out")"
grep -q "^final: .*test accuracy" "$work/split.out" || fail "the split run's final line"
expect_error "--train-percent must be in 10..90 (the share of --train-file's rows" --train-file "$work/train.csv" \
  --train-percent 5
expect_error "--validation-split is a share of the training rows in [0, 1), got 1" --train-file "$work/train.csv" \
  --test-file "$work/test.csv" --validation-split 1
expect_error "--patience is a number of checks >= 0, got -2" --train-file "$work/train.csv" --test-file "$work/test.csv" \
  --patience -2
sed '2s/,[0-9]*$/,12/' "$work/test.csv" > "$work/bad_test.csv"
expect_error "bad_test.csv:2: label 'label' is \"12\", a value the training labels do not have" --train-file "$work/train.csv" --test-file "$work/bad_test.csv"

finish
