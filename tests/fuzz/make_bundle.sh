#!/usr/bin/env bash
# Writes the bundle_manifest fuzz target's bundle again (after a change to the bundle format):
# tests/fuzz/bundle/ gets a real export's files but its manifest, which becomes
# tests/fuzz/corpus/bundle_manifest/multi_class.json. A tiny wide_and_deep job (a vocabulary file, so
# assets/ is used; a multi_class head with text classes, so class_names are), trained 4 steps.
#
#   tests/fuzz/make_bundle.sh build/tools/lever/lever
#
# FuzzBundleTest (tests/estimator/bundle_test.cpp) checks the result loads. The other seeds in
# corpus/bundle_manifest/ are variants of multi_class.json, written here too.
set -euo pipefail
lever=$(realpath "$1")
fuzz=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lever-fuzz-bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
/usr/bin/python3 - <<'PY'
import random
random.seed(1)
with open("t.csv", "w") as f:
    f.write("a,b,city,y\n")
    for i in range(60):
        a, b = random.random(), random.random()
        c = random.choice(["paris", "lyon", "nice"])
        y = ["lo", "mid", "hi"][min(2, int((a + b) * 1.5))]
        f.write(f"{a:.3f},{b:.3f},{c},{y}\n")
PY
printf 'paris\nlyon\n' > cities.txt
cat > run.yaml <<'YAML'
data: {train: t.csv, eval: t.csv, label: y}
estimator: {type: wide_and_deep, hidden_units: [2]}
wide_columns:
  - categorical: {key: city, vocabulary_file: cities.txt, oov_buckets: 1}
deep_columns:
  - numeric: a
  - numeric: b
train: {max_steps: 4, batch_size: 20}
run: {model_dir: m, save_checkpoints_steps: 4}
YAML
"$lever" train -q --config run.yaml > /dev/null
"$lever" export --config run.yaml -o bundle > /dev/null
rm -rf "$fuzz/bundle"
mkdir -p "$fuzz/bundle" "$fuzz/corpus/bundle_manifest"
mv bundle/bundle.json "$fuzz/corpus/bundle_manifest/multi_class.json"
cp -r bundle/. "$fuzz/bundle/"
cd "$fuzz/corpus/bundle_manifest"
/usr/bin/python3 - <<'PY'
import copy, json
m = json.load(open("multi_class.json"))
small = {k: m[k] for k in ["format", "format_version", "global_step", "head", "classes", "class_names", "files"]}
def write(name, change=None):
    d = copy.deepcopy(small)
    if change:
        change(d)
    open(name, "w").write(json.dumps(d, separators=(",", ":")) + "\n")
write("minimal.json")
def bad_files(d):
    d["files"]["schema.yaml"]["crc32c"] = 1
    d["files"]["variables/ckpt-4.json"] = {"bytes": 0, "crc32c": 0}
    d["files"]["../t.csv"] = {"bytes": 5, "crc32c": 0}
write("bad_files.json", bad_files)
def wrong_numbers(d):  # once undefined behaviour (a float converted to an integer out of range)
    d["files"]["config.yaml"]["bytes"] = 1e300
    d["files"]["schema.yaml"]["crc32c"] += 1 << 32
    d["global_step"] = 4.0
write("wrong_numbers.json", wrong_numbers)
def bad_labels(d):
    d["class_names"] = ["hi", 7]
    d["target_scale"] = {"mean": 1e308, "stddev": -0.0}
write("bad_labels.json", bad_labels)
def multi_label(d):
    d["head"] = "multi_label"
    d["label_values"] = [["0", "1"], ["no", "yes"], ["a"]]
write("multi_label.json", multi_label)
def regression(d):
    d["head"] = "regression"
    del d["classes"], d["class_names"]
    d["target_scale"] = {"mean": 2.5, "stddev": 0.5}
write("regression.json", regression)
write("version_2.json", lambda d: d.update(format_version=2))
PY
