#include "lever/linear/linear_model.h"

#include <algorithm>
#include <cmath>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/memory_limit.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/optim/ftrl.h"
#include "linear/wide_ftrl.h"

namespace lever {

LinearModel::LinearModel(Index num_features, LinearModelConfig config)
    : config_(std::move(config)), num_features_(num_features) {
  const std::string loss = CanonicalLossName(config_.loss);
  config_.loss = loss;
  if (num_features <= 0) throw ConfigError("a linear model needs at least one feature");
  if (config_.outputs <= 0) throw ConfigError("a linear model needs at least one output");
  if (loss == "sparse_softmax_cross_entropy" && config_.outputs < 2) {
    throw ConfigError("sparse_softmax_cross_entropy needs one output per class (at least 2), got " +
                      std::to_string(config_.outputs));
  }
  config_.regularizer.Validate();
  // The fused FTRL kernel keeps 4 floats per feature (weight, z, n, gradient); the general path as many.
  CheckFitsInMemory(static_cast<double>(num_features) * static_cast<double>(config_.outputs) * 4 * sizeof(float),
                    "a linear model of " + std::to_string(num_features) + " features x " +
                        std::to_string(config_.outputs) + " outputs (weights, gradients and optimizer slots)",
                    "use fewer features (a smaller feature space, fewer hash buckets), or raise LEVER_MEMORY_LIMIT if "
                    "the machine has more");
  label_cols_ = LossLabelColumns(loss, config_.outputs);
  if (config_.optimizer.learning_rate <= 0.0 && !config_.optimizer.schedule) {
    config_.optimizer.learning_rate =
        std::min(0.2, 1.0 / std::sqrt(static_cast<double>(std::max<Index>(1, config_.feature_columns))));
  }
  optimizer_ = MakeOptimizer(config_.optimizer);
  const auto* ftrl = dynamic_cast<const Ftrl*>(optimizer_.get());
  if (config_.allow_fused && ftrl != nullptr && ftrl->options().learning_rate_power == -0.5 && config_.outputs == 1 &&
      loss != "sparse_softmax_cross_entropy") {
    fused_ = std::make_unique<internal::WideFtrl>(num_features, ftrl->options(), config_.regularizer.l1,
                                                  config_.regularizer.l2, config_.l1_by_std);
    return;
  }
  if (config_.l1_by_std) {
    throw ConfigError(
        "an L1 scaled by each feature's standard deviation needs the fused FTRL kernel: optimizer ftrl "
        "with learning_rate_power -0.5 and one output (or coordinate descent)");
  }
  weights_ = &store_.Create("linear/weights", num_features, config_.outputs);
  weights_->sparse_grad = true;
  weights_->l1 = config_.regularizer.l1;
  weights_->l2 = config_.regularizer.l2;
  bias_ = &store_.Create("linear/bias", 1, config_.outputs);
  trainable_ = store_.Trainable();
}

LinearModel::~LinearModel() = default;

void LinearModel::BuildTrainGraph() {
  train_ = std::make_unique<Graph>();
  train_input_ = train_->SparseInput("features", num_features());
  train_labels_ = train_->Input("labels", {0, label_cols_});
  Var logits = BiasAdd(
      SparseMatMul(train_input_, train_->Bind(weights_->name, &weights_->value, &weights_->grad, &weights_->touched)),
      train_->Bind(bias_->name, &bias_->value, &bias_->grad));
  train_loss_ = MakeLoss(config_.loss, logits, train_labels_);
}

void LinearModel::BuildPredictGraph() {
  predict_ = std::make_unique<Graph>();
  predict_->set_training(false);
  predict_input_ = predict_->SparseInput("features", num_features());
  Var logits = BiasAdd(SparseMatMul(predict_input_, predict_->Bind(weights_->name, &weights_->value, nullptr)),
                       predict_->Bind(bias_->name, &bias_->value, nullptr));
  prediction_ = MakePrediction(config_.loss, logits);
}

double LinearModel::TrainStep(const SparseRows& features, const Eigen::Ref<const Tensor>& labels) {
  if (!train_ && !fused_) BuildTrainGraph();
  if (features.cols != num_features()) {
    throw DataError("the batch has " + std::to_string(features.cols) + " features but the model has " +
                    std::to_string(num_features()));
  }
  if (labels.rows() != features.rows() || labels.cols() != label_cols_) {
    throw DataError("labels are (" + std::to_string(labels.rows()) + ", " + std::to_string(labels.cols()) +
                    ") for a batch of " + std::to_string(features.rows()) + " rows; expected " +
                    std::to_string(label_cols_) + " label column(s)");
  }
  if (standardized_) {
    standardized_labels_ = (labels.array() - target_mean_) / target_stddev_;
    const double loss = TrainStepOn(features, standardized_labels_);
    return loss * target_stddev_ * target_stddev_;
  }
  return TrainStepOn(features, labels);
}

double LinearModel::TrainStepOn(const SparseRows& features, const Eigen::Ref<const Tensor>& labels) {
  double loss = 0.0;
  if (fused_) {
    scratch_.assign(labels.data(), labels.data() + labels.rows());
    loss = fused_->Step(features, scratch_.data(), config_.loss == "sigmoid_cross_entropy",
                        static_cast<float>(optimizer_->schedule().Rate(steps_)), steps_ + 1);
  } else {
    train_->FeedSparse(train_input_, &features);
    train_->FeedBuffer(train_labels_, labels.rows()) = labels;
    train_->Forward();
    loss = train_loss_.scalar();
  }
  if (!std::isfinite(loss)) {
    throw DivergenceError("the training loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") +
                              " at step " + std::to_string(steps_ + 1) + " (optimizer " + optimizer_->Describe() +
                              "). The learning rate is most likely too high: try one 10x smaller.",
                          steps_ + 1);
  }
  if (!fused_) {
    train_->Backward(train_loss_);
    optimizer_->Step(trainable_);
  }
  ++steps_;
  return loss;
}

Tensor LinearModel::Predict(const SparseRows& features) {
  if (features.cols != num_features()) {
    throw DataError("the input has " + std::to_string(features.cols) + " features but the model has " +
                    std::to_string(num_features()));
  }
  Tensor out;
  if (fused_) {
    out.resize(features.rows(), 1);
    fused_->Predict(features, config_.loss == "sigmoid_cross_entropy", out.data());
  } else {
    if (!predict_) BuildPredictGraph();
    predict_->FeedSparse(predict_input_, &features);
    predict_->Forward(prediction_);
    out = prediction_.value();
  }
  if (standardized_) out = (out.array() * target_stddev_ + target_mean_).matrix();
  return out;
}

void LinearModel::StandardizeTargets(double mean, double stddev) {
  if (config_.loss != "mean_squared_error" || config_.outputs != 1) {
    throw ConfigError("StandardizeTargets: only for mean_squared_error with one output, not " + config_.loss);
  }
  if (steps_ > 0) throw ConfigError("StandardizeTargets: call it before the first step");
  if (!std::isfinite(mean) || !(stddev > 0.0) || !std::isfinite(stddev)) {
    throw ConfigError("StandardizeTargets: the mean must be finite and the standard deviation finite and > 0");
  }
  target_mean_ = mean;
  target_stddev_ = stddev;
  standardized_ = true;
}

float LinearModel::Weight(Index feature, Index output) const {
  const float w = fused_ ? fused_->weight(feature) : weights_->value(feature, output);
  return standardized_ ? static_cast<float>(w * target_stddev_) : w;
}

float LinearModel::Bias(Index output) const {
  const float b = fused_ ? fused_->bias() : bias_->value(0, output);
  return standardized_ ? static_cast<float>(b * target_stddev_ + target_mean_) : b;
}

Index LinearModel::CountNonzeroWeights() const { return fused_ ? fused_->CountNonzero() : weights_->CountNonzero(); }

void LinearModel::SetWeights(const std::vector<float>& weights, float bias) {
  if (fused_) throw ConfigError("SetWeights: the model runs the fused FTRL kernel; build it with allow_fused = false");
  if (config_.outputs != 1)
    throw ConfigError("SetWeights: the model has " + std::to_string(config_.outputs) + " outputs, not 1");
  if (static_cast<Index>(weights.size()) != num_features_) {
    throw ConfigError("SetWeights: " + std::to_string(weights.size()) + " weights for " +
                      std::to_string(num_features_) + " features");
  }
  const double scale = standardized_ ? target_stddev_ : 1.0, offset = standardized_ ? target_mean_ : 0.0;
  for (Index i = 0; i < num_features_; ++i) {
    weights_->value(i, 0) = static_cast<float>(weights[static_cast<size_t>(i)] / scale);
  }
  bias_->value(0, 0) = static_cast<float>((bias - offset) / scale);
}

std::vector<std::pair<Index, float>> LinearModel::NonzeroWeights(Index output) const {
  std::vector<std::pair<Index, float>> out;
  for (Index i = 0; i < num_features_; ++i) {
    const float w = Weight(i, output);
    if (w != 0.0f) out.emplace_back(i, w);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
  return out;
}

}  // namespace lever
