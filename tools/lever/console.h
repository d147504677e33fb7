#pragma once
// Console output for training: periodic progress lines (step, losses, accuracy, steps/s, ETA), and on a
// terminal a progress bar redrawn in place between them (step, loss, steps/s, ETA).
#include <chrono>
#include <cstdio>

#include "lever/train/callbacks.h"

namespace lever::cli {

class ConsoleProgress : public TrainingCallback {
 public:
  /// `bar`: draw the progress bar (the CLI passes whether `out` is a terminal).
  ConsoleProgress(bool classification, bool bar, std::FILE* out = stdout);
  void OnStepEnd(const StepInfo& info) override;
  bool OnEvaluation(const EvalInfo& info) override;
  void OnStatistics(const TrainingStatistics& stats) override;
  void OnTrainEnd(const TrainResult& result) override;

 private:
  using Clock = std::chrono::steady_clock;
  void ClearBar();

  bool classification_;
  bool bar_;
  std::FILE* out_;
  Clock::time_point start_ = Clock::now(), last_draw_ = Clock::now();
  bool bar_shown_ = false;
  double loss_average_ = 0.0;  // exponential moving average of the step losses
  int64_t steps_seen_ = 0;
};

/// Whether `file` is a terminal (progress bars only go to terminals; logs get plain lines).
bool IsTerminal(std::FILE* file);

}  // namespace lever::cli
