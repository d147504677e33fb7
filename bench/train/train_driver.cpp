// The lever side of bench/peers/torch_mlp.py: trains one of the benchmark networks for a number of
// steps on random data and prints one JSON line with its throughput. `--peak` instead measures Gemm's
// GFLOP/s on square products (the machine's SGEMM peak as lever reaches it).
//
//   a: 2 -> 8 -> 8 -> 1, tanh, sigmoid cross entropy, SGD, batch 10
//   b: 64 -> 128 -> 64 -> 10, ReLU, sparse softmax cross entropy, Adam, batch 32
//   c: 784 -> 256 -> 128 -> 10, ReLU, sparse softmax cross entropy, Adam, batch 128
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "lever/doctor/doctor.h"
#include "lever/nn/mlp.h"
#include "lever/tensor/gemm.h"
#include "lever/tensor/rng.h"
#include "lever/train/trainer.h"

namespace {

using lever::Index;

struct Network {
  std::vector<Index> layers;  // inputs, hidden..., outputs
  const char* activation;
  const char* loss;
  const char* optimizer;
  double learning_rate;
  Index batch;
};

Network Lookup(const std::string& name) {
  if (name == "a") return {{2, 8, 8, 1}, "tanh", "sigmoid_cross_entropy", "sgd", 0.03, 10};
  if (name == "b") return {{64, 128, 64, 10}, "relu", "sparse_softmax_cross_entropy", "adam", 0.001, 32};
  if (name == "c") return {{784, 256, 128, 10}, "relu", "sparse_softmax_cross_entropy", "adam", 0.001, 128};
  std::fprintf(stderr, "unknown network '%s' (a, b or c)\n", name.c_str());
  std::exit(2);
}

// Floating-point operations of one training step: forward 2*B*in*out per layer, backward twice that,
// except the input gradient of the first layer, which nothing needs.
double StepFlops(const Network& n) {
  double flops = 0;
  for (size_t i = 0; i + 1 < n.layers.size(); ++i) {
    const double mac = static_cast<double>(n.batch * n.layers[i] * n.layers[i + 1]);
    flops += 2 * mac * (i == 0 ? 2 : 3);
  }
  return flops;
}

double Peak(Index size, int repeats) {
  lever::Rng rng(1);
  lever::Tensor a(size, size), b(size, size), c(size, size);
  for (Index i = 0; i < a.size(); ++i) {
    a.data()[i] = static_cast<float>(rng.Uniform(-1, 1));
    b.data()[i] = static_cast<float>(rng.Uniform(-1, 1));
  }
  lever::Gemm<float>(a, false, b, false, c, false);  // warm up
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    lever::Gemm<float>(a, false, b, false, c, false);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 2.0 * static_cast<double>(size * size * size) / s / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::string network = "a";
  long steps = 20000, stats_every = 0;
  int threads = 0;
  bool peak = false, doctor = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--network")
      network = value();
    else if (arg == "--steps")
      steps = std::stol(value());
    else if (arg == "--stats-every")
      stats_every = std::stol(value());
    else if (arg == "--threads")
      threads = std::stoi(value());
    else if (arg == "--peak")
      peak = true;
    else if (arg == "--doctor")
      doctor = true;
    else {
      std::fprintf(stderr,
                   "usage: lever_train_bench [--network a|b|c] [--steps N] [--stats-every N] [--doctor] [--threads T] "
                   "[--peak]\n");
      return 2;
    }
  }
  if (threads > 0) lever::SetGemmThreads(threads);
  if (peak) {
    std::printf("{\"sgemm_gflops_1024\": %.1f, \"sgemm_gflops_2048\": %.1f, \"threads\": %d}\n", Peak(1024, 10),
                Peak(2048, 5), lever::GemmThreads());
    return 0;
  }
  const Network n = Lookup(network);
  const Index rows = 4096;
  lever::Rng rng(7);
  lever::Dataset data;
  data.features.resize(rows, n.layers.front());
  data.labels.resize(rows, 1);
  for (Index i = 0; i < data.features.size(); ++i) data.features.data()[i] = static_cast<float>(rng.Normal());
  const Index classes = n.layers.back() == 1 ? 2 : n.layers.back();
  for (Index i = 0; i < rows; ++i)
    data.labels(i, 0) = static_cast<float>(rng.UniformInt(static_cast<uint64_t>(classes)));

  lever::MlpSpec spec;
  spec.hidden.assign(n.layers.begin() + 1, n.layers.end() - 1);
  spec.activation = n.activation;
  spec.outputs = n.layers.back();
  lever::Sequential model = lever::MakeMlp(spec);
  model.Build(n.layers.front(), 1);
  lever::TrainConfig config;
  config.loss = n.loss;
  config.batch_size = n.batch;
  config.max_steps = steps;
  config.eval_every = 0;
  config.evaluate_train = false;
  // The doctor samples the statistics 10 times a run (lever train --doctor) and reads every step's loss.
  if (doctor && stats_every == 0) stats_every = lever::Doctor::StatisticsEvery(steps);
  config.statistics_every = stats_every;
  config.optimizer.name = n.optimizer;
  config.optimizer.learning_rate = n.learning_rate;
  lever::Trainer trainer(model, config);
  // A callback that reads the statistics, as the doctor will: their cost is part of the figure.
  struct Sink : lever::Hook {
    void AfterStatistics(lever::Learner& /*learner*/, const lever::TrainingStatistics& s) override {
      count += s.parameters.size();
    }
    size_t count = 0;
  } sink;
  trainer.AddHook(&sink);
  lever::DoctorFacts facts;
  facts.max_steps = steps;
  lever::Doctor watcher(facts);
  if (doctor) trainer.AddHook(&watcher);
  lever::TrainResult r = trainer.Train(data);
  size_t findings = 0;
  if (doctor) {
    // The diagnosis at the end is part of the doctor's cost.
    const auto start = std::chrono::steady_clock::now();
    findings = watcher.Diagnose().size();
    r.training_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double sps = static_cast<double>(r.steps) / r.training_seconds;
  std::printf(
      "{\"network\": \"%s\", \"steps\": %ld, \"batch\": %ld, \"seconds\": %.4f, \"steps_per_second\": %.1f, "
      "\"examples_per_second\": %.1f, \"gflops\": %.2f, \"final_train_loss\": %.5f, \"stats_every\": %ld, "
      "\"threads\": %d, \"doctor\": %s, \"findings\": %zu}\n",
      network.c_str(), static_cast<long>(r.steps), static_cast<long>(n.batch), r.training_seconds, sps,
      sps * static_cast<double>(n.batch), sps * StepFlops(n) / 1e9, r.train.loss, stats_every, lever::GemmThreads(),
      doctor ? "true" : "false", findings);
  return 0;
}
