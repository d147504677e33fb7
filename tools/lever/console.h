#pragma once
// Console output for training: periodic progress lines (step, losses, accuracy, steps/s, ETA), and on a
// terminal a progress bar redrawn in place between them (step, loss, steps/s, ETA).
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "lever/train/hook.h"

namespace lever::cli {

/// A progress bar redrawn in place on a terminal:
///   [#########...............] step 1200/3000  loss 0.1234  412 steps/s  ETA 4.4s
/// with the loss smoothed over recent steps. Redraws at most every 100 ms (and at the last step).
class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out = stdout) : out_(out) {}
  /// After a step: `step` of `max_steps`, `first_step` the step this run started from (for the rate).
  void Update(int64_t step, int64_t max_steps, double loss, int64_t first_step = 0);
  /// Erases the bar, so a line can be printed in its place.
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  std::FILE* out_;
  Clock::time_point start_ = Clock::now(), last_draw_ = Clock::now();
  bool shown_ = false;
  double loss_average_ = 0.0;  // exponential moving average of the step losses
  int64_t steps_seen_ = 0;
};

/// The Trainer's progress: a line per evaluation ("evaluation" reports; the holdout's checks are not
/// printed), the sampled statistics, and the progress bar between them.
class ConsoleProgress : public Hook {
 public:
  /// `bar`: draw the progress bar (the CLI passes whether `out` is a terminal).
  ConsoleProgress(bool classification, bool bar, std::FILE* out = stdout);
  bool AfterStep(Learner& learner, const StepReport& report) override;
  bool AfterEvaluation(Learner& learner, const EvalReport& report) override;
  void AfterStatistics(Learner& learner, const TrainingStatistics& stats) override;
  void End(Learner& learner) override;
  /// Whether sampled statistics are printed (default yes; no when only the doctor samples them).
  void ShowStatistics(bool show) { show_statistics_ = show; }

 private:
  bool show_statistics_ = true;
  bool classification_;
  bool bar_;
  std::FILE* out_;
  ProgressBar progress_bar_;
};

/// An evaluation's metrics as "  accuracy 0.9778  loss 0.1048" (4 decimals; global_step left out).
std::string MetricsText(const std::map<std::string, double>& metrics);

/// Flushes `out` (stdout, stderr); throws std::system_error with errno when the stream cannot be written.
void Flush(std::FILE* out);

/// Writes `text` to stdout; throws std::system_error with errno when it cannot (main() reports it and
/// exits 1, as it does for fmt::print's failures and for an unflushed stdout that fails at exit).
void WriteToStdout(std::string_view text);

/// Whether `file` is a terminal (progress bars only go to terminals; logs get plain lines).
bool IsTerminal(std::FILE* file);

}  // namespace lever::cli
