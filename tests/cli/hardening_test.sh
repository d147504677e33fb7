#!/usr/bin/env bash
# Hostile input through the CLI (issue 14): configs that expand without end, bundles that point outside
# themselves, damaged checkpoints, sizes beyond memory and an unwritable export each end quickly with a
# clear error (exit 2) or a warning, never a hang, a silent older step or an internal error.
lever=$1
source "$(dirname "$0")/lib.sh"
cd "$work" || exit 1

/usr/bin/python3 - <<'PY' || { echo "FAIL: could not write the data"; exit 1; }
import random
random.seed(1)
with open("t.csv", "w") as f:
    f.write("a,b,y\n")
    for i in range(200):
        a, b = random.random(), random.random()
        f.write(f"{a:.3f},{b:.3f},{int(a + b > 1)}\n")
PY
cat > run.yaml <<'YAML'
data: {train: t.csv, eval: t.csv, label: y}
estimator: {type: dnn, hidden_units: [4]}
feature_columns: [{numeric: a}, {numeric: b}]
train: {max_steps: 40, batch_size: 20}
run: {model_dir: m, save_checkpoints_steps: 10}
YAML

# Crossed columns nested through YAML aliases, each level crossing the one below with itself: 16 levels
# took 15 s and 20 never ended. Now the YAML reader refuses 16, and the crossed column refuses 7 (128 inputs).
deep_crosses() {
  echo "c0: &c0 {crossed: {keys: [a, b], hash_buckets: 10}}"
  for k in $(seq 1 "$1"); do echo "c$k: &c$k {crossed: {keys: [*c$((k - 1)), *c$((k - 1))], hash_buckets: 10}}"; done
  echo "feature_columns: [{indicator: *c$1}]"
}
deep_crosses 16 > deep16.yaml
deep_crosses 10 > deep10.yaml
expect_exit2 "deep16.yaml: holds 3145608 values (each alias *name counted as a copy of its anchor); lever reads at most" \
  timeout 10 "$lever" linear --train t.csv --test t.csv --label y --columns deep16.yaml
expect_exit2 "a crossed column of 128 inputs in all (its nested crosses' inputs counted); lever allows at most 64" \
  timeout 10 "$lever" linear --train t.csv --test t.csv --label y --columns deep10.yaml
# Duplicate keys in a run config, and in an override.
printf 'train: {max_steps: 5}\ntrain: {max_steps: 6}\n' | cat run.yaml - > dup.yaml
expect_exit2 "dup.yaml:6: train: appears twice (first on line 4); keep one" "$lever" train --config dup.yaml
expect_exit2 "max_steps: appears twice" "$lever" train --config run.yaml "--train={max_steps: 5, max_steps: 6}"

# Damaged newest checkpoint: eval and predict say which step they use; every checkpoint damaged: refused.
"$lever" train -q --config run.yaml > /dev/null || fail "training"
truncate -s -5 m/ckpt-40.safetensors
for command in eval predict; do
  out=$("$lever" "$command" --config run.yaml --data t.csv 2>&1 > /dev/null)
  [[ "$out" == *"warning: skipped ./m/ckpt-40.safetensors"*"truncated"* ]] || fail "$command: no warning" "$out"
  [[ "$out" == *"warning: using the newest good checkpoint instead, step 30"* ]] || fail "$command: no step" "$out"
done
for f in m/ckpt-*.safetensors; do truncate -s 10 "$f"; done
expect_exit2 "every checkpoint in ./m is damaged" "$lever" train --config run.yaml --train.max_steps=60
expect_exit2 "every checkpoint in ./m is damaged" "$lever" predict --config run.yaml --input t.csv
[ "$(stat -c %s m/ckpt-40.safetensors)" -eq 10 ] && [ -f m/ckpt-10.json ] || fail "the damaged checkpoints changed"
rm -rf m

# A tampered bundle: a manifest entry /dev/zero or ../x, a file replaced by a link out of the bundle.
"$lever" train -q --config run.yaml > /dev/null && "$lever" export --config run.yaml -o good --no-eval > /dev/null ||
  fail "export"
tampered() {
  rm -rf bad && cp -r good bad
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
m = json.load(open("bad/bundle.json"))
m["files"][sys.argv[1]] = {"bytes": 5, "crc32c": 0}
json.dump(m, open("bad/bundle.json", "w"))
PY
}
for entry in /dev/zero ../t.csv; do
  tampered "$entry"
  expect_exit2 "'$entry' is not a plain path inside the bundle" timeout 20 "$lever" predict --model bad --input t.csv
done
rm -rf bad && cp -r good bad && rm bad/schema.yaml && ln -s /dev/urandom bad/schema.yaml
expect_exit2 "schema.yaml: leads outside the bundle" timeout 20 "$lever" predict --model bad --input t.csv

# Sizes beyond memory, negative counts (LEVER_MEMORY_LIMIT makes the figures the same on every machine).
printf '1 2147483647:1\n0 1:1\n' > big.svm
printf '1 1:1\n0 2:1\n' > small.svm
export LEVER_MEMORY_LIMIT=4G
expect_exit2 "a linear model of 2147483647 features (the largest index in big.svm, plus one)" \
  "$lever" linear --train big.svm
expect_exit2 "needs about 32.0 GiB, more than the 4.0 GiB LEVER_MEMORY_LIMIT allows: lower --num-features" \
  "$lever" linear --train small.svm --num-features 2147483647
expect_exit2 "--num-features must be positive" "$lever" linear --train small.svm --num-features -5
expect_exit2 "variable 'dense_1/kernel' (100000 x 100000)" \
  "$lever" train --config run.yaml --job-dir m2 "--estimator.hidden_units=[100000,100000]"
unset LEVER_MEMORY_LIMIT

# An export where nothing can be written (/sys is read-only in containers and to users).
if ! mkdir /sys/lever_probe 2> /dev/null; then
  expect_exit2 "IoError: cannot create /sys/.bundle.tmp-" "$lever" export --config run.yaml -o /sys/bundle --no-eval
else
  rmdir /sys/lever_probe
fi

# Clear messages (issue 14, item 10).
# A label outside [0, 1] for sigmoid cross entropy: the file, its 1-based line (header = 1) and the column,
# not the loss's row in a batch.
sed '9s/,1$/,2/; 9s/,0$/,2/' t.csv > label2.csv
expect_exit2 "label2.csv:9: label column 'y' is 2, but --loss sigmoid_cross_entropy takes labels in [0, 1]" \
  "$lever" train -q --train-file label2.csv --test-file t.csv --label y --task regression --loss sigmoid_cross_entropy
expect_exit2 "--loss sigmoid_cross_entropy does not fit a multi_class task" \
  "$lever" train -q --train-file label2.csv --test-file t.csv --label y --task multi_class --loss sigmoid_cross_entropy
# A directory as the run config; a missing one with the system's reason.
mkdir -p confdir
expect_exit2 "'confdir' is a directory, not a run config YAML file; give the file itself" "$lever" train --config confdir
expect_exit2 "cannot open run config YAML file 'nothere.yaml': No such file or directory" \
  "$lever" train --config nothere.yaml
# Run config keys and flags by the names the user wrote, with the line.
sed 's/max_steps: 40/max_steps: -1/' run.yaml > negative.yaml
expect_exit2 "negative.yaml:4: train.max_steps: must be at least 0, got -1" "$lever" train --config negative.yaml
expect_exit2 "run.yaml with --eval.every_steps=...: eval.every_steps: must be at least 0, got -2" \
  "$lever" train --config run.yaml --eval.every_steps=-2
# A binary file read as CSV or LIBSVM: control bytes escaped and the excerpt cut, never sent to the terminal.
head -c 400 "$lever" > binary.csv
cp binary.csv binary.svm
for f in binary.csv binary.svm; do
  out=$("$lever" linear --train "$f" --label y 2>&1)
  [ $? -eq 2 ] && [[ "$out" == *'\x7fELF\x02'* ]] || fail "$f: exit and escaped bytes" "$out"
  # Control bytes (C0 and DEL) only: bytes that happen to form valid UTF-8 are shown as written, harmlessly.
  [ "$(printf '%s' "$out" | tr -d '\n\t' | LC_ALL=C tr -d '\040-\176\200-\377' | wc -c)" -eq 0 ] || fail "$f: raw bytes in" "$out"
  [ "${#out}" -lt 600 ] || fail "$f: the excerpt is not cut (${#out} characters)" "$out"
done
expect_exit2 "binary.csv:1: the header row \"\\x7fELF" "$lever" train --train-file binary.csv --test-file t.csv
# A column missing in every training row: advice that fits where the column was declared.
awk -F, 'BEGIN { OFS = "," } { if (NR > 1) $2 = "NA"; print }' t.csv > empty_b.csv
expect_exit2 "column 'b' has no value in any of the 200 training rows (all missing), so it has no type" \
  "$lever" train --config run.yaml --data.train=empty_b.csv --job-dir m3
printf 'columns:\n  - {name: a, type: number}\n  - {name: b, type: number}\n  - {name: y, type: integer}\n' > ab.yaml
expect_exit2 "Drop the column, or give it a default in the schema (default: 0)" \
  "$lever" linear --train empty_b.csv --label y --schema ab.yaml

finish
