#pragma once
#include "lever/autodiff/graph.h"

namespace lever {

/// y = sum of all elements (1 x 1). d/dx = dy everywhere.
template <class T>
BasicVar<T> Sum(const BasicVar<T>& x);

/// y = mean of all elements (1 x 1). d/dx = dy / size.
template <class T>
BasicVar<T> Mean(const BasicVar<T>& x);

/// y = sum over rows (1 x cols): the column sums. d/dx = dy broadcast to every row.
template <class T>
BasicVar<T> SumRows(const BasicVar<T>& x);

}  // namespace lever
