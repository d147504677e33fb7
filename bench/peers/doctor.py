#!/usr/bin/python3
"""The training doctor against two published rule sets, on the same planted runs and the same statistics.

Each case of tests/doctor/cases.yaml (and holdout.yaml) trains once with `lever train --doctor --job-dir`;
lever's verdict is the first finding in doctor.json. The same run's doctor_record.json (every step's loss,
the evaluations, gradient/weight/activation statistics sampled 10 times a run) is then judged by

  AUTOTRAINER (Zhang et al., ICSE'21), its five checks in its order: exploding (NaN loss, loss >= 1e5, or
  the first/last layer gradient-norm ratio > 70), vanishing (that ratio < 1e-3), dying ReLU (>= 70% of a
  ReLU layer's outputs zero), oscillating loss, slow convergence;
  DeepDiagnosis (Wardat et al., ICSE'22), its conditions in its order: exploding tensor (NaN/inf),
  unchanged weights (update ratio < 1e-5), saturated activation (> 50% saturated), dead node (> 50% of a
  ReLU layer dead), out-of-range update ratio (> 1e-1), vanishing gradient, loss not decreasing.

Both are re-implemented here from their papers' published thresholds on lever's statistics (lever samples
saturation as |tanh| > 0.99, |x| > 2.65, where DeepDiagnosis uses |x| > 5; and "zero outputs" for dying
ReLU); their symptom names are mapped to lever's ids (exploding -> exploding_gradients, slow convergence
and unchanged weights -> learning_rate_too_low, out-of-range ratio -> learning_rate_too_high, ...).
Neither has rules for overfitting, underfitting, regularization, L1 or raw inputs: those plants count as
misses for them, as the issue's comparison asks.

Usage: /usr/bin/python3 bench/peers/doctor.py --lever build/tools/lever/lever [CASES.yaml ...]
"""
import argparse
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CASE = re.compile(r'^\s*-\s*\{name:\s*([^,]+),\s*expect:\s*([^,]+),\s*args:\s*"(.*)"\}\s*$')


def read_cases(path):
    cases = []
    for line in open(path):
        m = CASE.match(line)
        if m:
            cases.append((m.group(1).strip(), m.group(2).strip(), m.group(3)))
    return cases


def kernel_gradients(stat):
    kernels = [p for p in stat["parameters"] if p["name"].endswith("kernel")]
    return (kernels[0]["gradient_norm"], kernels[-1]["gradient_norm"]) if len(kernels) >= 2 else (None, None)


def finite(v):
    return v is not None and math.isfinite(v)


def autotrainer(rec):
    losses = [v for v in rec["step_losses"] if v is not None]
    if rec["diverged"] or any(v >= 1e5 for v in losses):
        return "exploding_gradients"
    ratios = []
    for s in rec["statistics"]:
        first, last = kernel_gradients(s)
        if finite(first) and finite(last) and last > 0:
            ratios.append(first / last)
    if ratios and max(ratios) > 70:
        return "exploding_gradients"
    if ratios and sorted(ratios)[len(ratios) // 2] < 1e-3:
        return "vanishing_gradients"
    for s in rec["statistics"][-3:]:
        for a in s["activations"]:
            if a["activation"] == "relu" and finite(a["zero_fraction"]) and a["zero_fraction"] >= 0.7:
                return "dead_relu"
    ev = [e["train_loss"] for e in rec["evaluations"] if finite(e["train_loss"])]
    half = ev[len(ev) // 2:]
    turns = sum(1 for i in range(2, len(half)) if (half[i] - half[i - 1]) * (half[i - 1] - half[i - 2]) < 0)
    if len(half) >= 4 and turns >= len(half) // 2 and max(half) > 1.1 * min(half):
        return "loss_oscillating"
    if len(ev) >= 4 and ev[0] > 0 and (ev[0] - ev[-1]) / ev[0] < 0.05:
        return "learning_rate_too_low"  # slow convergence: the loss barely improved
    return "healthy"


def deepdiagnosis(rec):
    if rec["diverged"] or any(v is None for v in rec["step_losses"]):
        return "exploding_gradients"
    stats = rec["statistics"]
    ratios = [p["update_ratio"] for s in stats for p in s["parameters"]
              if p["name"].endswith("kernel") and finite(p["update_ratio"])]
    median = sorted(ratios)[len(ratios) // 2] if ratios else None
    if median is not None and median < 1e-5:
        return "learning_rate_too_low"  # unchanged weights
    for s in stats[-3:]:
        for a in s["activations"]:
            if a["saturates"] and finite(a["saturated_fraction"]) and a["saturated_fraction"] > 0.5:
                return "saturated_units"
            if a["activation"] == "relu" and finite(a["dead_fraction"]) and a["dead_fraction"] > 0.5:
                return "dead_relu"
    if median is not None and median > 1e-1:
        return "learning_rate_too_high"
    for s in stats:
        first, last = kernel_gradients(s)
        if finite(first) and finite(last) and last > 0 and first / last < 1e-3:
            return "vanishing_gradients"
    ev = [e["train_loss"] for e in rec["evaluations"] if finite(e["train_loss"])]
    if len(ev) >= 2 and ev[-1] >= ev[0]:
        return "learning_rate_too_low"  # loss not decreasing
    return "healthy"


# The ids each tool has a rule for: the fair part of the comparison.
COVERS = {"lever": None,
          "AUTOTRAINER": {"exploding_gradients", "vanishing_gradients", "dead_relu", "loss_oscillating",
                          "learning_rate_too_low"},
          "DeepDiagnosis": {"exploding_gradients", "learning_rate_too_low", "saturated_units", "dead_relu",
                            "learning_rate_too_high", "vanishing_gradients"}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lever", default="build/tools/lever/lever")
    parser.add_argument("cases", nargs="*", default=[os.path.join(ROOT, "tests/doctor/cases.yaml"),
                                                     os.path.join(ROOT, "tests/doctor/holdout.yaml")])
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lever_doctor_peers_")
    tables = os.path.join(work, "tables")
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/real_tables/write_tables.py"), tables], check=True)
    for path in args.cases:
        cases = read_cases(path)
        print(f"\n{os.path.relpath(path, ROOT)}: {len(cases)} runs")
        print(f"{'case':<38}{'planted':<27}{'lever':<27}{'AUTOTRAINER':<27}{'DeepDiagnosis':<27}")
        score = {"lever": [0, 0], "AUTOTRAINER": [0, 0], "DeepDiagnosis": [0, 0]}  # named, alarms
        own = {tool: [0, 0] for tool in score}  # named, broken runs whose plant the tool has a rule for
        broken = healthy = 0
        for i, (name, planted, case_args) in enumerate(cases):
            job = os.path.join(work, f"{os.path.basename(path)}_{i}")
            cmd = [args.lever, "train", "-q", "--doctor", "--job-dir", job] + shlex.split(case_args.replace("{tables}", tables))
            subprocess.run(cmd, capture_output=True, text=True)
            try:
                doctor = json.load(open(os.path.join(job, "doctor.json")))
                rec = json.load(open(os.path.join(job, "doctor_record.json")))
            except (OSError, ValueError):
                print(f"{name:<38}{planted:<27}(no record)")
                continue
            verdicts = {"lever": doctor["findings"][0]["id"] if doctor["findings"] else "healthy",
                        "AUTOTRAINER": autotrainer(rec), "DeepDiagnosis": deepdiagnosis(rec)}
            if planted == "healthy":
                healthy += 1
            else:
                broken += 1
            for tool, verdict in verdicts.items():
                if planted == "healthy":
                    score[tool][1] += verdict != "healthy"
                else:
                    score[tool][0] += verdict == planted
                    if COVERS[tool] is None or planted in COVERS[tool]:
                        own[tool][0] += verdict == planted
                        own[tool][1] += 1
            print(f"{name:<38}{planted:<27}" + "".join(f"{verdicts[t]:<27}" for t in score))
        for tool, (named, alarms) in score.items():
            print(f"  {tool:<14} broken runs named first: {named} of {broken} ({100 * named / max(1, broken):.0f}%); "
                  f"on the causes it has a rule for: {own[tool][0]} of {own[tool][1]}; "
                  f"healthy runs with an alarm: {alarms} of {healthy}")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
