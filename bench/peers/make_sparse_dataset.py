#!/usr/bin/python3
"""Writes a large sparse binary classification problem in LIBSVM format, drawn from a planted sparse
logistic model, for the peer comparisons of sparse linear learners (bench/peers/sparse_linear.py).

The rows look like click data: every row has one active feature in each of --nnz fields (one-hot, value
1), the fields split the 2^--features-log2 ids into equal blocks, and within a field the values follow a
Zipf-like popularity (p(rank) ~ 1 / rank^--zipf) with ranks scattered over the block by a random
permutation, so a few values are common and most are rare. A planted weight vector gives a weight drawn
from a normal distribution to --weighted-fraction of the features, and each label is
Bernoulli(sigmoid(w . x + b)).

The weight scale and the bias are calibrated (on a separate sample, using expected values, not labels)
so that the planted model itself has an expected AUC of --target-auc and an expected log loss of
--target-log-loss: a realistic problem whose Bayes rate is far from perfect, learnable where features are
frequent and hard in the long tail. The planted model's measured test log loss and AUC (against the drawn
labels; AUC computed exactly from ranks, ties sharing their mean rank) go to dataset.json beside the
data.

Labels are written as 1 and 0; indices are 1-based; lines look like "1 17:1 40961:1 ...".

Usage:
  /usr/bin/python3 bench/peers/make_sparse_dataset.py [--out-dir /tmp/lever_sparse] [--train-rows 1000000]
      [--test-rows 200000] [--features-log2 20] [--nnz 30] [--seed 1]

Writes <out-dir>/train.svm, <out-dir>/test.svm and <out-dir>/dataset.json. Same arguments, same bytes.
Keep the output out of the repository (the default is under /tmp).
"""
import argparse
import json
import os
import sys
import time

import numpy as np

BATCH_ROWS = 100_000  # rows formatted at once: ~30 MB of text per batch at the defaults


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def zipf_cdf(size, exponent):
    weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** exponent
    cdf = np.cumsum(weights)
    return cdf / cdf[-1]


class Model:
    """The planted model and the feature distribution it lives on."""

    def __init__(self, args):
        self.fields = args.nnz
        self.features = 1 << args.features_log2
        self.field_size = self.features // self.fields
        if self.field_size < 2:
            sys.exit(f"--nnz {args.nnz} fields do not fit into 2^{args.features_log2} features")
        rng = np.random.default_rng([args.seed, 0])
        self.cdf = zipf_cdf(self.field_size, args.zipf)
        # Feature id of rank r in field f: f * field_size + permutation[f, r].
        self.rank_to_id = np.empty((self.fields, self.field_size), dtype=np.int64)
        for f in range(self.fields):
            self.rank_to_id[f] = f * self.field_size + rng.permutation(self.field_size)
        weighted = rng.random(self.features) < args.weighted_fraction
        self.raw_weights = np.where(weighted, rng.standard_normal(self.features), 0.0)
        self.scale, self.bias = 1.0, 0.0

    def draw_ids(self, rng, rows):
        """(rows, fields) feature ids, increasing along each row (fields are ordered blocks)."""
        ranks = np.searchsorted(self.cdf, rng.random((rows, self.fields)), side="right")
        np.minimum(ranks, self.field_size - 1, out=ranks)
        return self.rank_to_id[np.arange(self.fields), ranks]

    def raw_scores(self, ids):
        return self.raw_weights[ids].sum(axis=1)

    def weights(self):
        return self.scale * self.raw_weights


def expected_log_loss(scores, bias, scale):
    """Expected log loss of the planted model over label draws: the mean entropy of its predictions."""
    p = np.clip(sigmoid(scale * scores + bias), 1e-15, 1 - 1e-15)
    return float(-(p * np.log(p) + (1 - p) * np.log1p(-p)).mean())


def expected_metrics(sorted_scores, bias, scale):
    """Expected log loss and AUC of the planted model over label draws (scores sorted increasingly)."""
    return expected_log_loss(sorted_scores, bias, scale), expected_auc(sorted_scores, sigmoid(scale * sorted_scores + bias))


def expected_auc(sorted_scores, sorted_p):
    """P(score of a positive > score of a negative) + P(tie) / 2, expected over labels, for distinct rows."""
    q = 1 - sorted_p
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    pos = np.add.reduceat(sorted_p, starts)
    neg = np.add.reduceat(q, starts)
    self_pairs = np.add.reduceat(sorted_p * q, starts)
    neg_before = np.cumsum(neg) - neg
    pairs = (pos * neg_before).sum() + 0.5 * (pos * neg - self_pairs).sum()
    return pairs / (pos.sum() * neg.sum() - self_pairs.sum())


def auc(labels, scores):
    """Exact ROC AUC from ranks (the Mann-Whitney statistic); tied scores share their mean rank."""
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    ends = np.r_[starts[1:], len(scores)]
    mean_rank = (starts + ends + 1) / 2.0  # 1-based ranks starts+1 .. ends
    ranks = np.empty(len(scores))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    positives = labels.astype(bool)
    n_pos = positives.sum()
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def log_loss(labels, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(np.where(labels == 1, np.log(p), np.log1p(-p))))


def calibrate(model, args):
    """Scale and bias with the target expected AUC and log loss, on a sample of rows."""
    rng = np.random.default_rng([args.seed, 1])
    scores = np.sort(model.raw_scores(model.draw_ids(rng, args.calibration_rows)))

    def bias_for(scale):
        # Log loss is highest near balanced classes; move the bias to the negative side (rarer positives,
        # as in click data) until the expected log loss reaches the target, if it can.
        lo, hi = -20.0, 20.0
        for _ in range(40):  # the bias that balances the classes
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if sigmoid(scale * scores + mid).mean() < 0.5 else (lo, mid)
        balanced = (lo + hi) / 2
        if expected_log_loss(scores, balanced, scale) <= args.target_log_loss:
            return balanced
        lo, hi = balanced - 20.0, balanced
        for _ in range(40):
            mid = (lo + hi) / 2
            if expected_log_loss(scores, mid, scale) > args.target_log_loss:
                hi = mid
            else:
                lo = mid
        return (lo + hi) / 2

    lo, hi = 0.0, 20.0
    for _ in range(25):
        mid = (lo + hi) / 2
        if expected_metrics(scores, bias_for(mid), mid)[1] < args.target_auc:
            lo = mid
        else:
            hi = mid
    model.scale = (lo + hi) / 2
    model.bias = bias_for(model.scale)
    return expected_metrics(scores, model.bias, model.scale)


def format_rows(labels, ids):
    """LIBSVM text for rows of one-hot ids, built as one byte array: "<label> <id+1>:1 ...\\n"."""
    rows, fields = ids.shape
    index = (ids + 1).ravel()
    digits = np.ones(index.shape, dtype=np.int64)
    for power in range(1, len(str(int(index.max())))):
        digits += index >= 10**power
    token_length = digits + 3  # " " + digits + ":1"
    row_length = 2 + token_length.reshape(rows, fields).sum(axis=1)  # label + tokens + "\n"
    row_start = np.r_[0, np.cumsum(row_length)[:-1]]
    token_start = (row_start[:, None] + 1 + np.c_[np.zeros((rows, 1), np.int64),
                                                   np.cumsum(token_length.reshape(rows, fields), axis=1)[:, :-1]]).ravel()
    out = np.empty(int(row_length.sum()), dtype=np.uint8)
    out[row_start] = np.where(labels == 1, ord("1"), ord("0"))
    out[row_start + row_length - 1] = ord("\n")
    out[token_start] = ord(" ")
    last_digit = token_start + digits  # position of the last digit
    remaining = index.copy()
    for power in range(int(digits.max())):
        if power < digits.min():
            out[last_digit - power] = ord("0") + remaining % 10
        else:
            present = digits > power
            out[(last_digit - power)[present]] = ord("0") + remaining[present] % 10
        remaining //= 10
    out[last_digit + 1] = ord(":")
    out[last_digit + 2] = ord("1")
    return out.tobytes()


def write_split(path, model, rng, rows):
    """Draws `rows` examples, writes them, and returns (labels, planted probabilities)."""
    all_labels, all_p = [], []
    with open(path + ".tmp", "wb") as out:
        for start in range(0, rows, BATCH_ROWS):
            n = min(BATCH_ROWS, rows - start)
            ids = model.draw_ids(rng, n)
            p = sigmoid(model.scale * model.raw_scores(ids) + model.bias)
            labels = (rng.random(n) < p).astype(np.int8)
            out.write(format_rows(labels, ids))
            all_labels.append(labels)
            all_p.append(p)
    os.replace(path + ".tmp", path)
    return np.concatenate(all_labels), np.concatenate(all_p)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default="/tmp/lever_sparse")
    parser.add_argument("--train-rows", type=int, default=1_000_000)
    parser.add_argument("--test-rows", type=int, default=200_000)
    parser.add_argument("--features-log2", type=int, default=20)
    parser.add_argument("--nnz", type=int, default=30, help="nonzeros per row (one per field)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zipf", type=float, default=1.0, help="popularity exponent within a field")
    parser.add_argument("--weighted-fraction", type=float, default=0.05,
                        help="fraction of the features with a nonzero planted weight")
    parser.add_argument("--target-auc", type=float, default=0.812)
    parser.add_argument("--target-log-loss", type=float, default=0.512)
    parser.add_argument("--calibration-rows", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    os.makedirs(args.out_dir, exist_ok=True)
    model = Model(args)
    expected_loss, expected_auc_value = calibrate(model, args)
    train_labels, _ = write_split(os.path.join(args.out_dir, "train.svm"), model,
                                  np.random.default_rng([args.seed, 2]), args.train_rows)
    test_labels, test_p = write_split(os.path.join(args.out_dir, "test.svm"), model,
                                      np.random.default_rng([args.seed, 3]), args.test_rows)
    summary = {
        "train": os.path.join(args.out_dir, "train.svm"),
        "test": os.path.join(args.out_dir, "test.svm"),
        "train_rows": args.train_rows,
        "test_rows": args.test_rows,
        "features": model.features,
        "nnz_per_row": args.nnz,
        "seed": args.seed,
        "zipf": args.zipf,
        "weighted_fraction": args.weighted_fraction,
        "labels": "1 and 0",
        "planted_nonzero_weights": int(np.count_nonzero(model.raw_weights)),
        "planted_weight_scale": model.scale,
        "planted_bias": model.bias,
        "planted_expected_log_loss": float(expected_loss),
        "planted_expected_auc": float(expected_auc_value),
        "planted_test_log_loss": log_loss(test_labels, test_p),
        "planted_test_auc": auc(test_labels, test_p),
        "train_positive_rate": float(train_labels.mean()),
        "test_positive_rate": float(test_labels.mean()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    with open(os.path.join(args.out_dir, "dataset.json"), "w") as out:
        json.dump(summary, out, indent=2)
        out.write("\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
