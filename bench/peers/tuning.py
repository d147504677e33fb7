#!/usr/bin/python3
"""lever's tuners against Optuna's default TPE sampler on standard test functions, in one run.

Problems (bench/tune/objectives.py, all minimized):
  branin           2-D, minimum 0.397887
  hartmann6        6-D, minimum -3.32237
  noisy_hartmann6  Hartmann-6 observed with Gaussian noise, sd 0.1. The tuners see noisy values; each run
                   is judged by the noiseless value of the point it chose (its best observed trial), which
                   is what a user would deploy.

Methods, each with the same budget (--trials evaluations, default 30) for each seed 1..--seeds (default 10):
  lever GP      `lever tune` with algorithm ALGORITHM_UNSPECIFIED (Gaussian process, expected improvement),
                every evaluation a separate trainer process (objectives.py), one trial at a time, --seed s.
  lever random  the same with algorithm RANDOM_SEARCH.
  optuna TPE    optuna.samplers.TPESampler(seed=s) (Optuna's default sampler and its defaults), calling the
                same functions in process; noisy values use the same noise per (seed, trial number).

Printed: per problem and method the median and quartiles of the final best value over seeds, then the
verdicts: lever GP beats random / TPE when its median best is lower (for Branin and Hartmann-6 the median
gap to the known minimum is shown as well).

Usage (from the repository root, after building lever):
  /usr/bin/python3 bench/peers/tuning.py [--lever build/tools/lever/lever] [--seeds 10] [--trials 30]
Use Debian's /usr/bin/python3: it is the interpreter that sees python3-optuna.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OBJECTIVES = os.path.join(HERE, "..", "tune", "objectives.py")
sys.path.insert(0, os.path.join(HERE, "..", "tune"))
import objectives  # noqa: E402

NOISE_SD = 0.1
# name -> (objectives.py problem, noise sd)
PROBLEMS = {"branin": ("branin", 0.0), "hartmann6": ("hartmann6", 0.0), "noisy_hartmann6": ("hartmann6", NOISE_SD)}


def spec_yaml(problem, algorithm, trials, noise_sd, seed):
    _, params, _ = objectives.PROBLEMS[problem]
    lines = ["hyperparameters:", "  goal: MINIMIZE", "  hyperparameterMetricTag: value",
             "  maxTrials: %d" % trials, "  algorithm: %s" % algorithm, "  params:"]
    for name, low, high in params:
        lines.append("  - {parameterName: %s, type: DOUBLE, minValue: %r, maxValue: %r}" % (name, low, high))
    lines += ["trainer:",
              "  command: [%s, %s, --problem=%s, --noise-sd=%r, --noise-seed=%d]"
              % (sys.executable, os.path.abspath(OBJECTIVES), problem, noise_sd, seed)]
    return "\n".join(lines) + "\n"


def run_lever(lever, name, problem, algorithm, trials, noise_sd, seed, work):
    """Runs one study in its own directory; returns the noiseless value at the best observed trial."""
    study = os.path.join(work, "%s-%s-%d" % (name, algorithm, seed))
    config = study + ".yaml"
    with open(config, "w") as out:
        out.write(spec_yaml(problem, algorithm, trials, noise_sd, seed))
    result = subprocess.run([lever, "tune", "--config", config, "--study-dir", study, "--seed", str(seed), "--quiet"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("lever tune failed (exit %d):\n%s%s" % (result.returncode, result.stdout, result.stderr))
    db = sqlite3.connect(os.path.join(study, "study.db"))
    rows = db.execute("SELECT objective, job_dir FROM trials WHERE state = 'COMPLETED' ORDER BY number").fetchall()
    db.close()
    if len(rows) != trials:
        sys.exit("%s: expected %d completed trials, got %d" % (study, trials, len(rows)))
    _, job_dir = min(rows, key=lambda r: r[0])
    with open(os.path.join(job_dir, "true_value")) as f:
        return float(f.read())


def run_optuna(problem, trials, noise_sd, seed):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    function, params, _ = objectives.PROBLEMS[problem]
    true_values = {}

    def objective(trial):
        x = [trial.suggest_float(name, low, high) for name, low, high in params]
        true_values[trial.number] = function(x)
        return true_values[trial.number] + objectives.noise(seed, trial.number, noise_sd)

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return true_values[study.best_trial.number]


def quartiles(values):
    q = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    return q[0], statistics.median(values), q[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lever", default=os.path.join(HERE, "..", "..", "build", "tools", "lever", "lever"))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated subset of " + ", ".join(PROBLEMS))
    args = parser.parse_args()
    if not os.access(args.lever, os.X_OK):
        sys.exit("lever is not built at %s; build it or pass --lever" % args.lever)
    try:
        import optuna
    except ImportError:
        sys.exit("Optuna is missing: apt-get install python3-optuna, and run with /usr/bin/python3")

    work = tempfile.mkdtemp(prefix="lever_tuning_bench_")
    methods = ["lever GP", "lever random", "optuna TPE"]
    results, seconds = {}, {}
    try:
        for name in args.problems.split(","):
            problem, noise_sd = PROBLEMS[name]
            for method in methods:
                start = time.time()
                values = []
                for seed in range(1, args.seeds + 1):
                    if method == "optuna TPE":
                        values.append(run_optuna(problem, args.trials, noise_sd, seed))
                    else:
                        algorithm = "ALGORITHM_UNSPECIFIED" if method == "lever GP" else "RANDOM_SEARCH"
                        values.append(run_lever(args.lever, name, problem, algorithm, args.trials, noise_sd, seed, work))
                results[name, method] = values
                seconds[name, method] = time.time() - start
                print("  %-16s %-13s done in %.1f s" % (name, method, seconds[name, method]), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("Best value after %d evaluations, %d seeds (optuna %s); lower is better" % (args.trials, args.seeds, optuna.__version__))
    print("%-16s %-13s %11s %11s %11s %11s %9s" % ("problem", "method", "q1", "median", "q3", "median gap", "seconds"))
    for name in args.problems.split(","):
        minimum = objectives.PROBLEMS[PROBLEMS[name][0]][2]
        for method in methods:
            q1, median, q3 = quartiles(results[name, method])
            print("%-16s %-13s %11.5f %11.5f %11.5f %11.5f %9.1f" % (name, method, q1, median, q3, median - minimum,
                                                                      seconds[name, method]))
    print()
    for name in args.problems.split(","):
        minimum = objectives.PROBLEMS[PROBLEMS[name][0]][2]
        gp = statistics.median(results[name, "lever GP"]) - minimum
        for other in ("lever random", "optuna TPE"):
            peer = statistics.median(results[name, other]) - minimum
            ratio = "gap ratio %.3g" % (gp / peer) if peer > 0 else "peer at the minimum"
            verdict = "yes" if gp < peer else "no"
            print("%-16s lever GP beats %-12s %-3s (median gap %.5f vs %.5f, %s)" % (name, other + ":", verdict, gp, peer, ratio))


if __name__ == "__main__":
    main()
