#!/usr/bin/python3
"""lever vs PyTorch (CPU) on the same networks, data sizes, batch sizes and optimizers, side by side in
one run, with ratios.

  a: 2 -> 8 -> 8 -> 1, tanh, sigmoid cross entropy, SGD, batch 10       (target: >= 20x steps/s)
  b: 64 -> 128 -> 64 -> 10, ReLU, softmax cross entropy, Adam, batch 32  (target: >= 3x examples/s)
  c: 784 -> 256 -> 128 -> 10, ReLU, softmax cross entropy, Adam, batch 128 (target: >= 1x examples/s,
     and its GFLOP/s as a fraction of the SGEMM peak measured in the same run)

PyTorch runs with 2 threads, as it is (OpenBLAS picks its kernels), with OPENBLAS_NUM_THREADS=1 (so that
OpenBLAS's threads do not compete with PyTorch's own), and, on CPUs with AVX-512, with
OPENBLAS_CORETYPE=SkylakeX; the fastest PyTorch figure is the one compared against.

Usage (from the repository root, after building with -DLEVER_BUILD_BENCHMARKS=ON into build-bench):
  /usr/bin/python3 bench/peers/torch_mlp.py [--lever build-bench/bench/lever_train_bench] [--quick] [--repeats 3]
      [--lever-also LABEL=PATH ...]

--lever-also runs another build of lever_train_bench (say LEVER_ARCH=native against the default
x86-64-v3) interleaved with the others and prints its figure and its ratio to --lever's on each network.

Each side runs --repeats times, interleaved, and its best run counts (the least disturbed on a shared
machine).
Use Debian's /usr/bin/python3: it is the interpreter that sees python3-torch.
"""
import argparse
import json
import os
import subprocess
import sys
import time

NETWORKS = {
    "a": dict(layers=[2, 8, 8, 1], activation="tanh", loss="bce", optimizer="sgd", lr=0.03, batch=10),
    "b": dict(layers=[64, 128, 64, 10], activation="relu", loss="ce", optimizer="adam", lr=0.001, batch=32),
    "c": dict(layers=[784, 256, 128, 10], activation="relu", loss="ce", optimizer="adam", lr=0.001, batch=128),
}
TARGETS = {"a": ("steps_per_second", 20.0), "b": ("examples_per_second", 3.0), "c": ("examples_per_second", 1.0)}


def step_flops(net):
    layers, batch = net["layers"], net["batch"]
    total = 0.0
    for i in range(len(layers) - 1):
        mac = batch * layers[i] * layers[i + 1]
        total += 2 * mac * (2 if i == 0 else 3)  # no input gradient for the first layer
    return total


def torch_worker(name, steps, peak):
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    if peak:
        best = 0.0
        for size in (1024, 2048):
            a, b = torch.randn(size, size), torch.randn(size, size)
            a @ b
            for _ in range(5 if size == 1024 else 3):
                t0 = time.perf_counter()
                a @ b
                best = max(best, 2 * size**3 / (time.perf_counter() - t0) / 1e9)
        print(json.dumps({"sgemm_gflops": best}))
        return
    net = NETWORKS[name]
    layers = net["layers"]
    modules = []
    for i in range(len(layers) - 1):
        modules.append(torch.nn.Linear(layers[i], layers[i + 1]))
        if i < len(layers) - 2:
            modules.append(torch.nn.Tanh() if net["activation"] == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    rows, batch = 4096, net["batch"]
    x_all = torch.randn(rows, layers[0])
    if net["loss"] == "bce":
        y_all = torch.randint(0, 2, (rows, 1)).float()
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        y_all = torch.randint(0, layers[-1], (rows,))
        loss_fn = torch.nn.CrossEntropyLoss()
    if net["optimizer"] == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=net["lr"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=net["lr"])
    batches = rows // batch

    def run(n):
        loss = None
        for s in range(n):
            i = (s % batches) * batch
            x, y = x_all[i : i + batch], y_all[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return float(loss)

    run(max(10, steps // 20))  # warm-up
    t0 = time.perf_counter()
    final = run(steps)
    seconds = time.perf_counter() - t0
    sps = steps / seconds
    print(json.dumps({"network": name, "steps": steps, "seconds": seconds, "steps_per_second": sps,
                      "examples_per_second": sps * batch, "gflops": sps * step_flops(net) / 1e9,
                      "final_train_loss": final}))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_of(runs, metric):
    """The run with the highest `metric`: on a shared machine, the least disturbed one."""
    return max(runs, key=lambda r: r[metric])


def cpu_has_avx512():
    try:
        with open("/proc/cpuinfo") as f:
            return "avx512f" in f.read()
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lever", default="build-bench/bench/lever_train_bench")
    parser.add_argument("--quick", action="store_true", help="fewer steps and one repeat (a smoke run, noisier)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side, interleaved; the best counts")
    parser.add_argument("--lever-also", action="append", default=[], metavar="LABEL=PATH",
                        help="another lever_train_bench build to compare with --lever (repeatable)")
    parser.add_argument("--torch-worker", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--peak", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker or args.peak:
        torch_worker(args.torch_worker, args.steps, args.peak)
        return
    if not os.path.exists(args.lever):
        sys.exit(f"{args.lever} not found: build with cmake -S . -B build-bench -DLEVER_BUILD_BENCHMARKS=ON")

    scale = 0.2 if args.quick else 1.0
    repeats = 1 if args.quick else max(1, args.repeats)
    steps = {"a": (int(200000 * scale), int(20000 * scale)), "b": (int(20000 * scale), int(5000 * scale)),
             "c": (int(1000 * scale), int(600 * scale))}  # (lever, torch)
    # PyTorch as it is, and with OpenBLAS kept to one thread: its pthreads then do not fight PyTorch's
    # OpenMP threads for the two cores, which roughly doubles its speed on network c here.
    torch_envs = [("as is", dict(os.environ)), ("blas1", dict(os.environ, OPENBLAS_NUM_THREADS="1"))]
    if cpu_has_avx512():
        torch_envs.append(("SkylakeX", dict(os.environ, OPENBLAS_CORETYPE="SkylakeX")))
    me = [sys.executable, os.path.abspath(__file__)]

    print(f"machine: {os.cpu_count()} CPUs; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; "
          f"AVX-512: {'yes' if cpu_has_avx512() else 'no (SkylakeX kernels cannot run here)'}")
    lever_peak = run_json([args.lever, "--peak"])
    torch_peaks = {label: run_json(me + ["--peak"], env)["sgemm_gflops"] for label, env in torch_envs}
    peak = max([lever_peak["sgemm_gflops_1024"], lever_peak["sgemm_gflops_2048"]] + list(torch_peaks.values()))
    print(f"SGEMM peak (2 threads): lever {max(lever_peak['sgemm_gflops_1024'], lever_peak['sgemm_gflops_2048']):.1f} "
          f"GFLOP/s, " + ", ".join(f"PyTorch[{k}] {v:.1f}" for k, v in torch_peaks.items()) + f"; peak = {peak:.1f}")
    print()
    header = f"{'net':<4}{'metric':<20}{'lever':>12}" + "".join(f"{'torch ' + k:>16}" for k, _ in torch_envs)
    header += f"{'ratio':>9}{'target':>8}  status"
    print(header)
    failures = 0
    others = [item.split("=", 1) for item in args.lever_also]
    other_rows = []
    for name in "abc":
        lever_steps, torch_steps = steps[name]
        metric, target = TARGETS[name]
        lever_runs, torch_runs = [], {label: [] for label, _ in torch_envs}
        other_runs = {label: [] for label, _ in others}
        for _ in range(repeats):  # interleaved, so that a disturbance hits both sides alike
            lever_runs.append(run_json([args.lever, "--network", name, "--steps", str(lever_steps)]))
            for label, path in others:
                other_runs[label].append(run_json([path, "--network", name, "--steps", str(lever_steps)]))
            for label, env in torch_envs:
                torch_runs[label].append(run_json(me + ["--torch-worker", name, "--steps", str(torch_steps)], env))
        lv = best_of(lever_runs, metric)
        for label, runs in other_runs.items():
            ov = best_of(runs, metric)[metric]
            other_rows.append(f"{name:<4}{metric:<20} lever[{label}] {ov:,.0f} vs lever {lv[metric]:,.0f}: "
                              f"{ov / lv[metric]:.3f}x")
        tv = {label: best_of(runs, metric) for label, runs in torch_runs.items()}
        best_torch = max(v[metric] for v in tv.values())
        ratio = lv[metric] / best_torch
        ok = ratio >= target
        failures += 0 if ok else 1
        row = f"{name:<4}{metric:<20}{lv[metric]:>12,.0f}" + "".join(f"{tv[k][metric]:>16,.0f}" for k, _ in torch_envs)
        print(row + f"{ratio:>8.1f}x{target:>7.1f}x  {'ok' if ok else 'BELOW TARGET'}")
        if name == "c":
            best_torch_gflops = max(v["gflops"] for v in tv.values())
            print(f"    c: lever {lv['gflops']:.1f} GFLOP/s = {100 * lv['gflops'] / peak:.0f}% of the SGEMM peak; "
                  f"PyTorch {best_torch_gflops:.1f} GFLOP/s = {100 * best_torch_gflops / peak:.0f}%")
    if other_rows:
        print("\nother lever builds, interleaved with the runs above:")
        for row in other_rows:
            print("  " + row)
    # What sampling the training statistics costs (network a, the most overhead-sensitive).
    base_runs, sampled_runs = [], []
    for _ in range(repeats):
        base_runs.append(run_json([args.lever, "--network", "a", "--steps", str(steps["a"][0])]))
        sampled_runs.append(run_json([args.lever, "--network", "a", "--steps", str(steps["a"][0]), "--stats-every", "100"]))
    base, sampled = best_of(base_runs, "steps_per_second"), best_of(sampled_runs, "steps_per_second")
    cost = 100 * (base["steps_per_second"] / sampled["steps_per_second"] - 1)
    print(f"\nstatistics every 100 steps on network a: {sampled['steps_per_second']:,.0f} vs "
          f"{base['steps_per_second']:,.0f} steps/s without ({cost:+.1f}% time)")
    # What the training doctor costs (lever train --doctor: every step's loss kept, statistics sampled 20
    # times a run, the diagnosis at the end), on each network, interleaved.
    print("the training doctor (--doctor), the median of per-pair time ratios, runs interleaved:")
    for name in "abc":
        ratios = []
        for _ in range(max(9, repeats)):
            p = run_json([args.lever, "--network", name, "--steps", str(steps[name][0])])
            d = run_json([args.lever, "--network", name, "--steps", str(steps[name][0]), "--doctor"])
            ratios.append(p["steps_per_second"] / d["steps_per_second"])
        ratios.sort()
        q = len(ratios) // 4
        print(f"  network {name}: {100 * (ratios[len(ratios) // 2] - 1):+.2f}% time (quartiles "
              f"{100 * (ratios[q] - 1):+.2f}% .. {100 * (ratios[-1 - q] - 1):+.2f}%; bar 1%)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
