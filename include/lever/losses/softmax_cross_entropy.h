#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Softmax cross entropy from logits with soft labels: each label row is a distribution (entries >= 0
/// summing to 1, checked to 1e-4 per unit of row mass). Mean over rows of
///   -sum_j z_ij log softmax(x_i)_j,   log softmax computed as x - max - log(sum exp(x - max)).
/// dL/dx = (softmax(x) - z) / rows.
template <class T>
BasicVar<T> SoftmaxCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& labels);

}  // namespace lever
