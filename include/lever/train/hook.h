#pragma once
// The one hook interface of every training loop in lever (lever/train/training_loop.h): the Trainer's
// networks, the estimator's model functions and, later, the doctor, sweeps and the playground all watch
// training through it. A hook sees every step, every sampled set of statistics and every evaluation; it
// can stop training, snapshot and put back the learner's variables (early stopping) and keep state across
// a kill and resume in the estimator's checkpoints. The library never prints: progress lines are hooks.
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "lever/tensor/tensor.h"
#include "lever/train/statistics.h"

namespace lever {

/// What a hook may look at and change of the model being trained: the Trainer, an Estimator.
class Learner {
 public:
  virtual ~Learner() = default;
  /// Steps taken so far (the global step).
  virtual int64_t global_step() const = 0;
  /// Every variable, in a fixed order (trainable or not: batch normalization's moving statistics too).
  virtual ParameterList Variables() const = 0;
  /// Where the learner keeps its files (an estimator's model_dir); empty without.
  virtual std::string model_dir() const { return {}; }
  /// A copy of every variable's value, and putting one back (early stopping's best model). Throws
  /// ConfigError when `values` holds another number of variables.
  std::vector<Tensor> SnapshotVariables() const;
  virtual void RestoreVariables(const std::vector<Tensor>& values);
};

struct StepReport {
  using Clock = std::chrono::steady_clock;
  int64_t step = 0;  // global step after this step
  int64_t max_steps = 0;
  double loss = 0.0;           // this batch's mean data loss
  double learning_rate = 0.0;  // the (first) optimizer's rate for this step; NaN when unknown
  Clock::time_point started;   // when this training call began
  /// Seconds since this training call began (reads the clock: steps stay free of clock reads otherwise).
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started).count(); }
};

/// One evaluation while training. The Trainer's (`name` "evaluation") reports "train_loss",
/// "train_accuracy", "validation_loss", "validation_accuracy" (accuracies for classification; validation
/// ones with a validation set) and "regularization_loss"; its early stopping holdout's (`name` "holdout")
/// reports "loss". An estimator's reports its head's metrics and "global_step" under EvalSpec::name.
struct EvalReport {
  int64_t step = 0;
  std::string name;
  std::map<std::string, double> metrics;
  int64_t max_steps = 0;
  double seconds = 0.0;           // wall time since this training call began
  double steps_per_second = 0.0;  // training steps per second of training time since this evaluation last ran
  bool is_final = false;          // the evaluation after training ended

  /// The metric, or NaN when the evaluation does not report it.
  double Get(const std::string& metric) const {
    const auto it = metrics.find(metric);
    return it == metrics.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
  }
};

class Hook {
 public:
  virtual ~Hook() = default;
  virtual void Begin(Learner& /*learner*/) {}
  /// Return true to stop training after this step.
  virtual bool AfterStep(Learner& /*learner*/, const StepReport& /*report*/) { return false; }
  /// Gradient, weight and activation statistics of the step just taken, every LoopSpec::statistics_every
  /// steps (learners that sample them: the Trainer).
  virtual void AfterStatistics(Learner& /*learner*/, const TrainingStatistics& /*statistics*/) {}
  /// Return true to stop training after this evaluation.
  virtual bool AfterEvaluation(Learner& /*learner*/, const EvalReport& /*report*/) { return false; }
  /// Training ended (max_steps reached, a hook or a stop request stopped it), before the final evaluation.
  virtual void End(Learner& /*learner*/) {}
  /// True once the hook has ended training for good (early stopping out of patience, in this run or in
  /// the one whose checkpoint training resumed from): training then takes no further step.
  virtual bool HasStopped() const { return false; }

  /// What the hook must remember across a kill and resume. An estimator writes it into every checkpoint it
  /// saves (after the step's evaluation, so the state and the variables are of the same step) and, when
  /// it resumes from a checkpoint, hands it back before Begin. Keys start with "hooks/" and a name of the
  /// hook's own ("hooks/early_stopping/loss/"); tensors are stored as F32, scalars as F64
  /// (docs/checkpoints.md). LoadState leaves the hook as it is when the checkpoint has none of its keys
  /// (saved without it, or by an older lever).
  virtual void SaveState(const Learner& /*learner*/, StateWriter& /*out*/) const {}
  virtual void LoadState(Learner& /*learner*/, const StateReader& /*in*/) {}
};

}  // namespace lever
