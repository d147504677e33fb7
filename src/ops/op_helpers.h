#pragma once
// Shared shape rules and instantiation macros for op implementations (not part of the public API).
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/error.h"

namespace lever::internal {

/// Output shape equal to input 0's.
inline Shape SameShape(const std::vector<Shape>& in) { return in[0]; }

/// Shape of an elementwise binary op where either side may be a 1 x cols row broadcast over the other.
inline Shape BroadcastRows(const std::string& op, const Shape& a, const Shape& b) {
  if (a == b) return a;
  if (b.rows == 1 && b.cols == a.cols) return a;
  if (a.rows == 1 && a.cols == b.cols) return b;
  throw ShapeError(op + ": shapes " + a.ToString() + " and " + b.ToString() +
                   " do not match and neither is a (1, cols) row to broadcast");
}

}  // namespace lever::internal

/// Instantiate an op template `Name` for float and double; extra arguments are the parameter types after
/// the Var inputs, e.g. LEVER_INSTANTIATE_UNARY(Tanh) or LEVER_INSTANTIATE_UNARY(LeakyRelu, double).
#define LEVER_INSTANTIATE_UNARY(Name, ...)                                                                   \
  template ::lever::BasicVar<float> Name<float>(const ::lever::BasicVar<float>& __VA_OPT__(, ) __VA_ARGS__); \
  template ::lever::BasicVar<double> Name<double>(const ::lever::BasicVar<double>& __VA_OPT__(, ) __VA_ARGS__);
#define LEVER_INSTANTIATE_BINARY(Name, ...)                                                                  \
  template ::lever::BasicVar<float> Name<float>(const ::lever::BasicVar<float>&,                             \
                                                const ::lever::BasicVar<float>& __VA_OPT__(, ) __VA_ARGS__); \
  template ::lever::BasicVar<double> Name<double>(const ::lever::BasicVar<double>&,                          \
                                                  const ::lever::BasicVar<double>& __VA_OPT__(, ) __VA_ARGS__);
