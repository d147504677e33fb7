#!/usr/bin/env bash
# Checkpoints survive a crash: a training run killed with SIGKILL at random moments (during steps and
# during checkpoint writes) and started again ends with variables bit-identical to an uninterrupted run,
# and so does one with early stopping (the same stop step, best step, restored best variables and final
# evaluation); the resumed runs' events.jsonl files hold the same steps as the uninterrupted runs', each
# once; SIGTERM stops a run at a step boundary after writing a checkpoint; a corrupt newest checkpoint is
# named and training resumes from the previous good one, still ending bit-identical.
set -uo pipefail
driver=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The steps of an events.jsonl file, one a line.
steps() { sed -n 's/^{"step": \([0-9-]*\),.*/\1/p' "$1"; }

# The newest checkpoint's step in a model directory (-1: none).
newest() {
  local last
  last=$(ls "$1"/ckpt-*.json 2> /dev/null | sed 's/.*ckpt-\([0-9]*\)\.json/\1/' | sort -n | tail -1)
  echo "${last:--1}"
}

# kill_and_resume NAME WHEN [DRIVER ARGUMENTS]: runs the driver on $work/NAME and kills it with SIGKILL,
# once per word of WHEN: a delay in seconds ("0.15"), or "@STEP" for a random moment (0 to 90 ms) after
# a checkpoint of STEP or later exists, which holds for fast and slow machines alike. Then runs it to the
# end; sets $kills and $out.
kill_and_resume() {
  local name=$1 when=$2
  shift 2
  kills=0
  for moment in $when; do
    "$driver" "$work/$name" "$work/$name.txt" "$@" > /dev/null 2>&1 &
    pid=$!
    if [[ "$moment" == @* ]]; then
      while kill -0 "$pid" 2> /dev/null && [ "$(newest "$work/$name")" -lt "${moment#@}" ]; do sleep 0.005; done
      sleep "0.0$((RANDOM % 10))"
    else
      sleep "$moment"
    fi
    if kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2> /dev/null
  done
  out=$("$driver" "$work/$name" "$work/$name.txt" "$@") || fail "$name: run after the kills: $out"
  echo "$name: after $kills kills: $(cat "$work/$name.txt") ($out)"
  [ "$kills" -ge 2 ] || fail "$name: only $kills of the runs were still going when killed: make the run longer"
}

"$driver" "$work/straight" "$work/straight.txt" > /dev/null || fail "uninterrupted run"
echo "uninterrupted: $(cat "$work/straight.txt")"

# SIGKILL at random moments, six times, then run to the end.
kill_and_resume killed "0.15 0.3 0.05 0.45 0.2 0.35"
cmp -s "$work/straight.txt" "$work/killed.txt" || fail "killed and resumed run differs: $(cat "$work/killed.txt") vs $(cat "$work/straight.txt")"
[ "$(steps "$work/killed/events.jsonl")" = "$(steps "$work/straight/events.jsonl")" ] ||
  fail "killed and resumed run's events.jsonl steps differ from the uninterrupted run's: $(steps "$work/killed/events.jsonl" | tr '\n' ' ')"

# The same with early stopping: the patience and the best variables survive the kills.
"$driver" "$work/early_straight" "$work/early_straight.txt" 5000 early_stopping > /dev/null || fail "uninterrupted run with early stopping"
echo "uninterrupted with early stopping: $(cat "$work/early_straight.txt")"
[[ "$(cat "$work/early_straight.txt")" == *"stopped 1"* ]] || fail "early stopping did not stop the uninterrupted run"
# The best evaluation is at step 200 and training stops at 500: kills before the best, in the patience
# after it, and near the end (maybe after it: the job then runs again once finished).
kill_and_resume early_killed "@80 @200 @240 @320 @400 @480" 5000 early_stopping
cmp -s "$work/early_straight.txt" "$work/early_killed.txt" ||
  fail "killed and resumed run with early stopping differs: $(cat "$work/early_killed.txt") vs $(cat "$work/early_straight.txt")"
for log in events.jsonl eval/events.jsonl; do
  [ "$(steps "$work/early_killed/$log")" = "$(steps "$work/early_straight/$log")" ] ||
    fail "early stopping: $log steps differ: $(steps "$work/early_killed/$log" | tr '\n' ' ') vs $(steps "$work/early_straight/$log" | tr '\n' ' ')"
done

# SIGTERM: a clean stop with a checkpoint at the step it stopped at.
"$driver" "$work/term" "$work/term.txt" > "$work/term.log" 2>&1 &
pid=$!
sleep 0.3
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc: $(cat "$work/term.log")"
grep -q "interrupted at step" "$work/term.log" || fail "SIGTERM did not stop cleanly: $(cat "$work/term.log")"
step=$(sed -n 's/interrupted at step \([0-9]*\).*/\1/p' "$work/term.log")
[ -n "$step" ] && [ -f "$work/term/ckpt-$step.json" ] || fail "no checkpoint at the interrupted step $step"
"$driver" "$work/term" "$work/term.txt" > /dev/null || fail "resume after SIGTERM"
cmp -s "$work/straight.txt" "$work/term.txt" || fail "stopped and resumed run differs"

# A corrupt newest checkpoint: named, skipped, and training resumes from the previous good one.
"$driver" "$work/corrupt" "$work/short.txt" 1000 > /dev/null || fail "short run"
newest=$(ls "$work/corrupt"/ckpt-*.safetensors | sort -t- -k2 -n | tail -1)
printf '\xff' | dd of="$newest" bs=1 seek=200 conv=notrunc status=none
out=$("$driver" "$work/corrupt" "$work/corrupt.txt" 2>&1) || fail "run after corruption: $out"
[[ "$out" == *"skipped checkpoint"*"$(basename "$newest")"* ]] || fail "the corrupt checkpoint was not named: $out"
[[ "$out" == *"resumed from step 960"* ]] || fail "did not resume from the previous good checkpoint (960): $out"
cmp -s "$work/straight.txt" "$work/corrupt.txt" || fail "resumed-after-corruption run differs"
[ "$(steps "$work/corrupt/events.jsonl")" = "$(steps "$work/straight/events.jsonl")" ] ||
  fail "resumed-after-corruption run's events.jsonl steps differ (step 1000 logged twice?)"

# The run directory has the logs TensorBoard and scripts read.
[ -s "$work/straight/events.jsonl" ] || fail "no events.jsonl"
ls "$work/straight"/events.out.tfevents.* > /dev/null 2>&1 || fail "no TensorBoard event file"

[ "$failures" -eq 0 ] && echo "all passed"
exit $((failures > 0))
