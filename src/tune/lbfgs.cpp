#include "tune/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <vector>

namespace lever::tune::internal {

double MinimizeLbfgs(const Objective& f, Eigen::VectorXd& x, const LbfgsOptions& options) {
  Eigen::VectorXd g(x.size());
  double fx = f(x, &g);
  if (!std::isfinite(fx) || !g.allFinite()) return fx;
  std::deque<Eigen::VectorXd> s_list, y_list;
  std::deque<double> rho_list;
  Eigen::VectorXd x_next(x.size()), g_next(x.size());
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    if (g.lpNorm<Eigen::Infinity>() < options.gradient_tolerance) break;
    // Two-loop recursion: direction = -H g.
    Eigen::VectorXd q = g;
    std::vector<double> a(s_list.size());
    for (size_t i = s_list.size(); i-- > 0;) {
      a[i] = rho_list[i] * s_list[i].dot(q);
      q -= a[i] * y_list[i];
    }
    const double gamma =
        s_list.empty() ? 1.0 / std::max(1.0, g.norm()) : s_list.back().dot(y_list.back()) / y_list.back().squaredNorm();
    Eigen::VectorXd direction = gamma * q;
    for (size_t i = 0; i < s_list.size(); ++i) {
      const double b = rho_list[i] * y_list[i].dot(direction);
      direction += (a[i] - b) * s_list[i];
    }
    direction = -direction;
    double slope = g.dot(direction);
    if (!(slope < 0.0)) {  // not a descent direction: restart from steepest descent
      s_list.clear();
      y_list.clear();
      rho_list.clear();
      direction = -g / std::max(1.0, g.norm());
      slope = g.dot(direction);
    }
    double step = 1.0;
    double f_next = fx;
    bool accepted = false;
    for (int trial = 0; trial < 40; ++trial) {
      x_next = x + step * direction;
      f_next = f(x_next, &g_next);
      if (std::isfinite(f_next) && g_next.allFinite() && f_next <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const Eigen::VectorXd s = x_next - x;
    const Eigen::VectorXd y = g_next - g;
    const double sy = s.dot(y);
    // Keep only pairs with positive curvature, so the implicit Hessian stays positive definite.
    if (sy > 1e-12 * s.norm() * y.norm()) {
      s_list.push_back(s);
      y_list.push_back(y);
      rho_list.push_back(1.0 / sy);
      if (static_cast<int>(s_list.size()) > options.memory) {
        s_list.pop_front();
        y_list.pop_front();
        rho_list.pop_front();
      }
    }
    const double decrease = fx - f_next;
    x = x_next;
    g = g_next;
    fx = f_next;
    if (decrease <= options.value_tolerance * std::max(1.0, std::fabs(fx))) break;
  }
  return fx;
}

}  // namespace lever::tune::internal
