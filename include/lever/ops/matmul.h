#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Matrix product y = a b for a (m x k) and b (k x n).
/// d/da = dy b^T, d/db = a^T dy. Runs on the size-dispatched Gemm kernel.
template <class T>
BasicVar<T> MatMul(const BasicVar<T>& a, const BasicVar<T>& b);

}  // namespace lever
