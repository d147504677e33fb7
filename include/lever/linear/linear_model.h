#pragma once
// Linear and logistic models over sparse features: the wide models of click prediction, trained with
// FTRL-Proximal (or any optimizer) on row-sparse gradients. The weight table is (features, outputs);
// a step touches only the rows present in its batch, and L1 leaves exact zeros, so the model is
// reported (and can be stored) as its nonzeros.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/nn/parameter.h"
#include "lever/nn/regularizer.h"
#include "lever/optim/registry.h"
#include "lever/tensor/sparse.h"

namespace lever {
namespace internal {
class WideFtrl;
}

struct LinearModelConfig {
  /// sigmoid_cross_entropy (logistic regression; several outputs = multi-label), mean_squared_error
  /// (linear regression) or sparse_softmax_cross_entropy (multinomial; outputs = classes).
  std::string loss = "sigmoid_cross_entropy";
  Index outputs = 1;
  /// FTRL by default; learning rate 0 means TensorFlow's rule min(0.2, 1 / sqrt(feature columns)).
  OptimizerSpec optimizer{.name = "ftrl", .learning_rate = 0.0};
  /// Number of feature columns, for the default learning rate (1 for a LIBSVM file).
  Index feature_columns = 1;
  /// Penalties on the weights (not the bias), on the mean loss.
  Regularizer regularizer;
  /// Use the fused FTRL kernel where it applies (FTRL, power -0.5, one output). Off runs the generic
  /// graph-and-optimizer path, which gives the same updates (tests compare the two).
  bool allow_fused = true;
  /// Scale each feature's L1 (regularizer.l1) by its standard deviation over the examples seen so far:
  /// the online form of coordinate descent's L1Scale::kStd. Only with the fused FTRL kernel (FTRL, power
  /// -0.5, one output), which sees the data; otherwise a ConfigError.
  bool l1_by_std = false;
};

class LinearModel {
 public:
  LinearModel(Index num_features, LinearModelConfig config);
  ~LinearModel();
  LinearModel(const LinearModel&) = delete;
  LinearModel& operator=(const LinearModel&) = delete;

  /// One optimizer step on a batch; returns its mean data loss. `labels` is (rows, 1) for
  /// sparse_softmax_cross_entropy (class ids) and (rows, outputs) otherwise. Throws DivergenceError on a
  /// non-finite loss.
  double TrainStep(const SparseRows& features, const Eigen::Ref<const Tensor>& labels);
  /// Probabilities (classification) or values (regression), (rows, outputs).
  Tensor Predict(const SparseRows& features);

  Index num_features() const { return num_features_; }
  Index outputs() const { return config_.outputs; }
  int64_t steps() const { return steps_; }
  const LinearModelConfig& config() const { return config_; }
  /// The optimizer as configured (Describe(), its schedule). With FTRL on one output the model runs a
  /// fused kernel with the same arithmetic (lever/linear/wide_ftrl.h); `fused()` says so.
  const Optimizer& optimizer() const { return *optimizer_; }
  bool fused() const { return fused_ != nullptr; }
  float Weight(Index feature, Index output = 0) const;
  float Bias(Index output = 0) const;
  Index CountNonzeroWeights() const;
  /// Replaces the weights and bias of a one-output model, e.g. with a batch solver's solution
  /// (FitCoordinateDescent). Not for a model running the fused FTRL kernel, whose weights follow from its
  /// accumulators (build it with allow_fused = false); the optimizer's other state is kept, so later steps
  /// continue from these weights.
  void SetWeights(const std::vector<float>& weights, float bias);
  /// Squared loss on raw targets (around 150, say) needs weights and a bias far from where an optimizer
  /// starts, at the pace of its learning rate. With this the model trains on (y - mean) / stddev and maps
  /// back: Predict, Weight, Bias, NonzeroWeights and SetWeights are in the targets' units, and TrainStep
  /// returns the loss in them too (the standardized loss times stddev^2). The penalties apply to the
  /// standardized weights. Only for mean_squared_error with one output, before the first step.
  void StandardizeTargets(double mean, double stddev);
  /// (feature, weight) of output `output`'s nonzero weights, largest magnitude first.
  std::vector<std::pair<Index, float>> NonzeroWeights(Index output = 0) const;

 private:
  void BuildTrainGraph();
  double TrainStepOn(const SparseRows& features, const Eigen::Ref<const Tensor>& labels);
  void BuildPredictGraph();

  LinearModelConfig config_;
  Index num_features_;
  Index label_cols_;
  ParameterStore store_;
  Parameter* weights_ = nullptr;  // generic path only
  Parameter* bias_ = nullptr;
  std::unique_ptr<internal::WideFtrl> fused_;
  std::vector<float> scratch_;
  std::unique_ptr<Optimizer> optimizer_;
  ParameterList trainable_;
  int64_t steps_ = 0;
  double target_mean_ = 0.0, target_stddev_ = 1.0;  // StandardizeTargets
  bool standardized_ = false;
  Tensor standardized_labels_;
  std::unique_ptr<Graph> train_;
  Var train_input_, train_labels_, train_loss_;
  std::unique_ptr<Graph> predict_;
  Var predict_input_, prediction_;
};

}  // namespace lever
