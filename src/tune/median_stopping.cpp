#include "lever/tune/median_stopping.h"

#include <algorithm>
#include <cmath>

namespace lever::tune {

StoppingDecision MedianStoppingRule(const std::vector<MetricPoint>& running,
                                    const std::vector<std::vector<MetricPoint>>& completed, Goal goal,
                                    const MedianStoppingOptions& options) {
  StoppingDecision decision;
  const bool maximize = goal == Goal::kMaximize;
  bool any = false;
  for (const MetricPoint& point : running) {
    if (!std::isfinite(point.value)) continue;
    decision.step = any ? std::max(decision.step, point.step) : point.step;
    decision.best = !any       ? point.value
                    : maximize ? std::max(decision.best, point.value)
                               : std::min(decision.best, point.value);
    any = true;
  }
  if (!any || decision.step < options.min_step) return decision;

  std::vector<double> averages;
  for (const std::vector<MetricPoint>& curve : completed) {
    double sum = 0.0;
    int count = 0;
    for (const MetricPoint& point : curve) {
      if (point.step <= decision.step && std::isfinite(point.value)) {
        sum += point.value;
        ++count;
      }
    }
    if (count > 0) averages.push_back(sum / count);
  }
  decision.compared = static_cast<int>(averages.size());
  if (averages.empty() || decision.compared < options.min_completed_trials) return decision;
  std::sort(averages.begin(), averages.end());
  const size_t middle = averages.size() / 2;
  decision.median = averages.size() % 2 == 1 ? averages[middle] : 0.5 * (averages[middle - 1] + averages[middle]);
  decision.stop = maximize ? decision.best < decision.median : decision.best > decision.median;
  return decision;
}

}  // namespace lever::tune
