#pragma once
// Hooks run inside an estimator's training loop: after every step and after every evaluation of
// train_and_evaluate. They can stop training; the library never prints, so logging is a callback. A hook
// with state that outlives a step (early stopping's best evaluation) saves it in the estimator's
// checkpoints, so a run killed and resumed goes on as an uninterrupted one does.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "lever/io/state.h"
#include "lever/tensor/tensor.h"

namespace lever {

class Estimator;

struct StepReport {
  int64_t step = 0;  // global step after this step
  int64_t max_steps = 0;
  double loss = 0.0;     // this batch's mean data loss
  double seconds = 0.0;  // since this Train() call began
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
  /// True once the hook has ended training for good (early stopping out of patience, in this run or in
  /// the one whose checkpoint training resumed from): Train then takes no further step.
  virtual bool HasStopped() const { return false; }

  /// What the hook must remember across a kill and resume. Training writes it into every checkpoint it
  /// saves (after the step's evaluation, so the state and the variables are of the same step) and, when
  /// it resumes from a checkpoint, hands it back before Begin. Keys start with "hooks/" and a name of the
  /// hook's own ("hooks/early_stopping/loss/"); tensors are stored as F32, scalars as F64
  /// (docs/checkpoints.md). LoadState leaves the hook as it is when the checkpoint has none of its keys
  /// (saved without it, or by an older lever).
  virtual void SaveState(const Estimator& /*estimator*/, StateWriter& /*out*/) const {}
  virtual void LoadState(Estimator& /*estimator*/, const StateReader& /*in*/) {}
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
/// Its state (best value and step, whether it stopped, the best variables) is checkpointed under
/// "hooks/early_stopping/<metric>/", so patience and the best model survive a kill and resume; once it has
/// stopped, a resumed run takes no further step.
class EarlyStoppingHook : public Hook {
 public:
  enum class Goal { kMinimize, kMaximize };
  EarlyStoppingHook(std::string metric, Goal goal, int64_t patience_steps, double min_delta = 0.0,
                    bool restore_best = true);
  bool AfterEvaluation(Estimator& estimator, const EvalReport& report) override;
  void End(Estimator& estimator) override;
  bool HasStopped() const override { return stopped_; }
  /// Scalars (F64) "<prefix>best_value" (NaN before the first finite evaluation), "<prefix>best_step"
  /// (-1: no best yet; patience counts from it), "<prefix>stopped" (0 or 1), and with restore_best the best
  /// variables as "<prefix>best/<variable name>".
  void SaveState(const Estimator& estimator, StateWriter& out) const override;
  /// Throws IoError when a best variable is missing or has another shape than the estimator's.
  void LoadState(Estimator& estimator, const StateReader& in) override;

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
  double best_ = std::numeric_limits<double>::quiet_NaN();
  int64_t best_step_ = -1;
  bool stopped_ = false;
  std::vector<Tensor> best_values_;  // the variables at best_step_
};

}  // namespace lever
