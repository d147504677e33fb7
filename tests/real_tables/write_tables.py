#!/usr/bin/python3
"""Writes scikit-learn's iris, wine and breast cancer tables, with their text class names as the label,
and diabetes, with its whole-number targets, as DIR/<table>/train.csv and test.csv: the fixed-seed 75/25
split of bench/peers/real_tables.py (seed 0; stratified for the classes), so the bars in
real_tables_test.sh are that script's measurements.

Usage: /usr/bin/python3 write_tables.py DIR
"""
import csv
import os
import sys

from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.model_selection import train_test_split

for name, load in (("iris", load_iris), ("wine", load_wine), ("breast_cancer", load_breast_cancer),
                   ("diabetes", load_diabetes)):
    d = load()
    if name == "diabetes":
        x, y, stratify = d.data, d.target.astype(int), None
    else:
        x, y = d.data, d.target_names[d.target]
        stratify = y
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0, stratify=stratify)
    os.makedirs(os.path.join(sys.argv[1], name))
    for part, xs, ys in (("train", xtr, ytr), ("test", xte, yte)):
        with open(os.path.join(sys.argv[1], name, f"{part}.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow([f"f{i}" for i in range(x.shape[1])] + ["label"])
            for row, label in zip(xs, ys):
                w.writerow([repr(float(v)) for v in row] + [label])
