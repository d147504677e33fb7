#include "lever/train/trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/optim/clipping.h"
#include "lever/train/hooks.h"

namespace lever {
namespace {}  // namespace

void TrainConfig::Validate() const {
  CanonicalLossName(loss);
  if (batch_size <= 0) {
    throw ConfigError("batch size must be a positive number of examples, got " + std::to_string(batch_size) +
                      ". Typical values: 10 to 512.");
  }
  if (max_steps < 0) throw ConfigError("steps must be >= 0, got " + std::to_string(max_steps));
  if (!(clip_norm >= 0.0) || !std::isfinite(clip_norm)) {
    throw ConfigError("clip norm must be >= 0 (0 turns clipping off), got " + FormatValue(clip_norm));
  }
  if (!(clip_value >= 0.0) || !std::isfinite(clip_value)) {
    throw ConfigError("clip value must be >= 0 (0 turns clipping off), got " + FormatValue(clip_value));
  }
  if (eval_every < 0) throw ConfigError("eval_every must be >= 0, got " + std::to_string(eval_every));
  if (statistics_every < 0) throw ConfigError("statistics_every must be >= 0, got " + std::to_string(statistics_every));
  if (eval_batch_size <= 0) throw ConfigError("eval batch size must be positive");
}

struct Trainer::EvalGraph {
  Graph graph;
  Var input, labels, logits, prediction, loss;
};

Trainer::Trainer(Sequential& model, TrainConfig config) : model_(model), config_(std::move(config)) {
  config_.Validate();
  loss_name_ = CanonicalLossName(config_.loss);
  if (!model_.built()) throw ConfigError("the model must be built (Build(inputs, seed)) before training");
  // The losses take logits; a squashing last layer would apply sigmoid/softmax twice.
  if (loss_name_ != "mean_squared_error" && !model_.layers().empty()) {
    if (const auto* dense = dynamic_cast<const DenseLayer*>(model_.layers().back().get())) {
      const Activation& activation = dense->options().activation;
      const std::string& a = activation.name;
      if (activation.Kind().squashes) {
        throw ConfigError("the output layer applies " + a + ", but " + loss_name_ +
                          " takes logits and applies it itself. Use activation 'linear' on the output layer.");
      }
    }
  }
  if (loss_name_ == "sparse_softmax_cross_entropy" && model_.output_units() < 2) {
    throw ConfigError("sparse_softmax_cross_entropy needs one output unit per class (at least 2), the model has " +
                      std::to_string(model_.output_units()));
  }
  optimizer_ = MakeOptimizer(config_.optimizer);
  trainable_ = model_.parameters().Trainable();
}

Trainer::~Trainer() = default;

void Trainer::SetEarlyStopping(const Dataset& holdout, EarlyStopping options) {
  options.Validate();
  CheckData(holdout, "holdout");
  holdout_ = &holdout;
  stopping_ = options;
}

void Trainer::set_max_steps(int64_t max_steps) {
  if (max_steps < 0) throw ConfigError("steps must be >= 0, got " + std::to_string(max_steps));
  config_.max_steps = max_steps;
}

void Trainer::CheckData(const Dataset& data, const char* what) const {
  if (data.size() == 0) throw DataError(std::string(what) + " set is empty");
  if (data.features.cols() != model_.input_units()) {
    throw DataError(std::string(what) + " set has " + std::to_string(data.features.cols()) +
                    " feature columns but the model was built for " + std::to_string(model_.input_units()));
  }
  const Index label_cols = LossLabelColumns(loss_name_, model_.output_units());
  if (data.labels.rows() != data.size() || data.labels.cols() != label_cols) {
    throw DataError(std::string(what) + " labels are (" + std::to_string(data.labels.rows()) + ", " +
                    std::to_string(data.labels.cols()) + ") but " + loss_name_ + " with " +
                    std::to_string(model_.output_units()) + " outputs needs (" + std::to_string(data.size()) + ", " +
                    std::to_string(label_cols) + ")");
  }
  CheckFiniteFeatures(data.features, data.feature_names, what);
}

void Trainer::BuildTrainGraph(Index label_cols) {
  graph_ = std::make_unique<Graph>(config_.seed);
  graph_->set_training(true);
  input_ = graph_->Input("features", {config_.batch_size, model_.input_units()});
  labels_ = graph_->Input("labels", {config_.batch_size, label_cols});
  taps_.clear();
  logits_ = model_.Apply(input_, LayerContext{true, &taps_});
  loss_ = target_scale_.identity()
              ? MakeLoss(loss_name_, logits_, labels_)
              : StandardizedSquaredError(ScaleOutput(logits_, target_scale_), labels_, target_scale_);
}

Trainer::EvalGraph& Trainer::Eval() {
  if (!eval_) {
    eval_ = std::make_unique<EvalGraph>();
    Graph& g = eval_->graph;
    g.set_training(false);
    const Index label_cols = LossLabelColumns(loss_name_, model_.output_units());
    eval_->input = g.Input("features", {0, model_.input_units()});
    eval_->labels = g.Input("labels", {0, label_cols});
    eval_->logits = model_.Apply(eval_->input, LayerContext{false, nullptr});
    eval_->prediction = target_scale_.identity() ? MakePrediction(loss_name_, eval_->logits)
                                                 : ScaleOutput(eval_->logits, target_scale_);
    eval_->loss = target_scale_.identity() ? MakeLoss(loss_name_, eval_->logits, eval_->labels)
                                           : MakeLoss(loss_name_, eval_->prediction, eval_->labels);
  }
  return *eval_;
}

void Trainer::FillBatch(std::span<const Index> rows) {
  auto x = graph_->FeedBuffer(input_, config_.batch_size);
  auto y = graph_->FeedBuffer(labels_, config_.batch_size);
  for (Index r = 0; r < config_.batch_size; ++r) {
    const Index row = rows[static_cast<size_t>(r)];
    x.row(r) = train_->features.row(row);
    y.row(r) = train_->labels.row(row);
  }
}

double Trainer::RegularizationLoss() const { return RegularizationPenalty(trainable_); }

TrainingStatistics Trainer::Statistics() {
  TrainingStatistics s = sampler_.Last();
  if (!sampler_.watching()) return s;
  s.regularization_loss = RegularizationLoss();
  s.nonzero_weights = model_.CountNonzeroWeights();
  s.kernel_weights = model_.CountKernelWeights();
  return s;
}

double Trainer::TrainStep(std::span<const Index> rows) {
  FillBatch(rows);
  graph_->set_step(static_cast<uint64_t>(step_));
  graph_->Forward(loss_);
  const double loss = loss_.scalar();
  if (!std::isfinite(loss)) {
    std::ostringstream msg;
    msg << "the training loss became " << (std::isnan(loss) ? "NaN" : "infinite") << " at step " << step_ + 1
        << " (optimizer " << optimizer_->Describe() << ", "
        << (config_.clip_norm > 0.0 ? "clipping gradients at global norm " + FormatValue(config_.clip_norm)
                                    : std::string("no gradient clipping"))
        << "). ";
    if (config_.clip_norm > 0.0 || config_.clip_value > 0.0) {
      msg << "The learning rate is most likely too high: try one 10x smaller; also check the inputs for extreme "
             "values and standardize features.";
    } else {
      msg << "The learning rate is most likely too high: try one 10x smaller, or clip gradients (e.g. clip norm "
             "1.0).";
    }
    throw DivergenceError(msg.str(), step_ + 1);
  }
  graph_->Backward(loss_);
  const bool stats_step = sampler_.watching() && IsStatisticsStep(step_ + 1, config_.statistics_every);
  double grad_norm = 0.0;
  bool clipped = false;
  if (stats_step) sampler_.BeforeUpdate();
  if (config_.clip_norm > 0.0) {
    grad_norm = ClipByGlobalNorm(trainable_, config_.clip_norm);
    clipped = grad_norm > config_.clip_norm;
  } else if (stats_step) {
    grad_norm = GlobalGradientNorm(trainable_);
  }
  if (config_.clip_value > 0.0) clipped = ClipByValue(trainable_, config_.clip_value) > 0 || clipped;
  optimizer_->Step(trainable_);
  ++step_;
  if (stats_step) sampler_.AfterUpdate(step_, loss, grad_norm, clipped, optimizer_->schedule().Rate(step_ - 1));
  return loss;
}

TrainResult Trainer::Train(const Dataset& train, const Dataset* validation) {
  CheckData(train, "training");
  if (validation != nullptr) CheckData(*validation, "validation");
  const Index label_cols = LossLabelColumns(loss_name_, model_.output_units());
  if (!graph_) {
    if (config_.standardize_targets && step_ == 0 && loss_name_ == "mean_squared_error" && model_.output_units() == 1) {
      target_scale_ = TargetScale::Fit(train.labels);
      eval_.reset();  // an evaluation graph built before training predicts without the scale
    }
    BuildTrainGraph(label_cols);
  }
  if (config_.statistics_every > 0 && !sampler_.watching()) sampler_.Watch(trainable_, &taps_);

  TrainResult result;
  LoopSpec spec{.max_steps = config_.max_steps,
                .batch_size = config_.batch_size,
                .seed = config_.seed,
                .order_stream = EpochOrder::kTrainerStream,
                .statistics_every = config_.statistics_every,
                .record_step_losses = true};
  std::optional<HoldoutStopping> stopping;
  if (holdout_ != nullptr) {
    stopping.emplace(stopping_, config_.max_steps, [this] { return Evaluate(*holdout_).loss; });
    spec.evaluations.push_back(stopping->Evaluation());
  }
  LoopEvaluation evaluation;
  evaluation.name = "evaluation";
  evaluation.every_steps = config_.eval_every;
  evaluation.run = [&](bool is_final) {
    std::map<std::string, double> metrics;
    if (config_.evaluate_train || is_final) {
      result.train = Evaluate(train);
      metrics["train_loss"] = result.train.loss;
      if (!std::isnan(result.train.accuracy)) metrics["train_accuracy"] = result.train.accuracy;
    }
    if (validation != nullptr) {
      result.validation = Evaluate(*validation);
      metrics["validation_loss"] = result.validation->loss;
      if (!std::isnan(result.validation->accuracy)) metrics["validation_accuracy"] = result.validation->accuracy;
    }
    metrics["regularization_loss"] = RegularizationLoss();
    return metrics;
  };
  spec.evaluations.push_back(std::move(evaluation));
  std::vector<Hook*> hooks;
  if (stopping) hooks.push_back(stopping->hook().get());  // first: its End puts the best weights back
  for (Hook* hook : hooks_) hooks.push_back(hook);

  train_ = &train;
  LoopOutcome outcome;
  try {
    outcome = RunTrainingLoop(*this, train.size(), spec, hooks);
  } catch (...) {
    train_ = nullptr;
    throw;
  }
  train_ = nullptr;
  result.stopped_early = outcome.stopped_by_hook;
  if (stopping) {
    const HoldoutResult held = stopping->Result(step_);
    result.best_step = held.best_step;
    result.holdout_loss = held.holdout_loss;
  }
  result.steps = step_;
  // A hook that stopped the run (early stopping) decided it was done.
  if (!result.stopped_early) result.convergence = LossTrendConvergence(outcome.step_losses, "max_steps");
  result.regularization_loss = RegularizationLoss();
  result.nonzero_weights = model_.CountNonzeroWeights();
  result.kernel_weights = model_.CountKernelWeights();
  result.elapsed_seconds = outcome.seconds;
  result.training_seconds = outcome.training_seconds;
  result.steps_per_second =
      outcome.training_seconds > 0.0 ? static_cast<double>(outcome.steps) / outcome.training_seconds : 0.0;
  return result;
}

EvalMetrics Trainer::Evaluate(const Dataset& data) {
  CheckData(data, "evaluation");
  EvalGraph& e = Eval();
  EvalMetrics m;
  const bool classification = IsClassificationLoss(loss_name_);
  double loss_sum = 0.0;
  double correct = 0.0;
  double scored = 0.0;
  for (Index begin = 0; begin < data.size(); begin += config_.eval_batch_size) {
    const Index rows = std::min(config_.eval_batch_size, data.size() - begin);
    e.graph.FeedBuffer(e.input, rows) = data.features.middleRows(begin, rows);
    e.graph.FeedBuffer(e.labels, rows) = data.labels.middleRows(begin, rows);
    e.graph.Forward();
    loss_sum += static_cast<double>(e.loss.scalar()) * static_cast<double>(rows);
    if (!classification) continue;
    auto p = e.prediction.value();
    auto y = e.labels.value();
    if (loss_name_ == "sigmoid_cross_entropy") {
      // Binary and multi-label: each output is a yes/no decision at 0.5.
      correct += static_cast<double>(((p.array() >= 0.5f) == (y.array() >= 0.5f)).count());
      scored += static_cast<double>(p.size());
    } else {
      for (Index i = 0; i < rows; ++i) {
        Index predicted = 0, actual = 0;
        p.row(i).maxCoeff(&predicted);
        if (loss_name_ == "sparse_softmax_cross_entropy") {
          actual = static_cast<Index>(y(i, 0));
        } else {
          y.row(i).maxCoeff(&actual);
        }
        correct += predicted == actual ? 1.0 : 0.0;
      }
      scored += static_cast<double>(rows);
    }
  }
  m.examples = data.size();
  m.loss = loss_sum / static_cast<double>(data.size());
  if (classification && scored > 0) m.accuracy = correct / scored;
  return m;
}

Tensor Trainer::Predict(const Tensor& features) {
  if (features.cols() != model_.input_units()) {
    throw DataError("prediction input has " + std::to_string(features.cols()) + " feature columns, the model expects " +
                    std::to_string(model_.input_units()));
  }
  EvalGraph& e = Eval();
  Tensor out(features.rows(), model_.output_units());
  for (Index begin = 0; begin < features.rows(); begin += config_.eval_batch_size) {
    const Index rows = std::min(config_.eval_batch_size, features.rows() - begin);
    e.graph.FeedBuffer(e.input, rows) = features.middleRows(begin, rows);
    e.graph.FeedBuffer(e.labels, rows);
    e.graph.Forward(e.prediction);
    out.middleRows(begin, rows) = e.prediction.value();
  }
  return out;
}

}  // namespace lever
