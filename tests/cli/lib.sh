# Sourced by the CLI test scripts: a work directory removed at exit, failure counting, the check that a
# command fails with exit code 2 and a message, and the summary line and exit code.
#   lever=$1
#   source "$(dirname "$0")/lib.sh"
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# fail "<what went wrong>" [details...]: counts a failure; each detail goes on its own line.
fail() {
  echo "FAIL: $1"
  [ $# -gt 1 ] && printf '%s\n' "${@:2}"
  failures=$((failures + 1))
}

# expect_exit2 "<text in message>" command args...: the command exits 2 (a user error) and says the text.
# A hang fails (timeout's exit 124) instead of stalling the suite.
expect_exit2() {
  local want=$1 out rc
  shift
  out=$(timeout 300 "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne 2 ] || [[ "$out" != *"$want"* ]]; then fail "${*:2} -> exit $rc, wanted 2 and '$want' in:" "$out"; fi
}

# finish: "all passed" when nothing failed; the script's exit code.
finish() {
  [ "$failures" -eq 0 ] && echo "all passed"
  exit $((failures > 0))
}
