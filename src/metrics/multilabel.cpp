#include "lever/metrics/multilabel.h"

#include <algorithm>
#include <cmath>

#include "lever/error.h"
#include "lever/metrics/binary.h"

namespace lever {

std::map<std::string, double> MultiLabelMetrics(const Tensor& p, const Tensor& y,
                                                const std::vector<std::string>& names) {
  if (p.rows() != y.rows() || p.cols() != y.cols()) {
    throw DataError("multi-label predictions are (" + std::to_string(p.rows()) + ", " + std::to_string(p.cols()) +
                    ") but the labels (" + std::to_string(y.rows()) + ", " + std::to_string(y.cols()) + ")");
  }
  if (!names.empty() && static_cast<Index>(names.size()) != p.cols()) {
    throw DataError("multi-label metrics got " + std::to_string(names.size()) + " names for " +
                    std::to_string(p.cols()) + " labels");
  }
  std::map<std::string, double> m;
  const Index k = p.cols();
  std::vector<double> right(static_cast<size_t>(k), 0.0);
  double exact = 0.0, log_loss = 0.0;
  for (Index i = 0; i < p.rows(); ++i) {
    bool all = true;
    for (Index j = 0; j < k; ++j) {
      const bool ok = (p(i, j) >= 0.5f) == (y(i, j) >= 0.5f);
      right[static_cast<size_t>(j)] += ok;
      all = all && ok;
      const double q = std::clamp(static_cast<double>(p(i, j)), 1e-15, 1.0 - 1e-15);
      log_loss -= y(i, j) * std::log(q) + (1.0 - y(i, j)) * std::log(1.0 - q);
    }
    exact += all;
  }
  const double n = std::max<double>(1.0, static_cast<double>(p.rows()));
  m["loss"] = p.size() > 0 ? log_loss / static_cast<double>(p.size()) : 0.0;
  m["accuracy"] = exact / n;
  double right_sum = 0.0, auc_sum = 0.0;
  int aucs = 0;
  for (Index j = 0; j < k; ++j) {
    const double auc = AucRoc(ColumnValues(p, j), ColumnValues(y, j));
    if (std::isfinite(auc)) {
      auc_sum += auc;
      ++aucs;
    }
    right_sum += right[static_cast<size_t>(j)];
    if (!names.empty()) {
      m["auc/" + names[static_cast<size_t>(j)]] = auc;
      m["accuracy/" + names[static_cast<size_t>(j)]] = right[static_cast<size_t>(j)] / n;
    }
  }
  m["per_label_accuracy"] = right_sum / (n * static_cast<double>(std::max<Index>(1, k)));
  m["auc"] = aucs > 0 ? auc_sum / aucs : std::nan("");
  return m;
}

}  // namespace lever
