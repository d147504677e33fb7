#pragma once
// Row-wise softmax shared by the two softmax cross-entropy losses (internal).
#include "lever/tensor/tensor.h"

namespace lever::internal {

/// probabilities_i = softmax(logits_i); returns the log-sum-exp of each row relative to its maximum so
/// that log softmax(x)_ij = x_ij - max_i - log_norm_i. Writes `log_norm` (rows, 1).
template <class T, class Logits>
void SoftmaxRows(const Logits& logits, TensorT<T>& probabilities, TensorT<T>& row_max, TensorT<T>& log_norm) {
  const Index rows = logits.rows();
  const Index cols = logits.cols();
  if (probabilities.rows() != rows || probabilities.cols() != cols) probabilities.resize(rows, cols);
  if (row_max.rows() != rows || row_max.cols() != 1) row_max.resize(rows, 1);
  if (log_norm.rows() != rows || log_norm.cols() != 1) log_norm.resize(rows, 1);
  for (Index i = 0; i < rows; ++i) {
    const T m = logits.row(i).maxCoeff();
    auto p = probabilities.row(i).array();
    p = (logits.row(i).array() - m).exp();
    const T s = p.sum();
    p /= s;
    row_max(i, 0) = m;
    log_norm(i, 0) = std::log(s);
  }
}

template <class T>
struct SoftmaxScratch {
  TensorT<T> probabilities, row_max, log_norm;
};

}  // namespace lever::internal
