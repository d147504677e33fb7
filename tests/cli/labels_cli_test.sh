#!/usr/bin/env bash
# Labels and the task decision, the same in the three CSV paths (`lever train --config`, `lever train
# --train-file`, `lever linear`): a yes/no label trains with defaults and predictions print yes/no; a bundle
# keeps the class names; iris's text classes are a 3-class head; whole-number targets 25..346 are
# regression; --task / --label-vocabulary / --positive-class and estimator.head / label_vocabulary /
# positive_class override; a label unseen in training is an error naming file, line and value.
lever=$1
source "$(dirname "$0")/lib.sh"
cd "$work" || exit 1

/usr/bin/python3 - <<'PY' || { echo "FAIL: could not write the data"; exit 1; }
import numpy as np
rng = np.random.default_rng(7)
def write(name, header, rows):
    with open(name, "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
# yes/no: yes when x1 + x2 (plus a little noise) is positive.
for name, n in (("yn_train.csv", 400), ("yn_test.csv", 200)):
    x = rng.normal(0, 1, (n, 2))
    y = np.where(x[:, 0] + x[:, 1] + rng.normal(0, 0.3, n) > 0, "yes", "no")
    write(name, "x1,x2,answer", [(f"{a:.4f}", f"{b:.4f}", c) for (a, b), c in zip(x, y)])
# Whole-number targets 25..346 (214 distinct values or so), linear in x.
for name, n in (("counts_train.csv", 400), ("counts_test.csv", 100)):
    x = rng.uniform(0, 1, (n, 2))
    y = np.clip(np.rint(25 + 250 * x[:, 0] + 71 * x[:, 1]), 25, 346).astype(int)
    y[0], y[1] = 25, 346
    write(name, "a,b,y", [(f"{p:.4f}", f"{q:.4f}", t) for (p, q), t in zip(x, y)])
# Multi-label: topics sports (0/1) and politics (no/yes), each from its own feature.
for name, n in (("ml_train.csv", 400), ("ml_test.csv", 200)):
    x = rng.normal(0, 1, (n, 3))
    sports = (x[:, 0] + rng.normal(0, 0.3, n) > 0).astype(int)
    politics = np.where(x[:, 1] + rng.normal(0, 0.3, n) > 0, "yes", "no")
    write(name, "x1,x2,x3,sports,politics", [(f"{a:.4f}", f"{b:.4f}", f"{c:.4f}", s, p)
                                              for (a, b, c), s, p in zip(x, sports, politics)])
# iris with its text class names, a fixed 2:1 split.
from sklearn.datasets import load_iris
iris = load_iris()
order = np.random.default_rng(0).permutation(150)
rows = [[*(f"{v:.1f}" for v in iris.data[i]), iris.target_names[iris.target[i]]] for i in order]
write("iris_train.csv", "sl,sw,pl,pw,species", rows[:100])
write("iris_test.csv", "sl,sw,pl,pw,species", rows[100:])
PY
cut -d, -f1-2 yn_test.csv > yn_unlabeled.csv
sed '4s/,[a-z]*$/,maybe/' yn_test.csv > yn_bad.csv

# ---- lever train --config -----------------------------------------------------------------------------
cat > yn.yaml <<'YAML'
data: {train: yn_train.csv, eval: yn_test.csv, label: answer}
train: {max_steps: 400}
run: {model_dir: runs/yn}
YAML
out=$("$lever" train --config yn.yaml 2>&1) || fail "--config yes/no: exit $?" "$out"
[[ "$out" == *"label 'answer': 2 text values 'no', 'yes' -> binary, positive class 'yes'"* ]] ||
  fail "--config yes/no: no decision line" "$out"
acc=$(echo "$out" | sed -n 's/^final: .*accuracy \([0-9.]*\).*/\1/p')
awk -v a="$acc" 'BEGIN { exit !(a > 0.85) }' || fail "--config yes/no: accuracy '$acc'" "$out"
grep -q '"classes": \[' runs/yn/result.json && grep -q '"yes"' runs/yn/result.json ||
  fail "result.json lacks the classes" "$(cat runs/yn/result.json)"
grep -q '"task": "binary"' runs/yn/result.json || fail "result.json lacks the task" "$(cat runs/yn/result.json)"
"$lever" predict --config yn.yaml --input yn_unlabeled.csv --output p.csv || fail "predict --config"
[ "$(cut -d, -f2 p.csv | sort -u | tr '\n' ' ')" = "class no yes " ] || fail "predict --config classes" "$(head -5 p.csv)"
out=$("$lever" eval --config yn.yaml 2>&1) || fail "eval --config" "$out"
[[ "$out" == *"accuracy $acc"* ]] || fail "eval --config differs from training's $acc" "$out"
expect_exit2 "yn_bad.csv:4: label 'answer' is \"maybe\", a value the training labels do not have (classes: 'no', 'yes')" \
  "$lever" eval --config yn.yaml --data yn_bad.csv
# The bundle keeps the class names: predictions without the training file print yes/no.
out=$("$lever" export --config yn.yaml -o bundle 2>&1) || fail "export" "$out"
grep -q '"class_names": \[' bundle/bundle.json || fail "bundle.json lacks class_names" "$(cat bundle/bundle.json)"
mv yn_train.csv yn_train.hidden
"$lever" predict --model bundle --input yn_unlabeled.csv --output p_bundle.csv || fail "predict --model"
cmp -s p.csv p_bundle.csv || fail "the bundle's predictions differ from the job's" "$(diff p.csv p_bundle.csv | head)"
# (Read whole, not through `| head`: under pipefail an early-closed pipe fails the pipeline at random.)
out=$("$lever" predict --model bundle --input yn_unlabeled.csv --json) || fail "predict --model --json" "$out"
echo "$out" | sed -n 1p | grep -q '"class":"\(yes\|no\)"' || fail "predict --json prints no class name" "$(echo "$out" | sed -n 1,2p)"
mv yn_train.hidden yn_train.csv
# positive_class and label_vocabulary in the run config; estimator.head overrides.
out=$("$lever" train --config yn.yaml --job-dir runs/yn_pos --estimator.positive_class=no --train.max_steps=50 2>&1) ||
  fail "positive_class" "$out"
[[ "$out" == *"-> binary, positive class 'no'"* ]] || fail "estimator.positive_class" "$out"
"$lever" predict --config yn.yaml --job-dir runs/yn_pos --estimator.positive_class=no --input yn_unlabeled.csv \
  > p_pos.csv || fail "predict with positive_class"
[ "$(cut -d, -f2 p_pos.csv | sort -u | tr '\n' ' ')" = "class no yes " ] || fail "positive_class predictions" "$(head -3 p_pos.csv)"
out=$("$lever" train --config yn.yaml --job-dir runs/yn_voc "--estimator.label_vocabulary=[yes, no, maybe]" \
  --train.max_steps=50 2>&1) || fail "label_vocabulary" "$out"
[[ "$out" == *"label vocabulary 'yes', 'no', 'maybe' -> multi_class, 3 classes"* ]] || fail "estimator.label_vocabulary" "$out"
expect_exit2 "yn.yaml: label 'answer': 2 text values 'no', 'yes': regression needs numbers" \
  "$lever" train --config yn.yaml --job-dir runs/yn_reg --estimator.head=regression
# A checkpoint trained with other classes is not resumed under these.
expect_exit2 "was trained with other label classes" \
  "$lever" train --config yn.yaml --job-dir runs/yn_pos --train.max_steps=60

# ---- lever train --train-file ---------------------------------------------------------------------------
out=$("$lever" train --train-file yn_train.csv --test-file yn_test.csv --label answer --steps 500 --job-dir job_yn 2>&1) ||
  fail "--train-file yes/no" "$out"
[[ "$out" == *"label 'answer': 2 text values 'no', 'yes' -> binary, positive class 'yes'"* ]] ||
  fail "--train-file yes/no: no decision line" "$out"
acc=$(echo "$out" | sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p')
awk -v a="$acc" 'BEGIN { exit !(a > 0.85) }' || fail "--train-file yes/no: accuracy '$acc'" "$out"
grep -q '"no"' job_yn/result.json || fail "--train-file result.json lacks the classes" "$(cat job_yn/result.json)"
out=$("$lever" train --train-file yn_train.csv --test-file yn_test.csv --label answer --steps 10 --positive-class no 2>&1) ||
  fail "--positive-class" "$out"
[[ "$out" == *"positive class 'no'"* ]] || fail "--positive-class" "$out"
out=$("$lever" train --train-file yn_train.csv --test-file yn_test.csv --label answer --steps 10 --label-vocabulary yes,no 2>&1) ||
  fail "--label-vocabulary" "$out"
[[ "$out" == *"label vocabulary 'yes', 'no' -> binary, positive class 'no'"* ]] || fail "--label-vocabulary" "$out"
expect_exit2 "yn_bad.csv:4: label 'answer' is \"maybe\"" \
  "$lever" train -q --train-file yn_train.csv --test-file yn_bad.csv --label answer --steps 10

# ---- lever linear ----------------------------------------------------------------------------------------
out=$("$lever" linear --train yn_train.csv --test yn_test.csv --label answer --passes 5 2>&1) || fail "linear yes/no" "$out"
[[ "$out" == *"label 'answer': 2 text values 'no', 'yes' -> binary, positive class 'yes'"* ]] || fail "linear: no decision line" "$out"
auc=$(echo "$out" | sed -n 's/.*AUC \([0-9.]*\).*/\1/p')
awk -v a="$auc" 'BEGIN { exit !(a > 0.9) }' || fail "linear yes/no: AUC '$auc'" "$out"

# ---- iris: text classes ----------------------------------------------------------------------------------
cat > iris.yaml <<'YAML'
data: {train: iris_train.csv, eval: iris_test.csv, label: species}
estimator: {hidden_units: [16], optimizer: adam, learning_rate: 0.02}
train: {max_steps: 600, batch_size: 32}
run: {model_dir: runs/iris}
YAML
out=$("$lever" train --config iris.yaml 2>&1) || fail "iris --config" "$out"
[[ "$out" == *"3 text values 'setosa', 'versicolor', 'virginica' -> multi_class, 3 classes"* ]] || fail "iris decision" "$out"
acc=$(echo "$out" | sed -n 's/^final: .*accuracy \([0-9.]*\).*/\1/p')
awk -v a="$acc" 'BEGIN { exit !(a > 0.9) }' || fail "iris accuracy '$acc'" "$out"
cut -d, -f1-4 iris_test.csv > iris_unlabeled.csv
"$lever" predict --config iris.yaml --input iris_unlabeled.csv --output iris_p.csv || fail "iris predict"
[ "$(tail -n +2 iris_p.csv | cut -d, -f4 | sort -u | tr '\n' ' ')" = "setosa versicolor virginica " ] ||
  fail "iris predictions should print class names" "$(head -3 iris_p.csv)"
[ "$(head -1 iris_p.csv)" = "probability_setosa,probability_versicolor,probability_virginica,class" ] ||
  fail "iris predictions' header should name each class's probability" "$(head -1 iris_p.csv)"
out=$("$lever" export --config iris.yaml -o iris_bundle 2>&1) || fail "iris export" "$out"
"$lever" predict --model iris_bundle --input iris_unlabeled.csv --output iris_p_bundle.csv || fail "iris predict --model"
cmp -s iris_p.csv iris_p_bundle.csv || fail "iris bundle predictions differ"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["outputs"]; sys.exit(o != ["probability_setosa", "probability_versicolor", "probability_virginica", "class"])' iris_bundle/bundle.json ||
  fail "iris bundle.json outputs should name each class" "$(grep -A6 outputs iris_bundle/bundle.json)"
out=$("$lever" train --train-file iris_train.csv --test-file iris_test.csv --label species --steps 300 2>&1) ||
  fail "iris --train-file" "$out"
[[ "$out" == *"-> multi_class, 3 classes"* ]] || fail "iris --train-file decision" "$out"
"$lever" linear --train iris_train.csv --test iris_test.csv --label species --loss softmax --passes 20 -q > /dev/null ||
  fail "iris linear softmax"

# ---- whole-number targets are regression -------------------------------------------------------------------
out=$("$lever" train --train-file counts_train.csv --test-file counts_test.csv --label y --steps 300 2>&1) ||
  fail "counts --train-file" "$out"
[[ "$out" == *"distinct whole numbers 25..346 -> regression (pass --task multi_class to override)"* ]] ||
  fail "counts --train-file: not regression" "$out"
[[ "$out" == *"loss: mean_squared_error"* ]] || fail "counts --train-file: loss" "$out"
cat > counts.yaml <<'YAML'
data: {train: counts_train.csv, eval: counts_test.csv, label: y}
train: {max_steps: 100}
YAML
out=$("$lever" train --config counts.yaml 2>&1) || fail "counts --config" "$out"
[[ "$out" == *"regression head"*"25..346 -> regression (pass --estimator.head=multi_class to override)"* ]] ||
  fail "counts --config: not regression" "$out"
out=$("$lever" train --train-file counts_train.csv --test-file counts_train.csv --label y --steps 10 --task multi_class 2>&1)
[[ "$out" == *"-> multi_class"*"classes (as the task override says)"* ]] || fail "counts --task multi_class" "$out"
"$lever" linear --train counts_train.csv --test counts_test.csv --label y --loss squared -q > /dev/null ||
  fail "counts linear squared"
# lever linear's default (--loss auto) decides as lever train does; a binary loss named says why not.
out=$("$lever" linear --train counts_train.csv --test counts_test.csv --label y --json 2>&1) || fail "counts linear auto" "$out"
[[ "$out" == *'"loss":"mean_squared_error"'* ]] || fail "counts linear auto: not squared loss" "$out"
expect_exit2 "a binary task needs exactly two values. Pass --loss squared" \
  "$lever" linear --train counts_train.csv --label y --loss logistic

# Multi-label from the command line: one sigmoid output per label column, per-label AUC in the output and
# in result.json.
out=$("$lever" train --train-file ml_train.csv --test-file ml_test.csv --label sports,politics --steps 1000 \
  --job-dir job_ml 2>&1) || fail "multi-label --train-file: exit $?" "$out"
[[ "$out" == *"labels 'sports', 'politics': 2 yes/no columns -> multi_label"*"(yes: 'sports' = '1', 'politics' = 'yes')"* ]] ||
  fail "multi-label: no decision line" "$out"
[[ "$out" == *"test: mean AUC 0.9"*"sports: AUC 0.9"*"politics: AUC 0.9"* ]] || fail "multi-label: per-label AUC" "$out"
/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["task"] == "multi_label" and r["classes"] == ["sports", "politics"], r
assert r["test_auc"] > 0.9 and all(r["per_label"][k]["auc"] > 0.9 for k in ("sports", "politics")), r
assert 0 < r["test_subset_accuracy"] <= r["test_accuracy"], r' job_ml/result.json || fail "multi-label result.json" "$(cat job_ml/result.json)"
expect_exit2 "several label columns are a multi_label task, not binary" \
  "$lever" train --train-file ml_train.csv --test-file ml_test.csv --label sports,politics --task binary
expect_exit2 "multi-label: label 'y': " \
  "$lever" train --train-file counts_train.csv --test-file counts_test.csv --label y,a
# Regression labels beyond 1e18 would overflow the float losses: a clear error, not a divergence.
/usr/bin/python3 -c '
import csv
w = csv.writer(open("huge_y.csv", "w")); w.writerow(["x", "y"])
for i in range(40): w.writerow([i / 40, (i + 1) * 3e18])'
expect_exit2 "label 'y': values reach 1.2e+20: lever computes losses in 32-bit floats" \
  "$lever" train --train-file huge_y.csv --test-file huge_y.csv --label y
# A label that is the same in every training row cannot be learned (its AUC is undefined).
/usr/bin/python3 -c '
import csv
w = csv.writer(open("ml_constant.csv", "w")); w.writerow(["x", "a", "b"])
for i in range(40): w.writerow([i / 40, 1, i % 2])'
expect_exit2 "multi-label: label 'a' is '1' in every training row: the model cannot learn it" \
  "$lever" train --train-file ml_constant.csv --test-file ml_constant.csv --label a,b

# Multi-label from a run config (data.label as a list), exported and served: per-label metrics, and
# predictions that name each label's values.
cat > ml.yaml <<'YAML'
data: {train: ml_train.csv, eval: ml_test.csv, label: [sports, politics]}
train: {max_steps: 600}
run: {model_dir: runs/ml}
YAML
out=$("$lever" train --config ml.yaml 2>&1) || fail "multi-label --config: exit $?" "$out"
[[ "$out" == *"multi_label_classification head"*"final:"*"auc/politics 0.9"*"auc/sports 0.9"* ]] ||
  fail "multi-label --config: head or per-label AUC" "$out"
"$lever" export --config ml.yaml --output ml_bundle > /dev/null 2>&1 || fail "multi-label export"
out=$("$lever" predict --model ml_bundle --data ml_test.csv 2>&1) || fail "multi-label predict: exit $?" "$out"
[[ "$(printf '%s\n' "$out" | head -1)" == "probability_sports,probability_politics,sports,politics" ]] ||
  fail "multi-label predict: header" "$out"
printf '%s\n' "$out" | sed -n '2,$p' | grep -qvE '^[0-9.e-]+,[0-9.e-]+,[01],(yes|no)$' &&
  fail "multi-label predict: a row is not two probabilities, 0/1 and no/yes" "$out"
out=$("$lever" predict --model ml_bundle --data ml_test.csv --json 2>&1 | head -1)
/usr/bin/python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert set(r["probabilities"]) == {"sports", "politics"} and r["labels"]["politics"] in ("yes", "no"), r
assert r["labels"]["sports"] in (0, 1), r' "$out" || fail "multi-label predict --json" "$out"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["head"]=="multi_label" and m["label_values"]==[["0","1"],["no","yes"]], m' \
  ml_bundle/bundle.json || fail "multi-label bundle.json" "$(cat ml_bundle/bundle.json)"
expect_exit2 "data.label lists several columns: a multi_label task, not estimator.head binary" \
  "$lever" train --config ml.yaml --estimator.head=binary --run.model_dir=runs/ml2

finish
