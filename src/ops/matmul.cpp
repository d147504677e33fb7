#include "lever/ops/matmul.h"

#include "lever/tensor/gemm.h"
#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> MatMul(const BasicVar<T>& a, const BasicVar<T>& b) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[0].cols != in[1].rows) {
      throw ShapeError("matmul: inner dimensions differ: " + in[0].ToString() + " x " + in[1].ToString());
    }
    return Shape{in[0].rows, in[1].cols};
  };
  return a.graph()->AddOp(
      "matmul", {a, b}, infer, [](OpContext<T>& c) { Gemm<T>(c.x(0), false, c.x(1), false, c.y(), false); },
      [](OpContext<T>& c) {
        if (c.needs_dx(0)) Gemm<T>(c.dy(), false, c.x(1), true, c.dx(0), true);
        if (c.needs_dx(1)) Gemm<T>(c.x(0), true, c.dy(), false, c.dx(1), true);
      });
}

LEVER_INSTANTIATE_BINARY(MatMul)

}  // namespace lever
