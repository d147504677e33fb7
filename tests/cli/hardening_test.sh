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

finish
