#include "lever/losses/softmax_cross_entropy.h"

#include <cmath>
#include <memory>
#include <sstream>

#include "losses/softmax_rows.h"
#include "ops/op_helpers.h"

namespace lever {
namespace {

template <class Labels>
void CheckDistributions(const Labels& z) {
  for (Index i = 0; i < z.rows(); ++i) {
    double sum = 0.0;
    for (Index j = 0; j < z.cols(); ++j) {
      const double v = static_cast<double>(z(i, j));
      if (!(v >= 0.0) || !std::isfinite(v)) {
        std::ostringstream msg;
        msg << "softmax_cross_entropy: label " << v << " at row " << i << ", column " << j
            << " is not a probability. Soft labels must be >= 0 and sum to 1 per row; for integer class ids "
               "use sparse_softmax_cross_entropy.";
        throw DataError(msg.str());
      }
      sum += v;
    }
    if (std::abs(sum - 1.0) > 1e-4 * std::max<double>(1.0, static_cast<double>(z.cols()) / 100.0)) {
      std::ostringstream msg;
      msg << "softmax_cross_entropy: label row " << i << " sums to " << sum
          << ", not 1. Soft labels must be a distribution over the classes (one-hot rows sum to 1); for "
             "integer class ids use sparse_softmax_cross_entropy.";
      throw DataError(msg.str());
    }
  }
}

}  // namespace

template <class T>
BasicVar<T> SoftmaxCrossEntropy(const BasicVar<T>& logits, const BasicVar<T>& labels) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[0] != in[1]) {
      throw ShapeError("softmax_cross_entropy: logits " + in[0].ToString() + " and labels " + in[1].ToString() +
                       " differ in shape (labels need one column per class)");
    }
    return Shape{1, 1};
  };
  auto scratch = std::make_shared<internal::SoftmaxScratch<T>>();
  return logits.graph()->AddOp(
      "softmax_cross_entropy", {logits, labels}, infer,
      [scratch](OpContext<T>& c) {
        auto x = c.x(0);
        auto z = c.x(1);
        const Index rows = x.rows();
        if (rows == 0) {
          c.y()(0, 0) = T(0);
          return;
        }
        CheckDistributions(z);
        internal::SoftmaxRows(x, scratch->probabilities, scratch->row_max, scratch->log_norm);
        // -sum_j z_ij (x_ij - max_i - log_norm_i) = (max_i + log_norm_i) sum_j z_ij - sum_j z_ij x_ij
        T total = T(0);
        for (Index i = 0; i < rows; ++i) {
          total += (scratch->row_max(i, 0) + scratch->log_norm(i, 0)) * z.row(i).sum() - z.row(i).dot(x.row(i));
        }
        c.y()(0, 0) = total / static_cast<T>(rows);
      },
      [scratch](OpContext<T>& c) {
        const Index rows = c.x(0).rows();
        if (rows == 0) return;
        const T scale = c.dy()(0, 0) / static_cast<T>(rows);
        if (c.needs_dx(0)) c.dx(0) += scale * (scratch->probabilities - c.x(1));
        if (c.needs_dx(1)) {
          // d/dz_ij = -log softmax(x)_ij
          auto x = c.x(0);
          for (Index i = 0; i < rows; ++i) {
            c.dx(1).row(i).array() -= scale * (x.row(i).array() - scratch->row_max(i, 0) - scratch->log_norm(i, 0));
          }
        }
      });
}

LEVER_INSTANTIATE_BINARY(SoftmaxCrossEntropy)

}  // namespace lever
