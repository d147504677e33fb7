#!/usr/bin/env bash
# `lever train` end to end: the README's main job runs, and every invalid knob is rejected with exit
# code 2 and a message that lists what is valid.
lever=$1
source "$(dirname "$0")/lib.sh"

expect_error() { local want=$1; shift; expect_exit2 "$want" "$lever" train -q "$@"; }

main_job=(--dataset spiral --features x1,x2,sin_x1,sin_x2 --hidden 8,8 --activation tanh --optimizer adam
          --learning-rate 0.03 --l2 0.001 --batch-size 10 --steps 3000 --seed 1)
out=$("$lever" train "${main_job[@]}")
if [ $? -ne 0 ] || [[ "$out" != *"final: train loss"* ]] || [[ "$out" != *"steps/s"* ]] || [[ "$out" != *"Total params: 121"* ]]; then
  fail "main job output:" "$out"
fi
acc=$(echo "$out" | sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p')
if ! awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'; then fail "main job test accuracy $acc < 0.95"; fi

# Same seed, same result (the timing fields aside): both runs succeed and print the same final line.
final_line='^final: train loss [0-9.]+  test loss [0-9.]+  train accuracy [0-9.]+  test accuracy [0-9.]+$'
finals=()
for run in 1 2; do
  out=$("$lever" train -q "${main_job[@]}" 2>&1)
  rc=$?
  finals+=("$(echo "$out" | head -1)")
  if [ $rc -ne 0 ] || ! [[ "${finals[-1]}" =~ $final_line ]]; then fail "seed-1 run $run -> exit $rc, wanted 0 and a final line:" "$out"; fi
done
if [ "${finals[0]}" != "${finals[1]}" ]; then fail "two runs with seed 1 differ: '${finals[0]}' vs '${finals[1]}'"; fi

# "Valid names" errors list the tables (`lever names KIND --list`), so a new entry needs no edit here.
[[ "$("$lever" names optimizers --list)" == *"adamw"* ]] || fail "lever names optimizers --list lacks adamw"
expect_error "Valid optimizers: $("$lever" names optimizers --list)." --optimizer adamax
expect_error "Valid activations: $("$lever" names activations --list)." --activation swish
# --help lists the registries' names, so a new optimizer or activation shows there without a CLI edit.
help=$("$lever" train --help)
for name in adamw gelu sparse_softmax_cross_entropy cosine he_uniform; do
  [[ "$help" == *"$name"* ]] || fail "lever train --help does not list $name" "$help"
done
expect_error "learning rate must be a positive number" --learning-rate 0
expect_error "learning rate must be a positive number" --learning-rate -0.1
expect_error "--batch-size must be a positive number" --batch-size 0
# Numeric flags are named as typed, not by the library's fields (eval_every, statistics_every).
expect_error "--steps must be >= 0, got -1" --steps -1
expect_error "--eval-every must be >= 0 (0: ten evaluations a run), got -5" --eval-every -5
expect_error "--stats-every must be >= 0 (0: off), got -1" --stats-every -1
expect_error "--clip-norm must be >= 0 (0 turns clipping off), got -1" --clip-norm -1
expect_error "hidden layer 2 in '8,0,4' is '0'" --hidden 8,0,4
expect_error "hidden layer 2 in '8,,4' is ''" --hidden 8,,4
expect_error "Valid datasets: $("$lever" names datasets --list)." --dataset moons
expect_error "Valid features: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2" --features x1,x3
expect_error "Valid losses" --loss hinge
expect_error "has no option 'beta3'. Its options: beta1, beta2, epsilon" --optimizer adam --opt beta3=1
expect_error "--opt beta1: expected a number, got 'abc'" --optimizer adam --opt beta1=abc
expect_error "Valid schedules: constant, exponential, step, cosine" --lr-schedule linear
expect_error "Dropout rate must be in [0, 1), got 1.5" --dropout 1.5
expect_error "Valid initializers" --initializer xavier
expect_error "--noise is the Playground's 0-50 scale" --noise 80

# Divergence: exit code 3 with the step and the cause.
out=$("$lever" train -q --dataset plane --hidden 8 --activation relu --optimizer sgd --learning-rate 0.3 2>&1)
rc=$?
if [ $rc -ne 3 ] || [[ "$out" != *"at step"* ]] || [[ "$out" != *"learning rate is most likely too high"* ]]; then
  fail "divergence -> exit $rc: $out"
fi

# The doctor: a finding with its knob, doctor.json in the job directory, the same divergence exit code
# with the findings after the error, and --fix turning the knob (round files in <job-dir>/fix-1).
work=$(mktemp -d)
out=$("$lever" train -q --doctor --activation relu --optimizer sgd --learning-rate 3 --job-dir "$work/dead" 2>&1) ||
  fail "--doctor: exit $?" "$out"
[[ "$out" == *"doctor: dead_relu  layer dense_1: "*"(sgd at 3)"*"try: --learning-rate 0.1   (or --activation leaky_relu, elu)"* ]] ||
  fail "--doctor: no dead_relu finding" "$out"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["healthy"] and d["findings"][0]["id"] == "dead_relu" and d["findings"][0]["knob"] == "--learning-rate 0.1", d' \
  "$work/dead/doctor.json" || fail "--doctor: doctor.json"
out=$("$lever" train -q --doctor --dataset circle 2>&1) || fail "--doctor healthy: exit $?" "$out"
[[ "$out" == *"doctor: healthy  the training loss fell from"* && "$out" != *"[stats step"* ]] ||
  fail "--doctor: a healthy run (statistics not printed)" "$out"
out=$("$lever" train -q --doctor --dataset plane --hidden 8 --activation relu --optimizer sgd --learning-rate 0.3 2>&1)
rc=$?
[[ $rc -eq 3 && "$out" == *"DivergenceError"*"doctor: learning_rate_too_high  the training loss became NaN or infinite at step"* ]] ||
  fail "--doctor on a diverging run -> exit $rc" "$out"
out=$("$lever" train -q --fix 2 --activation relu --optimizer sgd --learning-rate 3 --job-dir "$work/fixed" 2>&1) ||
  fail "--fix: exit $?" "$out"
[[ "$out" == *"fix 1: --learning-rate 0.1 for dead_relu: test loss 0."*"-> test loss 0."*"fixed: --learning-rate 0.1"*" -> test loss"* ]] ||
  fail "--fix: no round" "$out"
[ -f "$work/fixed/fix-1/doctor.json" ] && [ -f "$work/fixed/doctor.json" ] || fail "--fix: the round's files"
expect_error "--fix: Value 11 not in range" --fix 11
rm -rf "$work"

# lever sweep: every combination trained, the doctor's verdict per run, the table and the SVG files.
work=$(mktemp -d)
out=$("$lever" sweep -q --knob learning_rate=0.001,0.03,1 --knob batch_size=10,50 -o "$work/s" -- --dataset spiral 2>&1) ||
  fail "sweep: exit $?" "$out"
[[ "$out" == "learning_rate  batch_size  train loss"*"learning_rate_too_low"*"learning_rate_too_high"*"6 runs in "* ]] ||
  fail "sweep: the table" "$out"
# Progress into a pipe: whole lines, none run together with \r.
progress=$("$lever" sweep --knob learning_rate=0.001,0.03,1 -o "$work/p" -- --dataset spiral --steps 50 2>&1 >/dev/null | grep '^sweep')
[[ "$progress" != *$'\r'* && "$progress" == *"sweep: 3/3 runs" && "$(sort -c <<< "$progress" 2>&1)" == "" ]] ||
  fail "sweep: progress into a pipe" "$progress"
[ "$(wc -l < "$work/s/sweep.csv")" -eq 7 ] && grep -q "<polyline" "$work/s/curves.svg" && grep -q "Final test accuracy" "$work/s/heatmap.svg" ||
  fail "sweep: sweep.csv, curves.svg, heatmap.svg" "$(ls "$work/s")"
expect_exit2 "not a knob a sweep can turn" "$lever" sweep --knob momentum=0.9 -- --dataset circle
expect_exit2 "after --, lever train's flags:" "$lever" sweep --knob lr=0.1 -- --bogus 1
expect_exit2 "--knob steps=100,2.5: the knob '--steps 2.5' needs a whole number" "$lever" sweep --knob steps=100,2.5 -- --dataset circle
# An output directory that cannot be made stops the sweep before its runs; inside a tuning trial the sweep's
# runs do not report to the study.
start=$SECONDS
expect_exit2 "cannot create the output directory /dev/null/s" "$lever" sweep -q --knob steps=100000 -o /dev/null/s -- --dataset circle
[ $((SECONDS - start)) -lt 5 ] || fail "sweep: an unwritable --output was found only after the runs"
out=$(CLOUD_ML_HP_METRIC_FILE="$work/sweep_hp.jsonl" "$lever" sweep -q --knob lr=0.01,0.1 -o "$work/s2" -- --dataset circle --steps 50 2>&1) ||
  fail "sweep in a trial: exit $?" "$out"
[ ! -e "$work/sweep_hp.jsonl" ] || fail "sweep runs reported to the tuning study" "$(cat "$work/sweep_hp.jsonl")"
# A later one-knob sweep into the same directory leaves no stale heatmap; a link among the outputs stops a
# sweep before its runs; a job's directory is not a sweep's.
out=$("$lever" sweep -q --knob lr=0.01,0.1 -o "$work/s" -- --dataset circle --steps 50 2>&1) || fail "sweep again: exit $?" "$out"
[ ! -e "$work/s/heatmap.svg" ] || fail "sweep: a one-knob sweep left the earlier heatmap.svg"
rm "$work/s/sweep.csv" && ln -s "$work/elsewhere.csv" "$work/s/sweep.csv"
start=$SECONDS
expect_exit2 "it is a symbolic link" "$lever" sweep -q --knob steps=100000,100001 -o "$work/s" -- --dataset circle
[ $((SECONDS - start)) -lt 5 ] || fail "sweep: a link among the outputs was found only after the runs"
"$lever" train -q --dataset circle --steps 20 --doctor --job-dir "$work/job" > /dev/null 2>&1 || fail "train --job-dir for the sweep check"
expect_exit2 "holds doctor_record.json (a training job or a tuning study)" "$lever" sweep --knob lr=0.1 -o "$work/job" -- --dataset circle
# A run config's sweep: the knobs become its overrides; its model directory is left alone.
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("a,b,y\n")
    for i in range(200): f.write(f"{i % 7 * 0.3},{i % 5 - 2},{int(i % 7 * 0.3 > i % 5 - 1)}\n")' "$work/t.csv"
printf 'data: {train: t.csv, eval: t.csv, label: y}\nrun: {model_dir: m}\n' > "$work/run.yaml"
out=$(cd "$work" && "$lever" sweep -q --knob learning_rate=0.001,0.1 --knob batch_size=8,32 -o sc -- --config run.yaml \
  --train.max_steps=100 2>&1) || fail "sweep --config: exit $?" "$out"
[ "$(grep -c "^0.1 *8 " <<< "$out")" -eq 1 ] && [ -s "$work/sc/heatmap.svg" ] && [ ! -e "$work/m" ] ||
  fail "sweep --config: the table, the heatmap, no model directory" "$out"
expect_exit2 "--knob initializer: a run config has no key for it" "$lever" sweep --knob initializer=zeros -- --config "$work/run.yaml"
expect_exit2 "only overrides of the run config (--key.path=value) may follow, not '--steps'" "$lever" sweep --knob lr=0.1 -- --config "$work/run.yaml" --steps 5
rm -rf "$work"

# A progress bar (redrawn in place with carriage returns) on a terminal, plain lines in a pipe or a log.
long_run=(--dataset spiral --hidden 32,32 --steps 40000 --batch-size 64 --eval-every 20000)
if command -v script > /dev/null; then
  out=$(script -qc "$lever train ${long_run[*]}" /dev/null)
  if [[ "$out" != *$'\r['*"] step "*"steps/s  ETA"* ]]; then
    fail "no progress bar on a terminal:" "$(echo "$out" | tail -3)"
  fi
  out=$(script -qc "$lever train --no-progress-bar ${long_run[*]}" /dev/null)
  if [[ "$out" == *"] step "* ]]; then fail "--no-progress-bar drew a bar"; fi
fi
out=$("$lever" train "${long_run[@]}")
if [[ "$out" == *$'\r'* ]] || [[ "$out" != *"step 20000/40000  train loss"* ]]; then
  fail "a pipe should get plain lines only:" "$(echo "$out" | tail -3)"
fi

finish
echo "all CLI checks passed"
