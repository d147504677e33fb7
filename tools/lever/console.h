#pragma once
// Console output for training: periodic progress lines (step, losses, accuracy, steps/s, ETA).
#include <cstdio>

#include "lever/train/callbacks.h"

namespace lever::cli {

class ConsoleProgress : public TrainingCallback {
 public:
  explicit ConsoleProgress(bool classification, std::FILE* out = stdout) : classification_(classification), out_(out) {}
  bool OnEvaluation(const EvalInfo& info) override;
  void OnStatistics(const TrainingStatistics& stats) override;

 private:
  bool classification_;
  std::FILE* out_;
};

}  // namespace lever::cli
