#!/usr/bin/python3
"""Whole-process wall time of tiny lever jobs: what a tuner launching thousands of trials pays per trial.

Jobs, each run --repeats times (default 30) after one warm-up run, timed from fork to exit:
  version        lever --version
  train          lever train --steps 1 -q                            (a Playground dataset, one step)
  train table    lever train --train-file tiny.csv --train-percent 70 --label y --steps 1 -q
                 (216 rows, 4 columns: the issue's size)
  linear         lever linear --train tiny.csv --test tiny.csv --label y -q
  predict        lever predict --model bundle --input tiny_test.csv  (a bundle written by lever train --export)
Printed: min and median per job in milliseconds and PASS/FAIL against the target (median <= 10 ms).
python3 itself starting a process is measured too (`/bin/true`), as the floor of the method.

Usage (from the repository root, after building lever):
  /usr/bin/python3 bench/peers/startup.py [--lever build/tools/lever/lever] [--repeats 30]
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 10.0


def write_table(path, rows, seed):
    rng = random.Random(seed)
    with open(path, "w") as out:
        out.write("a,b,c,y\n")
        for _ in range(rows):
            a, b, c = rng.gauss(0, 1), rng.gauss(0, 1), rng.random()
            out.write(f"{a:.4f},{b:.4f},{c:.4f},{1 if a * a + b * b > 1.2 else 0}\n")


def timed(command, repeats):
    run = lambda: subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first = run()
    if first.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {first.stderr.decode()[:400]}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - start))
    return min(times), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lever", default="build/tools/lever/lever")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    lever = os.path.abspath(args.lever)
    with tempfile.TemporaryDirectory() as work:
        tiny = os.path.join(work, "tiny.csv")
        tiny_test = os.path.join(work, "tiny_test.csv")
        write_table(tiny, 216, 1)
        write_table(tiny_test, 54, 2)
        export = os.path.join(work, "export")
        subprocess.run([lever, "train", "--train-file", tiny, "--test-file", tiny_test, "--label", "y",
                        "--steps", "50", "-q", "--export", export], check=True, stdout=subprocess.DEVNULL)
        jobs = [
            ("process floor (/bin/true)", ["/bin/true"], False),
            ("lever --version", [lever, "--version"], True),
            ("lever train, Playground, 1 step", [lever, "train", "--steps", "1", "-q"], True),
            ("lever train, 216-row table, 1 step",
             [lever, "train", "--train-file", tiny, "--train-percent", "70", "--label", "y", "--steps", "1", "-q"],
             True),
            ("lever linear, 216-row table", [lever, "linear", "--train", tiny, "--test", tiny, "--label", "y", "-q"],
             True),
            ("lever predict --model, 54 rows",
             [lever, "predict", "--model", os.path.join(export, "bundle"), "--input", tiny_test], True),
        ]
        print(f"whole-process wall time, {args.repeats} runs each (target: median <= {TARGET_MS:g} ms)")
        failed = 0
        for name, command, judged in jobs:
            low, median = timed(command, args.repeats)
            verdict = ("PASS" if median <= TARGET_MS else "FAIL") if judged else ""
            failed += verdict == "FAIL"
            print(f"  {name:40s} min {low:6.1f} ms  median {median:6.1f} ms  {verdict}")
        print("start-up: PASS" if failed == 0 else f"start-up: FAIL ({failed} jobs over {TARGET_MS:g} ms)")


if __name__ == "__main__":
    main()
