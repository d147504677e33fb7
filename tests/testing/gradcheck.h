#pragma once
// Finite-difference gradient checks for ops and losses, run in double precision.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/reduce.h"
#include "lever/tensor/rng.h"

namespace lever::testing {

struct GradCheckOptions {
  double eps = 1e-6;   // central-difference step
  double rtol = 1e-5;  // |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)
  double atol = 1e-8;
  bool training = true;  // graph mode (dropout, batch norm)
};

/// A tensor of uniform values in [lo, hi).
inline TensorD RandomTensor(Index rows, Index cols, Rng& rng, double lo = -1.0, double hi = 1.0) {
  TensorD t(rows, cols);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = rng.Uniform(lo, hi);
  return t;
}

/// Builds f on inputs holding `inputs` (each requiring a gradient), reduces a non-scalar output to
/// sum(output * R) with a fixed random R (a plain sum would hide errors, e.g. softmax rows always sum to
/// 1), and compares the backward pass with central differences over every element of every input.
/// Fails with the worst element.
inline ::testing::AssertionResult GradientsMatch(const std::function<VarD(const std::vector<VarD>&)>& f,
                                                 const std::vector<TensorD>& inputs, GradCheckOptions opt = {}) {
  GraphD graph(/*seed=*/7);
  graph.set_training(opt.training);
  std::vector<VarD> vars;
  for (size_t i = 0; i < inputs.size(); ++i) {
    VarD v = graph.Input("x" + std::to_string(i), {inputs[i].rows(), inputs[i].cols()}, /*requires_grad=*/true);
    graph.Feed(v, inputs[i]);
    vars.push_back(v);
  }
  VarD out = f(vars);
  VarD loss = out;
  if (out.rows() != 1 || out.cols() != 1) {
    Rng rng(99);
    VarD projection = graph.Constant(RandomTensor(out.rows(), out.cols(), rng, 0.5, 1.5), "projection");
    loss = Sum(Mul(out, projection));
  }
  graph.Forward();
  graph.Backward(loss);
  std::vector<TensorD> analytic;
  for (const VarD& v : vars) analytic.emplace_back(v.grad());

  double worst = -1.0;
  std::ostringstream worst_msg;
  for (size_t i = 0; i < vars.size(); ++i) {
    auto value = vars[i].value();
    for (Index r = 0; r < value.rows(); ++r) {
      for (Index c = 0; c < value.cols(); ++c) {
        const double original = value(r, c);
        value(r, c) = original + opt.eps;
        graph.Forward();
        const double plus = loss.scalar();
        value(r, c) = original - opt.eps;
        graph.Forward();
        const double minus = loss.scalar();
        value(r, c) = original;
        const double numeric = (plus - minus) / (2.0 * opt.eps);
        const double a = analytic[i](r, c);
        const double excess = std::abs(a - numeric) - (opt.atol + opt.rtol * std::max(std::abs(a), std::abs(numeric)));
        if (!std::isfinite(a) || !std::isfinite(numeric) || excess > worst) {
          worst = std::isfinite(a) && std::isfinite(numeric) ? excess : 1e300;
          worst_msg.str("");
          worst_msg << "input " << i << " element (" << r << ", " << c << "): analytic " << a << ", numeric "
                    << numeric;
        }
      }
    }
  }
  if (worst > 0.0) return ::testing::AssertionFailure() << "gradient mismatch; worst " << worst_msg.str();
  return ::testing::AssertionSuccess() << "worst " << worst_msg.str();
}

}  // namespace lever::testing
