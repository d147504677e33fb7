#include "lever/train/hooks.h"

#include <cmath>

#include "lever/error.h"
#include "lever/registry.h"

namespace lever {

std::vector<Tensor> Learner::SnapshotVariables() const {
  std::vector<Tensor> values;
  for (const Parameter* p : Variables()) values.push_back(p->value);
  return values;
}

void Learner::RestoreVariables(const std::vector<Tensor>& values) {
  const ParameterList variables = Variables();
  if (values.size() != variables.size()) {
    throw ConfigError("a snapshot of " + std::to_string(values.size()) + " variables cannot restore " +
                      std::to_string(variables.size()));
  }
  for (size_t i = 0; i < variables.size(); ++i) variables[i]->value = values[i];
}

bool NanGuardHook::AfterStep(Learner& /*learner*/, const StepReport& report) {
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

bool LoggingHook::AfterStep(Learner& /*learner*/, const StepReport& report) {
  if (on_step_ && (report.step % every_steps_ == 0 || report.step == report.max_steps)) on_step_(report);
  return false;
}

bool LoggingHook::AfterEvaluation(Learner& /*learner*/, const EvalReport& report) {
  if (on_eval_) on_eval_(report);
  return false;
}

EarlyStoppingHook::EarlyStoppingHook(std::string metric, Goal goal, int64_t patience_steps, double min_delta,
                                     bool restore_best)
    : metric_(std::move(metric)),
      goal_(goal),
      patience_(patience_steps),
      min_delta_(min_delta),
      restore_best_(restore_best) {
  if (patience_steps < 0) throw ConfigError("early stopping: patience must be >= 0 steps");
  if (!(min_delta >= 0.0)) throw ConfigError("early stopping: min_delta must be >= 0");
}

bool EarlyStoppingHook::AfterEvaluation(Learner& learner, const EvalReport& report) {
  if (!evaluation_.empty() && report.name != evaluation_) return false;
  const auto it = report.metrics.find(metric_);
  if (it == report.metrics.end()) {
    const std::string names = JoinNames(report.metrics, [](const auto& metric) { return metric.first; });
    throw ConfigError("early stopping watches '" + metric_ + "', which the evaluation does not report; it reports " +
                      names);
  }
  const double v = it->second;
  const bool improved =
      std::isfinite(v) &&
      (best_step_ < 0 || (goal_ == Goal::kMinimize ? v < best_ - min_delta_ : v > best_ + min_delta_));
  if (improved) {
    best_ = v;
    best_step_ = report.step;
    if (restore_best_) best_values_ = learner.SnapshotVariables();
    return false;
  }
  if (best_step_ >= 0 && report.step - best_step_ >= patience_) stopped_ = true;
  return stopped_;
}

void EarlyStoppingHook::End(Learner& learner) {
  if (!restore_best_ || !(stopped_ || restore_at_end_) || best_values_.empty() || best_step_ == learner.global_step()) {
    return;
  }
  // A finished run resumed holds the best variables already (its last checkpoint was saved after this End).
  const ParameterList variables = learner.Variables();
  bool same = variables.size() == best_values_.size();
  for (size_t i = 0; same && i < variables.size(); ++i) {
    const Tensor& now = variables[i]->value;
    same = now.rows() == best_values_[i].rows() && now.cols() == best_values_[i].cols() && now == best_values_[i];
  }
  if (!same) learner.RestoreVariables(best_values_);
}

void EarlyStoppingHook::SaveState(const Learner& learner, StateWriter& out) const {
  const std::string prefix = state_prefix();
  out.WriteScalar(prefix + "best_value", best_);
  out.WriteScalar(prefix + "best_step", static_cast<double>(best_step_));
  out.WriteScalar(prefix + "stopped", stopped_ ? 1.0 : 0.0);
  if (best_values_.empty()) return;
  const ParameterList variables = learner.Variables();
  if (variables.size() != best_values_.size()) {
    throw Error("early stopping: the best snapshot holds " + std::to_string(best_values_.size()) +
                " variables but the model has " + std::to_string(variables.size()));
  }
  for (size_t i = 0; i < variables.size(); ++i) out.WriteTensor(prefix + "best/" + variables[i]->name, best_values_[i]);
}

void EarlyStoppingHook::LoadState(Learner& learner, const StateReader& in) {
  const std::string prefix = state_prefix();
  if (!in.Has(prefix + "best_step")) return;
  best_ = in.ReadScalar(prefix + "best_value");
  best_step_ = static_cast<int64_t>(in.ReadScalar(prefix + "best_step"));
  stopped_ = in.ReadScalar(prefix + "stopped") != 0.0;
  best_values_.clear();
  const ParameterList variables = learner.Variables();
  // A run saved with restore_best off has no best variables; there is then nothing to put back.
  if (!restore_best_ || best_step_ < 0 || variables.empty()) return;
  if (!in.Has(prefix + "best/" + variables.front()->name)) return;
  auto shape = [](const Tensor& t) { return "[" + std::to_string(t.rows()) + ", " + std::to_string(t.cols()) + "]"; };
  for (const Parameter* v : variables) {
    const std::string key = prefix + "best/" + v->name;
    const Tensor& value = in.ReadTensor(key);
    if (value.rows() != v->value.rows() || value.cols() != v->value.cols()) {
      throw IoError("early stopping's best value of '" + v->name + "' ('" + key + "') is " + shape(value) +
                    " but the variable is " + shape(v->value) + "; was the checkpoint saved with another model?");
    }
    best_values_.push_back(value);
  }
}

}  // namespace lever
