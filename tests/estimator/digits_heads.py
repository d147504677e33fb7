#!/usr/bin/python3
"""Multi-class and multi-label heads on real data, against scikit-learn's MLPClassifier on the same split.

Usage: digits_heads.py DIGITS_DRIVER

scikit-learn's digits (1,797 8x8 images): 25% test, stratified, random_state 0. Multi-class: the digit
(10 classes). Multi-label: three labels per image, [even, five or more, prime]. Features standardized with
the training split's statistics on both sides. The peer: MLPClassifier with its defaults (100 ReLU units,
Adam 0.001, L2 1e-4, batch 200, up to 200 epochs), seeds 0-2; its multi-label score is the subset accuracy
(every label right), as lever's `accuracy` is. lever's bound: at least the peer's median minus 0.01.
"""
import json
import statistics
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def multi_labels(digits):
    return np.stack([digits % 2 == 0, digits >= 5, np.isin(digits, [2, 3, 5, 7])], axis=1).astype(int)


def main():
    driver = sys.argv[1]
    d = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(d.data, d.target, test_size=0.25, random_state=0, stratify=d.target)
    with tempfile.TemporaryDirectory() as work:
        for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
            with open(f"{work}/{name}.csv", "w") as f:
                f.write(",".join([f"p{i}" for i in range(64)] + ["label"]) + "\n")
                for row, label in zip(x, y):
                    f.write(",".join(str(int(v)) for v in row) + f",{label}\n")
        lever = json.loads(subprocess.run([driver, work], capture_output=True, text=True, check=True).stdout)
    scaler = StandardScaler().fit(x_train)
    xs_train, xs_test = scaler.transform(x_train), scaler.transform(x_test)
    warnings.simplefilter("ignore", ConvergenceWarning)
    multiclass = [MLPClassifier(random_state=s).fit(xs_train, y_train).score(xs_test, y_test) for s in range(3)]
    multilabel = [MLPClassifier(random_state=s).fit(xs_train, multi_labels(y_train)).score(xs_test, multi_labels(y_test))
                  for s in range(3)]
    failures = 0
    for name, ours, theirs in (("multi-class accuracy", lever["multiclass_accuracy"], multiclass),
                               ("multi-label subset accuracy", lever["multilabel_accuracy"], multilabel)):
        bound = statistics.median(theirs) - 0.01
        ok = ours >= bound
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: lever {ours:.4f}, MLPClassifier {', '.join(f'{t:.4f}' for t in theirs)} "
              f"(bound {bound:.4f})")
    print(f"     multi-label: lever per-label accuracy {lever['multilabel_per_label_accuracy']:.4f}, "
          f"mean AUC {lever['multilabel_auc']:.4f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
