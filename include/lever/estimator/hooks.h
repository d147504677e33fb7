#pragma once
// Hooks run inside an estimator's training loop: after every step and after every evaluation of
// train_and_evaluate. They can stop training; the library never prints, so logging is a callback.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

class Estimator;

struct StepReport {
  int64_t step = 0;       // global step after this step
  int64_t max_steps = 0;
  double loss = 0.0;      // this batch's mean data loss
  double seconds = 0.0;   // since this Train() call began
};

struct EvalReport {
  int64_t step = 0;
  std::string name;  // EvalSpec::name
  std::map<std::string, double> metrics;
};

class Hook {
 public:
  virtual ~Hook() = default;
  virtual void Begin(Estimator& /*estimator*/) {}
  /// Return true to stop training after this step.
  virtual bool AfterStep(Estimator& /*estimator*/, const StepReport& /*report*/) { return false; }
  /// Return true to stop training after this evaluation.
  virtual bool AfterEvaluation(Estimator& /*estimator*/, const EvalReport& /*report*/) { return false; }
  virtual void End(Estimator& /*estimator*/) {}
};

/// Sees every evaluation of train_and_evaluate after the hooks have (EvalSpec::exporters); `is_final`
/// marks the evaluation after training ended (max_steps reached or a hook stopped it; not a stop request).
class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual void Export(Estimator& estimator, const EvalReport& report, bool is_final) = 0;
};

/// Throws DivergenceError (naming the step and what to turn) when the training loss is NaN or infinite.
class NanGuardHook : public Hook {
 public:
  bool AfterStep(Estimator& estimator, const StepReport& report) override;
};

/// Calls `log` every `every_steps` steps and after every evaluation.
class LoggingHook : public Hook {
 public:
  LoggingHook(int64_t every_steps, std::function<void(const StepReport&)> on_step,
              std::function<void(const EvalReport&)> on_eval = {});
  bool AfterStep(Estimator& estimator, const StepReport& report) override;
  bool AfterEvaluation(Estimator& estimator, const EvalReport& report) override;

 private:
  int64_t every_steps_;
  std::function<void(const StepReport&)> on_step_;
  std::function<void(const EvalReport&)> on_eval_;
};

/// Stops training when an evaluation metric has not improved by more than `min_delta` for
/// `patience_steps` training steps, and (restore_best) puts back the variables of the best evaluation.
class EarlyStoppingHook : public Hook {
 public:
  enum class Goal { kMinimize, kMaximize };
  EarlyStoppingHook(std::string metric, Goal goal, int64_t patience_steps, double min_delta = 0.0,
                    bool restore_best = true);
  bool AfterEvaluation(Estimator& estimator, const EvalReport& report) override;
  void End(Estimator& estimator) override;

  bool stopped() const { return stopped_; }
  int64_t best_step() const { return best_step_; }
  double best_value() const { return best_; }

 private:
  std::string metric_;
  Goal goal_;
  int64_t patience_;
  double min_delta_;
  bool restore_best_;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int64_t best_step_ = -1;
  bool stopped_ = false;
  std::vector<Tensor> best_values_;  // the variables at best_step_
};

}  // namespace lever
