#include "lever/losses/sigmoid_cross_entropy.h"

#include <cmath>
#include <sstream>

#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> SigmoidCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& labels) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[0] != in[1]) {
      throw ShapeError("sigmoid_cross_entropy: logits " + in[0].ToString() + " and labels " + in[1].ToString() +
                       " differ in shape");
    }
    return Shape{1, 1};
  };
  return logits.graph()->AddOp(
      "sigmoid_cross_entropy", {logits, labels}, infer,
      [](OpContext<T>& c) {
        auto x = c.x(0).array();
        auto z = c.x(1).array();
        const Index n = x.size();
        if (n == 0) {
          c.y()(0, 0) = T(0);
          return;
        }
        if (!((z >= T(0)) && (z <= T(1))).all()) {
          for (Index i = 0; i < x.rows(); ++i) {
            for (Index j = 0; j < x.cols(); ++j) {
              const T v = z(i, j);
              if (!(v >= T(0) && v <= T(1))) {
                std::ostringstream msg;
                msg << "sigmoid_cross_entropy: label " << v << " at row " << i << ", column " << j
                    << " is outside [0, 1]. Binary and multi-label targets must be 0 or 1 (or a probability).";
                throw DataError(msg.str());
              }
            }
          }
        }
        c.y()(0, 0) = (x.max(T(0)) - x * z + (-x.abs()).exp().log1p()).sum() / static_cast<T>(n);
      },
      [](OpContext<T>& c) {
        const Index n = c.x(0).size();
        if (n == 0) return;
        const T scale = c.dy()(0, 0) / static_cast<T>(n);
        if (c.needs_dx(0)) c.dx(0).array() += scale * (c.x(0).array().logistic() - c.x(1).array());
        // d/dz = -x: labels are data, but a soft target produced by the graph gets its gradient too.
        if (c.needs_dx(1)) c.dx(1).array() -= scale * c.x(0).array();
      });
}

LEVER_INSTANTIATE_BINARY(SigmoidCrossEntropy)

}  // namespace lever
