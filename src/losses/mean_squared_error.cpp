#include "lever/losses/mean_squared_error.h"

#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> MeanSquaredError(const BasicVar<T>& predictions, const BasicVar<T>& targets) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[0] != in[1]) {
      throw ShapeError("mean_squared_error: predictions " + in[0].ToString() + " and targets " + in[1].ToString() +
                       " differ in shape");
    }
    return Shape{1, 1};
  };
  return predictions.graph()->AddOp(
      "mean_squared_error", {predictions, targets}, infer,
      [](OpContext<T>& c) {
        const Index n = c.x(0).size();
        c.y()(0, 0) = n > 0 ? (c.x(0) - c.x(1)).squaredNorm() / static_cast<T>(n) : T(0);
      },
      [](OpContext<T>& c) {
        const Index n = c.x(0).size();
        if (n == 0) return;
        const T scale = T(2) * c.dy()(0, 0) / static_cast<T>(n);
        if (c.needs_dx(0)) c.dx(0) += scale * (c.x(0) - c.x(1));
        if (c.needs_dx(1)) c.dx(1) -= scale * (c.x(0) - c.x(1));
      });
}

LEVER_INSTANTIATE_BINARY(MeanSquaredError)

}  // namespace lever
