#pragma once
// Canned estimators: model functions for the usual models on dense features, with TensorFlow's defaults.
//
//   linear   logits = x W + b; FTRL with learning rate min(0.2, 1 / sqrt(number of features)) by default
//            (TensorFlow's LinearClassifier rule), L1/L2 on W
//   dnn      an MLP (hidden units, activation, dropout, batch norm) with a linear output layer; AdaGrad with
//            learning rate 0.05 by default (TensorFlow's DNNClassifier)
//   sequential  any Keras-like Sequential model whose last layer gives the head's logits (the model turns
//            into an estimator with one call)
// The head decides the task (head.h). Wide-and-deep over feature columns builds on the same pieces.
#include <memory>
#include <string>
#include <vector>

#include "lever/estimator/estimator.h"
#include "lever/estimator/head.h"
#include "lever/nn/mlp.h"

namespace lever {

struct LinearOptions {
  /// Learning rate 0 means TensorFlow's rule min(0.2, 1 / sqrt(features)).
  OptimizerSpec optimizer{.name = "ftrl", .learning_rate = 0.0};
  Regularizer regularizer;  // on the weights, not the bias
};

struct DnnOptions {
  std::vector<Index> hidden_units{64, 32};
  std::string activation = "relu";
  std::string initializer = "glorot_uniform";
  double dropout = 0.0;
  bool batch_norm = false;
  Regularizer regularizer;
  OptimizerSpec optimizer{.name = "adagrad", .learning_rate = 0.05};
};

/// The linear model function (variables "linear/weights" and "linear/bias").
ModelFn LinearModelFn(HeadPtr head, LinearOptions options = {});
/// The DNN model function (an MLP under the name "dnn").
ModelFn DnnModelFn(HeadPtr head, DnnOptions options = {});
/// A model function that applies `model` and trains it with `optimizer`.
ModelFn SequentialModelFn(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer);

std::unique_ptr<Estimator> MakeLinearEstimator(HeadPtr head, LinearOptions options = {}, RunConfig config = {});
std::unique_ptr<Estimator> MakeDnnEstimator(HeadPtr head, DnnOptions options = {}, RunConfig config = {});
/// Keras' model_to_estimator: the model's output must have the head's logits dimension.
std::unique_ptr<Estimator> ModelToEstimator(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer,
                                            RunConfig config = {});

}  // namespace lever
