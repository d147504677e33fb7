// Trains a DNN estimator with checkpoints in a model directory, stopping cleanly on SIGINT/SIGTERM, and
// writes the final global step and a hash of every variable's bytes to a file. The SIGKILL-and-resume
// test (resume_test.sh) kills it at random moments and compares the result with an uninterrupted run.
//
//   resume_driver <model_dir> <result_file> [max_steps]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "lever/estimator/canned.h"
#include "lever/train/stop_signal.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: resume_driver <model_dir> <result_file> [max_steps]\n");
    return 64;
  }
  const int64_t max_steps = argc > 3 ? std::atoll(argv[3]) : 5000;
  // Three classes in 20 dimensions: class means on the first axes, unit noise.
  lever::Dataset data;
  const lever::Index n = 3000, d = 20;
  data.features.resize(n, d);
  data.labels.resize(n, 1);
  lever::Rng rng(5);
  for (lever::Index i = 0; i < n; ++i) {
    const lever::Index c = i % 3;
    for (lever::Index j = 0; j < d; ++j) data.features(i, j) = static_cast<float>(rng.Normal() + (j == c ? 1.5 : 0.0));
    data.labels(i, 0) = static_cast<float>(c);
  }
  lever::DnnOptions options;
  options.hidden_units = {128, 128};
  options.dropout = 0.1;
  options.optimizer = {.name = "adam", .learning_rate = 0.001};
  lever::RunConfig config;
  config.model_dir = argv[1];
  config.seed = 9;
  config.save_checkpoints_steps = 40;
  config.keep_checkpoint_max = 3;
  config.log_step_count_steps = 50;
  auto estimator = lever::MakeDnnEstimator(lever::MakeMultiClassHead(3), options, config);
  lever::StopSignalHandler stop;
  lever::TrainSpec spec;
  spec.max_steps = max_steps;
  spec.batch_size = 64;
  spec.stop_requested = [&stop] { return stop.requested(); };
  const lever::TrainOutcome out = estimator->Train(data, spec);
  for (const std::string& problem : out.checkpoint_problems) std::fprintf(stderr, "skipped checkpoint: %s\n", problem.c_str());
  if (out.resumed_from_step >= 0) std::printf("resumed from step %lld\n", static_cast<long long>(out.resumed_from_step));
  if (out.interrupted) {
    std::printf("interrupted at step %lld, checkpoint %s\n", static_cast<long long>(out.global_step), out.last_checkpoint.c_str());
    return 0;
  }
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a over every variable's bytes
  for (const lever::Parameter* p : estimator->Variables()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p->value.data());
    for (size_t i = 0; i < static_cast<size_t>(p->value.size()) * sizeof(float); ++i) hash = (hash ^ bytes[i]) * 1099511628211ULL;
  }
  std::ofstream(argv[2]) << "step " << out.global_step << " hash " << hash << "\n";
  std::printf("done at step %lld\n", static_cast<long long>(out.global_step));
  return 0;
}
