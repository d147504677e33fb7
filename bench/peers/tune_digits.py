#!/usr/bin/python3
"""Tuning `lever train` on scikit-learn's digits with `lever tune`, against MLPClassifier's defaults.

Data: load_digits (1,797 8x8 images, 10 classes) split as the test suite splits it: 25% test (stratified,
random_state 0); the remaining 75% split again into 80% train / 20% validation (stratified, random_state 1).

Peer: sklearn.neural_network.MLPClassifier with its default settings, fitted on train + validation (the
75%), scored on test; also on standardized inputs (a fairer peer, since lever standardizes), seeds 0-4.

lever: `lever tune` runs bench/tune/digits_study.yaml (learning rate log-scaled, L2 log-scaled, dropout,
hidden units, batch size, optimizer; Bayesian optimization; 3 parallel trials; median stopping), each trial
`lever train` on train, reporting validation accuracy. The best trial's settings are then trained once on
train + validation and scored on test, so the test set never guides the search.

Printed: the time of the study, the best trial, the final test accuracy against the peer's, and verdicts:
test accuracy >= MLPClassifier (defaults), and the study done in under 10 minutes.

Usage (from the repository root, after building lever):
  /usr/bin/python3 bench/peers/tune_digits.py [--lever build/tools/lever/lever] [--trials 30] [--parallel 3]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STUDY = os.path.join(HERE, "..", "tune", "digits_study.yaml")
TIME_LIMIT_SECONDS = 600


def write_csv(path, x, y):
    with open(path, "w") as f:
        f.write(",".join([f"p{i}" for i in range(x.shape[1])] + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(str(int(v)) for v in row) + f",{int(label)}\n")


def flag_value(v):
    """A parameter as the tuner passes it: whole numbers without a decimal point."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lever", default="build/tools/lever/lever")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument("--steps", type=int, default=2000, help="training steps per trial")
    parser.add_argument("--keep", help="keep the study in this directory")
    args = parser.parse_args()
    lever = os.path.abspath(args.lever)
    if not os.path.exists(lever):
        sys.exit(f"{lever} does not exist: build lever first")

    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    d = load_digits()
    x_rest, x_test, y_rest, y_test = train_test_split(d.data, d.target, test_size=0.25, random_state=0, stratify=d.target)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.2, random_state=1, stratify=y_rest)
    work = args.keep or tempfile.mkdtemp(prefix="lever_digits_")
    os.makedirs(work, exist_ok=True)
    for name, x, y in (("train", x_train, y_train), ("val", x_val, y_val), ("rest", x_rest, y_rest), ("test", x_test, y_test)):
        write_csv(os.path.join(work, f"{name}.csv"), x, y)

    t = time.time()
    peer_raw = MLPClassifier(random_state=0).fit(x_rest, y_rest).score(x_test, y_test)
    peer_seconds = time.time() - t
    scaler = StandardScaler().fit(x_rest)
    peer_std = [MLPClassifier(random_state=s).fit(scaler.transform(x_rest), y_rest).score(scaler.transform(x_test), y_test)
                for s in range(5)]
    print(f"digits: {len(y_train)} train, {len(y_val)} validation, {len(y_test)} test; 64 features, 10 classes")
    print(f"MLPClassifier defaults (raw pixels, seed 0): test accuracy {peer_raw:.4f} ({peer_seconds:.1f} s)")
    print(f"MLPClassifier defaults (standardized, seeds 0-4): test accuracy median {np.median(peer_std):.4f} "
          f"(min {min(peer_std):.4f}, max {max(peer_std):.4f})")

    study_dir = os.path.join(work, "study")
    shutil.rmtree(study_dir, ignore_errors=True)
    with open(STUDY) as f:
        spec = f.read()
    spec = spec.replace("maxTrials: 30", f"maxTrials: {args.trials}").replace("maxParallelTrials: 3", f"maxParallelTrials: {args.parallel}")
    spec_path = os.path.join(work, "digits_study.yaml")
    with open(spec_path, "w") as f:
        f.write(spec)
    trainer = [lever, "train", f"--train-file={work}/train.csv", f"--test-file={work}/val.csv", "--activation=relu",
               f"--steps={args.steps}", "--eval-every=200", "--seed=1", "-q"]
    t = time.time()
    run = subprocess.run([lever, "tune", "--config", spec_path, "--study-dir", study_dir, "--seed", "1", "--"] + trainer,
                         capture_output=True, text=True)
    study_seconds = time.time() - t
    print(run.stdout[-3000:])
    if run.returncode != 0:
        print(run.stderr[-3000:])
        sys.exit(f"lever tune failed with exit code {run.returncode}")

    # The best trial, from the study's database.
    import sqlite3
    db = sqlite3.connect(os.path.join(study_dir, "study.db"))
    columns = [r[1] for r in db.execute("PRAGMA table_info(trials)")]
    rows = [dict(zip(columns, r)) for r in db.execute("SELECT * FROM trials")]
    states = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    done = [r for r in rows if r["state"] == "COMPLETED" and r["objective"] is not None]
    best = max(done, key=lambda r: r["objective"])
    params = json.loads(best["params"])
    print(f"study: {len(rows)} trials ({', '.join(f'{n} {s}' for s, n in sorted(states.items()))}) in {study_seconds:.0f} s "
          f"with {args.parallel} in parallel")
    print(f"best trial {best['number']}: validation accuracy {best['objective']:.4f}  {params}")

    final = [lever, "train", f"--train-file={work}/rest.csv", f"--test-file={work}/test.csv", "--activation=relu",
             f"--steps={args.steps}", "--seed=1", "-q"] + [f"--{k}={flag_value(v)}" for k, v in params.items()]
    out = subprocess.run(final, capture_output=True, text=True, check=True).stdout
    accuracy = float(out.split("test accuracy ")[1].split()[0])
    print(f"best settings retrained on train + validation: test accuracy {accuracy:.4f}")
    print()
    print(f"| run | test accuracy |")
    print(f"|---|---|")
    print(f"| lever train, settings found by lever tune ({len(rows)} trials, {args.parallel} parallel, {study_seconds:.0f} s) | {accuracy:.4f} |")
    print(f"| MLPClassifier defaults, raw pixels | {peer_raw:.4f} |")
    print(f"| MLPClassifier defaults, standardized (median of 5 seeds) | {np.median(peer_std):.4f} |")
    print()
    verdicts = [
        ("test accuracy >= MLPClassifier defaults (raw)", accuracy >= peer_raw),
        ("test accuracy >= MLPClassifier defaults (standardized, median)", accuracy >= np.median(peer_std)),
        (f"study under {TIME_LIMIT_SECONDS // 60} minutes on this machine", study_seconds < TIME_LIMIT_SECONDS),
    ]
    for text, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}: {text}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
