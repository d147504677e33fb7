#!/usr/bin/python3
"""lever's metrics against scikit-learn's on the same predictions (Debian's python3-sklearn 1.2).

Usage: sklearn_parity.py METRICS_DRIVER

Predictions come from real data bundled with scikit-learn, split by row index (no randomness):
  binary      breast cancer (569 x 30): standardized LogisticRegression(C=1) fitted on the rows whose index
              is not a multiple of 5; probabilities for the 114 held-out rows ("test") and for all 569
              ("all"); the test probabilities rounded to one decimal ("rounded": heavy ties); all 569 with
              sample weights 0..3 ("weighted").
  multiclass  iris: LogisticRegression on the two sepal features (so that classes 1 and 2 overlap), fitted
              on the rows whose index is not a multiple of 3, predicted on the 50 others; also weighted.
  regression  diabetes: Ridge(alpha=1) on the rows whose index is not a multiple of 5, predicted on the
              89 others; also weighted.
Each set is written as CSV (numbers in repr, so lever reads the same doubles), run through the C++ driver,
and every metric is compared: AUC-ROC and AUC-PR to 1e-9 (required), everything else to 1e-12. Threshold
choices are checked against a brute-force search with scikit-learn's confusion_matrix at every candidate.
Prints one line per set with lever's and scikit-learn's headline numbers; exits 1 on any mismatch.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (accuracy_score, average_precision_score, brier_score_loss, confusion_matrix,
                             f1_score, log_loss, mean_absolute_error, mean_squared_error,
                             precision_recall_curve, precision_recall_fscore_support, precision_score,
                             r2_score, recall_score, roc_auc_score, roc_curve)
from sklearn.preprocessing import StandardScaler

AUC_TOLERANCE = 1e-9
TOLERANCE = 1e-12
failures = []
worst = {}


def check(where, name, lever, sklearn, tolerance=TOLERANCE):
    """Records a mismatch beyond `tolerance` (absolute); arrays must have equal shapes."""
    lever = np.asarray(lever, dtype=float)
    sklearn = np.asarray(sklearn, dtype=float)
    if lever.shape != sklearn.shape:
        failures.append(f"{where}: {name}: lever has shape {lever.shape}, scikit-learn {sklearn.shape}")
        return
    same_nan = np.isnan(lever) == np.isnan(sklearn)
    diff = np.where(np.isnan(lever) & np.isnan(sklearn), 0.0, np.abs(lever - sklearn))
    largest = float(np.max(diff)) if diff.size else 0.0
    worst[name] = max(worst.get(name, 0.0), largest)
    if not same_nan.all() or largest > tolerance:
        failures.append(f"{where}: {name}: lever {lever.tolist() if lever.size < 8 else '...'} vs scikit-learn "
                        f"{sklearn.tolist() if sklearn.size < 8 else '...'}, largest difference {largest:.3g}")


def run_driver(driver, mode, rows, header, directory):
    path = os.path.join(directory, f"{mode}.csv")
    with open(path, "w") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    args = [driver, mode, path] + ([directory] if mode == "binary" else [])
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return json.loads(result.stdout)


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [[float(v) for v in line.strip().split(",")] for line in f if line.strip()]
    return header, np.array(rows)


def brute_force_choices(y, s, w):
    """The threshold choices by evaluating scikit-learn's confusion matrix at every candidate, highest first."""
    candidates = [math.inf] + sorted(set(s.tolist()), reverse=True)
    rows = []
    for t in candidates:
        tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1], sample_weight=w).ravel()
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn)
        rows.append(dict(t=t, tp=tp, fp=fp, tn=tn, fn=fn, precision=precision, recall=recall,
                         f1=2 * tp / (2 * tp + fp + fn), j=recall - fp / (fp + tn),
                         cost=(fp * 1 + fn * 5) / (tp + fp + tn + fn)))

    def best(value, feasible=lambda r: True):
        top = None
        for r in rows:  # strict improvement keeps the highest of tied thresholds
            if feasible(r) and (top is None or value(r) > value(top)):
                top = r
        return top

    return {
        "max_f1": (best(lambda r: r["f1"]), "f1"),
        "youden_j": (best(lambda r: r["j"]), "j"),
        "target_precision=0.95": (best(lambda r: r["recall"],
                                       lambda r: r["tp"] + r["fp"] > 0 and r["precision"] >= 0.95), "recall"),
        "target_recall=0.95": (best(lambda r: r["precision"], lambda r: r["recall"] >= 0.95), "precision"),
        "min_cost=fp:1,fn:5": (best(lambda r: -r["cost"]), "cost"),
    }


def check_binary(driver, name, y, s, w, directory):
    rows = zip(y, s, w) if w is not None else zip(y, s)
    out = run_driver(driver, "binary", rows, "label,score" + (",weight" if w is not None else ""), directory)
    where = f"binary/{name}"
    sk_auc = roc_auc_score(y, s, sample_weight=w)
    sk_ap = average_precision_score(y, s, sample_weight=w)
    sk_loss = log_loss(y, s, eps=1e-15, sample_weight=w)
    check(where, "auc_roc", out["auc_roc"], sk_auc, AUC_TOLERANCE)
    check(where, "auc_pr", out["auc_pr"], sk_ap, AUC_TOLERANCE)
    check(where, "log_loss", out["log_loss"], sk_loss)
    # scikit-learn 1.2's default eps is float64's machine epsilon; it only matters for p within 1e-15 of 0 or 1.
    if np.all((s >= 1e-15) & (s <= 1 - 1e-15)):
        check(where, "log_loss (default eps)", out["log_loss"], log_loss(y, s, sample_weight=w))
    check(where, "brier", out["brier"], brier_score_loss(y, s, sample_weight=w))
    predicted = (s >= 0.5).astype(int)
    check(where, "accuracy", out["accuracy"], accuracy_score(y, predicted, sample_weight=w))
    check(where, "precision", out["precision"], precision_score(y, predicted, sample_weight=w, zero_division=0))
    check(where, "recall", out["recall"], recall_score(y, predicted, sample_weight=w, zero_division=0))
    check(where, "f1", out["f1"], f1_score(y, predicted, sample_weight=w, zero_division=0))

    # Curves: lever's first point has threshold +inf (null in JSON); scikit-learn 1.2 writes max + 1 there.
    fpr, tpr, thresholds = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    roc = out["roc"]
    if roc["thresholds"][0] is not None:
        failures.append(f"{where}: ROC curve: the first threshold is {roc['thresholds'][0]}, not +inf")
    check(where, "roc thresholds", roc["thresholds"][1:], thresholds[1:], 0.0)
    check(where, "roc fpr", roc["fpr"], fpr)
    check(where, "roc tpr", roc["tpr"], tpr)
    precision, recall, pr_thresholds = precision_recall_curve(y, s, sample_weight=w)
    pr = out["pr"]
    check(where, "pr thresholds", pr["thresholds"][1:], pr_thresholds[::-1], 0.0)
    check(where, "pr precision", pr["precision"], precision[::-1])
    check(where, "pr recall", pr["recall"], recall[::-1])
    # The CSV files hold the same curves.
    header, roc_csv = read_csv(os.path.join(directory, "roc.csv"))
    assert header == ["threshold", "false_positive_rate", "true_positive_rate"], header
    check(where, "roc.csv", roc_csv[1:], np.column_stack([thresholds, fpr, tpr])[1:], 0.0)
    if roc_csv[0, 0] != math.inf:
        failures.append(f"{where}: roc.csv: the first threshold is {roc_csv[0, 0]}, not inf")
    header, pr_csv = read_csv(os.path.join(directory, "pr.csv"))
    assert header == ["threshold", "recall", "precision"], header
    check(where, "pr.csv", pr_csv[1:], np.column_stack([pr_thresholds, recall[:-1], precision[:-1]])[::-1], 0.0)
    _, table_csv = read_csv(os.path.join(directory, "table.csv"))
    check(where, "table.csv rows", len(table_csv), len(thresholds), 0.0)

    # Calibration: scikit-learn has no sample weights here, so only unweighted sets.
    calibration = out["calibration"]
    if w is None:
        prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
        check(where, "calibration fraction_positive", [b["fraction_positive"] for b in calibration["bins"]], prob_true)
        check(where, "calibration mean_prediction", [b["mean_prediction"] for b in calibration["bins"]], prob_pred)
        # Counts per bin with calibration_curve's own binning (numpy.searchsorted on the inner edges).
        edges = np.linspace(0.0, 1.0, 11)
        counts = np.bincount(np.searchsorted(edges[1:-1], s), minlength=10)
        check(where, "calibration count", [b["count"] for b in calibration["bins"]], counts[counts > 0], 0.0)
        ece = np.sum(counts[counts > 0] / len(s) * np.abs(prob_true - prob_pred))
        check(where, "ece", calibration["ece"], ece)
        check(where, "mce", calibration["mce"], np.max(np.abs(prob_true - prob_pred)))
    check(where, "mean_label", calibration["mean_label"], np.average(y, weights=w))
    check(where, "mean_prediction", calibration["mean_prediction"], np.average(s, weights=w))

    for criterion, (row, objective) in brute_force_choices(y, s, w).items():
        got = out["thresholds"][criterion]
        threshold = math.inf if got["threshold"] is None else got["threshold"]
        if threshold != row["t"]:
            failures.append(f"{where}: {criterion}: lever chose {threshold}, brute force {row['t']}")
        check(where, f"threshold {criterion}", got["objective"], row[objective])
    return out, sk_auc, sk_ap, sk_loss


def binary_sets():
    data = load_breast_cancer()
    index = np.arange(len(data.target))
    train, test = index % 5 != 0, index % 5 == 0
    scaler = StandardScaler().fit(data.data[train])
    model = LogisticRegression(C=1.0, max_iter=10000).fit(scaler.transform(data.data[train]), data.target[train])
    p_all = model.predict_proba(scaler.transform(data.data))[:, 1]
    y = data.target.astype(float)
    weights = (index * 7 % 4).astype(float)  # 0, 3, 2, 1, ...: deterministic, includes zeros
    return [("test", y[test], p_all[test], None), ("all", y, p_all, None),
            ("rounded", y[test], np.round(p_all[test], 1), None), ("weighted", y, p_all, weights)]


def check_multiclass(driver, directory):
    data = load_iris()
    index = np.arange(len(data.target))
    train, test = index % 3 != 0, index % 3 == 0
    x = data.data[:, :2]
    model = LogisticRegression(max_iter=10000).fit(x[train], data.target[train])
    truth, predicted = data.target[test], model.predict(x[test])
    for name, w in [("iris", None), ("iris weighted", (index[test] // 3 % 4).astype(float))]:
        rows = zip(truth, predicted, w) if w is not None else zip(truth, predicted)
        out = run_driver(driver, "multiclass", rows, "truth,predicted" + (",weight" if w is not None else ""),
                         directory)
        where = f"multiclass/{name}"
        matrix = confusion_matrix(truth, predicted, sample_weight=w)
        check(where, "confusion", out["confusion"], matrix, 0.0)
        check(where, "accuracy (multiclass)", out["accuracy"], accuracy_score(truth, predicted, sample_weight=w))
        p, r, f, _ = precision_recall_fscore_support(truth, predicted, sample_weight=w, zero_division=0)
        check(where, "per-class precision", [c["precision"] for c in out["per_class"]], p)
        check(where, "per-class recall", [c["recall"] for c in out["per_class"]], r)
        check(where, "per-class f1", [c["f1"] for c in out["per_class"]], f)
        for average in ["macro", "micro", "weighted"]:
            p, r, f, _ = precision_recall_fscore_support(truth, predicted, sample_weight=w, average=average,
                                                         zero_division=0)
            check(where, f"{average} average", [out[average][k] for k in ["precision", "recall", "f1"]], [p, r, f])
        macro_f1 = precision_recall_fscore_support(truth, predicted, sample_weight=w, average="macro",
                                                   zero_division=0)[2]
        print(f"{where}: n={len(truth)} confusion {np.asarray(out['confusion']).tolist()} "
              f"(scikit-learn {matrix.tolist()}), macro F1 lever {out['macro']['f1']!r} scikit-learn {macro_f1!r}")


def check_regression(driver, directory):
    data = load_diabetes()
    index = np.arange(len(data.target))
    train, test = index % 5 != 0, index % 5 == 0
    model = Ridge(alpha=1.0).fit(data.data[train], data.target[train])
    y, p = data.target[test], model.predict(data.data[test])
    for name, w in [("diabetes", None), ("diabetes weighted", (index[test] % 4).astype(float))]:
        rows = zip(y, p, w) if w is not None else zip(y, p)
        out = run_driver(driver, "regression", rows, "target,prediction" + (",weight" if w is not None else ""),
                         directory)
        where = f"regression/{name}"
        mse = mean_squared_error(y, p, sample_weight=w)
        sk = {"mse": mse, "rmse": math.sqrt(mse), "mae": mean_absolute_error(y, p, sample_weight=w),
              "r2": r2_score(y, p, sample_weight=w)}
        for key, value in sk.items():
            # Relative for the squared errors, which are in the thousands here.
            check(where, key, out[key] / max(1.0, abs(value)), value / max(1.0, abs(value)))
        print(f"{where}: n={len(y)} " + ", ".join(f"{k} lever {out[k]!r} scikit-learn {v!r}" for k, v in sk.items()))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    driver = sys.argv[1]
    with tempfile.TemporaryDirectory() as directory:
        for name, y, s, w in binary_sets():
            out, sk_auc, sk_ap, sk_loss = check_binary(driver, name, y, s, w, directory)
            print(f"binary/{name}: n={len(y)} distinct scores={len(set(s.tolist()))}\n"
                  f"  AUC-ROC  lever {out['auc_roc']!r}  scikit-learn {sk_auc!r}\n"
                  f"  AUC-PR   lever {out['auc_pr']!r}  scikit-learn {sk_ap!r}\n"
                  f"  log loss lever {out['log_loss']!r}  scikit-learn {sk_loss!r}\n"
                  f"  ECE {out['calibration']['ece']!r}, mean label {out['calibration']['mean_label']!r}, "
                  f"mean prediction {out['calibration']['mean_prediction']!r}, "
                  f"max F1 at {out['thresholds']['max_f1']['threshold']!r}")
        check_multiclass(driver, directory)
        check_regression(driver, directory)
    print("largest absolute difference per quantity:")
    for name, value in sorted(worst.items()):
        print(f"  {name:32s} {value:.3g}")
    if failures:
        print(f"{len(failures)} mismatches:")
        for f in failures:
            print("  " + f)
        sys.exit(1)
    print("all metrics match scikit-learn")


if __name__ == "__main__":
    main()
