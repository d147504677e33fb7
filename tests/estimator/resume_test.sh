#!/usr/bin/env bash
# Checkpoints survive a crash: a training run killed with SIGKILL at random moments (during steps and
# during checkpoint writes) and started again ends with variables bit-identical to an uninterrupted run;
# SIGTERM stops it at a step boundary after writing a checkpoint; a corrupt newest checkpoint is named
# and training resumes from the previous good one, still ending bit-identical.
set -uo pipefail
driver=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$driver" "$work/straight" "$work/straight.txt" > /dev/null || fail "uninterrupted run"
echo "uninterrupted: $(cat "$work/straight.txt")"

# SIGKILL at random moments, six times, then run to the end.
kills=0
for delay in 0.15 0.3 0.05 0.45 0.2 0.35; do
  "$driver" "$work/killed" "$work/killed.txt" > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2> /dev/null
done
out=$("$driver" "$work/killed" "$work/killed.txt") || fail "run after the kills: $out"
echo "after $kills kills: $(cat "$work/killed.txt") ($out)"
[ "$kills" -ge 2 ] || fail "only $kills of the runs were still going when killed: make the run longer"
cmp -s "$work/straight.txt" "$work/killed.txt" || fail "killed and resumed run differs: $(cat "$work/killed.txt") vs $(cat "$work/straight.txt")"

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

# The run directory has the logs TensorBoard and scripts read.
[ -s "$work/straight/events.jsonl" ] || fail "no events.jsonl"
ls "$work/straight"/events.out.tfevents.* > /dev/null 2>&1 || fail "no TensorBoard event file"

[ "$failures" -eq 0 ] && echo "all passed"
exit $((failures > 0))
