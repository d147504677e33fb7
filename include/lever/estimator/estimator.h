#pragma once
// An estimator: a model function plus everything around it that every model needs, training by global
// steps with seeded batches, evaluation with the head's metrics, prediction, hooks and
// train_and_evaluate (TensorFlow's tf.estimator.Estimator).
//
//   Estimator estimator(MyModelFn, RunConfig{.seed = 7});
//   TrainAndEvaluate(estimator, train, test, TrainSpec{.max_steps = 2000, .batch_size = 64}, EvalSpec{});
//   std::map<std::string, double> metrics = estimator.Evaluate(test);
//   Tensor probabilities = estimator.Predict(test.features);
//
// Determinism: batch b of epoch e is drawn from a permutation that depends only on (seed, e), dropout
// masks on (seed, node, step), variables on (seed, name): the same seed gives bit-identical variables,
// and training in several Train() calls ends where one call does.
//
// With RunConfig::model_dir, training saves checkpoints (variables, every optimizer slot and step count,
// the global step) atomically, logs to events.jsonl and TensorBoard files (evaluations under
// <model_dir>/<eval name>/), and a new estimator on the same directory resumes from the newest good
// checkpoint, so a run killed at any moment and started again ends with bit-identical variables. Hooks
// keep their state in the checkpoints too (early stopping's patience and best variables), and the logs
// drop what the killed run logged after the checkpoint, so each step is logged once.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lever/data/dataset.h"
#include "lever/estimator/examples.h"
#include "lever/estimator/exporter.h"
#include "lever/estimator/model_fn.h"
#include "lever/estimator/run_config.h"
#include "lever/io/run_log.h"
#include "lever/optim/optimizer.h"
#include "lever/train/hooks.h"
#include "lever/train/statistics_sampler.h"
#include "lever/train/training_loop.h"

namespace lever {

struct CheckpointContents;

struct TrainOutcome {
  int64_t global_step = 0;
  int64_t steps = 0;       // taken by this call
  double last_loss = 0.0;  // mean data loss of the last step
  double seconds = 0.0;
  bool stopped_by_hook = false;  // also when a hook had stopped training in the run resumed from
  bool interrupted = false;      // TrainSpec::stop_requested asked to stop
  /// The checkpoint training resumed from (-1: none), and the newer ones that were unusable (each message
  /// names the file and what is wrong).
  int64_t resumed_from_step = -1;
  std::vector<std::string> checkpoint_problems;
  std::string last_checkpoint;  // the commit record of the last checkpoint saved, if any
  /// With TrainSpec::holdout: where early stopping on it left the variables.
  HoldoutResult holdout;
};

class Estimator : public SteppingLearner {
 public:
  Estimator(ModelFn model_fn, RunConfig config = {}, Params params = {});
  ~Estimator() override;
  Estimator(const Estimator&) = delete;
  Estimator& operator=(const Estimator&) = delete;

  /// Trains until the global step reaches spec.max_steps (or a hook stops it). Throws DataError when the
  /// data does not fit the model, DivergenceError from NanGuardHook.
  TrainOutcome Train(const Examples& data, const TrainSpec& spec);
  TrainOutcome Train(const Dataset& data, const TrainSpec& spec) { return Train(Examples::FromDataset(data), spec); }
  /// The model function's eval metrics over `data` (or its first eval_spec.steps batches).
  std::map<std::string, double> Evaluate(const Examples& data, const EvalSpec& eval_spec = {});
  std::map<std::string, double> Evaluate(const Dataset& data, const EvalSpec& eval_spec = {}) {
    return Evaluate(Examples::FromDataset(data), eval_spec);
  }
  /// Predictions (probabilities for classification heads), (rows, k). The examples' labels are not used.
  Tensor Predict(const Examples& data, Index batch_size = 4096);
  Tensor Predict(const Tensor& features, Index batch_size = 4096);

  int64_t global_step() const override { return global_step_; }
  /// After the first Train, Evaluate or Predict with a model_dir: the checkpoint restored (-1: none) and
  /// the newer ones skipped as unusable, each message naming the file and what is wrong (Evaluate and
  /// Predict report them here, Train in its TrainOutcome). A model_dir whose every checkpoint is unusable
  /// is an IoError, so neither training from step 0 over them nor predicting with untrained variables
  /// happens unnoticed.
  int64_t restored_step() const { return restored_step_; }
  const std::vector<std::string>& checkpoint_problems() const { return restore_problems_; }
  const RunConfig& config() const { return config_; }
  const Params& params() const { return params_; }
  /// Every variable: the model function's and those of the Sequential models it applied, in creation
  /// order. Empty until a graph was built (the first Train, Evaluate or Predict).
  ParameterList Variables() const override;
  std::string model_dir() const override { return config_.model_dir; }
  /// The train ops' optimizers, in the spec's order (created by the first Train).
  const std::vector<std::unique_ptr<Optimizer>>& optimizers() const { return optimizers_; }
  /// Sets the global step (restoring a checkpoint).
  void set_global_step(int64_t step) { global_step_ = step; }

  /// Putting back a snapshot of every variable's value (early stopping's best model; SnapshotVariables
  /// takes one).
  void RestoreVariables(const std::vector<Tensor>& values) override;
  double learning_rate() const override;
  /// One step on rows `rows` of the examples Train is training on (the training loop calls it).
  double TrainStep(std::span<const Index> rows) override;
  /// The statistics of the step just taken, on the steps TrainSpec::statistics_every samples: every dense
  /// trainable variable's norms and update ratio, the activations of the Sequential models the model
  /// function applied, the regularization loss and the kernels' nonzero weights.
  TrainingStatistics Statistics() override;

 private:
  friend struct TrainAndEvaluateResult TrainAndEvaluate(Estimator&, const Examples&, const Examples&, const TrainSpec&,
                                                        const EvalSpec&);
  /// Training with optional evaluations (Train and TrainAndEvaluate).
  TrainOutcome Run(const Examples& train, const TrainSpec& spec, const Examples* eval, const EvalSpec* eval_spec,
                   std::vector<EvalReport>* reports);
  /// Evaluate without checking the data and spec again (Run checked them once).
  std::map<std::string, double> EvaluateValidated(const Examples& data, const EvalSpec& eval_spec);
  struct Built;  // a graph and its spec
  Built& TrainGraph(const Examples& data, int64_t batch_size);
  Built& InferenceGraph(Mode mode, const Examples& data);
  std::unique_ptr<Built> BuildGraph(Mode mode, const Examples& data, Index rows);
  void Feed(Built& b, const Examples& batch);
  void CreateOptimizers(const EstimatorSpec& spec);
  /// With a model_dir, once: restores the newest good checkpoint's variables (and, for training, the
  /// optimizers') into the freshly built graph.
  void MaybeRestore(TrainOutcome* outcome);
  /// Gives the restored checkpoint's hook state to the first Train's hooks.
  void RestoreHooks(const std::vector<std::shared_ptr<Hook>>& hooks);
  std::string SaveCheckpoint(const std::vector<std::shared_ptr<Hook>>& hooks);

  ModelFn model_fn_;
  RunConfig config_;
  Params params_;
  ParameterStore store_;
  std::vector<Sequential*> models_;
  std::vector<std::unique_ptr<Optimizer>> optimizers_;
  std::vector<ParameterList> groups_;  // the variables each optimizer updates
  std::unique_ptr<Built> train_, eval_, predict_;
  int64_t global_step_ = 0;
  bool restore_checked_ = false;
  bool restore_reported_ = false;
  int64_t restored_step_ = -1;
  std::vector<std::string> restore_problems_;
  bool variables_replaced_ = false;  // RestoreVariables ran (a hook put back earlier variables)
  bool optimizers_restored_ = false;
  std::unique_ptr<CheckpointContents> pending_optimizer_state_;  // restored before the optimizers existed
  std::unique_ptr<CheckpointContents> pending_hook_state_;       // its "hooks/" tensors, for the next Train's hooks
  // While Run trains: the examples, clipping, the training log and its window of steps.
  const Examples* train_data_ = nullptr;
  double clip_norm_ = 0.0;
  int64_t statistics_every_ = 0;
  StatisticsSampler sampler_;
  std::unique_ptr<RunLog> train_log_;
  std::chrono::steady_clock::time_point log_window_start_;
  int64_t log_window_steps_ = 0;
  double log_window_loss_ = 0.0;
  Examples batch_;  // the current training batch, or evaluation chunk
};

struct TrainAndEvaluateResult {
  TrainOutcome train;
  std::vector<EvalReport> evaluations;  // in order; the last is the final one
  const EvalReport& final_evaluation() const { return evaluations.back(); }
};

/// Trains to train_spec.max_steps, evaluating on `eval` every eval_spec.every_steps (after
/// start_delay_steps) and at the end; hooks see every step and evaluation (early stopping ends the run
/// with a final evaluation of the restored best variables).
TrainAndEvaluateResult TrainAndEvaluate(Estimator& estimator, const Examples& train, const Examples& eval,
                                        const TrainSpec& train_spec, const EvalSpec& eval_spec);
inline TrainAndEvaluateResult TrainAndEvaluate(Estimator& estimator, const Dataset& train, const Dataset& eval,
                                               const TrainSpec& train_spec, const EvalSpec& eval_spec) {
  return TrainAndEvaluate(estimator, Examples::FromDataset(train), Examples::FromDataset(eval), train_spec, eval_spec);
}

}  // namespace lever
