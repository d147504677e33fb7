#!/usr/bin/python3
"""lever's estimator workflow vs PyTorch (CPU) on a wide-and-deep click model, side by side in one run.

The data is generated (seeded) click logs: users and items with a low-rank preference (what embeddings
generalize), strong user x item exceptions (what the wide part's cross memorizes), an hour x device
effect and a price effect (500 users, 200 items); 200,000 training and 50,000 test rows in CSV files.

The same model on both sides:
  wide:  user and item ids (vocabularies), user x item cross (2^17 hash buckets), hour x device cross
         (96 buckets), price (standardized), summed into one logit
  deep:  embeddings user 8, item 8, hour 4, device 2 and the standardized price -> 64 -> 32 -> 1 (ReLU)
  loss:  sigmoid cross entropy on the sum of the two logits; batch 256, 6,000 steps (~8 epochs)
  optimizer: AdaGrad, learning rate 0.2, on both parts (PyTorch has no FTRL); sparse (row-wise) updates
         of the embedding and wide tables on both sides (torch.nn.EmbeddingBag(sparse=True))

Timed as whole processes from the CSV files (read, build the inputs, train, evaluate on the test file):
  lever train --config run.yaml        vs  this script's torch worker (csv + numpy + torch)
  lever export + lever predict --model vs  the torch worker loading its saved model and predicting
Also shown: lever with its defaults for wide-and-deep (FTRL on the wide part), and PyTorch with 1 and 2
threads (the fastest counts). Each side runs --repeats times, interleaved; its best run counts.

Usage (from the repository root, after building):
  /usr/bin/python3 bench/peers/wide_deep.py [--lever build/tools/lever/lever] [--repeats 3] [--quick]
Use Debian's /usr/bin/python3: it is the interpreter that sees python3-torch.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

USERS, ITEMS, DEVICES = 500, 200, ["mobile", "desktop", "tablet", "tv"]
CROSS_BUCKETS = 1 << 17
BATCH, LR = 256, 0.2


def make_data(directory, n_train, n_test, seed=11):
    rng = np.random.default_rng(seed)
    p_user = rng.normal(0, 1, (USERS, 4))
    q_item = rng.normal(0, 1, (ITEMS, 4))
    exceptions = {}
    for _ in range(1500):
        exceptions[(int(rng.integers(USERS)), int(rng.integers(ITEMS)))] = float(rng.choice([-3.0, 3.0]))
    hour_device = rng.normal(0, 0.8, (24, len(DEVICES)))
    # Popular users and items appear more often (a power law), as in real logs.
    user_p = 1.0 / np.arange(1, USERS + 1) ** 0.7
    item_p = 1.0 / np.arange(1, ITEMS + 1) ** 0.9
    user_p /= user_p.sum()
    item_p /= item_p.sum()
    hot = list(exceptions)
    for name, n in (("train", n_train), ("test", n_test)):
        u = rng.choice(USERS, n, p=user_p)
        i = rng.choice(ITEMS, n, p=item_p)
        # A third of the rows are exception pairs, so memorizing them pays.
        k = rng.random(n) < 0.33
        picks = rng.integers(len(hot), size=int(k.sum()))
        u[k] = [hot[j][0] for j in picks]
        i[k] = [hot[j][1] for j in picks]
        h = rng.integers(24, size=n)
        d = rng.integers(len(DEVICES), size=n)
        price = rng.lognormal(3, 0.5, n)
        logit = 0.6 * np.sum(p_user[u] * q_item[i], axis=1) + hour_device[h, d] - 0.6 * (np.log(price) - 3) / 0.5 - 0.2
        logit += np.array([exceptions.get((a, b), 0.0) for a, b in zip(u.tolist(), i.tolist())])
        y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
        if name == "test":
            planted = metrics(1 / (1 + np.exp(-logit)), y)
        with open(os.path.join(directory, f"{name}.csv"), "w") as f:
            f.write("user,item,clicked,hour,device,price\n")
            for row in zip(u.tolist(), i.tolist(), y.tolist(), h.tolist(), d.tolist(), price.tolist()):
                f.write(f"u{row[0]},i{row[1]},{row[2]},{row[3]},{DEVICES[row[4]]},{row[5]:.3f}\n")
    with open(os.path.join(directory, "users.txt"), "w") as f:
        f.write("".join(f"u{k}\n" for k in range(USERS)))
    with open(os.path.join(directory, "items.txt"), "w") as f:
        f.write("".join(f"i{k}\n" for k in range(ITEMS)))
    return planted


def lever_config(directory, steps, defaults):
    optimizers = "" if defaults else f", linear_optimizer: adagrad, linear_learning_rate: {LR}"
    text = f"""data: {{train: train.csv, eval: test.csv, label: clicked}}
estimator: {{type: wide_and_deep, hidden_units: [64, 32], optimizer: adagrad, learning_rate: {LR}{optimizers}}}
wide_columns:
  - categorical: {{key: user, vocabulary_file: users.txt}}
  - categorical: {{key: item, vocabulary_file: items.txt}}
  - crossed: {{keys: [user, item], hash_buckets: {CROSS_BUCKETS}}}
  - crossed: {{keys: [hour, device], hash_buckets: 96}}
  - numeric: price
deep_columns:
  - numeric: price
  - embedding: {{categorical: {{key: user, vocabulary_file: users.txt}}, dimension: 8}}
  - embedding: {{categorical: {{key: item, vocabulary_file: items.txt}}, dimension: 8}}
  - embedding: {{categorical: {{key: hour, identity_buckets: 24}}, dimension: 4}}
  - embedding: {{categorical: {{key: device, vocabulary: [{", ".join(DEVICES)}]}}, dimension: 2}}
train: {{max_steps: {steps}, batch_size: {BATCH}}}
eval: {{every_steps: 0}}
run: {{save_checkpoints_steps: 0, save_checkpoints_secs: 100000}}
"""
    path = os.path.join(directory, "defaults.yaml" if defaults else "run.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- the PyTorch side ----------------------------------------------------------------------------------


def read_inputs(path, stats=None):
    users = {f"u{k}": k for k in range(USERS)}
    items = {f"i{k}": k for k in range(ITEMS)}
    devices = {d: k for k, d in enumerate(DEVICES)}
    u, i, y, h, d, p = [], [], [], [], [], []
    with open(path) as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            u.append(users.get(row[0], USERS))  # out of vocabulary: one extra bucket
            i.append(items.get(row[1], ITEMS))
            y.append(float(row[2]))
            h.append(int(row[3]))
            d.append(devices.get(row[4], len(DEVICES)))
            p.append(float(row[5]))
    u, i, h, d = (np.array(a, dtype=np.int64) for a in (u, i, h, d))
    p = np.array(p, dtype=np.float64)
    if stats is None:
        stats = (p.mean(), p.std())
    price = ((p - stats[0]) / stats[1]).astype(np.float32)
    cross = (u * 0x9E3779B1 + i * 0x85EBCA77) % CROSS_BUCKETS  # a hash of the pair
    hd = h * len(DEVICES) + d
    # The wide part's ids in one table: users, items, user x item buckets, hour x device buckets.
    offsets = np.cumsum([0, USERS + 1, ITEMS + 1, CROSS_BUCKETS])
    wide_ids = np.stack([u + offsets[0], i + offsets[1], cross + offsets[2], hd + offsets[3]], axis=1)
    return dict(user=u, item=i, hour=h, device=d, price=price, wide=wide_ids, y=np.array(y, dtype=np.float32)), stats


def torch_model():
    import torch

    class WideDeep(torch.nn.Module):
        def __init__(self):
            super().__init__()
            wide_rows = USERS + 1 + ITEMS + 1 + CROSS_BUCKETS + 24 * (len(DEVICES) + 1)
            self.wide = torch.nn.EmbeddingBag(wide_rows, 1, mode="sum", sparse=True)
            torch.nn.init.zeros_(self.wide.weight)
            self.wide_price = torch.nn.Linear(1, 1)
            self.user = torch.nn.Embedding(USERS + 1, 8, sparse=True)
            self.item = torch.nn.Embedding(ITEMS + 1, 8, sparse=True)
            self.hour = torch.nn.Embedding(24, 4, sparse=True)
            self.device = torch.nn.Embedding(len(DEVICES) + 1, 2, sparse=True)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(23, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32),
                                           torch.nn.ReLU(), torch.nn.Linear(32, 1))

        def forward(self, b):
            wide = self.wide(b["wide"]) + self.wide_price(b["price"][:, None])
            x = torch.cat([b["price"][:, None], self.user(b["user"]), self.item(b["item"]), self.hour(b["hour"]),
                           self.device(b["device"])], dim=1)
            return (wide + self.mlp(x))[:, 0]

    return WideDeep()


def to_torch(data):
    import torch

    return {k: torch.from_numpy(v) for k, v in data.items()}


def metrics(p, y):
    from sklearn.metrics import log_loss, roc_auc_score

    return {"auc": float(roc_auc_score(y, p)), "loss": float(log_loss(y, np.clip(p, 1e-7, 1 - 1e-7)))}


def torch_train(directory, steps, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    start = time.perf_counter()
    train, stats = read_inputs(os.path.join(directory, "train.csv"))
    test, _ = read_inputs(os.path.join(directory, "test.csv"), stats)
    train_t, test_t = to_torch(train), to_torch(test)
    model = torch_model()
    sparse = [p for n, p in model.named_parameters() if n.split(".")[0] in ("wide", "user", "item", "hour", "device")]
    dense = [p for n, p in model.named_parameters() if n.split(".")[0] not in ("wide", "user", "item", "hour", "device")]
    optimizers = [torch.optim.Adagrad(sparse, lr=LR, initial_accumulator_value=0.1),
                  torch.optim.Adagrad(dense, lr=LR, initial_accumulator_value=0.1)]
    loss_fn = torch.nn.BCEWithLogitsLoss()
    n = len(train["y"])
    generator = torch.Generator().manual_seed(0)
    order = torch.randperm(n, generator=generator)
    position = 0
    train_start = time.perf_counter()
    for _ in range(steps):
        if position + BATCH > n:
            order = torch.randperm(n, generator=generator)
            position = 0
        idx = order[position:position + BATCH]
        position += BATCH
        batch = {k: v[idx] for k, v in train_t.items()}
        for o in optimizers:
            o.zero_grad()
        loss = loss_fn(model(batch), batch["y"])
        loss.backward()
        for o in optimizers:
            o.step()
    train_seconds = time.perf_counter() - train_start
    with torch.no_grad():
        p = torch.sigmoid(model(test_t)).numpy()
    torch.save({"model": model.state_dict(), "stats": stats}, os.path.join(directory, f"torch_model_{threads}.pt"))
    result = {"seconds": time.perf_counter() - start, "train_seconds": train_seconds, **metrics(p, test["y"])}
    print(json.dumps(result))


def torch_predict(directory, threads):
    import torch

    torch.set_num_threads(threads)
    saved = torch.load(os.path.join(directory, f"torch_model_{threads}.pt"))
    model = torch_model()
    model.load_state_dict(saved["model"])
    test, _ = read_inputs(os.path.join(directory, "test.csv"), saved["stats"])
    with torch.no_grad():
        p = torch.sigmoid(model(to_torch(test))).numpy()
    with open(os.path.join(directory, "torch_predictions.csv"), "w") as f:
        f.write("probability,class\n")
        f.write("".join(f"{v:.9g},{int(v >= 0.5)}\n" for v in p.tolist()))


# ---- the driver ----------------------------------------------------------------------------------------


def timed(command, cwd):
    start = time.perf_counter()
    out = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{out.stdout}\n{out.stderr}")
    return seconds, out.stdout


def lever_run(lever, directory, config, model_dir):
    subprocess.run(["rm", "-rf", model_dir], check=True)
    seconds, out = timed([lever, "train", "--config", config, "--job-dir", model_dir, "--no-progress-bar"], directory)
    final = [line for line in out.splitlines() if line.startswith("final:")][0].split()
    values = {final[k]: final[k + 1] for k in range(3, len(final) - 1, 2)}
    with open(os.path.join(model_dir, "result.json")) as f:
        result = json.load(f)
    return {"seconds": seconds, "train_seconds": result["train_seconds"], "auc": float(values["auc"]),
            "loss": float(values["loss"])}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lever", default="build/tools/lever/lever")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="40,000 rows and 800 steps (a smoke test)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, directory, threads = args.worker[0], args.worker[1], int(args.worker[2])
        if kind == "train":
            torch_train(directory, int(args.worker[3]), threads)
        else:
            torch_predict(directory, threads)
        return
    lever = os.path.abspath(args.lever)
    n_train, n_test, steps = (40000, 10000, 800) if args.quick else (200000, 50000, 6000)
    with tempfile.TemporaryDirectory(prefix="lever_wide_deep_") as directory:
        planted = make_data(directory, n_train, n_test)
        run_yaml = lever_config(directory, steps, defaults=False)
        defaults_yaml = lever_config(directory, steps, defaults=True)
        print(f"data: {n_train:,} training and {n_test:,} test rows; {steps:,} steps of batch {BATCH}; "
              f"best of {args.repeats} interleaved runs, whole processes from CSV")
        print(f"the planted model's test AUC {planted['auc']:.4f}, log loss {planted['loss']:.4f} (the best any model can "
              f"expect)\n")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        best = {}

        def keep(name, value):
            if name not in best or value["seconds"] < best[name]["seconds"]:
                best[name] = value

        for _ in range(args.repeats):
            keep("lever (AdaGrad on both parts)", lever_run(lever, directory, run_yaml, os.path.join(directory, "m")))
            keep("lever defaults (FTRL wide, AdaGrad deep)", lever_run(lever, directory, defaults_yaml,
                                                                       os.path.join(directory, "m_defaults")))
            for threads in (1, 2):
                seconds, out = timed([sys.executable, os.path.abspath(__file__), "--worker", "train", directory,
                                      str(threads), str(steps)], directory)
                value = json.loads(out.strip().splitlines()[-1])
                value["seconds"] = seconds
                keep(f"PyTorch {torch_version()} ({threads} thread{'s' if threads > 1 else ''})", value)
        print(f"{'training (whole process)':<44} {'wall s':>8} {'train s':>8} {'test AUC':>9} {'log loss':>9}")
        for name, v in best.items():
            print(f"{name:<44} {v['seconds']:>8.2f} {v['train_seconds']:>8.2f} {v['auc']:>9.4f} {v['loss']:>9.4f}")
        lever_same = best["lever (AdaGrad on both parts)"]
        torch_best = min((v for k, v in best.items() if k.startswith("PyTorch")), key=lambda v: v["seconds"])
        print(f"\nratio, the same model and optimizer: PyTorch wall / lever wall = "
              f"{torch_best['seconds'] / lever_same['seconds']:.2f}x, training loops "
              f"{torch_best['train_seconds'] / lever_same['train_seconds']:.2f}x; "
              f"AUC difference {lever_same['auc'] - torch_best['auc']:+.4f}")

        # Inference: a bundle applied to the test file vs the saved PyTorch model.
        bundle = os.path.join(directory, "bundle")
        timed([lever, "export", "--config", run_yaml, "--job-dir", os.path.join(directory, "m"), "-o", bundle,
               "--no-eval"], directory)
        unlabeled = os.path.join(directory, "unlabeled.csv")
        with open(os.path.join(directory, "test.csv")) as src, open(unlabeled, "w") as dst:
            for line in src:
                fields = line.rstrip("\n").split(",")
                dst.write(",".join(fields[:2] + fields[3:]) + "\n")
        predict = {"lever predict --model": [], "PyTorch predict (2 threads)": []}
        for _ in range(args.repeats):
            predict["lever predict --model"].append(
                timed([lever, "predict", "--model", bundle, "--input", unlabeled, "--output",
                       os.path.join(directory, "lever_predictions.csv")], directory)[0])
            predict["PyTorch predict (2 threads)"].append(
                timed([sys.executable, os.path.abspath(__file__), "--worker", "predict", directory, "2"], directory)[0])
        print(f"\n{'prediction of the test file (whole process)':<44} {'wall s':>8} {'rows/s':>10}")
        for name, values in predict.items():
            print(f"{name:<44} {min(values):>8.2f} {n_test / min(values):>10,.0f}")
        print(f"ratio: PyTorch / lever = {min(predict['PyTorch predict (2 threads)']) / min(predict['lever predict --model']):.2f}x")
        lever_p = np.loadtxt(os.path.join(directory, "lever_predictions.csv"), delimiter=",", skiprows=1)[:, 0]
        test_y = np.loadtxt(os.path.join(directory, "test.csv"), delimiter=",", skiprows=1, usecols=2)
        got = metrics(lever_p, test_y)
        print(f"the bundle's test AUC {got['auc']:.4f} (training's final evaluation: {lever_same['auc']:.4f})")
        if not math.isclose(got["auc"], lever_same["auc"], abs_tol=1e-3):
            sys.exit("FAIL: the bundle's predictions do not give training's AUC")


def torch_version():
    import torch

    return torch.__version__.split("+")[0]


if __name__ == "__main__":
    main()
