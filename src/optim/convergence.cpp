#include "lever/optim/convergence.h"

#include <algorithm>
#include <cstdio>

namespace lever {

std::string FormatChange(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1e", value);
  return text;
}

Convergence LossTrendConvergence(const std::vector<float>& step_losses, const std::string& limit) {
  Convergence c;
  const auto steps = static_cast<int64_t>(step_losses.size());
  c.iterations = steps;
  c.limit = limit;
  c.tolerance = kLossTrendTolerance;
  if (steps < 2) return c;  // nothing to compare
  const int64_t window = std::max<int64_t>(1, steps / 10);
  double before = 0.0, last = 0.0;
  for (int64_t i = steps - 2 * window; i < steps - window; ++i) before += step_losses[static_cast<size_t>(i)];
  for (int64_t i = steps - window; i < steps; ++i) last += step_losses[static_cast<size_t>(i)];
  if (!(before > 0.0)) return c;
  c.change = (before - last) / before;
  if (c.change > c.tolerance) {
    c.converged = false;
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.1f%%", 100.0 * c.change);
    c.reason = "not converged: the mean training loss fell " + std::string(percent) +
               " from the second-to-last to the "
               "last tenth of " +
               std::to_string(steps) + " steps (" + limit + "), more than " +
               std::to_string(static_cast<int>(100.0 * c.tolerance)) + "%; train longer (" + limit +
               ") or with a larger learning rate";
  }
  return c;
}

}  // namespace lever
