#include "lever/ops/dropout.h"

#include <memory>

#include "lever/tensor/rng.h"
#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> Dropout(const BasicVar<T>& x, double rate) {
  if (!(rate >= 0.0 && rate < 1.0)) {
    throw ConfigError("dropout rate must be in [0, 1), got " + FormatValue(rate) +
                      ". It is the fraction of units dropped, e.g. 0.1 to 0.5.");
  }
  auto mask = std::make_shared<TensorT<T>>();  // holds 0 or 1 / (1 - rate); reused every step
  const T keep_scale = static_cast<T>(1.0 / (1.0 - rate));
  // Compare 24-bit uniform integers against a threshold: exact and fast.
  const uint32_t drop_below = static_cast<uint32_t>(rate * 16777216.0);
  return x.graph()->AddOp(
      "dropout", {x}, internal::SameShape,
      [mask, keep_scale, drop_below](OpContext<T>& c) {
        auto& g = c.graph();
        if (!g.training() || drop_below == 0) {
          c.y() = c.x(0);
          return;
        }
        const Shape s = c.x_shape(0);
        if (mask->rows() != s.rows || mask->cols() != s.cols) mask->resize(s.rows, s.cols);
        Rng rng = Rng::Stream(g.seed(), static_cast<uint64_t>(c.node()), g.step());
        T* m = mask->data();
        for (Index i = 0; i < mask->size(); ++i) {
          m[i] = static_cast<uint32_t>(rng.NextU64() >> 40) >= drop_below ? keep_scale : T(0);
        }
        c.y().array() = c.x(0).array() * mask->array();
      },
      [mask, drop_below](OpContext<T>& c) {
        if (!c.graph().training() || drop_below == 0) {
          c.dx(0) += c.dy();
        } else {
          c.dx(0).array() += c.dy().array() * mask->array();
        }
      });
}

LEVER_INSTANTIATE_UNARY(Dropout, double)

}  // namespace lever
