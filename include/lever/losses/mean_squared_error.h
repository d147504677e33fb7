#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// Mean squared error over all elements: L = mean((p - t)^2).  dL/dp = 2 (p - t) / size, dL/dt = -dL/dp.
/// `targets` has the shape of `predictions` (and gets a gradient only if it requires one).
template <class T>
BasicVar<T> MeanSquaredError(const BasicVar<T>& predictions, const BasicVar<T>& targets);

}  // namespace lever
