#!/usr/bin/python3
"""Writes scikit-learn's digits as <dir>/<prefix>train.csv and <dir>/<prefix>test.csv (p0..p63, label), on
the stratified 75/25 split (random_state 0) that the MLPClassifier bars in the tests are measured on.

  /usr/bin/python3 tests/cli/digits_csv.py <dir> [prefix]
"""
import sys

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def split():
    d = load_digits()
    return train_test_split(d.data, d.target, test_size=0.25, random_state=0, stratify=d.target)


def main():
    directory, prefix = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
    xtr, xte, ytr, yte = split()
    for name, x, y in (("train", xtr, ytr), ("test", xte, yte)):
        with open(f"{directory}/{prefix}{name}.csv", "w") as f:
            f.write(",".join([f"p{i}" for i in range(64)] + ["label"]) + "\n")
            for row, label in zip(x, y):
                f.write(",".join(str(int(v)) for v in row) + f",{label}\n")


if __name__ == "__main__":
    main()
