#include "lever/estimator/hooks.h"

#include <cmath>

#include "lever/error.h"
#include "lever/estimator/estimator.h"

namespace lever {

bool NanGuardHook::AfterStep(Estimator& /*estimator*/, const StepReport& report) {
  if (!std::isfinite(report.loss)) {
    throw DivergenceError("the training loss became " + std::string(std::isnan(report.loss) ? "NaN" : "infinite") +
                              " at step " + std::to_string(report.step) +
                              ": lower the learning rate, clip gradients (clip_norm) or check the inputs for "
                              "extreme values",
                          static_cast<long>(report.step));
  }
  return false;
}

LoggingHook::LoggingHook(int64_t every_steps, std::function<void(const StepReport&)> on_step,
                         std::function<void(const EvalReport&)> on_eval)
    : every_steps_(every_steps), on_step_(std::move(on_step)), on_eval_(std::move(on_eval)) {
  if (every_steps <= 0) throw ConfigError("a logging hook needs a positive number of steps between lines");
}

bool LoggingHook::AfterStep(Estimator& /*estimator*/, const StepReport& report) {
  if (on_step_ && (report.step % every_steps_ == 0 || report.step == report.max_steps)) on_step_(report);
  return false;
}

bool LoggingHook::AfterEvaluation(Estimator& /*estimator*/, const EvalReport& report) {
  if (on_eval_) on_eval_(report);
  return false;
}

EarlyStoppingHook::EarlyStoppingHook(std::string metric, Goal goal, int64_t patience_steps, double min_delta,
                                     bool restore_best)
    : metric_(std::move(metric)), goal_(goal), patience_(patience_steps), min_delta_(min_delta),
      restore_best_(restore_best) {
  if (patience_steps < 0) throw ConfigError("early stopping: patience must be >= 0 steps");
  if (!(min_delta >= 0.0)) throw ConfigError("early stopping: min_delta must be >= 0");
}

bool EarlyStoppingHook::AfterEvaluation(Estimator& estimator, const EvalReport& report) {
  const auto it = report.metrics.find(metric_);
  if (it == report.metrics.end()) {
    std::string names;
    for (const auto& [name, value] : report.metrics) names += (names.empty() ? "" : ", ") + name;
    throw ConfigError("early stopping watches '" + metric_ + "', which the evaluation does not report; it reports " +
                      names);
  }
  const double v = it->second;
  const bool improved =
      std::isfinite(v) && (best_step_ < 0 || (goal_ == Goal::kMinimize ? v < best_ - min_delta_ : v > best_ + min_delta_));
  if (improved) {
    best_ = v;
    best_step_ = report.step;
    if (restore_best_) best_values_ = estimator.SnapshotVariables();
    return false;
  }
  if (best_step_ >= 0 && report.step - best_step_ >= patience_) stopped_ = true;
  return stopped_;
}

void EarlyStoppingHook::End(Estimator& estimator) {
  if (restore_best_ && stopped_ && !best_values_.empty()) estimator.RestoreVariables(best_values_);
}

}  // namespace lever
