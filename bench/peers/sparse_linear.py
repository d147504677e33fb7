#!/usr/bin/python3
"""lever vs LIBLINEAR and scikit-learn on a large sparse logistic regression, side by side in one run.

The data is the planted sparse logistic problem of make_sparse_dataset.py (1,000,000 training and 200,000
test rows over 2^20 features, 30 one-hot nonzeros per row; --quick: 100,000 and 20,000), generated unless
it is already in --data-dir. Every run is timed end to end from the text files: the wall clock of its
whole processes, parsing included.

  LIBLINEAR (Debian's liblinear-tools): -s 6 (L1-regularized logistic regression) and -s 0 (L2), C in
    {0.01, 0.03, 0.1, 0.3, 1}, with a bias feature (-B 1); wall time = liblinear-train + liblinear-predict
    -b 1. Nonzeros are counted in the model file (the bias left out). The best run by test log loss is
    the one lever is compared with.
  scikit-learn: SGDClassifier(loss="log_loss") with L1 and L2 penalties and two alphas, in its own
    process, loading the files with load_svmlight_file (timed as part of the run).
  lever: the commands given by --lever-cmd (repeatable), templates with {lever}, {train}, {test},
    {features} and {data_dir}, for instance
      --lever build/tools/lever/lever --lever-cmd '{lever} linear --train {train} --test {test} --json'
    Each must print one JSON line with log_loss, auc, nonzero_weights and rows_per_second. With --lever
    and no --lever-cmd, two standard runs: FTRL-Proximal streaming one pass over the file, and coordinate
    descent on the data in memory with a standardized L1 penalty (LEVER_RUNS below). When the program
    does not exist, lever is reported as not built yet.

Targets for lever: test log loss no worse than the best LIBLINEAR run's, in at most 1/5 of that run's
wall time, and at least 1,000,000 rows/s (as lever reports it).

The "rows/s" column is training rows divided by the whole run's wall time (for lever: its own figure).

Usage (from the repository root):
  /usr/bin/python3 bench/peers/sparse_linear.py [--quick] [--data-dir DIR] [--lever PATH --lever-cmd TEMPLATE]
Use Debian's /usr/bin/python3: it is the interpreter that sees python3-sklearn.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_sparse_dataset as dataset  # noqa: E402  (auc and log_loss, shared with the generator)

COSTS = [0.01, 0.03, 0.1, 0.3, 1.0]
SGD_SETTINGS = [("l2", 1e-5), ("l2", 1e-4), ("l1", 1e-5), ("l1", 1e-4)]
TIME_RATIO_TARGET = 5.0
LEVER_RUNS = [
    # One streamed pass of FTRL-Proximal (parsing on a background thread while training), each feature's
    # L1 scaled by its standard deviation over the examples seen so far.
    "{lever} linear --train {train} --test {test} --num-features {features} --lr 1 --batch-size 128 "
    "--l1 7e-4 --l1-scale std --opt initial_accumulator_value=0.0001 --opt l2=0.002 --json -q",
    # Coordinate descent in memory, L1 scaled by each feature's standard deviation, a little L2.
    "{lever} linear --train {train} --test {test} --num-features {features} --solver cd --l1 7e-4 --l1-scale std "
    "--l2 2.5e-7 --tolerance 2e-3 --json -q",
]
ROWS_PER_SECOND_TARGET = 1_000_000


def ensure_data(args):
    meta_path = os.path.join(args.data_dir, "dataset.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if (meta.get("train_rows"), meta.get("test_rows"), meta.get("seed")) == (args.train_rows, args.test_rows, args.seed) \
                and os.path.exists(meta["train"]) and os.path.exists(meta["test"]):
            print(f"data: reusing {args.data_dir}", flush=True)
            return meta
    print(f"data: generating {args.train_rows:,} + {args.test_rows:,} rows into {args.data_dir}", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, "make_sparse_dataset.py"), "--out-dir", args.data_dir,
                    "--train-rows", str(args.train_rows), "--test-rows", str(args.test_rows),
                    "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
    with open(meta_path) as f:
        return json.load(f)


def read_labels(path):
    import numpy as np

    with open(path, "rb") as f:
        return np.array([line[:line.find(b" ")] if b" " in line else line.strip() for line in f], dtype=np.float64)


def timed(command):
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return seconds, result.stdout


def liblinear_nonzeros(model_path):
    """Nonzero feature weights in a LIBLINEAR model file (two classes: one weight per line), bias excluded."""
    with open(model_path) as f:
        header = {}
        for line in f:
            if line.strip() == "w":
                break
            key, _, value = line.partition(" ")
            header[key] = value.strip()
        weights = [float(line.split()[0]) for line in f if line.strip()]
    if float(header.get("bias", -1)) >= 0:
        weights = weights[:-1]
    return sum(1 for w in weights if w != 0.0)


def liblinear_probabilities(output_path):
    import numpy as np

    with open(output_path) as f:
        labels = f.readline().split()[1:]  # "labels 0 1"
        column = 1 + labels.index("1")
        return np.array([float(line.split()[column]) for line in f])


def run_liblinear(meta, test_labels, workdir):
    train_bin, predict_bin = shutil.which("liblinear-train"), shutil.which("liblinear-predict")
    if not train_bin or not predict_bin:
        print("LIBLINEAR: not installed (apt-get install -y liblinear-tools); skipped", flush=True)
        return []
    results = []
    for solver, name in ((6, "L1-LR"), (0, "L2-LR")):
        for cost in COSTS:
            model = os.path.join(workdir, f"liblinear_s{solver}_c{cost}.model")
            output = os.path.join(workdir, f"liblinear_s{solver}_c{cost}.out")
            train_seconds, _ = timed([train_bin, "-q", "-s", str(solver), "-c", str(cost), "-B", "1", meta["train"], model])
            predict_seconds, _ = timed([predict_bin, "-b", "1", meta["test"], model, output])
            p = liblinear_probabilities(output)
            results.append(dict(tool="LIBLINEAR", setting=f"-s {solver} ({name}) -c {cost} -B 1",
                                seconds=train_seconds + predict_seconds, train_seconds=train_seconds,
                                rows_per_second=meta["train_rows"] / (train_seconds + predict_seconds),
                                log_loss=dataset.log_loss(test_labels, p), auc=dataset.auc(test_labels, p),
                                nonzeros=liblinear_nonzeros(model)))
            print_row(results[-1])
            os.remove(output)
    return results


def sklearn_worker(train, test, features, penalty, alpha):
    """Runs in its own process, so that imports, loading and memory are the run's own."""
    import numpy as np
    from sklearn.datasets import load_svmlight_file
    from sklearn.linear_model import SGDClassifier

    x_train, y_train = load_svmlight_file(train, n_features=features, zero_based=False)
    x_test, y_test = load_svmlight_file(test, n_features=features, zero_based=False)
    model = SGDClassifier(loss="log_loss", penalty=penalty, alpha=alpha, random_state=0)
    model.fit(x_train, y_train)
    column = list(model.classes_).index(1.0)
    p = model.predict_proba(x_test)[:, column]
    print(json.dumps(dict(log_loss=dataset.log_loss(y_test, p), auc=dataset.auc(y_test, p),
                          nonzero_weights=int(np.count_nonzero(model.coef_)), epochs=int(model.n_iter_))))


def run_sklearn(meta):
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scikit-learn: not installed (apt-get install -y python3-sklearn); skipped", flush=True)
        return []
    results = []
    for penalty, alpha in SGD_SETTINGS:
        seconds, stdout = timed([sys.executable, os.path.abspath(__file__), "--sklearn-worker", meta["train"], meta["test"],
                                 str(meta["features"]), penalty, str(alpha)])
        out = json.loads(stdout.strip().splitlines()[-1])
        results.append(dict(tool="sklearn SGD", setting=f"log_loss {penalty} alpha={alpha:g} ({out['epochs']} epochs)",
                            seconds=seconds, rows_per_second=meta["train_rows"] / seconds, log_loss=out["log_loss"],
                            auc=out["auc"], nonzeros=out["nonzero_weights"]))
        print_row(results[-1])
    return results


def run_lever(args, meta, template):
    command = shlex.split(template.format(lever=args.lever or "lever", train=meta["train"], test=meta["test"],
                                                features=meta["features"], data_dir=args.data_dir))
    program = command[0]
    if not (os.path.isfile(program) and os.access(program, os.X_OK)) and not shutil.which(program):
        print(f"lever: not built yet ({program} does not exist)", flush=True)
        return None
    seconds, stdout = timed(command)
    out = None
    for line in reversed(stdout.strip().splitlines()):
        try:
            candidate = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(candidate, dict) and {"log_loss", "auc", "nonzero_weights", "rows_per_second"} <= candidate.keys():
            out = candidate
            break
    if out is None:
        raise RuntimeError("lever printed no JSON line with log_loss, auc, nonzero_weights and rows_per_second:\n" + stdout[-2000:])
    # The setting: the flags after the data's (--train/--test/--num-features and their values).
    skip = {"--train", "--test", "--num-features"}
    flags, i = [], 1
    while i < len(command):
        if command[i] in skip:
            i += 2
            continue
        if command[i] not in ("linear", "--json", "-q"):
            flags.append(command[i])
        i += 1
    setting = out.get("setting") or " ".join(flags)
    result = dict(tool="lever", setting=setting,
                  seconds=seconds, rows_per_second=float(out["rows_per_second"]), log_loss=float(out["log_loss"]),
                  auc=float(out["auc"]), nonzeros=int(out["nonzero_weights"]))
    print_row(result)
    return result


HEADER = f"{'tool':<12} {'setting':<40} {'wall s':>8} {'rows/s':>11} {'log loss':>9} {'AUC':>7} {'nonzeros':>9}"


def print_row(r):
    setting = r["setting"] if len(r["setting"]) <= 40 else r["setting"][:37] + "..."
    print(f"{r['tool']:<12} {setting:<40} {r['seconds']:8.1f} {r['rows_per_second']:11,.0f} {r['log_loss']:9.4f} "
          f"{r['auc']:7.4f} {r['nonzeros']:9,d}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 training and 20,000 test rows")
    parser.add_argument("--data-dir", help="default /tmp/lever_sparse (or /tmp/lever_sparse_quick)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lever", help="the lever program, substituted for {lever}")
    parser.add_argument("--lever-cmd", action="append", help="command template for a lever run (repeatable)")
    parser.add_argument("--skip-liblinear", action="store_true")
    parser.add_argument("--skip-sklearn", action="store_true")
    parser.add_argument("--json", help="also write every result here")
    if len(sys.argv) > 1 and sys.argv[1] == "--sklearn-worker":
        train, test, features, penalty, alpha = sys.argv[2:7]
        return sklearn_worker(train, test, int(features), penalty, float(alpha))
    args = parser.parse_args()
    args.train_rows, args.test_rows = (100_000, 20_000) if args.quick else (1_000_000, 200_000)
    args.data_dir = args.data_dir or ("/tmp/lever_sparse_quick" if args.quick else "/tmp/lever_sparse")

    meta = ensure_data(args)
    test_labels = read_labels(meta["test"])
    print(f"\nplanted model: test log loss {meta['planted_test_log_loss']:.4f}, AUC {meta['planted_test_auc']:.4f}, "
          f"{meta['planted_nonzero_weights']:,} nonzero weights; {meta['train_rows']:,} train / {meta['test_rows']:,} test "
          f"rows, {meta['features']:,} features, {meta['nnz_per_row']} nonzeros per row\n", flush=True)
    print(HEADER, flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="lever_sparse_linear_") as workdir:
        templates = args.lever_cmd or (LEVER_RUNS if args.lever else [])
        if not templates:
            print("lever: not built yet (no --lever or --lever-cmd given)", flush=True)
        levers = [r for r in (run_lever(args, meta, t) for t in templates) if r]
        if not args.skip_liblinear:
            results += run_liblinear(meta, test_labels, workdir)
        if not args.skip_sklearn:
            results += run_sklearn(meta)

    print("\nbest of each tool (by test log loss):")
    print(HEADER)
    for tool in ("LIBLINEAR", "sklearn SGD"):
        runs = [r for r in results if r["tool"] == tool]
        if runs:
            print_row(min(runs, key=lambda r: r["log_loss"]))
    for lever in levers:
        print_row(lever)

    liblinear = [r for r in results if r["tool"] == "LIBLINEAR"]
    best = min(liblinear, key=lambda r: r["log_loss"]) if liblinear else None
    verdicts = []
    for lever in levers if best else []:
        ratio = best["seconds"] / lever["seconds"]
        checks = {
            "log loss no worse than the best LIBLINEAR run": lever["log_loss"] <= best["log_loss"],
            f"at most 1/{TIME_RATIO_TARGET:g} of its wall time": ratio >= TIME_RATIO_TARGET,
            f">= {ROWS_PER_SECOND_TARGET:,} rows/s": lever["rows_per_second"] >= ROWS_PER_SECOND_TARGET,
        }
        print(f"\nlever ({lever['setting']}) / best LIBLINEAR: wall time {lever['seconds'] / best['seconds']:.3f}x "
              f"(LIBLINEAR takes {ratio:.1f}x as long), log loss {lever['log_loss']:.4f} vs {best['log_loss']:.4f}, "
              f"AUC {lever['auc']:.4f} vs {best['auc']:.4f}")
        for name, ok in checks.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {name}")
        verdicts.append(dict(lever=lever["setting"], **{name: bool(ok) for name, ok in checks.items()}))
    if best and not levers:
        print(f"\nbest LIBLINEAR run: {best['setting']}, {best['seconds']:.1f} s; targets for lever: log loss <= "
              f"{best['log_loss']:.4f}, wall time <= {best['seconds'] / TIME_RATIO_TARGET:.1f} s, "
              f">= {ROWS_PER_SECOND_TARGET:,} rows/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(dataset=meta, results=results, lever=levers, verdicts=verdicts), f, indent=2)


if __name__ == "__main__":
    main()
