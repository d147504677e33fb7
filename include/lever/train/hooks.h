#pragma once
// The hooks every training loop offers (the interface: lever/train/hook.h): a NaN guard, logging, and
// early stopping with its state in the estimator's checkpoints, so a run killed and resumed goes on as an
// uninterrupted one does.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "lever/io/state.h"
#include "lever/tensor/tensor.h"
#include "lever/train/hook.h"

namespace lever {

/// Throws DivergenceError (naming the step and what to turn) when the training loss is NaN or infinite.
class NanGuardHook : public Hook {
 public:
  bool AfterStep(Learner& learner, const StepReport& report) override;
};

/// Calls `log` every `every_steps` steps and after every evaluation.
class LoggingHook : public Hook {
 public:
  LoggingHook(int64_t every_steps, std::function<void(const StepReport&)> on_step,
              std::function<void(const EvalReport&)> on_eval = {});
  bool AfterStep(Learner& learner, const StepReport& report) override;
  bool AfterEvaluation(Learner& learner, const EvalReport& report) override;

 private:
  int64_t every_steps_;
  std::function<void(const StepReport&)> on_step_;
  std::function<void(const EvalReport&)> on_eval_;
};

/// Stops training when an evaluation metric has not improved by more than `min_delta` for
/// `patience_steps` training steps, and (restore_best) puts back the variables of the best evaluation.
/// Its state (best value and step, whether it stopped, the best variables) is checkpointed under
/// "hooks/early_stopping/<metric>/", so patience and the best model survive a kill and resume; once it has
/// stopped, a resumed run takes no further step.
///
/// It watches every evaluation, or with watch_evaluation() only those of one name (the Trainer's
/// "holdout"). With restore_at_end(true) the best variables are put back whenever training ends, not
/// only when patience ran out (the weights a run ends with are then always the best evaluation's).
class EarlyStoppingHook : public Hook {
 public:
  enum class Goal { kMinimize, kMaximize };
  EarlyStoppingHook(std::string metric, Goal goal, int64_t patience_steps, double min_delta = 0.0,
                    bool restore_best = true);
  EarlyStoppingHook& watch_evaluation(std::string name) {
    evaluation_ = std::move(name);
    return *this;
  }
  EarlyStoppingHook& restore_at_end(bool on) {
    restore_at_end_ = on;
    return *this;
  }
  bool AfterEvaluation(Learner& learner, const EvalReport& report) override;
  void End(Learner& learner) override;
  bool HasStopped() const override { return stopped_; }
  /// Scalars (F64) "<prefix>best_value" (NaN before the first finite evaluation), "<prefix>best_step"
  /// (-1: no best yet; patience counts from it), "<prefix>stopped" (0 or 1), and with restore_best the best
  /// variables as "<prefix>best/<variable name>".
  void SaveState(const Learner& learner, StateWriter& out) const override;
  /// Throws IoError when a best variable is missing or has another shape than the estimator's.
  void LoadState(Learner& learner, const StateReader& in) override;

  bool stopped() const { return stopped_; }
  int64_t best_step() const { return best_step_; }
  double best_value() const { return best_; }
  /// "hooks/early_stopping/<metric>/".
  std::string state_prefix() const { return "hooks/early_stopping/" + metric_ + "/"; }

 private:
  std::string metric_;
  Goal goal_;
  int64_t patience_;
  double min_delta_;
  bool restore_best_;
  std::string evaluation_;  // empty: every evaluation
  bool restore_at_end_ = false;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int64_t best_step_ = -1;
  bool stopped_ = false;
  std::vector<Tensor> best_values_;  // the variables at best_step_
};

}  // namespace lever
