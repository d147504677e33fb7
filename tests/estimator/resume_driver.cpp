// Trains a DNN estimator with checkpoints in a model directory, stopping cleanly on SIGINT/SIGTERM, and
// writes the final global step and a hash of every variable's bytes to a file. The SIGKILL-and-resume
// test (resume_test.sh) kills it at random moments and compares the result with an uninterrupted run.
// With "early_stopping", it trains and evaluates (every 20 steps, on another sample) with an
// EarlyStoppingHook on the evaluation loss, and the file also holds the step of the best evaluation,
// whether the hook stopped training and the final evaluation's loss (of the restored best variables).
//
// RESUME_DRIVER_KILL_AT_STEP=N makes the driver kill itself with SIGKILL right after step N's update
// (before that step's evaluation and checkpoint): a crash at a point the test chooses, on any machine.
//
//   resume_driver <model_dir> <result_file> [max_steps] [early_stopping]
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "lever/estimator/canned.h"
#include "lever/train/stop_signal.h"

namespace {

// Three classes in 20 dimensions: class means on the first axes, unit noise.
lever::Dataset Classes(lever::Index n, uint64_t seed) {
  const lever::Index d = 20;
  lever::Dataset data;
  data.features.resize(n, d);
  data.labels.resize(n, 1);
  lever::Rng rng(seed);
  for (lever::Index i = 0; i < n; ++i) {
    const lever::Index c = i % 3;
    for (lever::Index j = 0; j < d; ++j) data.features(i, j) = static_cast<float>(rng.Normal() + (j == c ? 1.5 : 0.0));
    data.labels(i, 0) = static_cast<float>(c);
  }
  return data;
}

// Kills the process with SIGKILL after the update of the given step.
class KillAtStepHook : public lever::Hook {
 public:
  explicit KillAtStepHook(int64_t step) : step_(step) {}
  bool AfterStep(lever::Learner&, const lever::StepReport& report) override {
    if (report.step == step_) std::raise(SIGKILL);
    return false;
  }

 private:
  int64_t step_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: resume_driver <model_dir> <result_file> [max_steps] [early_stopping]\n");
    return 64;
  }
  const int64_t max_steps = argc > 3 ? std::atoll(argv[3]) : 5000;
  const bool early_stopping = argc > 4 && std::strcmp(argv[4], "early_stopping") == 0;
  const lever::Dataset data = Classes(3000, 5);
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
  if (const char* kill_at = std::getenv("RESUME_DRIVER_KILL_AT_STEP")) {
    spec.hooks.push_back(std::make_shared<KillAtStepHook>(std::atoll(kill_at)));
  }
  std::shared_ptr<lever::EarlyStoppingHook> early;
  lever::TrainOutcome out;
  double final_loss = 0.0;
  if (early_stopping) {
    // The evaluation loss is lowest at step 200 (then the network overfits), so training stops at step
    // 500 and puts back step 200's variables; a kill after step 200 loses the best unless it is checkpointed.
    early = std::make_shared<lever::EarlyStoppingHook>("loss", lever::EarlyStoppingHook::Goal::kMinimize, 300);
    spec.hooks.push_back(early);
    const lever::TrainAndEvaluateResult result =
        lever::TrainAndEvaluate(*estimator, data, Classes(600, 6), spec, lever::EvalSpec{.every_steps = 20});
    out = result.train;
    final_loss = result.final_evaluation().metrics.at("loss");
  } else {
    out = estimator->Train(data, spec);
  }
  for (const std::string& problem : out.checkpoint_problems)
    std::fprintf(stderr, "skipped checkpoint: %s\n", problem.c_str());
  if (out.resumed_from_step >= 0)
    std::printf("resumed from step %lld\n", static_cast<long long>(out.resumed_from_step));
  if (out.interrupted) {
    std::printf("interrupted at step %lld, checkpoint %s\n", static_cast<long long>(out.global_step),
                out.last_checkpoint.c_str());
    return 0;
  }
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a over every variable's bytes
  for (const lever::Parameter* p : estimator->Variables()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p->value.data());
    for (size_t i = 0; i < static_cast<size_t>(p->value.size()) * sizeof(float); ++i)
      hash = (hash ^ bytes[i]) * 1099511628211ULL;
  }
  std::ofstream result(argv[2]);
  result << "step " << out.global_step << " hash " << hash;
  if (early) {
    char loss[32];
    std::snprintf(loss, sizeof(loss), "%.17g", final_loss);
    result << " best_step " << early->best_step() << " stopped " << early->stopped() << " final_loss " << loss;
  }
  result << "\n";
  std::printf("done at step %lld\n", static_cast<long long>(out.global_step));
  return 0;
}
