#!/usr/bin/env bash
# Text feature columns with defaults only (issue 12): a table whose outcome depends on a city (six values,
# some cells empty) and a plan, trained by `lever train --train-file` (one 0/1 input per value),
# `lever train --config` without feature_columns (categorical columns in embeddings, written into the config
# so eval, predict and a bundle rebuild them) and `lever linear`; each must learn what the text says (a
# numbers-only model cannot). Column types declared with --column-type and data.column_types; a numeric
# column with a stray text is an error that says how to declare it.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: could not write the tables"; exit 1; }
import math, random, sys
work = sys.argv[1]
rng = random.Random(3)
effect = {"Berlin": 2.0, "Lagos": -2.0, "Lima": 1.0, "Oslo": -1.0, "Osaka": 1.5, "Perth": -1.5}
plan = {"basic": -1.0, "plus": 0.0, "pro": 1.0}
def write(name, rows, unseen):
    with open(f"{work}/{name}", "w") as out:
        out.write("x,city,plan,zip,y\n")
        for i in range(rows):
            x, c, p = rng.gauss(0, 1), rng.choice(sorted(effect)), rng.choice(sorted(plan))
            z = 0.5 * x + effect[c] + plan[p]
            y = "yes" if rng.random() < 1 / (1 + math.exp(-2 * z)) else "no"
            city = "" if rng.random() < 0.05 else ("Quito" if unseen and i % 50 == 0 else c)
            out.write(f"{x:.4f},{city},{p},{10000 + rng.randint(0, 3)},{y}\n")
write("train.csv", 1200, False)
write("test.csv", 400, True)
with open(f"{work}/test.csv") as f, open(f"{work}/unlabeled.csv", "w") as out:
    for line in f.read().splitlines():
        out.write(line.rsplit(",", 1)[0] + "\n")
with open(f"{work}/stray.csv", "w") as out:
    out.write("age,y\n" + "".join(f"{20 + i},{i % 2}\n" for i in range(30)) + "n/a,1\n")
with open(f"{work}/empty_col.csv", "w") as out:
    out.write("age,note,y\n" + "".join(f"{20 + i},,{i % 2}\n" for i in range(30)))
PY
cd "$work" || exit 1

acc_of() { sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p' | tail -1; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a >= b) }'; }

out=$("$lever" train --train-file train.csv --test-file test.csv --label y 2>&1) || fail "train --train-file: exit $?" "$out"
[[ "$out" == *"column 'city': text, 6 values -> 6 inputs of 0/1"* ]] || fail "train --train-file: no column line" "$out"
acc=$(echo "$out" | acc_of)
above "$acc" 0.8 || fail "train --train-file: test accuracy '$acc' (the city and plan decide most labels)" "$out"
# Numbers only: the same table without the text columns cannot reach it.
cut -d, -f1,5 train.csv > train_x.csv && cut -d, -f1,5 test.csv > test_x.csv
acc_x=$("$lever" train --train-file train_x.csv --test-file test_x.csv --label y -q 2>&1 | acc_of)
above "$acc" "$(awk -v a="$acc_x" 'BEGIN { print a + 0.1 }')" || fail "text inputs add nothing: $acc vs $acc_x without them"
# --column-type: zip codes as categories, four more inputs.
out=$("$lever" train --train-file train.csv --test-file test.csv --label y --column-type zip=string 2>&1) ||
  fail "--column-type zip=string: exit $?" "$out"
[[ "$out" == *"column 'zip': text, 4 values -> 4 inputs of 0/1"* ]] || fail "--column-type zip=string: no zip line" "$out"
expect_exit2 "--column-type: no column 'zipp' to give type string; the columns are x, city, plan, zip, y" \
  "$lever" train --train-file train.csv --test-file test.csv --label y --column-type zipp=string
expect_exit2 "unknown type 'text'" "$lever" train --train-file train.csv --test-file test.csv --label y --column-type zip=text
expect_exit2 "stray.csv:32: column 'age' holds numbers in 30 rows and texts in 1, the first 'n/a'" \
  "$lever" train --train-file stray.csv --test-file stray.csv --label y
"$lever" train --train-file stray.csv --test-file stray.csv --label y --na-values ,n/a -q > /dev/null ||
  fail "--na-values n/a should make the stray text missing"

cat > run.yaml <<'YAML'
data: {train: train.csv, eval: test.csv, label: y}
train: {max_steps: 600}
run: {model_dir: job}
YAML
out=$("$lever" train --config run.yaml 2>&1) || fail "train --config: exit $?" "$out"
[[ "$out" == *"column 'city': text, 6 values + 1 for missing or unseen -> an embedding of 2"* ]] ||
  fail "train --config: no column line" "$out"
acc=$(echo "$out" | sed -n 's/^final: .*accuracy \([0-9.]*\).*/\1/p')
above "$acc" 0.8 || fail "train --config: accuracy '$acc'" "$out"
"$lever" predict --config run.yaml --input unlabeled.csv --output p.csv || fail "predict --config"
"$lever" export --config run.yaml -o bundle > /dev/null || fail "export"
grep -q "vocabulary" bundle/config.yaml || fail "the bundle's config lacks the text columns" "$(cat bundle/config.yaml)"
"$lever" predict --model bundle --input unlabeled.csv --output p_bundle.csv || fail "predict --model"
cmp -s p.csv p_bundle.csv || fail "the bundle predicts otherwise than the job" "$(diff p.csv p_bundle.csv | head -5)"
# A resumed run finds the same columns (the checkpoint's fingerprint matches).
"$lever" train --config run.yaml --train.max_steps=700 -q > /dev/null || fail "resume with text columns"
out=$("$lever" train --config run.yaml --estimator.type=linear --run.model_dir=job_linear -q 2>&1) ||
  fail "train --config linear: exit $?" "$out"
cat > typed.yaml <<'YAML'
data: {train: train.csv, eval: test.csv, label: y, column_types: {zip: string}}
train: {max_steps: 300}
run: {model_dir: job_typed}
YAML
out=$("$lever" train --config typed.yaml 2>&1) || fail "data.column_types: exit $?" "$out"
[[ "$out" == *"column 'zip': text, 4 values"* ]] || fail "data.column_types: zip is not text" "$out"
expect_exit2 "data.column_types" "$lever" train --config typed.yaml "--data.column_types={zip: words}"

expect_exit2 "stray.csv:32: column 'age' holds numbers in 30 rows and texts in 1, the first 'n/a'" \
  "$lever" linear --train stray.csv --test stray.csv --label y
expect_exit2 "column 'note' has no value in any of the 30" "$lever" linear --train empty_col.csv --test empty_col.csv --label y
out=$("$lever" linear --train train.csv --test test.csv --label y --json 2>&1) || fail "linear: exit $?" "$out"
acc=$(echo "$out" | tail -1 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')
above "$acc" 0.8 || fail "linear: accuracy '$acc'" "$out"
finish
