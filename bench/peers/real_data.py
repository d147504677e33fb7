#!/usr/bin/python3
"""lever vs scikit-learn and LIBLINEAR on real tables, side by side in one run.

  breast cancer (569 x 30, binary): L1- and L2-regularized logistic regression at matching strength,
    features standardized with training statistics. scikit-learn's LogisticRegression minimizes
    C * sum(log loss) + penalty, LIBLINEAR (-s 6 / -s 0) the same; lever minimizes
    mean(log loss) + l1 |w| (or l2 w^2), so l1 = 1 / (C n) and l2 = 1 / (2 C n) match them.
  iris (150 x 4, 3 classes) and wine (178 x 13, 3 classes): softmax (multinomial) regression,
    scikit-learn's LogisticRegression (lbfgs, C = 1) against `lever linear --loss softmax` with the
    matching l2.

Every tool sees the same stratified 80/20 split (seed 0), written as CSV for lever and LIBSVM for
LIBLINEAR. Prints test accuracy (and for L1, nonzero weights) per tool, and checks the targets:
lever within 1 point of scikit-learn and LIBLINEAR on breast cancer, and at least scikit-learn's
accuracy on iris and wine.

Usage: /usr/bin/python3 bench/peers/real_data.py [--lever build/tools/lever/lever]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def write_csv(path, x, y):
    header = ",".join(f"f{i}" for i in range(x.shape[1])) + ",label"
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.10g")


def write_libsvm(path, x, y):
    with open(path, "w") as f:
        for row, label in zip(x, y):
            f.write(f"{int(label)} " + " ".join(f"{j + 1}:{v:.10g}" for j, v in enumerate(row)) + "\n")


def lever_run(lever, train, test, extra):
    out = subprocess.run([lever, "linear", "--train", train, "--test", test, "--label", "label", "--json"] + extra,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def liblinear(train, test, solver, cost, workdir):
    model = os.path.join(workdir, "model")
    subprocess.run(["liblinear-train", "-q", "-s", str(solver), "-c", str(cost), "-B", "1", train, model], check=True)
    pred = os.path.join(workdir, "pred")
    out = subprocess.run(["liblinear-predict", test, model, pred], check=True, capture_output=True, text=True)
    accuracy = float(out.stdout.split("=")[1].split("%")[0]) / 100
    with open(model) as f:
        lines = f.read().split("\n")
    weights = lines[lines.index("w") + 1:]
    nonzero = sum(1 for w in weights[:-2] if w.strip() and float(w) != 0.0)  # the last weight is the bias
    return accuracy, nonzero


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lever", default="build/tools/lever/lever")
    args = parser.parse_args()
    have_liblinear = shutil.which("liblinear-train") is not None
    workdir = tempfile.mkdtemp(prefix="lever_real_")
    failures = 0
    try:
        x, y = load_breast_cancer(return_X_y=True)
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
        scaler = StandardScaler().fit(xtr)
        write_csv(f"{workdir}/train.csv", xtr, ytr)
        write_csv(f"{workdir}/test.csv", xte, yte)
        write_libsvm(f"{workdir}/train.svm", scaler.transform(xtr), ytr)
        write_libsvm(f"{workdir}/test.svm", scaler.transform(xte), yte)
        n = len(ytr)
        cost = 1.0
        print(f"breast cancer: {n} train / {len(yte)} test rows, C = {cost}")
        print(f"{'penalty':<8}{'tool':<14}{'accuracy':>10}{'nonzeros':>10}")
        for penalty, solver in (("l1", 6), ("l2", 0)):
            sk = LogisticRegression(penalty=penalty, C=cost, solver="liblinear" if penalty == "l1" else "lbfgs",
                                    max_iter=10000).fit(scaler.transform(xtr), ytr)
            sk_acc = sk.score(scaler.transform(xte), yte)
            sk_nonzero = int((sk.coef_ != 0).sum())
            strength = 1.0 / (cost * n) if penalty == "l1" else 1.0 / (2 * cost * n)
            lv = lever_run(args.lever, f"{workdir}/train.csv", f"{workdir}/test.csv",
                           ["--loss", "logistic", "--optimizer", "sgd", "--lr", "0.5", "--batch-size", str(n),
                            "--steps", "5000", f"--{penalty}", repr(strength)])
            rows = [("scikit-learn", sk_acc, sk_nonzero), ("lever", lv["accuracy"], lv["nonzero_weights"])]
            if have_liblinear:
                ll_acc, ll_nonzero = liblinear(f"{workdir}/train.svm", f"{workdir}/test.svm", solver, cost, workdir)
                rows.insert(1, ("LIBLINEAR", ll_acc, ll_nonzero))
            for tool, acc, nz in rows:
                print(f"{penalty:<8}{tool:<14}{acc:>10.4f}{nz:>10}")
            ok = all(lv["accuracy"] >= acc - 0.01 for tool, acc, _ in rows if tool != "lever")
            failures += 0 if ok else 1
            print(f"{'':<8}lever within 1 point of the peers: {'ok' if ok else 'NO'}")
        for name, loader in (("iris", load_iris), ("wine", load_wine)):
            x, y = loader(return_X_y=True)
            xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
            scaler = StandardScaler().fit(xtr)
            sk = LogisticRegression(C=1.0, max_iter=10000).fit(scaler.transform(xtr), ytr)
            sk_acc = sk.score(scaler.transform(xte), yte)
            write_csv(f"{workdir}/{name}_train.csv", xtr, ytr)
            write_csv(f"{workdir}/{name}_test.csv", xte, yte)
            lv = lever_run(args.lever, f"{workdir}/{name}_train.csv", f"{workdir}/{name}_test.csv",
                           ["--loss", "softmax", "--classes", "3", "--optimizer", "sgd", "--lr", "0.5",
                            "--batch-size", str(len(ytr)), "--steps", "5000", "--l2", repr(1.0 / (2 * len(ytr)))])
            ok = lv["accuracy"] >= sk_acc
            failures += 0 if ok else 1
            print(f"{name}: scikit-learn {sk_acc:.4f}  lever {lv['accuracy']:.4f}  {'ok' if ok else 'BELOW'}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
