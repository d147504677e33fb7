#!/bin/bash
# Real tables with lever's defaults only (issue 12): scikit-learn's iris, wine and breast cancer with their
# text class names, the split of bench/peers/real_tables.py, through `lever train --train-file`,
# `lever train --config` (data and model_dir only) and `lever linear`. Checks what passes today: accuracy
# bars (scikit-learn's figure on the same split, less the margin measured there) and the class names through
# predict --config, export + predict --model and result.json. The bars for `lever linear` only guard against
# getting worse: with its default of one pass it is 6-16% below scikit-learn's LogisticRegression today.
#   real_tables_test.sh path/to/lever
lever=$(realpath "$1")
source "$(dirname "$0")/../cli/lib.sh"
/usr/bin/python3 "$(dirname "$0")/write_tables.py" "$work" || { echo "FAIL: could not write the tables"; exit 1; }

# at_least <what> <value> <bar>
at_least() {
  /usr/bin/python3 -c 'import sys; sys.exit(not float(sys.argv[1]) >= float(sys.argv[2]))' "${2:-0}" "$3" ||
    fail "$1: accuracy ${2:-none} below $3"
}

# table, train bar, config bar, linear bar, linear loss flags, the class names sorted (space-separated)
# Measured (scikit-learn MLPClassifier / LogisticRegression): iris train 0.974, config 1.000, linear 0.816
# (1.000 / 0.974); wine 1.000, 1.000, 0.933 (1.000 / 1.000); breast cancer 0.944, 0.965, 0.902 (0.965 / 0.986).
# --config holds out 10% of the training rows for early stopping as --train-file does: breast cancer's 43
# held-out rows put the best loss at step 90 (test accuracy 0.937; 0.965 with train.validation_split=0),
# while diabetes's DNN no longer overfits (RMSE 73.4 -> 57.3).
while read -r table train_bar config_bar linear_bar loss classes; do
  cd "$work/$table" || exit 1
  out=$(timeout 120 "$lever" train --train-file train.csv --test-file test.csv --label label 2>&1) ||
    fail "$table: lever train --train-file" "$out"
  at_least "$table train --train-file" "$(grep -o 'test accuracy [0-9.]*' <<<"$out" | tail -1 | cut -d' ' -f3)" "$train_bar"

  printf 'data: {train: train.csv, eval: test.csv, label: label}\nrun: {model_dir: job}\n' >run.yaml
  out=$(timeout 120 "$lever" train --config run.yaml 2>&1) || fail "$table: lever train --config" "$out"
  at_least "$table train --config" "$(grep -o '^final: step [0-9]*  accuracy [0-9.]*' <<<"$out" | awk '{print $5}')" "$config_bar"
  want=$(printf '"%s",' $classes)
  [[ "$(tr -d ' \n' <job/result.json)" == *"\"classes\":[${want%,}]"* ]] || fail "$table: result.json classes" "$(cat job/result.json)"

  # Predictions name the classes, and a bundle predicts exactly what the job does.
  by_job=$("$lever" predict --config run.yaml --input test.csv 2>&1) || fail "$table: predict --config" "$by_job"
  names=$(tail -n +2 <<<"$by_job" | awk -F, '{print $NF}' | sort -u | tr '\n' ' ')
  [ "$names" == "$classes " ] || fail "$table: predict --config printed classes '$names', wanted '$classes '"
  out=$("$lever" export --config run.yaml --output bundle 2>&1) || fail "$table: export" "$out"
  by_bundle=$("$lever" predict --model bundle --input test.csv 2>&1) || fail "$table: predict --model" "$by_bundle"
  [ "$by_bundle" == "$by_job" ] || fail "$table: predict --model differs from predict --config"

  out=$(timeout 120 "$lever" linear --train train.csv --test test.csv --label label $loss --json 2>&1) ||
    fail "$table: lever linear" "$out"
  at_least "$table linear" "$(grep -o '"accuracy":[0-9.]*' <<<"$out" | cut -d: -f2)" "$linear_bar"
  want=$(printf '"%s",' $classes)
  [[ "$out" == *"\"classes\":[${want%,}]"* ]] || fail "$table: lever linear --json classes" "$out"
done <<'TABLES'
iris 0.94 0.97 0.80 --loss=softmax setosa versicolor virginica
wine 0.97 0.97 0.91 --loss=softmax class_0 class_1 class_2
breast_cancer 0.93 0.93 0.89 --loss=logistic benign malignant
TABLES

# Diabetes: whole-number targets 25..346 are regression, and the default network (Adam at 0.001) keeps
# within 2% of scikit-learn's Ridge (RMSE 56.46 on this split; lever measured 56.52 and 56.92; Adagrad at
# 0.05, the earlier default, overfits past it on the five-split average).
cd "$work/diabetes" || exit 1
out=$(timeout 120 "$lever" train --train-file train.csv --test-file test.csv --label label 2>&1) ||
  fail "diabetes: lever train --train-file" "$out"
loss=$(grep -o '^final: train loss [0-9.]*  test loss [0-9.]*' <<<"$out" | awk '{print $NF}')
/usr/bin/python3 -c 'import sys; sys.exit(not float(sys.argv[1]) ** 0.5 <= 57.59)' "${loss:-1e9}" ||
  fail "diabetes train --train-file: test RMSE sqrt(${loss:-none}) above 57.59 (Ridge + 2%)" "$out"
printf 'data: {train: train.csv, eval: test.csv, label: label}\nrun: {model_dir: job}\n' >run.yaml
out=$(timeout 120 "$lever" train --config run.yaml 2>&1) || fail "diabetes: lever train --config" "$out"
rmse=$(grep -o '^final: .* rmse [0-9.]*' <<<"$out" | awk '{print $NF}')
/usr/bin/python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= 57.59)' "${rmse:-1e9}" ||
  fail "diabetes train --config: test RMSE ${rmse:-none} above 57.59 (Ridge + 2%)" "$out"
finish
