#pragma once
// Step-based training of a Sequential model on an in-memory dataset.
//
// The training graph is built once for the batch size and replayed every step with preallocated
// buffers: a steady-state step allocates nothing. Training runs in the one training loop
// (lever/train/training_loop.h): batches come from its seeded epoch shuffler (the order of epoch e depends
// only on (seed, e)), dropout masks only on (seed, node, step), so the same seed gives bit-identical weights
// and a run can resume from any step. Progress, statistics and evaluations reach hooks (lever/train/hook.h).
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lever/data/dataset.h"
#include "lever/losses/target_scale.h"
#include "lever/nn/sequential.h"
#include "lever/optim/optimizer.h"
#include "lever/optim/registry.h"
#include "lever/train/holdout_stopping.h"
#include "lever/train/hook.h"
#include "lever/train/statistics_sampler.h"
#include "lever/train/train_result.h"
#include "lever/train/training_loop.h"

namespace lever {

struct TrainConfig {
  /// mean_squared_error, sigmoid_cross_entropy, softmax_cross_entropy or sparse_softmax_cross_entropy.
  std::string loss = "sigmoid_cross_entropy";
  int64_t batch_size = 32;
  int64_t max_steps = 1000;
  uint64_t seed = 1;
  OptimizerSpec optimizer;
  double clip_norm = 0.0;        // clip gradients by global norm (0 = off)
  double clip_value = 0.0;       // clip each gradient element (0 = off)
  int64_t eval_every = 100;      // evaluate train (and validation) metrics every N steps; 0 = at the end only
  int64_t statistics_every = 0;  // sample gradient, weight and activation statistics every N steps; 0 = off
  bool evaluate_train = true;    // include the whole training set in evaluations
  Index eval_batch_size = 4096;  // rows per forward pass when evaluating or predicting
  /// mean_squared_error with one output: train on targets standardized with the training labels' mean
  /// and standard deviation (lever/losses/target_scale.h), fitted when training starts from step 0.
  /// Predictions and evaluation losses stay in the targets' units; step losses are standardized.
  bool standardize_targets = true;

  /// Throws ConfigError naming the knob, the value and what is valid.
  void Validate() const;
};

class Trainer : public SteppingLearner {
 public:
  /// `model` must be built and outlive the trainer.
  Trainer(Sequential& model, TrainConfig config);
  ~Trainer() override;
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// `hook` sees every step, sampled statistics and evaluation ("evaluation": train and validation
  /// metrics; "holdout": early stopping's loss) and must outlive training.
  void AddHook(Hook* hook) { hooks_.push_back(hook); }
  /// Watches `holdout` (rows held out of the training set; it must outlive training) as EarlyStopping says
  /// (lever/train/holdout_stopping.h).
  /// Throws ConfigError for a patience or check cadence below 1 (check_every 0 picks one) or a negative
  /// min_delta.
  void SetEarlyStopping(const Dataset& holdout, EarlyStopping options);

  /// Trains from the current step to config.max_steps. Throws DataError when the data does not fit
  /// the model, DivergenceError when the loss becomes NaN or infinite.
  TrainResult Train(const Dataset& train, const Dataset* validation = nullptr);

  /// Mean loss and accuracy on a dataset, in inference mode.
  EvalMetrics Evaluate(const Dataset& data);
  /// The model's predictions (probabilities for classification losses), (rows, outputs).
  Tensor Predict(const Tensor& features);

  /// l1 * sum |w| + l2 * sum w^2 over the model's regularized parameters.
  double RegularizationLoss() const;

  int64_t step() const { return step_; }
  int64_t global_step() const override { return step_; }
  ParameterList Variables() const override { return model_.parameters().All(); }
  double learning_rate() const override { return optimizer_->current_learning_rate(); }
  /// One step on rows `rows` of the dataset Train is training on (the training loop calls it).
  double TrainStep(std::span<const Index> rows) override;
  TrainingStatistics Statistics() override;
  /// Raises (or lowers) the step Train() stops at, e.g. to continue training a finished model.
  void set_max_steps(int64_t max_steps);
  Optimizer& optimizer() { return *optimizer_; }
  const TrainConfig& config() const { return config_; }
  Sequential& model() { return model_; }
  /// The scale regression targets are trained in (identity until Train fits it, or when off).
  const TargetScale& target_scale() const { return target_scale_; }

 private:
  struct EvalGraph;
  void BuildTrainGraph(Index label_cols);
  void CheckData(const Dataset& data, const char* what) const;
  void FillBatch(std::span<const Index> rows);
  EvalGraph& Eval();

  Sequential& model_;
  TrainConfig config_;
  std::string loss_name_;
  std::unique_ptr<Optimizer> optimizer_;
  ParameterList trainable_;
  std::vector<Hook*> hooks_;
  int64_t step_ = 0;

  // Training graph, built on the first Train() call.
  std::unique_ptr<Graph> graph_;
  Var input_, labels_, logits_, loss_;
  std::vector<ActivationTap> taps_;
  const Dataset* train_ = nullptr;  // while Train runs
  // The last step's loss, gradient norm and clipping, and the weights before its update, for statistics.
  StatisticsSampler sampler_;
  std::unique_ptr<EvalGraph> eval_;
  TargetScale target_scale_;
  const Dataset* holdout_ = nullptr;
  EarlyStopping stopping_;
};

}  // namespace lever
