#pragma once
// Trainable tensors and the store that owns them.
#include <memory>
#include <string>
#include <vector>

#include "lever/tensor/row_set.h"
#include "lever/tensor/tensor.h"

namespace lever {

/// A trainable tensor, its gradient and the regularization applied to it.
///
/// L2 (penalty l2 * sum w^2) is added to the gradient as 2 * l2 * w before the optimizer step. L1
/// (penalty l1 * sum |w|) is applied by the optimizer as a proximal step (soft thresholding with the
/// optimizer's own per-coordinate step size), which sets weights exactly to zero; FTRL-Proximal folds
/// both into its closed form.
struct Parameter {
  std::string name;  // "dense_1/kernel"
  Tensor value;
  Tensor grad;
  double l1 = 0.0;
  double l2 = 0.0;
  bool trainable = true;
  /// Row-sparse gradients: when set, only the rows in `touched` carry gradient (every other row of
  /// `grad` is zero) and the optimizer updates only those rows (embedding tables, wide linear weights).
  bool sparse_grad = false;
  RowSet touched;

  Index size() const { return value.size(); }
  /// Number of weights that are not exactly zero.
  Index CountNonzero() const;
};

/// Parameters the optimizer updates, in a fixed order.
using ParameterList = std::vector<Parameter*>;

/// Whether `name` is a weight matrix's: a dense kernel ("<layer>/kernel") or a linear part's weights
/// ("<part>/weights"); biases, embedding tables and batch-norm variables are not. The weights that L1
/// zeroes and that "nonzero weights" count.
bool IsKernelName(const std::string& name);

/// The regularization penalty of `parameters`: sum of l1 * sum |w| + l2 * sum w^2 over each.
double RegularizationPenalty(const ParameterList& parameters);

/// Owns parameters at stable addresses (graphs bind to them by pointer).
class ParameterStore {
 public:
  /// Creates a parameter of the given shape, zero-initialized, with a zero gradient.
  /// Names must be unique.
  Parameter& Create(const std::string& name, Index rows, Index cols);
  Parameter* Find(const std::string& name);
  const Parameter* Find(const std::string& name) const;
  ParameterList Trainable() const;
  ParameterList All() const;
  Index TotalSize() const;
  Index TrainableSize() const;

 private:
  std::vector<std::unique_ptr<Parameter>> params_;
};

}  // namespace lever
