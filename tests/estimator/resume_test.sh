#!/usr/bin/env bash
# Checkpoints survive a crash: a training run killed with SIGKILL at chosen points (after a step's update,
# in the middle of a checkpoint's writes, renames and deletions) and started again ends with variables
# bit-identical to an uninterrupted run, and so does one with early stopping (the same stop step, best
# step, restored best variables and final evaluation); the resumed runs' events.jsonl files hold the same
# steps as the uninterrupted runs', each once; SIGTERM stops a run at a step boundary after writing a
# checkpoint; a newest checkpoint whose tensor bytes are damaged fails its CRC-32C, is named and skipped,
# and training resumes from the previous good one, still ending bit-identical.
#
# Every kill point is chosen by step or by call count (the LD_PRELOAD shim tests/testing/fault_injection.cpp),
# never by time, so the test does the same on a fast machine, a slow one and a loaded one.
#
#   resume_test.sh DRIVER FAULT_INJECTION_SO
set -uo pipefail
driver=$1
shim=$2
work=$(mktemp -d)
# A sanitized build's runtime must come first in the library list unless told otherwise.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
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

# kill_and_resume NAME KILLS [DRIVER ARGUMENTS]: runs the driver on $work/NAME once per word of KILLS, each
# run killed with SIGKILL at that point and resuming from what the previous one left: "step:N" after step
# N's update (RESUME_DRIVER_KILL_AT_STEP), "CALL:N" at the Nth write, fsync, rename or remove (rename and
# remove counted in the model directory only) of that run. Each run must die of SIGKILL (exit 137): a run
# that ends otherwise fails the test. Then runs it to the end; sets $out.
kill_and_resume() {
  local name=$1 kills=$2 rc
  shift 2
  for point in $kills; do
    if [[ "$point" == step:* ]]; then
      (RESUME_DRIVER_KILL_AT_STEP=${point#step:} "$driver" "$work/$name" "$work/$name.txt" "$@" > "$work/$name.log" 2>&1) 2> /dev/null
    else
      (LD_PRELOAD="$shim" LEVER_FAULT="$point:kill" LEVER_FAULT_PATH="$work/$name" \
        "$driver" "$work/$name" "$work/$name.txt" "$@" > "$work/$name.log" 2>&1) 2> /dev/null
    fi
    rc=$?
    [ "$rc" -eq 137 ] || fail "$name: the run to be killed at $point ended with exit $rc instead: $(tail -3 "$work/$name.log")"
  done
  out=$("$driver" "$work/$name" "$work/$name.txt" "$@") || fail "$name: run after the kills: $out"
  echo "$name: after kills at $kills: $(cat "$work/$name.txt") ($out)"
}

"$driver" "$work/straight" "$work/straight.txt" > /dev/null || fail "uninterrupted run"
echo "uninterrupted: $(cat "$work/straight.txt")"

# SIGKILL seven times (between steps; in a checkpoint's tensor write, at a commit rename, in the deletion
# of old checkpoints, at an fsync; deep into the run), then run to the end.
kill_and_resume killed "step:130 write:20 rename:8 remove:3 fsync:14 step:2600 rename:2"
cmp -s "$work/straight.txt" "$work/killed.txt" || fail "killed and resumed run differs: $(cat "$work/killed.txt") vs $(cat "$work/straight.txt")"
[ "$(steps "$work/killed/events.jsonl")" = "$(steps "$work/straight/events.jsonl")" ] ||
  fail "killed and resumed run's events.jsonl steps differ from the uninterrupted run's: $(steps "$work/killed/events.jsonl" | tr '\n' ' ')"

# The same with early stopping: the patience and the best variables survive the kills.
"$driver" "$work/early_straight" "$work/early_straight.txt" 5000 early_stopping > /dev/null || fail "uninterrupted run with early stopping"
echo "uninterrupted with early stopping: $(cat "$work/early_straight.txt")"
[[ "$(cat "$work/early_straight.txt")" == *"stopped 1"* ]] || fail "early stopping did not stop the uninterrupted run"
# The best evaluation is at step 200 and training stops at 500: kills before the best, in the patience
# after it, and near the end (maybe after it: the job then runs again once finished).
kill_and_resume early_killed "step:80 step:200 rename:5 step:240 step:320 write:25 step:400 step:480" 5000 early_stopping
cmp -s "$work/early_straight.txt" "$work/early_killed.txt" ||
  fail "killed and resumed run with early stopping differs: $(cat "$work/early_killed.txt") vs $(cat "$work/early_straight.txt")"
for log in events.jsonl eval/events.jsonl; do
  [ "$(steps "$work/early_killed/$log")" = "$(steps "$work/early_straight/$log")" ] ||
    fail "early stopping: $log steps differ: $(steps "$work/early_killed/$log" | tr '\n' ' ') vs $(steps "$work/early_straight/$log" | tr '\n' ' ')"
done

# SIGTERM: a clean stop with a checkpoint at the step it stopped at.
# The signal goes once a checkpoint of step 200 exists, far from the end (5000), on any machine.
"$driver" "$work/term" "$work/term.txt" > "$work/term.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2> /dev/null && [ "$(newest "$work/term")" -lt 200 ]; do sleep 0.01; done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "SIGTERM: exit $rc: $(cat "$work/term.log")"
grep -q "interrupted at step" "$work/term.log" || fail "SIGTERM did not stop cleanly: $(cat "$work/term.log")"
step=$(sed -n 's/interrupted at step \([0-9]*\).*/\1/p' "$work/term.log")
[ -n "$step" ] && [ -f "$work/term/ckpt-$step.json" ] || fail "no checkpoint at the interrupted step $step"
"$driver" "$work/term" "$work/term.txt" > /dev/null || fail "resume after SIGTERM"
cmp -s "$work/straight.txt" "$work/term.txt" || fail "stopped and resumed run differs"

# A corrupt newest checkpoint: one bit flipped in its tensor data (past the safetensors JSON header, so the
# file still parses and only the CRC-32C of its commit record can tell): named, skipped, and training
# resumes from the previous good one.
"$driver" "$work/corrupt" "$work/short.txt" 1000 > /dev/null || fail "short run"
newest=$(ls "$work/corrupt"/ckpt-*.safetensors | sort -t- -k2 -n | tail -1)
header_bytes=$(od -An -t u8 -N 8 "$newest" | tr -d ' ')
size=$(stat -c %s "$newest")
offset=$(( 8 + header_bytes + (size - 8 - header_bytes) / 2 ))
byte=$(od -An -t u1 -j "$offset" -N 1 "$newest" | tr -d ' ')
printf "\\$(printf '%03o' $(( byte ^ 1 )))" | dd of="$newest" bs=1 seek="$offset" conv=notrunc status=none
[ "$(od -An -t u1 -j "$offset" -N 1 "$newest" | tr -d ' ')" -eq $(( byte ^ 1 )) ] || fail "the test did not flip the bit"
out=$("$driver" "$work/corrupt" "$work/corrupt.txt" 2>&1) || fail "run after corruption: $out"
[[ "$out" == *"skipped checkpoint"*"$(basename "$newest")"*"checksum mismatch"* ]] ||
  fail "the corrupt checkpoint was not named with its checksum mismatch: $out"
[[ "$out" == *"resumed from step 960"* ]] || fail "did not resume from the previous good checkpoint (960): $out"
cmp -s "$work/straight.txt" "$work/corrupt.txt" || fail "resumed-after-corruption run differs"
[ "$(steps "$work/corrupt/events.jsonl")" = "$(steps "$work/straight/events.jsonl")" ] ||
  fail "resumed-after-corruption run's events.jsonl steps differ (step 1000 logged twice?)"

# The run directory has the logs TensorBoard and scripts read.
[ -s "$work/straight/events.jsonl" ] || fail "no events.jsonl"
ls "$work/straight"/events.out.tfevents.* > /dev/null 2>&1 || fail "no TensorBoard event file"

[ "$failures" -eq 0 ] && echo "all passed"
exit $((failures > 0))
