#!/usr/bin/python3
"""Standard test functions for hyperparameter tuners, as trainer programs for `lever tune`.

Run as a trainer, it reads one --<name>=<value> flag per parameter (x1, x2 for Branin; x1..x6 for
Hartmann-6) and --job-dir, and reports the value through the cloudml-hypertune convention: one JSON line
appended to $CLOUD_ML_HP_METRIC_FILE, {"global_step": "1", "value": "<f(x)>", "timestamp": ..., "trial": ...}.
With --noise-sd > 0 the reported value is f(x) + N(0, noise_sd^2), the noise drawn from a generator
seeded by (--noise-seed, $CLOUD_ML_TRIAL_ID), and the noiseless f(x) goes to <job dir>/true_value.

  branin     on [-5, 10] x [0, 15]; minimum 0.397887 (three points)
  hartmann6  on [0, 1]^6; minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)

Both are minimized. bench/peers/tuning.py imports the functions from here, so Optuna sees the same ones.
"""
import argparse
import json
import math
import os
import random
import sys
import time

BRANIN_MINIMUM = 0.397887
HARTMANN6_MINIMUM = -3.32237

# Hartmann-6 constants (Dixon and Szego, 1978).
_ALPHA = [1.0, 1.2, 3.0, 3.2]
_A = [[10, 3, 17, 3.5, 1.7, 8],
      [0.05, 10, 17, 0.1, 8, 14],
      [3, 3.5, 1.7, 10, 17, 8],
      [17, 8, 0.05, 10, 0.1, 14]]
_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
      [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
      [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def branin(x):
    x1, x2 = x
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(_A[i][j] * (x[j] - _P[i][j]) ** 2 for j in range(6))
        total -= _ALPHA[i] * math.exp(-inner)
    return total


# name -> (function, [(parameter, low, high)], minimum)
PROBLEMS = {
    "branin": (branin, [("x1", -5.0, 10.0), ("x2", 0.0, 15.0)], BRANIN_MINIMUM),
    "hartmann6": (hartmann6, [("x%d" % (i + 1), 0.0, 1.0) for i in range(6)], HARTMANN6_MINIMUM),
}


def noise(seed, trial, sd):
    """The observation noise of one trial: reproducible from (seed, trial)."""
    return random.Random(seed * 1_000_003 + trial).gauss(0.0, sd) if sd > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problem", choices=sorted(PROBLEMS), required=True)
    parser.add_argument("--noise-sd", type=float, default=0.0)
    parser.add_argument("--noise-seed", type=int, default=0)
    parser.add_argument("--job-dir", required=True)
    args, rest = parser.parse_known_args()
    function, params, _ = PROBLEMS[args.problem]
    values = {}
    for flag in rest:
        name, _, text = flag.lstrip("-").partition("=")
        values[name] = float(text)
    missing = [p for p, _, _ in params if p not in values]
    if missing:
        sys.exit("objectives.py: missing flags for %s (got %s)" % (", ".join(missing), " ".join(rest)))
    x = [values[p] for p, _, _ in params]
    true_value = function(x)
    trial = int(os.environ.get("CLOUD_ML_TRIAL_ID", "0"))
    observed = true_value + noise(args.noise_seed, trial, args.noise_sd)
    with open(os.path.join(args.job_dir, "true_value"), "w") as out:
        out.write(repr(true_value) + "\n")
    line = {"global_step": "1", "value": repr(observed), "timestamp": time.time(), "trial": str(trial)}
    with open(os.environ.get("CLOUD_ML_HP_METRIC_FILE", "/tmp/hypertune/output.metrics"), "a") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
