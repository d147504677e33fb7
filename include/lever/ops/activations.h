#pragma once
// Activation functions, elementwise unless noted. Each line gives y and dy/dx.
#include "lever/autodiff/graph.h"

namespace lever {

/// y = 1 / (1 + exp(-x)).  dy/dx = y (1 - y).
template <class T>
BasicVar<T> Sigmoid(const BasicVar<T>& x);

/// y = tanh(x).  dy/dx = 1 - y^2.
template <class T>
BasicVar<T> Tanh(const BasicVar<T>& x);

/// y = max(x, 0).  dy/dx = 1 if x > 0 else 0.
template <class T>
BasicVar<T> Relu(const BasicVar<T>& x);

/// y = x if x > 0 else alpha x.  dy/dx = 1 or alpha. (Maas et al. 2013; Keras' default alpha is 0.3,
/// TensorFlow's 0.2.)
template <class T>
BasicVar<T> LeakyRelu(const BasicVar<T>& x, double alpha);

/// Parametric ReLU (He et al. 2015): y = x if x > 0 else a_j x, with a learned slope a (1, cols) per
/// unit.  dy/dx = 1 or a_j;  dy/da_j = sum over rows of x where x <= 0.
template <class T>
BasicVar<T> Prelu(const BasicVar<T>& x, const BasicVar<T>& alpha);

/// ELU (Clevert et al. 2015): y = x if x > 0 else alpha (exp(x) - 1).  dy/dx = 1 or y + alpha.
template <class T>
BasicVar<T> Elu(const BasicVar<T>& x, double alpha);

/// GELU, tanh approximation (Hendrycks and Gimpel 2016): y = x/2 (1 + t), t = tanh(c (x + 0.044715 x^3)),
/// c = sqrt(2/pi).  dy/dx = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3 * 0.044715 x^2). In src/ops/gelu.cpp.
template <class T>
BasicVar<T> Gelu(const BasicVar<T>& x);

/// Row-wise softmax: y_ij = exp(x_ij - m_i) / sum_k exp(x_ik - m_i), m_i the row maximum.
/// dx_ij = y_ij (dy_ij - sum_k dy_ik y_ik).
template <class T>
BasicVar<T> Softmax(const BasicVar<T>& x);

}  // namespace lever
