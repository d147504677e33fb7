#!/usr/bin/env bash
# `lever train ... --export DIR`: a flag-driven run written as an inference bundle, a run config, its data and
# its command line. `lever eval --model DIR/bundle` on DIR/test.csv reports the run's test loss and accuracy
# (result.json's, to float rounding), `lever predict --model` writes a row per test example,
# `lever train --config DIR/run.yaml` trains, and command.txt reproduces the run exactly. Spiral with
# x1,x2,sin_x1 and 8,8 tanh, per-layer activations (relu,tanh), regression on plane; a directory that holds
# files, a symbolic link and --config are refused before training.
lever=$(realpath "$1")
source "$(dirname "$0")/lib.sh"

# export_and_check NAME HEAD FLAGS...: trains with --export, then checks the export against the run.
export_and_check() {
  local name=$1 head=$2 out
  shift 2
  out=$("$lever" train "$@" -q --job-dir "$work/$name-run" --export "$work/$name" 2>&1) || {
    fail "$name: lever train --export: $out"
    return
  }
  [[ "$out" == *"exported step "*" ($head head, "*" to $work/$name: bundle/"* ]] || fail "$name: no export line: $out"
  for file in bundle/bundle.json run.yaml train.csv test.csv command.txt; do
    [ -f "$work/$name/$file" ] || fail "$name: no $file"
  done
  local evaluation
  evaluation=$("$lever" eval --model "$work/$name/bundle" --data "$work/$name/test.csv" --json 2>&1) ||
    fail "$name: lever eval --model: $evaluation"
  /usr/bin/python3 - "$work/$name-run/result.json" "$evaluation" "$head" <<'PY' || fail "$name: lever eval differs from the run's test figures: $evaluation"
import json, sys
run = json.load(open(sys.argv[1]))
bundle = json.loads(sys.argv[2])
# The run's loss from the logits in float, the head's from the float probabilities in double.
assert abs(bundle["loss"] - run["test_loss"]) <= 1e-4 * (1 + run["test_loss"]), (bundle["loss"], run["test_loss"])
if sys.argv[3] == "binary":
    assert bundle["accuracy"] == run["test_accuracy"], (bundle["accuracy"], run["test_accuracy"])
PY
  "$lever" predict --model "$work/$name/bundle" --input "$work/$name/test.csv" --output "$work/$name-p.csv" ||
    fail "$name: lever predict --model"
  [ "$(wc -l < "$work/$name-p.csv")" -eq "$(wc -l < "$work/$name/test.csv")" ] || fail "$name: predict rows"
  # The run config trains to completion on the exported files.
  out=$("$lever" train --config "$work/$name/run.yaml" --job-dir "$work/$name-job" -q 2>&1) ||
    fail "$name: lever train --config run.yaml: $out"
  [[ "$out" == *"final: step "* ]] || fail "$name: run.yaml did not train: $out"
  # command.txt is the run again: the same figures to the last digit.
  out=$(cd "$work" && eval "$(sed "s|^lever |\"$lever\" |" "$name/command.txt") -q --job-dir $name-again" 2>&1) ||
    fail "$name: command.txt: $out"
  /usr/bin/python3 - "$work/$name-run/result.json" "$work/$name-again/result.json" <<'PY' || fail "$name: command.txt trained another model: $(cat "$work/$name/command.txt")"
import json, sys
keys = ("global_step", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "nonzero_weights")
a, b = ({k: v for k, v in json.load(open(p)).items() if k in keys} for p in sys.argv[1:])
assert a == b and "test_loss" in a, (a, b)
PY
}

export_and_check spiral binary --dataset spiral --features x1,x2,sin_x1 --hidden 8,8 --activation tanh --noise 10 \
  --steps 600 --seed 3
[ "$(head -1 "$work/spiral/train.csv")" = "x1,x2,sin_x1,label" ] || fail "spiral train.csv header: $(head -1 "$work/spiral/train.csv")"
grep -q "^lever train --dataset spiral --features x1,x2,sin_x1 .* --steps 600 --seed 3$" "$work/spiral/command.txt" ||
  fail "spiral command.txt: $(cat "$work/spiral/command.txt")"
export_and_check layers binary --dataset spiral --features x1,x2,sin_x1 --hidden 8,8 --activation relu,tanh \
  --steps 600 --lr-schedule exponential --decay-steps 200
grep -q "^#   --lr-schedule exponential: a run config has no learning-rate schedule" "$work/layers/run.yaml" ||
  fail "layers: run.yaml does not name the schedule it lacks: $(head -12 "$work/layers/run.yaml")"
export_and_check plane regression --dataset plane --noise 5 --steps 600

# Refused before training, and nothing is written.
mkdir -p "$work/full" && echo mine > "$work/full/keep.txt"
expect_exit2 "exists and is not an empty directory" "$lever" train --steps 100000000 --export "$work/full"
[ "$(ls "$work/full")" = "keep.txt" ] || fail "the non-empty directory changed: $(ls "$work/full")"
mkdir -p "$work/elsewhere" && ln -s "$work/elsewhere" "$work/link"
expect_exit2 "is a symbolic link" "$lever" train --steps 100000000 --export "$work/link"
[ -z "$(ls "$work/elsewhere")" ] || fail "written through the link: $(ls "$work/elsewhere")"
expect_exit2 "--batch-norm has no run-config equivalent" "$lever" train --batch-norm --steps 100000000 \
  --export "$work/bn"
[ ! -e "$work/bn" ] || fail "a refused export left $work/bn"
expect_exit2 "a --config job is exported with lever export" "$lever" train --config "$work/spiral/run.yaml" \
  --export "$work/from-config"

finish
