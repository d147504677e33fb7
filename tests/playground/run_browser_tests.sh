#!/bin/bash
# lever playground in Debian's chromium, driven by Playwright (web/tests/playground.spec.js): starts the
# server on a free port, runs the browser tests, and checks the server is still serving and stops cleanly.
# Usage: run_browser_tests.sh LEVER SOURCE_DIR [PLAYWRIGHT ARGS, e.g. -g upload]. Without web/node_modules (the README's install command runs
# web/install.sh) or chromium: skipped (exit 77), or a failure when LEVER_REQUIRE_BROWSER=1 (CI).
set -uo pipefail
lever=$(realpath "$1")
web="$2/web"
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -d "$web/node_modules/@playwright/test" ] || [ ! -x "$chromium" ] || ! command -v node > /dev/null; then
  why="no $web/node_modules/@playwright/test (web/install.sh), node or $chromium"
  if [ "${LEVER_REQUIRE_BROWSER:-0}" = 1 ]; then echo "FAIL: $why"; exit 1; fi
  echo "SKIP: $why"
  exit 77
fi
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# Playwright closes a test's page without its beforeunload (which ends the session), so earlier tests'
# sessions live until the reaper's 2 minutes: room for them beside the ten pages of the last test.
"$lever" playground --port 0 --max-sessions 32 > "$work/server.out" 2> "$work/server.err" &
pid=$!
port=
for _ in $(seq 100); do
  port=$(grep -o '127.0.0.1:[0-9]*' "$work/server.out" | head -1 | cut -d: -f2)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "FAIL: lever playground did not print its address"
  cat "$work/server.out" "$work/server.err"
  exit 1
fi
export PLAYGROUND_URL="http://127.0.0.1:$port" LEVER="$lever" CHROMIUM="$chromium" PLAYGROUND_PID="$pid"
export PLAYGROUND_OUTPUT="$work/results" PLAYGROUND_SCREENSHOTS="${PLAYGROUND_SCREENSHOTS:-$work/screenshots}"
mkdir -p "$PLAYGROUND_SCREENSHOTS"
(cd "$web" && node node_modules/@playwright/test/cli.js test "${@:3}")
rc=$?
if ! kill -0 "$pid" 2> /dev/null; then
  echo "FAIL: the server died during the tests"
  cat "$work/server.err"
  exit 1
fi
kill -TERM "$pid"
wait "$pid"
stopped=$?
pid=
if [ "$stopped" -ne 0 ]; then
  echo "FAIL: lever playground exited $stopped on SIGTERM"
  cat "$work/server.err"
  exit 1
fi
exit $rc
