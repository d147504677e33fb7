#pragma once
// The one training loop: the Trainer (lever/train/trainer.h) and estimators (lever/estimator/estimator.h)
// both train through RunTrainingLoop. It draws each step's rows from the epoch shuffler
// (lever/train/epoch_order.h), has the learner take the step, tells the hooks (lever/train/hook.h), runs
// the evaluations that are due, honours stop requests and hooks that stop training, and at the end lets the
// hooks finish (early stopping puts back its best variables) before the final evaluations.
//
// Per step it reads no clock and allocates nothing: a steady-state step costs the learner's step and one
// virtual call per hook.
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "lever/train/epoch_order.h"
#include "lever/train/hook.h"

namespace lever {

/// What the loop trains: a Learner that takes steps.
class SteppingLearner : public Learner {
 public:
  /// The (first) optimizer's learning rate for the step about to be taken; NaN when unknown.
  virtual double learning_rate() const = 0;
  /// One update on the training rows `rows`, taken as step global_step() + 1; advances the global step.
  /// Returns the batch's mean data loss. May throw (DivergenceError, DataError): the loop lets it through.
  virtual double TrainStep(std::span<const Index> rows) = 0;
  /// The statistics of the step just taken, on the steps LoopSpec::statistics_every picks (the learner
  /// knows them too, to keep what it needs while taking the step).
  virtual TrainingStatistics Statistics() { return {}; }
  /// Learners that read their own batches (a stream: RunTrainingLoop with rows 0): whether the data has
  /// ended, asked before every step (it may read the next batch, which TrainStep then trains on).
  virtual bool Exhausted() { return false; }
};

/// An evaluation while training: every `every_steps` steps (0: only at the end) from `start_delay_steps`
/// on, at most one per `throttle_secs` seconds, and once more when training has ended.
struct LoopEvaluation {
  std::string name;
  int64_t every_steps = 0;
  int64_t start_delay_steps = 0;
  double throttle_secs = 0.0;
  /// Also due at max_steps, before the hooks' End (early stopping's holdout is then checked at the last
  /// step too); otherwise periodic evaluations stop short of max_steps, where the final one runs.
  bool at_max_steps = false;
  /// Run once more after the hooks' End, unless it last ran at this step of these variables.
  bool at_end = true;
  /// Computes the metrics; `is_final` for the one after training ended.
  std::function<std::map<std::string, double>(bool is_final)> run;
  /// Called with the report after the hooks have seen it (exporters).
  std::function<void(const EvalReport&)> after_hooks;
};

/// Whether global step `step` (1, 2, ...) is one whose statistics are sampled for `every` (0: none): every
/// `every`-th step, and the first, whose gradients show an explosion before the loss does.
inline bool IsStatisticsStep(int64_t step, int64_t every) { return every > 0 && (step % every == 0 || step == 1); }

struct LoopSpec {
  int64_t max_steps = 0;
  Index batch_size = 1;
  uint64_t seed = 1;
  uint64_t order_stream = EpochOrder::kTrainerStream;
  /// Polled before every step; true stops training (LoopOutcome::interrupted).
  std::function<bool()> stop_requested;
  std::vector<LoopEvaluation> evaluations;
  /// Hand the learner's statistics to the hooks every this many steps and after the first (0: never;
  /// IsStatisticsStep).
  int64_t statistics_every = 0;
  /// Passes of whole steps (until-converged training): pass p is ceil(rows / batch_size) steps over epoch
  /// p's order, its last step wrapping to the pass's first rows, so every pass ends on a step boundary.
  bool pass_aligned = false;
  /// Keep every step's loss (LoopOutcome::step_losses), for a convergence report.
  bool record_step_losses = false;
  /// After each step's hooks and evaluations, unless training stops there (an estimator's checkpoints).
  std::function<void()> after_step;
  /// After the hooks' End, before the final evaluations (an estimator's last checkpoint).
  std::function<void()> after_end;

  /// Throws ConfigError naming the knob for max_steps < 0, batch_size < 1 or a negative cadence.
  void Validate() const;
};

struct LoopOutcome {
  int64_t steps = 0;                    // taken by this call
  double last_loss = 0.0;               // the last step's mean data loss
  bool stopped_by_hook = false;         // also when a hook had stopped training in the run resumed from
  bool interrupted = false;             // LoopSpec::stop_requested asked to stop
  double seconds = 0.0;                 // wall time of the call
  double training_seconds = 0.0;        // excluding evaluations
  std::vector<float> step_losses;       // with record_step_losses
  std::vector<EvalReport> evaluations;  // every evaluation, in order
};

/// Trains `learner` on the rows 0..rows-1 of its training data from its global step to spec.max_steps.
/// With rows 0 the learner reads its own batches (TrainStep gets no rows) until it is Exhausted().
LoopOutcome RunTrainingLoop(SteppingLearner& learner, Index rows, const LoopSpec& spec,
                            const std::vector<Hook*>& hooks);

}  // namespace lever
