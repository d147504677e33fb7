#!/usr/bin/env bash
# `lever linear` end to end on planted data: LIBSVM streamed and in memory, CSV with default and YAML
# feature columns; --json and --top output; every bad input fails with exit code 2 and a clear message.
set -uo pipefail
lever=$1
failures=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
  echo "FAIL: $1"
  [ $# -gt 1 ] && echo "$2"
  failures=$((failures + 1))
}

# ---- Planted data --------------------------------------------------------------------------------------

# LIBSVM: 30 binary features, each on with probability 0.2; features 1-10 carry weight +-1.5 (odd +,
# even -); labels +1/-1 from the logistic model. The Bayes AUC is about 0.85.
planted_libsvm() {  # planted_libsvm <seed> <rows>
  awk -v seed="$1" -v rows="$2" 'BEGIN {
    srand(seed)
    for (i = 0; i < rows; i++) {
      z = -0.2; line = ""
      for (j = 1; j <= 30; j++) {
        if (rand() < 0.2) { line = line " " j ":1"; if (j <= 10) z += (j % 2 ? 1.5 : -1.5) }
      }
      print (rand() < 1 / (1 + exp(-z)) ? "+1" : "-1") line
    }
  }'
}

# CSV: a city (text) and a number x; logit = city effect + 1.5 x. `extra` adds a city unseen in training.
planted_csv() {  # planted_csv <seed> <rows> <extra city>
  awk -v seed="$1" -v rows="$2" -v extra="$3" 'BEGIN {
    srand(seed)
    n = split("Paris London Tokyo Berlin", city, " ")
    split("2 -2 0.5 -0.5", effect, " ")
    if (extra != "") { n++; city[n] = extra; effect[n] = 0 }
    print "city,x,clicked"
    for (i = 0; i < rows; i++) {
      c = int(rand() * n) + 1
      x = rand() * 4 - 2
      z = effect[c] + 1.5 * x
      printf "%s,%.4f,%d\n", city[c], x, (rand() < 1 / (1 + exp(-z)) ? 1 : 0)
    }
  }'
}

planted_libsvm 1 3000 > "$dir/train.svm"
planted_libsvm 2 1500 > "$dir/test.svm"
planted_csv 3 2000 "" > "$dir/train.csv"
planted_csv 4 1000 Madrid > "$dir/test.csv"  # Madrid goes to the out-of-vocabulary bucket
cat > "$dir/columns.yaml" <<'EOF'
feature_columns:
  - numeric: x
  - bucketized: {key: x, boundaries: [-1, 0, 1]}
  - categorical: {key: city, vocabulary: [Paris, London, Tokyo, Berlin], oov_buckets: 1}
  - crossed: {keys: [city, {bucketized: {key: x, boundaries: [0]}}], hash_buckets: 64}
EOF

# ---- Helpers -------------------------------------------------------------------------------------------

# Runs lever linear and checks exit 0; leaves the output in $out.
run_ok() {  # run_ok <what> args...
  local what=$1
  shift
  out=$("$lever" linear "$@" 2>&1)
  local rc=$?
  if [ $rc -ne 0 ]; then fail "$what: lever linear $* -> exit $rc" "$out"; return 1; fi
  return 0
}

# Checks a --json run: one line of JSON with the result keys and an AUC above 0.7.
check_json() {  # check_json <what>
  local what=$1
  if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || [[ "$out" != "{"*"}" ]]; then
    fail "$what: --json should print one JSON line" "$out"
    return
  fi
  local key
  for key in log_loss auc nonzero_weights rows_per_second steps train_examples test_examples optimizer; do
    [[ "$out" == *"\"$key\":"* ]] || fail "$what: no \"$key\" in the JSON" "$out"
  done
  local auc log_loss
  auc=$(printf '%s\n' "$out" | sed -n 's/.*"auc":\([-0-9.eE+]*\).*/\1/p')
  log_loss=$(printf '%s\n' "$out" | sed -n 's/.*"log_loss":\([-0-9.eE+]*\).*/\1/p')
  awk -v a="$auc" 'BEGIN { exit !(a > 0.7) }' || fail "$what: AUC '$auc' is not above 0.7" "$out"
  awk -v l="$log_loss" 'BEGIN { exit !(l > 0 && l < 0.65) }' || fail "$what: log loss '$log_loss' not in (0, 0.65)" "$out"
}

expect_error() {  # expect_error "<text in message>" args...
  local want=$1
  shift
  local rc
  out=$("$lever" linear -q "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne 2 ] || [[ "$out" != *"$want"* ]]; then
    fail "lever linear $* -> exit $rc, wanted 2 and '$want' in:" "$out"
  fi
}

# ---- LIBSVM --------------------------------------------------------------------------------------------

# Streamed (--num-features), shuffled.
if run_ok "LIBSVM streamed" --train "$dir/train.svm" --test "$dir/test.svm" --num-features 30 --passes 3 \
          --shuffle-buffer 500 --json; then
  check_json "LIBSVM streamed"
fi

# In memory (no --num-features), with the human-readable report and the largest weights.
if run_ok "LIBSVM in memory" --train "$dir/train.svm" --test "$dir/test.svm" --passes 3 --top 5 --report-every 10; then
  [[ "$out" == *"step 10  examples 2560  passes 0.85  train loss"* ]] ||
    fail "LIBSVM in memory: no progress line every 10 steps" "$out"
  [[ "$out" == *"trained "*" steps on "*" examples"* ]] || fail "LIBSVM in memory: no summary line" "$out"
  [[ "$out" == *"test: 1500 examples"*"AUC"* ]] || fail "LIBSVM in memory: no test line" "$out"
  [[ "$out" == *"largest weights:"*"feature "* ]] || fail "LIBSVM in memory: --top prints no feature names" "$out"
  top=$(printf '%s\n' "$out" | sed -n '/largest weights:/,$p' | grep -c 'feature ')
  [ "$top" -eq 5 ] || fail "LIBSVM in memory: --top 5 printed $top weights" "$out"
fi
if run_ok "LIBSVM in memory --json" --train "$dir/train.svm" --test "$dir/test.svm" --passes 3 --json; then
  check_json "LIBSVM in memory"
fi

# Gzipped input reads the same (the format comes from the name before .gz).
gzip -c "$dir/train.svm" > "$dir/train.svm.gz"
if run_ok "LIBSVM gzip" --train "$dir/train.svm.gz" --test "$dir/test.svm" --num-features 30 --passes 3 --json; then
  check_json "LIBSVM gzip"
fi

# ---- CSV -----------------------------------------------------------------------------------------------

# Default columns: x standardized, city by vocabulary with one out-of-vocabulary bucket.
if run_ok "CSV default columns" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked --passes 5 --top 10; then
  [[ "$out" == *"feature columns:"* && "$out" == *"x: numeric(x, standardized: mean"* &&
     "$out" == *"city: vocabulary(city, 4 entries, 1 out-of-vocabulary buckets)"* ]] ||
    fail "CSV default columns: feature columns not described" "$out"
  [[ "$out" == *"city=Paris"* ]] || fail "CSV default columns: --top shows no 'city=Paris'" "$out"
  [[ "$out" == *"city=London"* ]] || fail "CSV default columns: --top shows no 'city=London'" "$out"
  [[ "$out" == *"test: 1000 examples"* ]] || fail "CSV default columns: no test line" "$out"
fi
if run_ok "CSV default columns --json" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked --passes 5 --json; then
  check_json "CSV default columns"
fi

# YAML columns with a bucketized and a crossed column.
if run_ok "CSV --columns" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked --columns "$dir/columns.yaml" \
          --passes 5 --top 40; then
  [[ "$out" == *"bucketized(x, boundaries [-1, 0, 1])"* ]] || fail "CSV --columns: no bucketized column" "$out"
  [[ "$out" == *"crossed(city_x_x_bucketized, 64 buckets)"* ]] || fail "CSV --columns: no crossed column" "$out"
  [[ "$out" == *"city=Paris"* ]] || fail "CSV --columns: --top shows no 'city=Paris'" "$out"
  [[ "$out" == *"cross bucket"* ]] || fail "CSV --columns: --top shows no cross bucket" "$out"
  [[ "$out" == *" <= x < "* || "$out" == *"x >= 1"* || "$out" == *"x < -1"* ]] ||
    fail "CSV --columns: --top shows no bucket range" "$out"
fi
if run_ok "CSV --columns --json" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked \
          --columns "$dir/columns.yaml" --passes 5 --json; then
  check_json "CSV --columns"
fi

# ---- Bad inputs: exit 2 and a message that names the problem -------------------------------------------

expect_error "unknown --loss 'hinge'. Valid: logistic, squared, softmax" --train "$dir/train.svm" --loss hinge
expect_error "batch size must be a positive number of examples, got 0" --train "$dir/train.svm" --batch-size 0
expect_error "batch size must be a positive number of examples, got 0" --train "$dir/train.svm" --num-features 30 \
  --batch-size 0

printf '+1 1:1 2:1\n-1 3:1\n+1 0:1 4:1\n-1 5:1\n' > "$dir/index0.svm"
expect_error "index0.svm:3:4: \"0:1\": index 0 is not valid" --train "$dir/index0.svm"
expect_error "index0.svm:3:4: \"0:1\": index 0 is not valid" --train "$dir/index0.svm" --num-features 30

printf '+1 1:1 2:1\n-1 3:1 31:1\n' > "$dir/wide.svm"
expect_error "wide.svm:1-2: feature index 31 is beyond the 30 features" --train "$dir/wide.svm" --num-features 30
expect_error "beyond the model's 30 features" --train "$dir/train.svm" --test "$dir/wide.svm" --num-features 30

# A text value in a numeric column after the rows the schema is inferred from (line 1500 of the file).
awk 'NR == 1500 { sub(/,[-0-9.]*,/, ",abc,") } { print }' "$dir/train.csv" > "$dir/text_in_x.csv"
expect_error "text_in_x.csv:1500: column 'x' expects a number, got \"abc\"" --train "$dir/text_in_x.csv" --label clicked
# The same in the test file, read with the training file's schema.
awk 'NR == 7 { sub(/,[-0-9.]*,/, ",abc,") } { print }' "$dir/test.csv" > "$dir/test_text_in_x.csv"
expect_error "test_text_in_x.csv:7: column 'x' expects a number, got \"abc\"" --train "$dir/train.csv" \
  --test "$dir/test_text_in_x.csv" --label clicked

expect_error "name the label column with --label" --train "$dir/train.csv"
expect_error "$dir/absent.svm" --train "$dir/absent.svm"
expect_error "$dir/absent.svm" --train "$dir/absent.svm" --num-features 30
expect_error "$dir/absent.csv" --train "$dir/absent.csv" --label clicked

# ---- --skip-bad-rows: the same bad files train --------------------------------------------------------

run_ok "LIBSVM --skip-bad-rows" --train "$dir/index0.svm" --skip-bad-rows --json
run_ok "LIBSVM streamed --skip-bad-rows" --train "$dir/index0.svm" --num-features 30 --skip-bad-rows --json
if run_ok "CSV --skip-bad-rows" --train "$dir/text_in_x.csv" --test "$dir/test.csv" --label clicked --passes 5 \
          --skip-bad-rows --json; then
  check_json "CSV --skip-bad-rows"
fi

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all lever linear checks passed"
