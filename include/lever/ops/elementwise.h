#pragma once
// Elementwise arithmetic. Binary ops accept equal shapes, or a (1, cols) row on either side that is
// broadcast over every row of the other (the gradient of a broadcast row sums over rows).
#include "lever/autodiff/graph.h"

namespace lever {

/// y = a + b. d/da = dy, d/db = dy.
template <class T>
BasicVar<T> Add(const BasicVar<T>& a, const BasicVar<T>& b);

/// y = a - b. d/da = dy, d/db = -dy.
template <class T>
BasicVar<T> Sub(const BasicVar<T>& a, const BasicVar<T>& b);

/// y = a * b elementwise. d/da = dy * b, d/db = dy * a.
template <class T>
BasicVar<T> Mul(const BasicVar<T>& a, const BasicVar<T>& b);

/// y = x + bias for a (1, cols) bias added to every row. d/dx = dy, d/dbias = column sums of dy.
template <class T>
BasicVar<T> BiasAdd(const BasicVar<T>& x, const BasicVar<T>& bias);

/// y = factor * x. d/dx = factor * dy.
template <class T>
BasicVar<T> Scale(const BasicVar<T>& x, double factor);

/// y = x^2 elementwise. d/dx = 2 x dy.
template <class T>
BasicVar<T> Square(const BasicVar<T>& x);

}  // namespace lever
