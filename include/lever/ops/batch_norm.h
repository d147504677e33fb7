#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Moving statistics a batch-normalization op keeps between steps (Keras' defaults). The tensors live
/// elsewhere (a layer's non-trainable parameters) and must be (1, cols); empty ones are set to 0 and 1.
template <class T>
struct BatchNormState {
  TensorT<T>* moving_mean = nullptr;      // starts at 0
  TensorT<T>* moving_variance = nullptr;  // starts at 1
  double momentum = 0.99;                 // moving = momentum * moving + (1 - momentum) * batch
  double epsilon = 1e-3;
};

/// Batch normalization (Ioffe and Szegedy 2015) over the rows of x, per column:
///   training:  mu, var = batch mean and (biased) variance;  xhat = (x - mu) / sqrt(var + eps)
///              and the moving statistics in `state` are updated;
///   inference: xhat = (x - moving_mean) / sqrt(moving_variance + eps);
///   y = gamma * xhat + beta, with gamma and beta (1, cols).
/// Training gradient: dxhat = dy gamma;  dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sqrt(var + eps);
/// dgamma = sum(dy xhat);  dbeta = sum(dy).  `state` must outlive the graph.
template <class T>
BasicVar<T> BatchNorm(const BasicVar<T>& x, const BasicVar<T>& gamma, const BasicVar<T>& beta,
                      BatchNormState<T>* state);

}  // namespace lever
