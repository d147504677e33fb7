#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Softmax cross entropy from logits with integer class ids: `class_ids` is (rows, 1) holding whole
/// numbers in [0, classes). Mean over rows of -log softmax(x_i)_{id_i}.
/// dL/dx = (softmax(x) - onehot(id)) / rows. An id that is not a whole number in range is a DataError
/// naming the row and the id.
template <class T>
BasicVar<T> SparseSoftmaxCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& class_ids);

}  // namespace lever
