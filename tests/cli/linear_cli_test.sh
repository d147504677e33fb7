#!/usr/bin/env bash
# `lever linear` end to end on planted data: LIBSVM streamed and in memory, CSV with default and YAML
# feature columns; --json and --top output; every bad input fails with exit code 2 and a clear message.
lever=$1
source "$(dirname "$0")/lib.sh"
dir=$work

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

expect_error() { local want=$1; shift; expect_exit2 "$want" "$lever" linear -q "$@"; }

# ---- LIBSVM --------------------------------------------------------------------------------------------

# Streamed (--num-features), shuffled.
if run_ok "LIBSVM streamed" --train "$dir/train.svm" --test "$dir/test.svm" --num-features 30 --passes 3 \
          --shuffle-buffer 500 --json; then
  check_json "LIBSVM streamed"
fi

# In memory (no --num-features), with the human-readable report and the largest weights.
if run_ok "LIBSVM in memory" --train "$dir/train.svm" --test "$dir/test.svm" --passes 3 --batch-size 256 --top 5 --report-every 10; then
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

expect_error "unknown loss 'hinge'. Valid losses: mean_squared_error, sigmoid_cross_entropy" --train "$dir/train.svm" --loss hinge
expect_error "batch size must be a positive number of examples (or 0 to pick one), got -3" --train "$dir/train.svm" \
  --batch-size -3
expect_error "batch size must be a positive number of examples (or 0 to pick one), got -3" --train "$dir/train.svm" \
  --num-features 30 --batch-size -3

printf '+1 1:1 2:1\n-1 3:1\n+1 0:1 4:1\n-1 5:1\n' > "$dir/index0.svm"
expect_error "index0.svm:3:4: \"0:1\": index 0 is not valid" --train "$dir/index0.svm"
expect_error "index0.svm:3:4: \"0:1\": index 0 is not valid" --train "$dir/index0.svm" --num-features 30
expect_error "read it zero-based (lever linear --zero-based" --train "$dir/index0.svm"

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
# Several label columns are a multi-label task: one sigmoid output per label, logistic loss, online solver.
printf 'x,a,b,c\n0.1,0,1,1\n0.2,1,0,0\n' > "$dir/multi.csv"
expect_error "--label a,b,c names 3 columns: a multi-label task, one yes/no label each, which lever linear trains \
with the logistic loss (what --loss auto picks), not mean_squared_error" --train "$dir/multi.csv" --label a,b,c --loss squared
expect_error "--label a,b,c: coordinate descent fits one output" --train "$dir/multi.csv" --label a,b,c --solver cd
out=$("$lever" linear --train "$dir/multi.csv" --test "$dir/multi.csv" --label a,b,c --json 2>&1) ||
  fail "multi-label lever linear" "$out"
/usr/bin/python3 -c 'import json, sys; r = json.loads(sys.argv[1])
assert r["labels"] == ["a", "b", "c"] and set(r["per_label"]) == {"a", "b", "c"}, r
assert r["test_examples"] == 2 and 0 <= r["accuracy"] <= 1, r' "$out" || fail "multi-label --json" "$out"
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

# ---- Fixed review findings ------------------------------------------------------------------------------

# The value of "key" in the JSON line in $out.
json_value() {  # json_value <key>
  printf '%s\n' "$out" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"
}
expect_json() {  # expect_json <what> <key> <value>
  local got
  got=$(json_value "$2")
  [ "$got" = "$3" ] || fail "$1: \"$2\" is '$got', wanted '$3'" "$out"
}

# 1. Text labels: logistic loss takes any two values, the second sorted one positive (as the line says),
#    and learns what the 0/1 labels teach; squared loss needs numbers.
awk -F, 'BEGIN { OFS = "," } NR > 1 { $3 = ($3 == 1 ? "yes" : "no") } { print }' "$dir/train.csv" > "$dir/text_label.csv"
awk -F, 'BEGIN { OFS = "," } NR > 1 { $3 = ($3 == 1 ? "yes" : "no") } { print }' "$dir/test.csv" > "$dir/text_label_test.csv"
if run_ok "text labels" --train "$dir/text_label.csv" --test "$dir/text_label_test.csv" --label clicked --passes 5; then
  [[ "$out" == *"label 'clicked': 2 text values 'no', 'yes' -> binary, positive class 'yes'"* ]] ||
    fail "text labels: no decision line" "$out"
fi
if run_ok "text labels --json" --train "$dir/text_label.csv" --test "$dir/text_label_test.csv" --label clicked --passes 5 --json; then
  check_json "text labels"
  [[ "$out" == *'"classes":["no","yes"]'* ]] || fail "text labels: no classes in the JSON" "$out"
  text_auc=$(json_value auc)
  run_ok "numeric labels" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked --passes 5 --json
  [ "$(json_value auc)" = "$text_auc" ] || fail "text labels: AUC $text_auc, the 0/1 labels give $(json_value auc)" "$out"
fi
expect_error "label 'clicked': 2 text values 'no', 'yes': regression needs numbers" --train "$dir/text_label.csv" \
  --label clicked --loss squared
sed '3s/yes$/maybe/; 3s/no$/maybe/' "$dir/text_label_test.csv" > "$dir/text_label_bad.csv"
expect_error "text_label_bad.csv:3: label 'clicked' is \"maybe\", a value the training labels do not have (classes: 'no', 'yes')" \
  --train "$dir/text_label.csv" --test "$dir/text_label_bad.csv" --label clicked
# Whole-number targets 25..346 are not a binary label: the default (--loss auto) trains a regression, the
# logistic loss says why it cannot and names the fix. Three text classes take softmax, which cd cannot fit.
awk 'BEGIN { srand(5); print "x,y\n0,25\n1,346"; for (i = 0; i < 300; i++) { x = rand(); printf "%.4f,%d\n", x, 25 + int(321 * x) } }' \
  > "$dir/counts.csv"
expect_error "distinct whole numbers 25..346: a binary task needs exactly two values. Pass --loss squared" \
  --train "$dir/counts.csv" --label y --loss logistic
run_ok "whole-number targets, --loss auto" --train "$dir/counts.csv" --test "$dir/counts.csv" --label y --json
[[ "$out" == *'"loss":"mean_squared_error"'* && "$out" == *'"rmse":'[0-9]* ]] || fail "--loss auto: not regression" "$out"
printf 'x,kind\n1,a\n2,b\n3,c\n4,a\n' > "$dir/three.csv"
expect_error "-> multi_class, 3 classes. --solver cd fits one output" --train "$dir/three.csv" --label kind --solver cd
# A text column's empty cells are missing, not a category of their own: they share the unseen values' bucket.
printf 'city,x,y\nparis,1,0\n,2,1\nrome,3,1\nparis,1,0\n,5,1\nrome,0,0\n' > "$dir/cities.csv"
run_ok "text column with empty cells" --train "$dir/cities.csv" --label y --steps 5
[[ "$out" == *"vocabulary(city, 2 entries, 1 out-of-vocabulary buckets)"* ]] || fail "empty cells became a category" "$out"
printf '1 1:1\n2 1:2\n3 1:3\n' > "$dir/three.svm"
expect_error "the labels hold more than two values (1, 2, 3, ...): --loss auto reads a LIBSVM file as a binary" \
  --train "$dir/three.svm"
run_ok "whole-number targets, squared loss" --train "$dir/counts.csv" --label y --loss squared --solver cd --max-sweeps 50 -q

# 2. A streamed file without examples ends with a DataError (it used to hang); in memory too.
: > "$dir/empty.svm"
printf '# header comment\n1 0:1\n-1 x:1\n' > "$dir/all_bad.svm"
expect_error "no examples in $dir/empty.svm: the file holds no data lines" --train "$dir/empty.svm" --num-features 30
expect_error "no examples in $dir/empty.svm" --train "$dir/empty.svm"
expect_error "no examples in $dir/all_bad.svm: all 2 of its data lines are malformed and were skipped; the first: $dir/all_bad.svm:2:3" \
  --train "$dir/all_bad.svm" --num-features 30 --skip-bad-rows
expect_error "no examples in $dir/all_bad.svm: all 2" --train "$dir/all_bad.svm" --skip-bad-rows

# 3. .tsv is read tab-separated (also gzipped).
tr ',' '\t' < "$dir/train.csv" > "$dir/train.tsv"
tr ',' '\t' < "$dir/test.csv" | gzip -c > "$dir/test.tsv.gz"
if run_ok "TSV" --train "$dir/train.tsv" --test "$dir/test.tsv.gz" --label clicked --passes 5 --json; then
  check_json "TSV"
  expect_json "TSV" train_rows 2000
  expect_json "TSV" test_examples 1000
fi

# 4. Softmax: labels outside 0..classes-1 are a DataError naming file, line (or row), label and range.
printf '0 1:1\n1 2:1\n2 3:1\n0 1:1 4:1\n1 2:1 4:1\n2 3:1 4:1\n' > "$dir/three.svm"
printf '0 1:1\n3 2:1\n' > "$dir/three_bad.svm"
run_ok "softmax LIBSVM" --train "$dir/three.svm" --test "$dir/three.svm" --loss softmax --classes 3 --passes 5 -q
expect_error "three_bad.svm:2:1: \"3\": the label is not a class id: with 3 classes, labels are whole numbers from 0 to 2" \
  --train "$dir/three.svm" --test "$dir/three_bad.svm" --loss softmax --classes 3
expect_error "three_bad.svm:2:1: \"3\": the label is not a class id" \
  --train "$dir/three.svm" --test "$dir/three_bad.svm" --loss softmax --classes 3 --num-features 10
expect_error "three_bad.svm:2:1: \"3\": the label is not a class id" --train "$dir/three_bad.svm" --loss softmax --classes 3
printf 'x,y\n0.1,0\n0.2,1\n0.3,2\n' > "$dir/three.csv"
printf 'x,y\n0.1,0\n0.5,5\n' > "$dir/three_bad.csv"
run_ok "softmax CSV" --train "$dir/three.csv" --test "$dir/three.csv" --label y --loss softmax --classes 3 -q
expect_error "three_bad.csv:3: label 'y' is \"5\", a value the training labels do not have (classes: '0', '1', '2')" \
  --train "$dir/three.csv" --test "$dir/three_bad.csv" --label y --loss softmax --classes 3
# CSV softmax without --classes: the labels give the classes (text too).
printf 'x,y\n0.1,red\n0.2,green\n0.3,blue\n' > "$dir/colors.csv"
run_ok "softmax CSV, text labels" --train "$dir/colors.csv" --test "$dir/colors.csv" --label y --loss softmax
[[ "$out" == *"3 text values 'blue', 'green', 'red' -> multi_class, 3 classes"* ]] || fail "softmax CSV: no decision line" "$out"

# 5. --opt values that are not numbers are ConfigErrors naming the option and the value.
expect_error "--opt l1: expected a number, got 'abc'" --train "$dir/train.svm" --opt l1=abc
expect_error "--opt l1: expected a number, got '1x'" --train "$dir/train.svm" --opt l1=1x
expect_error "--opt expects key=value" --train "$dir/train.svm" --opt l1

# 6. A negative learning rate and an unknown --format are errors.
expect_error "--learning-rate must be positive, or 0 for the default rule, got -0.1" --train "$dir/train.svm" --lr=-0.1
run_ok "--lr 0 (the default rule)" --train "$dir/train.svm" --lr 0 -q
expect_error "unknown --format 'svm'. Valid: auto, libsvm, csv." --train "$dir/train.svm" --format svm
run_ok "--format libsvm" --train "$dir/train.svm" --format libsvm -q

# 7. Softmax needs --classes, at least 2; --classes is for softmax only.
expect_error "--loss softmax on LIBSVM needs --classes" --train "$dir/three.svm" --loss softmax
expect_error "--classes must be at least 2, got 1" --train "$dir/three.svm" --loss softmax --classes 1
expect_error "--classes applies only to --loss softmax" --train "$dir/train.svm" --classes 3 --loss logistic

# 8. --skip-bad-rows reports how many rows it left out, per file; streamed, each bad line counts once.
if run_ok "skipped rows printed" --train "$dir/index0.svm" --test "$dir/index0.svm" --skip-bad-rows -q; then
  [[ "$out" == *"skipped 1 malformed row of $dir/index0.svm; the first: $dir/index0.svm:3:4"* ]] ||
    fail "skipped rows printed: no count of skipped rows" "$out"
  [ "$(printf '%s\n' "$out" | grep -c '^skipped 1 malformed row')" -eq 2 ] ||
    fail "skipped rows printed: wanted one line for train and one for test" "$out"
fi
if run_ok "skipped rows in JSON" --train "$dir/index0.svm" --test "$dir/index0.svm" --skip-bad-rows --json; then
  expect_json "skipped rows in JSON" train_skipped_rows 1
  expect_json "skipped rows in JSON" test_skipped_rows 1
fi
if run_ok "skipped rows streamed" --train "$dir/index0.svm" --test "$dir/index0.svm" --num-features 30 --passes 20 \
          --skip-bad-rows --max-bad-rows 1 --json; then
  expect_json "skipped rows streamed" train_skipped_rows 1
  expect_json "skipped rows streamed" test_skipped_rows 1
  expect_json "skipped rows streamed" train_rows 3
fi
if run_ok "skipped rows CSV" --train "$dir/text_in_x.csv" --test "$dir/test.csv" --label clicked --skip-bad-rows --json; then
  expect_json "skipped rows CSV" train_skipped_rows 1
  expect_json "skipped rows CSV" test_skipped_rows 0
fi

# 9. train_examples counts the examples trained on (repeats included) for every format; train_rows the file's rows.
if run_ok "examples CSV" --train "$dir/train.csv" --label clicked --passes 5 --batch-size 100 --json; then
  expect_json "examples CSV" steps 100
  expect_json "examples CSV" train_examples 10000
  expect_json "examples CSV" train_rows 2000
fi
if run_ok "examples LIBSVM" --train "$dir/train.svm" --passes 3 --batch-size 256 --json; then
  expect_json "examples LIBSVM" steps 36
  expect_json "examples LIBSVM" train_examples 9216
  expect_json "examples LIBSVM" train_rows 3000
fi
if run_ok "examples streamed" --train "$dir/train.svm" --num-features 30 --steps 50 --batch-size 100 --json; then
  expect_json "examples streamed" train_examples 5000
  expect_json "examples streamed" train_rows 3000
fi
if run_ok "examples summary" --train "$dir/train.csv" --label clicked --passes 5 --batch-size 100 -q; then
  [[ "$out" == *"trained 100 steps on 10000 examples from 2000 rows in "* ]] || fail "examples summary" "$out"
fi

# 10. --zero-based reads indices from 0; a UTF-8 byte-order mark at the start is skipped.
if run_ok "--zero-based" --train "$dir/index0.svm" --zero-based --top 10 -q; then
  [[ "$out" == *"  feature 0"* ]] || fail "--zero-based: --top does not name index 0 'feature 0'" "$out"
fi
run_ok "--zero-based streamed" --train "$dir/index0.svm" --test "$dir/index0.svm" --zero-based --num-features 30 -q
{ printf '\xEF\xBB\xBF'; cat "$dir/train.svm"; } > "$dir/bom.svm"
run_ok "byte-order mark" --train "$dir/bom.svm" --test "$dir/bom.svm" -q
run_ok "byte-order mark streamed" --train "$dir/bom.svm" --num-features 30 -q

# ---- Coordinate descent (--solver cd) ------------------------------------------------------------------

if run_ok "cd LIBSVM" --train "$dir/train.svm" --test "$dir/test.svm" --solver cd --l1 0.002 --l1-scale std --json; then
  check_json "cd LIBSVM"
  expect_json "cd LIBSVM" solver '"cd"'
  expect_json "cd LIBSVM" optimizer null
fi
if run_ok "cd LIBSVM report" --train "$dir/train.svm" --test "$dir/test.svm" --num-features 30 --solver cd --l1 0.01 \
          --top 3; then
  [[ "$out" == *"coordinate descent: 3000 rows, 30 features"* ]] || fail "cd: no description line" "$out"
  [[ "$out" == *"sweep 1  objective "* ]] || fail "cd: no progress line per sweep" "$out"
  [[ "$out" == *"trained "*" sweeps on "* ]] || fail "cd: no summary line" "$out"
  # A strong L1 keeps the 10 planted features and drops (most of) the 20 noise features.
  nonzero=$(printf '%s\n' "$out" | sed -n 's/.*; \([0-9]*\) of 30 weights nonzero.*/\1/p')
  [ -n "$nonzero" ] && [ "$nonzero" -ge 10 ] && [ "$nonzero" -le 16 ] ||
    fail "cd: --l1 0.01 left '$nonzero' of 30 weights nonzero, wanted 10 to 16" "$out"
fi
if run_ok "cd CSV" --train "$dir/train.csv" --test "$dir/test.csv" --label clicked --columns "$dir/columns.yaml" \
          --solver cd --l2 0.001 --json; then
  check_json "cd CSV"
fi
expect_error "--learning-rate does not apply to --solver cd" --train "$dir/train.svm" --solver cd --lr 0.1
expect_error "--batch-size does not apply to --solver cd" --train "$dir/train.svm" --solver cd --batch-size 10
if run_ok "online --l1-scale std" --train "$dir/train.svm" --test "$dir/test.svm" --num-features 30 --passes 3 \
          --l1 0.001 --l1-scale std --json; then
  check_json "online --l1-scale std"
fi
expect_error "needs the fused FTRL kernel" --train "$dir/train.svm" --optimizer adagrad --l1 0.001 --l1-scale std
expect_error "--max-sweeps does not apply to --solver online" --train "$dir/train.svm" --max-sweeps 3
expect_error "L1 scale 'z' is not valid; valid: none" --train "$dir/train.svm" --solver cd --l1-scale z
expect_error "unknown --solver 'newton'. Valid: online" --train "$dir/train.svm" --solver newton
expect_error "beyond the model's 30 features" --train "$dir/train.svm" --test "$dir/wide.svm" --solver cd
expect_error "--solver cd fits --loss logistic or squared" --train "$dir/train.svm" --solver cd --loss softmax --classes 2

finish
echo "all lever linear checks passed"
