#pragma once
// Canned estimators: model functions for the usual models on dense features, with TensorFlow's defaults.
//
//   linear   logits = x W + b; FTRL with learning rate min(0.2, 1 / sqrt(number of features)) by default
//            (TensorFlow's LinearClassifier rule), L1/L2 on W
//   dnn      an MLP (hidden units, activation, dropout, batch norm) with a linear output layer; AdaGrad with
//            learning rate 0.05 by default (TensorFlow's DNNClassifier)
//   sequential  any Keras-like Sequential model whose last layer gives the head's logits (the model turns
//            into an estimator with one call)
//   wide-and-deep  a linear model over sparse wide columns (categoricals, crosses) plus a DNN over numeric
//            columns and embeddings, their logits summed (Cheng et al. 2016, TensorFlow's
//            DNNLinearCombined): FTRL on the wide part, AdaGrad on the deep part, by default
// The head decides the task (head.h).
#include <memory>
#include <string>
#include <vector>

#include "lever/estimator/estimator.h"
#include "lever/estimator/head.h"
#include "lever/features/feature_set.h"
#include "lever/nn/mlp.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/registry.h"
#include "lever/train/dnn_defaults.h"

namespace lever {

struct LinearOptions {
  /// Learning rate 0 means TensorFlow's rule min(0.2, 1 / sqrt(features)).
  OptimizerSpec optimizer{.name = "ftrl", .learning_rate = 0.0};
  Regularizer regularizer;  // on the weights, not the bias
};

struct DnnOptions {
  std::vector<Index> hidden_units = dnn_defaults::kHiddenUnits;
  std::string activation = dnn_defaults::kActivation;
  std::string initializer = "glorot_uniform";
  double dropout = 0.0;
  bool batch_norm = false;
  Regularizer regularizer;
  OptimizerSpec optimizer{.name = dnn_defaults::kOptimizer, .learning_rate = dnn_defaults::kLearningRate};
};

struct WideDeepOptions {
  bool use_wide = true;  // false: the deep part alone (for comparisons)
  bool use_deep = true;  // false: the wide part alone
  std::vector<Index> hidden_units = dnn_defaults::kHiddenUnits;
  std::string activation = dnn_defaults::kActivation;
  double dropout = 0.0;
  /// Learning rate 0 means min(0.2, 1 / sqrt(wide columns)), TensorFlow's linear default.
  OptimizerSpec linear_optimizer{.name = "ftrl", .learning_rate = 0.0};
  Regularizer linear_regularizer;
  OptimizerSpec dnn_optimizer{.name = dnn_defaults::kOptimizer, .learning_rate = dnn_defaults::kLearningRate};
};

/// A job's model type (estimator.type): which parts of the wide-and-deep model it trains. The table is in
/// src/estimator/canned.cpp.
struct ModelType {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  bool wide;  // a linear part over sparse columns
  bool deep;  // a DNN part over dense and embedding columns
};

/// The type named `name` or an alias; ConfigError listing the valid names for an unknown one.
const ModelType& FindModelType(const std::string& name);

/// True when `name` is a registered model type or alias.
bool IsModelTypeName(const std::string& name);

/// Every registered model type name, in table order.
std::vector<std::string> ModelTypeNames();

/// Every model type with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> ModelTypeEntries();

/// What the wide-and-deep model function needs to know of its inputs (MakeExamples' names).
struct WideDeepInputs {
  Index wide_dimension = 0;  // the wide columns' linear feature space ("wide")
  Index wide_columns = 0;    // how many wide columns (for the default learning rate)
  struct Embedding {
    std::string name;  // the column; the input is "embedding:<name>"
    Index buckets = 0;
    Index dimension = 0;
    Combiner combiner = Combiner::kMean;
  };
  std::vector<Embedding> embeddings;

  /// From bound feature sets (either may be null).
  static WideDeepInputs FromFeatureSets(const FeatureSet* wide, const FeatureSet* deep);
};

/// The linear model function (variables "linear/weights" and "linear/bias").
ModelFn LinearModelFn(HeadPtr head, LinearOptions options = {});
/// The DNN model function. It owns its network: give each estimator its own model function.
ModelFn DnnModelFn(HeadPtr head, DnnOptions options = {});
/// A model function that applies `model` and trains it with `optimizer`.
ModelFn SequentialModelFn(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer);

/// Wide-and-deep: variables "linear/weights" (sparse), "linear/bias", "dnn/embedding/<column>" (sparse)
/// and the DNN's layers.
ModelFn WideDeepModelFn(HeadPtr head, WideDeepInputs inputs, WideDeepOptions options = {});

std::unique_ptr<Estimator> MakeLinearEstimator(HeadPtr head, LinearOptions options = {}, RunConfig config = {});
std::unique_ptr<Estimator> MakeDnnEstimator(HeadPtr head, DnnOptions options = {}, RunConfig config = {});
/// Wide-and-deep over feature sets (bound and fitted; feed it MakeExamples(wide, deep, ...)).
std::unique_ptr<Estimator> MakeWideDeepEstimator(HeadPtr head, const FeatureSet* wide, const FeatureSet* deep,
                                                 WideDeepOptions options = {}, RunConfig config = {});
/// Keras' model_to_estimator: the model's output must have the head's logits dimension.
std::unique_ptr<Estimator> ModelToEstimator(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer,
                                            RunConfig config = {});

}  // namespace lever
