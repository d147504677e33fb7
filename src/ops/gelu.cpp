// GELU, tanh approximation: forward and backward (formulas in lever/ops/activations.h).
#include "lever/ops/activations.h"
#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> Gelu(const BasicVar<T>& x) {
  static constexpr T kSqrt2OverPi = T(0.79788456080286535588);
  static constexpr T kCubic = T(0.044715);
  return x.graph()->AddOp(
      "gelu", {x}, internal::SameShape,
      [](OpContext<T>& c) {
        auto xa = c.x(0).array();
        c.y().array() = T(0.5) * xa * (T(1) + (kSqrt2OverPi * (xa + kCubic * xa.cube())).tanh());
      },
      // t is recomputed from x rather than kept: the forward pass stores only y.
      [](OpContext<T>& c) {
        auto xa = c.x(0).array();
        const auto t = (kSqrt2OverPi * (xa + kCubic * xa.cube())).tanh().eval();
        const auto du_dx = kSqrt2OverPi * (T(1) + T(3) * kCubic * xa.square());
        c.dx(0).array() += c.dy().array() * (T(0.5) * (T(1) + t) + T(0.5) * xa * (T(1) - t.square()) * du_dx);
      });
}

LEVER_INSTANTIATE_UNARY(Gelu)

}  // namespace lever
