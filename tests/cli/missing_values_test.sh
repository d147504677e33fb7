#!/usr/bin/env bash
# Missing values and column types that do not drift, through every CSV path with defaults only: a generated
# table with 5% empty or NA cells in its feature columns and a column that is 0 in every training row but
# fractional in the test file, trained by `lever train --config`, `lever train --train-file` and `lever linear`;
# an exported bundle predicts a file with missing cells; unusable numbers are errors naming file and line.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: could not write the tables"; exit 1; }
import math, random, sys
work = sys.argv[1]
rng = random.Random(7)
def write(name, rows, px_fraction):
    with open(f"{work}/{name}", "w") as out:
        out.write("age,income,visits,px142,y\n")
        for i in range(rows):
            age, income, visits = rng.gauss(40, 10), rng.gauss(0, 1), rng.randint(0, 9)
            z = 0.15 * (age - 40) + 1.5 * income + 0.4 * (visits - 4.5)
            y = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0
            cells = [f"{age:.2f}", f"{income:.4f}", str(visits)]
            for j in range(3):
                if rng.random() < 0.05:
                    cells[j] = rng.choice(["", "NA", "?", "nan"])
            px = "0.298" if px_fraction and i % 7 == 3 else "0"
            out.write(",".join(cells + [px, str(y)]) + "\n")
write("train.csv", 1500, False)
write("test.csv", 500, True)
with open(f"{work}/test.csv") as f:
    lines = f.read().splitlines()
with open(f"{work}/unlabeled.csv", "w") as out:
    out.write("\n".join(",".join(l.split(",")[:-1]) for l in lines) + "\n")
PY
grep -q ',,' "$work/train.csv" || fail "the generated table should have empty cells"

# lever train --config with defaults: no schema, no feature columns.
cat > "$work/run.yaml" <<YAML
data: {train: train.csv, eval: test.csv, label: y}
estimator: {type: linear}
train: {max_steps: 400, batch_size: 64}
run: {model_dir: model}
YAML
out=$("$lever" train --config "$work/run.yaml" 2>&1) || fail "lever train --config on a table with missing cells" "$out"
[[ "$out" == *"1500 rows, 5 columns (label 'y')"* ]] || fail "config: data summary rows" "$out"
[[ "$out" =~ age:\ number,\ [0-9.]+%\ missing,\ imputed\ 4[0-9.]+ ]] || fail "config: age imputed with its mean" "$out"
[[ "$out" =~ visits:\ number,\ [0-9.]+%\ missing ]] || fail "config: visits (integers with missing) as numbers" "$out"
auc=$(echo "$out" | sed -n 's/^final:.* auc \([0-9.]*\).*/\1/p')
awk -v a="$auc" 'BEGIN { exit !(a > 0.8) }' || fail "config: final auc '$auc' should be above 0.8" "$out"

# An exported bundle imputes with the stored training means: predicting a file with missing cells works.
out=$("$lever" export --config "$work/run.yaml" -o "$work/bundle" 2>&1) || fail "lever export" "$out"
"$lever" predict --model "$work/bundle" --input "$work/unlabeled.csv" --output "$work/p.csv" >/dev/null 2>&1 ||
  fail "lever predict --model on a file with missing cells"
[ "$(wc -l < "$work/p.csv")" -eq 501 ] || fail "bundle predictions: $(wc -l < "$work/p.csv") lines"

# Strictness on request: missing: error names the row.
cat > "$work/strict.yaml" <<YAML
data: {train: train.csv, eval: test.csv, label: y}
estimator: {type: linear}
train: {max_steps: 10}
feature_columns:
  - numeric: {key: age, missing: error}
  - numeric: {key: income, missing_indicator: true}
  - numeric: {key: visits, default: 0}
YAML
expect_exit2 "is missing, and its feature column says missing: error" "$lever" train --config "$work/strict.yaml"
# data.na_values: "?" no longer means missing, so the columns holding it are text.
expect_exit2 "column 'age' holds numbers in" "$lever" train --config "$work/run.yaml" "--data.na_values=['', NA, nan]"

# lever train --train-file with defaults.
out=$("$lever" train --train-file "$work/train.csv" --test-file "$work/test.csv" --label y --steps 300 --hidden "" 2>&1) ||
  fail "lever train --train-file on a table with missing cells" "$out"
[[ "$out" =~ income:\ number,\ [0-9.]+%\ missing,\ imputed ]] || fail "train-file: data summary" "$out"
acc=$(echo "$out" | sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p')
awk -v a="$acc" 'BEGIN { exit !(a > 0.7) }' || fail "train-file: test accuracy '$acc' should be above 0.7" "$out"

# lever linear with defaults.
out=$("$lever" linear --train "$work/train.csv" --test "$work/test.csv" --label y 2>&1) ||
  fail "lever linear on a table with missing cells" "$out"
auc=$(echo "$out" | sed -n 's/^test:.* AUC \([0-9.]*\).*/\1/p')
awk -v a="$auc" 'BEGIN { exit !(a > 0.8) }' || fail "linear: test auc '$auc' should be above 0.8" "$out"

# inf, 1e39 and 0,5 in the first rows are errors naming file, line and column, not a text column.
for cell in inf 1e39 '"0,5"'; do
  { echo "a,y"; echo "$cell,1"; for i in $(seq 1 40); do echo "0.$i,$((i % 2))"; done; } > "$work/early.csv"
  expect_exit2 "early.csv:2: column 'a' holds" "$lever" linear -q --train "$work/early.csv" --label y
  expect_exit2 "early.csv:2: column 'a' holds" "$lever" train -q --train-file "$work/early.csv" --test-file "$work/early.csv" --label y
done
# A column that is entirely missing in training is an error naming it.
{ echo "a,b,y"; for i in $(seq 1 20); do echo "0.$i,,$((i % 2))"; done; } > "$work/empty_col.csv"
expect_exit2 "column 'b' has no value in any of the 20 training rows" "$lever" train -q --train-file "$work/empty_col.csv" --test-file "$work/empty_col.csv" --label y
finish
