#include "lever/ops/batch_norm.h"

#include <memory>

#include "ops/op_helpers.h"

namespace lever {
namespace {
template <class T>
struct Scratch {
  TensorT<T> xhat;     // normalized input of the last forward
  TensorT<T> inv_std;  // (1, cols)
  // (1, cols) temporaries kept here so that a steady-state step allocates nothing.
  TensorT<T> mean, var, scale, mean_dy, mean_dy_xhat;
  void Resize(Index rows, Index cols) {
    if (xhat.rows() != rows || xhat.cols() != cols) xhat.resize(rows, cols);
    for (TensorT<T>* row : {&inv_std, &mean, &var, &scale, &mean_dy, &mean_dy_xhat}) {
      if (row->cols() != cols || row->rows() != 1) row->resize(1, cols);
    }
  }
};
}  // namespace

template <class T>
BasicVar<T> BatchNorm(const BasicVar<T>& x, const BasicVar<T>& gamma, const BasicVar<T>& beta,
                      BatchNormState<T>* state) {
  if (state == nullptr || state->moving_mean == nullptr || state->moving_variance == nullptr) {
    throw ConfigError("batch_norm: the moving-statistics state is missing");
  }
  const Index cols = x.cols();
  if (state->moving_mean->size() == 0) *state->moving_mean = TensorT<T>::Zero(1, cols);
  if (state->moving_variance->size() == 0) *state->moving_variance = TensorT<T>::Ones(1, cols);
  auto infer = [](const std::vector<Shape>& in) {
    for (int i : {1, 2}) {
      if (in[static_cast<size_t>(i)].rows != 1 || in[static_cast<size_t>(i)].cols != in[0].cols) {
        throw ShapeError("batch_norm: gamma and beta must be (1, " + std::to_string(in[0].cols) + "), got " +
                         in[static_cast<size_t>(i)].ToString());
      }
    }
    return in[0];
  };
  for (const TensorT<T>* stat : {state->moving_mean, state->moving_variance}) {
    if (stat->rows() != 1 || stat->cols() != cols) {
      throw ShapeError("batch_norm: moving statistics must be (1, " + std::to_string(cols) + "), got (" +
                       std::to_string(stat->rows()) + ", " + std::to_string(stat->cols()) + ")");
    }
  }
  if (!(state->momentum >= 0.0 && state->momentum < 1.0)) {
    throw ConfigError("batch_norm: momentum must be in [0, 1), got " + FormatValue(state->momentum));
  }
  if (!(state->epsilon > 0.0)) throw ConfigError("batch_norm: epsilon must be > 0, got " + FormatValue(state->epsilon));
  auto scratch = std::make_shared<Scratch<T>>();
  return x.graph()->AddOp(
      "batch_norm", {x, gamma, beta}, infer,
      [state, scratch](OpContext<T>& c) {
        auto xv = c.x(0);
        const Index n = xv.rows();
        const T eps = static_cast<T>(state->epsilon);
        scratch->Resize(n, xv.cols());
        auto& xhat = scratch->xhat;
        auto& mean = scratch->mean;
        auto& var = scratch->var;
        if (c.graph().training() && n > 0) {
          const T m = static_cast<T>(state->momentum);
          // Two passes (mean, then centred squares) for accuracy.
          mean = xv.colwise().sum() / static_cast<T>(n);
          xhat = xv.rowwise() - mean.row(0);
          var = xhat.array().square().colwise().sum() / static_cast<T>(n);
          scratch->inv_std.array() = (var.array() + eps).rsqrt();
          xhat.array().rowwise() *= scratch->inv_std.array().row(0);
          *state->moving_mean = m * *state->moving_mean + (T(1) - m) * mean;
          *state->moving_variance = m * *state->moving_variance + (T(1) - m) * var;
        } else {
          scratch->inv_std.array() = (state->moving_variance->array() + eps).rsqrt();
          xhat = xv.rowwise() - state->moving_mean->row(0);
          xhat.array().rowwise() *= scratch->inv_std.array().row(0);
        }
        c.y().array() = (xhat.array().rowwise() * c.x(1).array().row(0)).rowwise() + c.x(2).array().row(0);
      },
      [scratch](OpContext<T>& c) {
        const auto& xhat = scratch->xhat;
        auto dy = c.dy();
        const Index n = dy.rows();
        if (c.needs_dx(1)) c.dx(1).array() += (dy.array() * xhat.array()).colwise().sum();
        if (c.needs_dx(2)) c.dx(2) += dy.colwise().sum();
        if (!c.needs_dx(0) || n == 0) return;
        auto& scale = scratch->scale;
        scale.array() = c.x(1).array() * scratch->inv_std.array();  // gamma / sqrt(var + eps)
        if (c.graph().training()) {
          auto& mean_dy = scratch->mean_dy;
          auto& mean_dy_xhat = scratch->mean_dy_xhat;
          mean_dy = dy.colwise().sum() / static_cast<T>(n);
          mean_dy_xhat = (dy.array() * xhat.array()).colwise().sum() / static_cast<T>(n);
          c.dx(0).array() +=
              ((dy.array().rowwise() - mean_dy.array().row(0)) - xhat.array().rowwise() * mean_dy_xhat.array().row(0))
                  .rowwise() *
              scale.array().row(0);
        } else {
          c.dx(0).array() += dy.array().rowwise() * scale.array().row(0);
        }
      });
}

template BasicVar<float> BatchNorm<float>(const BasicVar<float>&, const BasicVar<float>&, const BasicVar<float>&,
                                          BatchNormState<float>*);
template BasicVar<double> BatchNorm<double>(const BasicVar<double>&, const BasicVar<double>&, const BasicVar<double>&,
                                            BatchNormState<double>*);

}  // namespace lever
