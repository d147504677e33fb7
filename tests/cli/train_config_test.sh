#!/usr/bin/env bash
# `lever train --config run.yaml`: a DNN on digits and a wide-and-deep model over feature columns from one
# YAML file each, --key.path=value overrides, resume from the model directory, a clean stop on SIGTERM
# that resumes to an uninterrupted run's variables, early stopping at the step its goal and patience imply,
# tuner reports, and config errors that name the file, the line or the override, and the key path.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 "$(dirname "$0")/digits_csv.py" "$work" digits_ || { echo "FAIL: could not write digits"; exit 1; }
/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: could not write the data"; exit 1; }
import sys
import numpy as np
# Clicks: city x device exceptions (a cross memorizes them) plus a price effect.
rng = np.random.default_rng(3)
cities = [f"c{i}" for i in range(30)]
devices = ["mobile", "desktop", "tablet"]
effect = rng.normal(0, 1.5, (30, 3))
for name, n in (("train", 20000), ("test", 5000)):
    with open(f"{sys.argv[1]}/clicks_{name}.csv", "w") as f:
        f.write("city,device,price,clicked\n")
        for _ in range(n):
            c, dv, p = rng.integers(30), rng.integers(3), rng.lognormal(3, 0.5)
            logit = effect[c, dv] - 0.8 * (np.log(p) - 3) / 0.5
            f.write(f"{cities[c]},{devices[dv]},{p:.3f},{int(rng.random() < 1 / (1 + np.exp(-logit)))}\n")
PY

cat > "$work/digits.yaml" <<'YAML'
data: {train: digits_train.csv, eval: digits_test.csv, label: label}
estimator: {type: dnn, hidden_units: [100], optimizer: adam, learning_rate: 0.001}
train: {max_steps: 600, batch_size: 200}
eval: {every_steps: 300}
run: {model_dir: runs/digits, save_checkpoints_steps: 100}
YAML
out=$(CLOUD_ML_HP_METRIC_FILE="$work/hp.jsonl" "$lever" train --config "$work/digits.yaml" 2>&1) || fail "digits run: $out"
acc=$(echo "$out" | sed -n 's/^final: step 600 .*accuracy \([0-9.]*\).*/\1/p')
awk -v a="$acc" 'BEGIN { exit !(a > 0.95) }' || fail "digits accuracy '$acc': $out"
[ -f "$work/runs/digits/ckpt-600.json" ] || fail "no checkpoint at step 600"
[ -f "$work/runs/digits/result.json" ] || fail "no result.json"
ls "$work/runs/digits"/events.out.tfevents.* > /dev/null 2>&1 || fail "no TensorBoard file"
grep -q '"global_step":"600"' "$work/hp.jsonl" || fail "no tuner report at step 600: $(cat "$work/hp.jsonl")"
# Resume: more steps continue from the checkpoint; an override changes one key.
out=$("$lever" train --config "$work/digits.yaml" --train.max_steps=800 2>&1) || fail "resume: $out"
[[ "$out" == *"resumed from the checkpoint of step 600"* ]] || fail "did not resume: $out"
[[ "$out" == *"final: step 800"* ]] || fail "did not reach 800: $out"
# lever eval reproduces the final evaluation from the newest checkpoint; lever predict writes one row per
# example (the label column may be absent) as CSV or JSON lines.
final_800=$(echo "$out" | sed -n 's/^final: step 800 .*accuracy \([0-9.]*\).*/\1/p')
[ -n "$final_800" ] || fail "no final accuracy at step 800: $out"
eval_out=$("$lever" eval --config "$work/digits.yaml" 2>&1) || fail "lever eval: $eval_out"
[[ "$eval_out" == *"step 800"*"accuracy $final_800"* ]] || fail "lever eval differs from training's final evaluation ($final_800): $eval_out"
cut -d, -f1-64 "$work/digits_test.csv" > "$work/unlabeled.csv"
"$lever" predict --config "$work/digits.yaml" --input "$work/unlabeled.csv" --output "$work/p.csv" || fail "lever predict csv"
[ "$(wc -l < "$work/p.csv")" -eq 451 ] || fail "predict csv rows: $(wc -l < "$work/p.csv")"
head -1 "$work/p.csv" | grep -q '^probability_0,.*,class$' || fail "predict csv header: $(head -1 "$work/p.csv")"
"$lever" predict --config "$work/digits.yaml" --input "$work/unlabeled.csv" --output "$work/p.jsonl" || fail "lever predict jsonl"
/usr/bin/python3 - "$work" <<'PY' || fail "predictions disagree with the labels or are malformed"
import json, sys
rows = [json.loads(l) for l in open(f"{sys.argv[1]}/p.jsonl")]
labels = [int(l.rsplit(",", 1)[1]) for l in open(f"{sys.argv[1]}/digits_test.csv").read().splitlines()[1:]]
assert len(rows) == 450 and all(abs(sum(r["probabilities"]) - 1) < 1e-4 for r in rows)
accuracy = sum(r["class"] == y for r, y in zip(rows, labels)) / len(labels)
assert accuracy > 0.95, accuracy
PY
# lever export: an inference bundle that predicts and evaluates as the job does, moved elsewhere and
# without the training file.
out=$("$lever" export --config "$work/digits.yaml" -o "$work/bundle" 2>&1) || fail "lever export: $out"
[[ "$out" == *"exported step 800 (dnn model, multi_class head of 10 classes, 64 input columns)"* ]] || fail "export summary: $out"
[[ "$out" == *"accuracy $final_800"* ]] || fail "export evaluation differs from training's ($final_800): $out"
mkdir -p "$work/elsewhere" && mv "$work/bundle" "$work/elsewhere/digits_model"
mv "$work/digits_train.csv" "$work/digits_train.hidden"
"$lever" predict --model "$work/elsewhere/digits_model" --input "$work/unlabeled.csv" --output "$work/p_bundle.csv" ||
  fail "lever predict --model"
cmp -s "$work/p.csv" "$work/p_bundle.csv" || fail "the bundle's predictions differ from the job's"
out=$("$lever" eval --model "$work/elsewhere/digits_model" --data "$work/digits_test.csv" 2>&1) || fail "lever eval --model: $out"
[[ "$out" == *"step 800"*"accuracy $final_800"* ]] || fail "lever eval --model differs ($final_800): $out"
mv "$work/digits_train.hidden" "$work/digits_train.csv"
out=$("$lever" predict --model "$work/runs/digits" --input "$work/unlabeled.csv" 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"is not a lever bundle (no bundle.json); write one with lever export"* ]] ||
  fail "a model directory as a bundle: $out"
mkdir -p "$work/occupied" && echo keep > "$work/occupied/notes.txt"
out=$("$lever" export --config "$work/digits.yaml" -o "$work/occupied" 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"exists and is not a lever bundle (or holds other files too); nothing was written"* ]] && [ -f "$work/occupied/notes.txt" ] ||
  fail "export over a directory that is not a bundle: $out"
out2=$("$lever" eval --config "$work/digits.yaml" --job-dir "$work/nowhere" 2>&1)
[ $? -eq 2 ] && [[ "$out2" == *"no model directory $work/nowhere: train first"* ]] || fail "eval without a model: $out2"

# --job-dir replaces run.model_dir.
# eval.export writes bundles under the model directory as training goes.
"$lever" train -q --config "$work/digits.yaml" --job-dir "$work/job" --train.max_steps=100 --eval.export=final > /dev/null ||
  fail "--job-dir run"
[ -f "$work/job/ckpt-100.json" ] || fail "--job-dir did not set the model directory"
[ -f "$work/job/export/final/100/bundle.json" ] || fail "eval.export final wrote no bundle: $(ls -R "$work/job")"
"$lever" predict --model "$work/job/export/final/100" --input "$work/unlabeled.csv" --output "$work/p100.csv" &&
  [ "$(wc -l < "$work/p100.csv")" -eq 451 ] || fail "the exporter's bundle does not predict"
# A model directory whose training file changed since: eval, predict and export refuse, naming the change.
cp "$work/digits_train.csv" "$work/digits_train.orig"
awk -F, 'NR == 2 { $1 = 16 } 1' OFS=, "$work/digits_train.orig" > "$work/digits_train.csv"
out=$("$lever" predict --config "$work/digits.yaml" --job-dir "$work/job" --input "$work/unlabeled.csv" 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"was trained with other feature statistics than"*"(deep/features/p0/mean: 0 then,"* ]] ||
  fail "a changed training file: $out"
mv "$work/digits_train.orig" "$work/digits_train.csv"
grep -v '^run:' "$work/digits.yaml" > "$work/nodir.yaml"
out=$("$lever" train --config "$work/nodir.yaml" --eval.export=final 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"nodir.yaml: eval.export: bundles are written under the model directory"* ]] ||
  fail "eval.export without a model directory: $out"
# On a terminal the --config path redraws a progress bar between its lines.
if command -v script > /dev/null; then
  script -qec "'$lever' train --config '$work/digits.yaml' --job-dir '$work/pty' --train.max_steps=400" /dev/null > "$work/pty.log" 2>&1
  grep -q $'\r\\[#*\\.*\\] step [0-9]*/400  loss' "$work/pty.log" || fail "no progress bar on a terminal: $(head -c 600 "$work/pty.log")"
  "$lever" train --config "$work/digits.yaml" --job-dir "$work/pipe" --train.max_steps=400 > "$work/pipe.log" 2>&1
  grep -q $'\r' "$work/pipe.log" && fail "a progress bar in piped output"
fi

# SIGTERM: stops at a step boundary with a checkpoint of that step, and the same command continues to
# bit-identical variables and the metrics of a run never interrupted. Checkpoints are by time here, once an
# hour, so the interrupted run's only checkpoint is the one the stop writes. The signal goes once the run
# has logged step 300 (polled, not slept for, so it lands mid-run however fast the machine is) into a run of
# 200000 steps, still far from done then; where exactly it stops is read, not expected.
by_time=(--config "$work/digits.yaml" --run.save_checkpoints_steps=0 --run.save_checkpoints_secs=3600)
"$lever" train "${by_time[@]}" --job-dir "$work/term" --train.max_steps=200000 > "$work/term.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do
  { grep -q '^{"step": 300,' "$work/term/events.jsonl" 2> /dev/null || ! kill -0 "$pid" 2> /dev/null; } && break
  sleep 0.05
done
kill -TERM "$pid" 2> /dev/null
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM exit code $rc, wanted 143 (128 + SIGTERM): $(cat "$work/term.log")"
stopped=$(sed -n 's/^stopped by SIGTERM at step \([0-9]*\); checkpoint .*/\1/p' "$work/term.log")
steps_on_disk=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["steps"])' "$work/term/checkpoint" 2> /dev/null)
if [ -z "$stopped" ] || [ "$stopped" -lt 300 ] || ! grep -q "checkpoint $work/term/ckpt-$stopped.json" "$work/term.log" ||
   [ "$steps_on_disk" != "[$stopped]" ] || [ ! -f "$work/term/ckpt-$stopped.safetensors" ]; then
  fail "no clean stop with a checkpoint at the interrupted step '$stopped' (checkpoint steps on disk: '$steps_on_disk'):" \
    "$(tail -3 "$work/term.log")"
else
  end=$((stopped + 150))
  out=$("$lever" train "${by_time[@]}" --job-dir "$work/term" --train.max_steps=$end 2>&1)
  [ $? -eq 0 ] && [[ "$out" == *"resumed from the checkpoint of step $stopped"* && "$out" == *"final: step $end "* ]] ||
    fail "resume after SIGTERM at step $stopped: $out"
  out=$("$lever" train -q "${by_time[@]}" --job-dir "$work/straight" --train.max_steps=$end 2>&1) ||
    fail "uninterrupted run to step $end: $out"
  cmp -s "$work/term/ckpt-$end.safetensors" "$work/straight/ckpt-$end.safetensors" ||
    fail "stopped at $stopped and resumed, the checkpoint of step $end differs from an uninterrupted run's"
  /usr/bin/python3 - "$work/term/result.json" "$work/straight/result.json" <<'PY' || fail "resumed and uninterrupted results differ"
import json, sys
resumed, straight = (json.load(open(p)) for p in sys.argv[1:])
for r in (resumed, straight):
    del r["steps"], r["train_seconds"]  # this call's steps and time
assert resumed == straight, (resumed, straight)
PY
fi

# Early stopping on the evaluation loss, evaluated every 100 steps, patience 200 steps. The loss falls at
# every evaluation of this run, so minimizing it trains all 600 steps; maximizing it, the first evaluation
# stays the best, so training stops at step 300 and restores the variables of step 100, whose metrics the
# final evaluation then repeats.
for goal in minimize maximize; do
  sed 's/^eval: .*/eval: {every_steps: 100, early_stopping: {metric: loss, goal: '$goal', patience_steps: 200}}/' \
    "$work/digits.yaml" > "$work/stop_$goal.yaml"
  out=$("$lever" train --config "$work/stop_$goal.yaml" --job-dir "$work/stop_$goal" 2>&1)
  [ $? -eq 0 ] || fail "early-stopping run ($goal): $out"
  step=$(/usr/bin/python3 -c 'import json, sys; print(int(json.load(open(sys.argv[1]))["global_step"]))' \
         "$work/stop_$goal/result.json" 2> /dev/null)
  if [ "$goal" = minimize ]; then
    [[ "$step" == 600 && "$out" == *"final: step 600 "* && "$out" != *"early stopping"* ]] ||
      fail "minimizing a falling loss stopped early (result.json step '$step'):" "$out"
  else
    at_100=$(echo "$out" | sed -n 's/^eval at step 100: //p')
    [[ "$step" == 300 && -n "$at_100" && "$out" == *"final: step 300 $at_100"* &&
       "$out" == *"early stopping: no improvement of loss for 200 steps; restored the variables of step 100"* ]] ||
      fail "maximizing a falling loss did not stop at step 300 with the variables of step 100 (result.json step '$step'):" "$out"
  fi
done

cat > "$work/clicks.yaml" <<'YAML'
data: {train: clicks_train.csv, eval: clicks_test.csv, label: clicked}
estimator: {type: wide_and_deep, hidden_units: [16], optimizer: adam, learning_rate: 0.003}
wide_columns:
  - categorical: {key: city, hash_buckets: 64}
  - crossed: {keys: [city, device], hash_buckets: 512}
  - numeric: price
deep_columns:
  - numeric: price
  - embedding: {categorical: {key: city, hash_buckets: 64}, dimension: 4}
  - embedding: {categorical: {key: device, vocabulary: [mobile, desktop, tablet]}}
train: {max_steps: 1500, batch_size: 128}
eval: {every_steps: 500, early_stopping: {metric: auc, goal: maximize, patience_steps: 1000}}
YAML
out=$("$lever" train --config "$work/clicks.yaml" --job-dir "$work/clicks_run" 2>&1) || fail "wide-and-deep run: $out"
auc=$(echo "$out" | sed -n 's/^final: .*  auc \([0-9.]*\).*/\1/p')
awk -v a="$auc" 'BEGIN { exit !(a > 0.75) }' || fail "wide-and-deep AUC '$auc': $out"
# lever eval --report: the confusion counts and reliability bins behind the metrics; curves as CSV.
out=$("$lever" eval --config "$work/clicks.yaml" --job-dir "$work/clicks_run" --report --roc "$work/roc.csv" \
      --calibration "$work/cal.csv" 2>&1) || fail "eval --report: $out"
[[ "$out" == *"auc $auc"* && "$out" == *"confusion at threshold 0.5"* && "$out" == *"[0.9, 1.0]"* ]] ||
  fail "binary report: $out"
/usr/bin/python3 - "$work" <<'PY' || fail "the ROC or calibration CSV is wrong"
import csv, sys
import numpy as np
roc = list(csv.DictReader(open(f"{sys.argv[1]}/roc.csv")))
fpr = np.array([float(r["false_positive_rate"]) for r in roc]); tpr = np.array([float(r["true_positive_rate"]) for r in roc])
assert roc[0]["threshold"] == "inf" and fpr[-1] == 1 and tpr[-1] == 1 and np.all(np.diff(fpr) >= 0)
cal = list(csv.DictReader(open(f"{sys.argv[1]}/cal.csv")))
assert len(cal) == 10 and sum(float(r["count"]) for r in cal) == 5000
PY
out=$("$lever" eval --config "$work/digits.yaml" --report --confusion "$work/confusion.csv" --json 2>&1) || fail "digits --report: $out"
echo "$out" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
m = r["confusion_matrix"]
assert len(m) == 10 and sum(map(sum, m)) == 450, m
assert abs(sum(m[i][i] for i in range(10)) / 450 - r["accuracy"]) < 1e-12
' || fail "multi-class report: $out"
[ "$(wc -l < "$work/confusion.csv")" -eq 11 ] || fail "confusion CSV rows"
out=$("$lever" eval --config "$work/digits.yaml" --roc "$work/x.csv" 2>&1)
[ $? -eq 2 ] && [[ "$out" == *"--roc, --pr and --calibration are for a binary head"* ]] || fail "--roc on multi-class: $out"
echo "config runs: digits accuracy $acc, clicks wide-and-deep AUC $auc"

expect_error() { local want=$1; shift; expect_exit2 "$want" "$lever" train "$@"; }
expect_error "with --train.max_step=...: train.max_step: unknown key (did you mean max_steps?); valid keys here: batch_size, clip_norm, max_steps" \
  --config "$work/digits.yaml" --train.max_step=5
expect_error "estimator.type: 'cnn' is not a model type" --config "$work/digits.yaml" --estimator.type=cnn
printf 'data: {train: digits_train.csv, eval: digits_test.csv}\nestimator: {dropout: 1.5}\n' > "$work/bad.yaml"
expect_error "bad.yaml:2: estimator.dropout: must be in [0, 1)" --config "$work/bad.yaml"
printf 'data: {train: digits_train.csv, eval: digits_test.csv}\nestimator: {type: wide_and_deep}\n' > "$work/bad2.yaml"
expect_error "needs both wide_columns and deep_columns" --config "$work/bad2.yaml"
expect_error "need --config" --dataset spiral --train.max_steps=5

# The doctor on a run config: knobs named as overrides, in the output, doctor.json and `lever doctor`.
printf 'data: {train: digits_train.csv, eval: digits_test.csv}\nrun: {model_dir: doc_job}\ndoctor: true\n' > "$work/doctor.yaml"
out=$(cd "$work" && "$lever" train --config doctor.yaml -q --train.max_steps=20 2>&1) || fail "doctor: true: exit $?" "$out"
# (The estimator samples the statistics too: the updates are not small, so more steps, not a higher rate.)
[[ "$out" == *"doctor: not_converged  the training loss was still falling"*"try: --train.max_steps=60   (or --estimator.learning_rate=0.003)"* ]] ||
  fail "doctor: true: no not_converged with a config knob" "$out"
out=$("$lever" doctor "$work/doc_job" 2>&1) || fail "lever doctor on a config job: exit $?" "$out"
[[ "$out" == *"finished, 20 steps"*"try: --train.max_steps=60"* ]] || fail "lever doctor: the config job's knobs" "$out"
expect_error "--fix retrains flag-driven runs" --config "$work/doctor.yaml" --fix 1
# Run again when finished (no step left): the record and the findings stay, not an empty record.
out=$(cd "$work" && "$lever" train --config doctor.yaml -q --train.max_steps=20 2>&1) || fail "doctor rerun: exit $?" "$out"
out=$("$lever" doctor "$work/doc_job" 2>&1) || fail "lever doctor after a rerun: exit $?" "$out"
[[ "$out" == *"finished, 20 steps"*"try: --train.max_steps=60"* ]] || fail "lever doctor: a rerun emptied the record" "$out"
# The job's evaluation.json: the report draws the model on the evaluation rows (digits: ten classes).
out=$("$lever" report "$work/doc_job" -o "$work/doc_job.html" 2>&1) || fail "lever report on a config job: exit $?" "$out"
grep -q "<h3>Confusion matrix</h3>" "$work/doc_job.html" && grep -q "<h2>Weights</h2>" "$work/doc_job.html" ||
  fail "lever report on a config job: no confusion matrix or weights" "$(grep -o '<h[23]>[^<]*' "$work/doc_job.html")"
# Resumed with more steps: the checkpoint carried the doctor's record, so it holds all 40 steps.
out=$(cd "$work" && "$lever" train --config doctor.yaml -q --train.max_steps=40 2>&1) || fail "doctor resume: exit $?" "$out"
grep -q '"steps":40,' "$work/doc_job/doctor_record.json" ||
  fail "a resumed job's record: $(head -c 300 "$work/doc_job/doctor_record.json")"

finish
