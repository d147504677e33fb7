#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Sigmoid cross entropy from logits, one independent sigmoid per column: binary classification with
/// one column, multi-label with one column per class. Labels z in [0, 1]. Mean over all elements of
///   max(x, 0) - x z + log(1 + exp(-|x|))      (stable for any x; equals -z log p - (1 - z) log(1 - p)).
/// dL/dx = (sigmoid(x) - z) / size. Labels outside [0, 1] are a DataError.
template <class T>
BasicVar<T> SigmoidCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& labels);

}  // namespace lever
