#!/usr/bin/env bash
# `lever threshold` end to end on real predictions (breast cancer, logistic regression): AUCs and the
# F1-optimal threshold agree with scikit-learn's, the criteria and CSV outputs work, bad input is exit 2
# with a message naming what is wrong.
lever=$1
source "$(dirname "$0")/lib.sh"

/usr/bin/python3 - "$work" <<'PY' || { echo "FAIL: could not make predictions"; exit 1; }
import json, sys
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.preprocessing import StandardScaler
d = load_breast_cancer()
x, y = StandardScaler().fit_transform(d.data), d.target
train = np.arange(len(y)) % 5 != 0
# Scores rounded to float32, as lever reads a CSV number column, so both sides see the same values.
p = LogisticRegression(C=0.05).fit(x[train], y[train]).predict_proba(x[~train])[:, 1].astype(np.float32).astype(float)
with open(f"{sys.argv[1]}/preds.csv", "w") as f:
    f.write("probability,label\n")
    for a, b in zip(p, y[~train]):
        f.write(f"{a!r},{b}\n")
precision, recall, thresholds = precision_recall_curve(y[~train], p)
f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-300)
best = int(np.argmax(f1[:-1]))
json.dump({"auc_roc": roc_auc_score(y[~train], p), "auc_pr": average_precision_score(y[~train], p),
           "f1": f1[best], "threshold": thresholds[best]}, open(f"{sys.argv[1]}/sklearn.json", "w"))
PY

"$lever" threshold --predictions "$work/preds.csv" --json > "$work/lever.json" || fail "lever threshold --json"
/usr/bin/python3 - "$work" <<'PY' || fail "lever and scikit-learn disagree"
import json, sys
ours, theirs = json.load(open(f"{sys.argv[1]}/lever.json")), json.load(open(f"{sys.argv[1]}/sklearn.json"))
for key in ("auc_roc", "auc_pr", "f1", "threshold"):
    assert abs(ours[key] - theirs[key]) < 1e-9, (key, ours[key], theirs[key])
assert ours["criterion"] == "max_f1" and ours["examples"] == 114, ours
print(f"threshold: AUC-ROC {ours['auc_roc']:.6f}, AUC-PR {ours['auc_pr']:.6f}, best F1 {ours['f1']:.6f} at {ours['threshold']:.6f} (scikit-learn the same)")
PY

# table_rows: the rows of the printed table (between its header and the criterion line), each 8 fields,
# the first the threshold.
table_rows() { awk '$1 == "threshold" && $2 == "TP" { on = 1; next } /: threshold / { on = 0 } on && NF == 8'; }
out=$("$lever" threshold --predictions "$work/preds.csv" --rows 5 --criterion target_recall=0.99 --roc "$work/roc.csv" --pr "$work/pr.csv")
[ $? -eq 0 ] || fail "table run: $out"
[[ "$out" == *"target_recall=0.99: threshold"* ]] || fail "criterion line missing: $out"
# --rows N: exactly N rows at distinct, falling thresholds, from inf (nothing predicted positive) to the
# lowest score (everything positive: FN and TN 0).
for n in 5 3 11; do
  table=$out
  [ "$n" -eq 5 ] || table=$("$lever" threshold --predictions "$work/preds.csv" --rows "$n")
  echo "$table" | table_rows | awk -v n="$n" '
    NR == 1 && $1 != "inf" { print "first threshold " $1 ", wanted inf"; bad = 1 }
    NR > 1 && !($1 + 0 < prev) { print "threshold " $1 " after " prev; bad = 1 }
    { prev = ($1 == "inf") ? 1e300 : $1 + 0; last_tn = $4; last_fn = $5 }
    END { if (NR != n) { print NR " rows, wanted " n; bad = 1 }
          if (last_tn != 0 || last_fn != 0) { print "last row TN " last_tn " FN " last_fn ", wanted 0 and 0"; bad = 1 }
          exit bad }' > "$work/rows_check.txt" || fail "--rows $n table: $(cat "$work/rows_check.txt")" "$table"
done
head -1 "$work/roc.csv" | grep -q 'false_positive_rate' || fail "roc.csv header: $(head -1 "$work/roc.csv")"
[ "$(wc -l < "$work/pr.csv")" -gt 10 ] || fail "pr.csv too short"
out=$("$lever" threshold --predictions "$work/preds.csv" --criterion min_cost=fp:1,fn:10 --json) || fail "min_cost run: $out"
[[ "$out" == *'"criterion":"min_cost'* ]] || fail "min_cost criterion: $out"

expect_error() { local want=$1; shift; expect_exit2 "$want" "$lever" threshold "$@"; }
expect_error "score" --predictions "$work/preds.csv" --score score
sed '3s/,[01]$/,2/' "$work/preds.csv" > "$work/bad_label.csv"
expect_error "0 or 1" --predictions "$work/bad_label.csv"
expect_error "criterion" --predictions "$work/preds.csv" --criterion best
expect_error "precision" --predictions "$work/preds.csv" --criterion target_precision=1.5

finish
