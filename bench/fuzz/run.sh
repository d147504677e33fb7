#!/usr/bin/env bash
# Builds lever's libFuzzer targets (tests/fuzz/<name>_fuzz.cpp) with clang-14, ASan and UBSan in build-fuzz/
# and runs each for SECONDS from a copy of its seed corpus (tests/fuzz/corpus/<name>/).
#
#   bench/fuzz/run.sh SECONDS [TARGET...]     e.g. bench/fuzz/run.sh 60 csv_reader libsvm_reader
#
# Prints per target the executions, executions per second, coverage (libFuzzer's cov:) and whether it found
# anything; exits 1 when any target crashed, leaked, timed out or ran out of memory (the reproducers are
# kept in build-fuzz/fuzz-findings/). Environment: CXX (default clang++-14), LEVER_FUZZ_MAX_LEN (default
# 4096 bytes), LEVER_FUZZ_JOBS (targets run at once, default 1), LEVER_FUZZ_BUILD_DIR (default build-fuzz),
# LEVER_FUZZ_TIMEOUT (seconds one input may take before it counts as a hang, default 10),
# LEVER_FUZZ_RSS_MB (memory a target may hold, default 2048), LEVER_FUZZ_WORK_DIR (where the corpora grow
# and the logs go, kept afterwards; default a temporary directory, removed). LEVER_MEMORY_LIMIT defaults to
# 1G, below the RSS limit, so a size lever would refuse on a smaller machine is refused here too rather
# than reported as an out-of-memory finding.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ || $1 -lt 1 ]]; then
  echo "usage: $0 SECONDS [TARGET...]   (targets: tests/fuzz/*_fuzz.cpp without _fuzz.cpp)" >&2
  exit 2
fi
seconds=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${LEVER_FUZZ_BUILD_DIR:-$root/build-fuzz}
max_len=${LEVER_FUZZ_MAX_LEN:-4096}
jobs=${LEVER_FUZZ_JOBS:-1}
timeout=${LEVER_FUZZ_TIMEOUT:-10}
rss_mb=${LEVER_FUZZ_RSS_MB:-2048}
export LEVER_MEMORY_LIMIT=${LEVER_MEMORY_LIMIT:-1G}

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for source in "$root"/tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    targets+=("$name")
  done
fi
for name in "${targets[@]}"; do
  if [[ ! -f $root/tests/fuzz/${name}_fuzz.cpp ]]; then
    echo "$0: no fuzz target '$name' (no tests/fuzz/${name}_fuzz.cpp)" >&2
    exit 2
  fi
done

# -O1 keeps the targets fast without the long compiles of -O3; asserts stay on.
CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  -DLEVER_FUZZ=ON -DLEVER_BUILD_TESTS=OFF -DLEVER_BUILD_CLI=OFF -DLEVER_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target "${targets[@]/%/_fuzz}"

if [[ -n ${LEVER_FUZZ_WORK_DIR:-} ]]; then
  scratch=$LEVER_FUZZ_WORK_DIR
  mkdir -p "$scratch"
else
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/lever-fuzz.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
fi
findings=$build/fuzz-findings
mkdir -p "$findings"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp}

# One target: its corpus copied into the scratch directory (the repository's stays as it is), its files
# written under its own TMPDIR, its log in the scratch directory.
run_target() {
  local name=$1 dir=$scratch/$1
  rm -rf "$dir/artifacts" "$dir/tmp"
  mkdir -p "$dir/corpus" "$dir/tmp" "$dir/artifacts"
  cp -r "$root/tests/fuzz/corpus/$name/." "$dir/corpus/" 2>/dev/null || true
  local rc=0
  (cd "$dir" && TMPDIR=$dir/tmp "$build/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -max_len="$max_len" \
     -timeout="$timeout" -rss_limit_mb="$rss_mb" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
     "$dir/corpus" >"$dir/log" 2>&1) || rc=$?
  echo "$rc" >"$dir/rc"
}

pids=()
for name in "${targets[@]}"; do
  run_target "$name" &
  pids+=($!)
  if [[ ${#pids[@]} -ge $jobs ]]; then
    wait "${pids[0]}"
    pids=("${pids[@]:1}")
  fi
done
wait

failed=0
printf '%-18s %12s %9s %7s %7s  %s\n' target executions exec/s cov ft result
for name in "${targets[@]}"; do
  dir=$scratch/$name
  log=$dir/log
  rc=$(cat "$dir/rc")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  result=ok
  if [[ $rc -ne 0 ]]; then
    failed=1
    result="FOUND (exit $rc): $(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)[^(]*|runtime error:.*|terminate called.*|uncaught exception.*' "$log" || echo 'see log')"
    mkdir -p "$findings/$name"
    cp "$log" "$findings/$name/log"
    cp -r "$dir/artifacts/." "$findings/$name/" 2>/dev/null || true
    result+=" -> $findings/$name"
  fi
  printf '%-18s %12s %9s %7s %7s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit "$failed"
