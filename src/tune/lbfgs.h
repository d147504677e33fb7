#pragma once
// Limited-memory BFGS (Nocedal, "Updating Quasi-Newton Matrices with Limited Storage", 1980) with an
// Armijo backtracking line search: small, dependency-free, for the Gaussian process's hyperparameters.
#include <Eigen/Core>
#include <functional>

namespace lever::tune::internal {

struct LbfgsOptions {
  int max_iterations = 100;
  int memory = 8;
  double gradient_tolerance = 1e-6;  // stop when |g|_inf is below
  double value_tolerance = 1e-10;    // stop when the relative decrease is below
};

/// Value and, when `gradient` is non-null, its gradient.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* gradient)>;

/// Minimizes `f` starting from `x`, which holds the best point found on return; returns f there
/// (non-finite if f was non-finite at the start).
double MinimizeLbfgs(const Objective& f, Eigen::VectorXd& x, const LbfgsOptions& options = {});

}  // namespace lever::tune::internal
