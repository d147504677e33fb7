#include "lever/ops/reduce.h"

#include "ops/op_helpers.h"

namespace lever {
namespace {
Shape ScalarShape(const std::vector<Shape>&) { return {1, 1}; }
}  // namespace

template <class T>
BasicVar<T> Sum(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "sum", {x}, ScalarShape, [](OpContext<T>& c) { c.y()(0, 0) = c.x(0).sum(); },
      [](OpContext<T>& c) { c.dx(0).array() += c.dy()(0, 0); });
}

template <class T>
BasicVar<T> Mean(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "mean", {x}, ScalarShape,
      [](OpContext<T>& c) {
        const Index n = c.x(0).size();
        c.y()(0, 0) = n > 0 ? c.x(0).sum() / static_cast<T>(n) : T(0);
      },
      [](OpContext<T>& c) {
        const Index n = c.x(0).size();
        if (n > 0) c.dx(0).array() += c.dy()(0, 0) / static_cast<T>(n);
      });
}

template <class T>
BasicVar<T> SumRows(const BasicVar<T>& x) {
  return x.graph()->AddOp(
      "sum_rows", {x},
      [](const std::vector<Shape>& in) {
        return Shape{1, in[0].cols};
      },
      [](OpContext<T>& c) { c.y() = c.x(0).colwise().sum(); },
      [](OpContext<T>& c) { c.dx(0).rowwise() += c.dy().row(0); });
}

LEVER_INSTANTIATE_UNARY(Sum)
LEVER_INSTANTIATE_UNARY(Mean)
LEVER_INSTANTIATE_UNARY(SumRows)

}  // namespace lever
