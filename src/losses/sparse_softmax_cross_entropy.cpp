#include "lever/losses/sparse_softmax_cross_entropy.h"

#include <cmath>
#include <memory>
#include <sstream>

#include "losses/softmax_rows.h"
#include "ops/op_helpers.h"

namespace lever {

template <class T>
BasicVar<T> SparseSoftmaxCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& class_ids) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[1].cols != 1 || in[1].rows != in[0].rows) {
      throw ShapeError("sparse_softmax_cross_entropy: class ids must be (" + std::to_string(in[0].rows) +
                       ", 1), one integer id per row of logits " + in[0].ToString() + ", got " + in[1].ToString());
    }
    return Shape{1, 1};
  };
  auto scratch = std::make_shared<internal::SoftmaxScratch<T>>();
  return logits.graph()->AddOp(
      "sparse_softmax_cross_entropy", {logits, class_ids}, infer,
      [scratch](OpContext<T>& c) {
        auto x = c.x(0);
        auto ids = c.x(1);
        const Index rows = x.rows();
        const Index classes = x.cols();
        if (rows == 0) {
          c.y()(0, 0) = T(0);
          return;
        }
        for (Index i = 0; i < rows; ++i) {
          const T id = ids(i, 0);
          if (!(id >= T(0) && id < static_cast<T>(classes)) || id != std::floor(id)) {
            std::ostringstream msg;
            msg << "sparse_softmax_cross_entropy: class id " << id << " at row " << i << " is not an integer in [0, "
                << classes << "). The model has " << classes
                << " output classes; check the label column or the number of classes.";
            throw DataError(msg.str());
          }
        }
        internal::SoftmaxRows(x, scratch->probabilities, scratch->row_max, scratch->log_norm);
        T total = T(0);
        for (Index i = 0; i < rows; ++i) {
          const Index id = static_cast<Index>(ids(i, 0));
          total += scratch->row_max(i, 0) + scratch->log_norm(i, 0) - x(i, id);
        }
        c.y()(0, 0) = total / static_cast<T>(rows);
      },
      [scratch](OpContext<T>& c) {
        const Index rows = c.x(0).rows();
        if (rows == 0 || !c.needs_dx(0)) return;
        const T scale = c.dy()(0, 0) / static_cast<T>(rows);
        auto dx = c.dx(0);
        auto ids = c.x(1);
        dx += scale * scratch->probabilities;
        for (Index i = 0; i < rows; ++i) dx(i, static_cast<Index>(ids(i, 0))) -= scale;
      });
}

LEVER_INSTANTIATE_BINARY(SparseSoftmaxCrossEntropy)

}  // namespace lever
