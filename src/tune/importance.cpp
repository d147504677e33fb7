#include "lever/tune/importance.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lever::tune {
namespace {

// Ranks 1..n, ties at their mean rank.
std::vector<double> Ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = 0.5 * static_cast<double>(i + j) + 1.0;
    i = j + 1;
  }
  return ranks;
}

// Group of each point: by value when there are few values, else about equal-count bins along u.
std::vector<int> Groups(const std::vector<double>& u, int bins) {
  std::vector<size_t> order(u.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return u[a] < u[b]; });
  int distinct = 0;
  for (size_t i = 0; i < order.size(); ++i) distinct += i == 0 || u[order[i]] != u[order[i - 1]];
  std::vector<int> group(u.size());
  const size_t n = u.size();
  int current = -1;
  for (size_t i = 0; i < n; ++i) {
    const bool same_as_previous = i > 0 && u[order[i]] == u[order[i - 1]];
    if (!same_as_previous) {
      current = distinct <= bins ? current + 1 : static_cast<int>(i * static_cast<size_t>(bins) / n);
    }
    group[order[i]] = current;
  }
  // A run of equal values can span several bins: number the groups that exist 0, 1, 2, ...
  std::vector<int> renumbered(static_cast<size_t>(std::max(bins, distinct)) + 1, -1);
  int next = 0;
  for (size_t i = 0; i < n; ++i) {
    int& id = renumbered[static_cast<size_t>(group[order[i]])];
    if (id < 0) id = next++;
    group[order[i]] = id;
  }
  return group;
}

}  // namespace

std::vector<ParameterImportance> ParameterImportances(const SearchSpace& space,
                                                      const std::vector<TrialRecord>& trials) {
  std::vector<const TrialRecord*> used;
  std::vector<double> objectives;
  for (const TrialRecord& t : trials) {
    if ((t.state == TrialState::kCompleted || t.state == TrialState::kStopped) && std::isfinite(t.objective)) {
      used.push_back(&t);
      objectives.push_back(t.objective);
    }
  }
  const size_t n = used.size();
  if (n < 4) return {};
  const std::vector<double> y = Ranks(objectives);
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double total = 0.0;
  for (const double v : y) total += (v - mean) * (v - mean);
  const int bins = std::clamp(static_cast<int>(std::lround(std::sqrt(static_cast<double>(n)))), 2, 10);

  std::vector<ParameterImportance> result;
  for (int i = 0; i < space.size(); ++i) {
    std::vector<double> u(n);
    for (size_t t = 0; t < n; ++t) {
      const double v = used[t]->assignment[static_cast<size_t>(i)];
      u[t] = space.parameter(i).type == ParameterType::kCategorical ? v : space.ToUnit(i, v);
    }
    const std::vector<int> group = Groups(u, bins);
    const int k = *std::max_element(group.begin(), group.end()) + 1;
    std::vector<double> sums(static_cast<size_t>(k), 0.0), counts(static_cast<size_t>(k), 0.0);
    for (size_t t = 0; t < n; ++t) {
      sums[static_cast<size_t>(group[t])] += y[t];
      counts[static_cast<size_t>(group[t])] += 1;
    }
    double between = 0.0;
    for (size_t g = 0; g < sums.size(); ++g) {
      const double d = sums[g] / counts[g] - mean;
      between += counts[g] * d * d;
    }
    ParameterImportance p;
    p.name = space.parameter(i).name;
    p.groups = k;
    if (total > 0 && static_cast<int>(n) > k) {
      const double within = (total - between) / static_cast<double>(static_cast<int>(n) - k);
      p.importance = std::clamp((between - (k - 1) * within) / (total + within), 0.0, 1.0);
    }
    result.push_back(p);
  }
  return result;
}

}  // namespace lever::tune
