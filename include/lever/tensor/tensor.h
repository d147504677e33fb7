#pragma once
// Dense tensors. lever's networks work on batches of rows, so a tensor is a row-major matrix:
// rows are examples, columns are features or units. A scalar is 1 x 1.
#include <Eigen/Core>
#include <string>
#include <vector>

namespace lever {

using Index = Eigen::Index;

/// A dense row-major matrix of T; Tensor (float32) is the one models train with,
/// TensorD (float64) serves gradient checks.
template <class T>
using TensorT = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Tensor = TensorT<float>;
using TensorD = TensorT<double>;

/// A view of a tensor stored elsewhere (parameters, graph buffers).
template <class T>
using TensorMap = Eigen::Map<TensorT<T>, Eigen::Unaligned>;
template <class T>
using ConstTensorMap = Eigen::Map<const TensorT<T>, Eigen::Unaligned>;

/// Views accepted by kernels: any row-major block with unit inner stride, without copying.
template <class T>
using TensorRef = Eigen::Ref<TensorT<T>>;
template <class T>
using ConstTensorRef = Eigen::Ref<const TensorT<T>>;

/// Rows and columns.
struct Shape {
  Index rows = 0;
  Index cols = 0;
  Index size() const { return rows * cols; }
  bool operator==(const Shape&) const = default;
  std::string ToString() const { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }
};

/// Column `column` of `t` as doubles (what the metrics take).
inline std::vector<double> ColumnValues(const Tensor& t, Index column) {
  std::vector<double> values(static_cast<size_t>(t.rows()));
  for (Index i = 0; i < t.rows(); ++i) values[static_cast<size_t>(i)] = t(i, column);
  return values;
}

}  // namespace lever
