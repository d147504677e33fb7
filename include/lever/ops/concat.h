#pragma once
#include <vector>

#include "lever/autodiff/graph.h"

namespace lever {

/// Concatenates along columns: y = [x0 | x1 | ...], every input with the same number of rows.
/// d/dx_i = the columns of dy that x_i filled.
template <class T>
BasicVar<T> Concat(const std::vector<BasicVar<T>>& inputs);

}  // namespace lever
