#include "tune/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lever::tune::internal {
namespace {

TEST(LbfgsTest, MinimizesRosenbrock) {
  const Objective rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    const double a = 1.0 - x(0), b = x(1) - x(0) * x(0);
    if (g != nullptr) {
      g->resize(2);
      (*g)(0) = -2.0 * a - 400.0 * x(0) * b;
      (*g)(1) = 200.0 * b;
    }
    return a * a + 100.0 * b * b;
  };
  Eigen::VectorXd x(2);
  x << -1.2, 1.0;
  const double value = MinimizeLbfgs(rosenbrock, x, {.max_iterations = 200, .value_tolerance = 0.0});
  EXPECT_LT(value, 1e-10);
  EXPECT_NEAR(x(0), 1.0, 1e-5);
  EXPECT_NEAR(x(1), 1.0, 1e-5);
}

TEST(LbfgsTest, StopsAtAnInfiniteStart) {
  const Objective infinite = [](const Eigen::VectorXd&, Eigen::VectorXd* g) {
    if (g != nullptr) g->setZero(1);
    return std::numeric_limits<double>::infinity();
  };
  Eigen::VectorXd x = Eigen::VectorXd::Zero(1);
  EXPECT_FALSE(std::isfinite(MinimizeLbfgs(infinite, x)));
}

}  // namespace
}  // namespace lever::tune::internal
