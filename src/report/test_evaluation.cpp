#include "lever/report/test_evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lever/error.h"
#include "lever/estimator/evaluation_report.h"
#include "lever/metrics/curves.h"
#include "lever/metrics/multiclass.h"
#include "lever/metrics/threshold.h"
#include "lever/metrics/threshold_table.h"

namespace lever {
namespace {

// JSON has no NaN or infinity: null stands for them.
nlohmann::ordered_json Finite(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

// The indices 0 .. n-1 thinned evenly to at most `limit`, the first and the last kept.
std::vector<size_t> Thinned(size_t n, size_t limit) {
  std::vector<size_t> kept;
  if (n <= limit) {
    for (size_t i = 0; i < n; ++i) kept.push_back(i);
    return kept;
  }
  for (size_t k = 0; k < limit; ++k) kept.push_back(k * (n - 1) / (limit - 1));
  return kept;
}

nlohmann::ordered_json Row(const std::string& name, double threshold, const BinaryConfusion& c) {
  return {{"name", name},
          {"threshold", Finite(threshold)},
          {"true_positives", c.true_positives},
          {"false_positives", c.false_positives},
          {"true_negatives", c.true_negatives},
          {"false_negatives", c.false_negatives},
          {"precision", c.Precision()},
          {"recall", c.Recall()},
          {"false_positive_rate", c.FalsePositiveRate()},
          {"f1", c.F1()}};
}

// The counts of "positive iff score >= t": the row of the smallest table threshold >= t.
BinaryConfusion ConfusionAt(const ThresholdTable& table, double t) {
  BinaryConfusion c = table.rows().front().confusion;
  for (const ThresholdRow& row : table.rows()) {
    if (row.threshold < t) break;
    c = row.confusion;
  }
  return c;
}

void AddBinary(nlohmann::ordered_json& j, const Tensor& p, const Tensor& y) {
  const std::vector<double> scores = ColumnValues(p, 0), labels = ColumnValues(y, 0);
  const ThresholdTable table("report", scores, labels, {});
  j["auc_roc"] = Finite(table.AucRoc());
  j["auc_pr"] = Finite(table.AucPr());
  const std::vector<RocPoint> roc = RocCurve(table);
  const std::vector<PrPoint> pr = PrCurve(table);
  nlohmann::ordered_json roc_points = nlohmann::ordered_json::array(), pr_points = nlohmann::ordered_json::array();
  for (const size_t i : Thinned(roc.size(), kMaxCurvePoints))
    roc_points.push_back({Finite(roc[i].false_positive_rate), Finite(roc[i].true_positive_rate)});
  for (const size_t i : Thinned(pr.size(), kMaxCurvePoints))
    pr_points.push_back({Finite(pr[i].recall), Finite(pr[i].precision)});
  j["roc"] = roc_points;  // [false positive rate, true positive rate]
  j["pr"] = pr_points;    // [recall, precision]
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (int tenth = 1; tenth <= 9; ++tenth) {
    const double t = tenth / 10.0;
    rows.push_back(Row("", t, ConfusionAt(table, t)));
  }
  if (table.positives() > 0 && table.negatives() > 0) {
    const ThresholdChoice f1 = ChooseThreshold(table, ThresholdCriterion::MaxF1());
    rows.push_back(Row("best F1", f1.threshold, f1.confusion));
    const ThresholdChoice youden = ChooseThreshold(table, ThresholdCriterion::MaxYoudenJ());
    rows.push_back(Row("best Youden's J", youden.threshold, youden.confusion));
  }
  j["thresholds"] = rows;
  j.update(MakeEvaluationReport("binary", p, y).Json());  // confusion at 0.5 and calibration
}

void AddRegression(nlohmann::ordered_json& j, const Tensor& p, const Tensor& y) {
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const size_t i : Thinned(static_cast<size_t>(p.rows()), kMaxScatterPoints)) {
    const auto r = static_cast<Index>(i);
    points.push_back({Finite(y(r, 0)), Finite(p(r, 0))});
  }
  j["scatter"] = points;  // [label, prediction]
}

}  // namespace

nlohmann::ordered_json TestEvaluationJson(const std::string& head, const Tensor& predictions, const Tensor& labels,
                                          const std::vector<std::string>& classes) {
  if (predictions.rows() != labels.rows() || predictions.cols() == 0 || labels.cols() == 0) {
    throw DataError(head + " evaluation: predictions are (" + std::to_string(predictions.rows()) + ", " +
                    std::to_string(predictions.cols()) + ") but the labels (" + std::to_string(labels.rows()) + ", " +
                    std::to_string(labels.cols()) + ")");
  }
  nlohmann::ordered_json j;
  j["head"] = head;
  j["rows"] = predictions.rows();
  std::vector<std::string> names = classes;
  if (names.empty() && head != "regression") {
    const Index count = head == "binary" ? 2 : predictions.cols();  // a binary head's one column is class 1's
    for (Index c = 0; c < count; ++c) names.push_back(std::to_string(c));
  }
  if (!names.empty()) j["classes"] = names;
  if (predictions.rows() == 0) return j;
  if (head == "binary") {
    AddBinary(j, predictions, labels);
  } else if (head == "multi_class") {
    Tensor ids = labels;
    if (labels.cols() > 1) {  // soft labels: the class is the arg max
      const std::vector<int64_t> arg = ArgMaxRows(labels);
      ids.resize(labels.rows(), 1);
      for (Index r = 0; r < labels.rows(); ++r) ids(r, 0) = static_cast<float>(arg[static_cast<size_t>(r)]);
    }
    nlohmann::ordered_json report = MakeEvaluationReport("multi_class", predictions, ids).Json();
    j["confusion_matrix"] = report["confusion_matrix"];
    j["classes_scores"] = report["classes"];  // support, precision, recall and F1 per class, in id order
    j["macro_average"] = report["macro_average"];
  } else if (head == "multi_label") {
    j.update(MakeEvaluationReport("multi_label", predictions, labels, names).Json());
  } else {
    AddRegression(j, predictions, labels);
  }
  return j;
}

nlohmann::ordered_json WeightHistogramsJson(const std::vector<std::pair<std::string, const Tensor*>>& kernels) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [name, tensor] : kernels) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    int64_t zeros = 0, non_finite = 0;
    const float* data = tensor->data();
    const Index n = tensor->size();
    for (Index i = 0; i < n; ++i) {
      const double v = data[i];
      if (!std::isfinite(v)) {
        ++non_finite;
        continue;
      }
      zeros += v == 0.0;
      low = std::min(low, v), high = std::max(high, v);
    }
    std::vector<int64_t> counts(kWeightHistogramBins, 0);
    if (!(high >= low)) low = high = 0;
    const double width = high > low ? (high - low) / kWeightHistogramBins : 1.0;
    for (Index i = 0; i < n; ++i) {
      const double v = data[i];
      if (!std::isfinite(v)) continue;
      const auto bin = static_cast<size_t>(std::clamp((v - low) / width, 0.0, kWeightHistogramBins - 1.0));
      ++counts[bin];
    }
    out[name] = {{"lower", low}, {"upper", high}, {"counts", counts}, {"zeros", zeros}, {"non_finite", non_finite},
                 {"total", n}};
  }
  return out;
}

std::vector<std::pair<std::string, const Tensor*>> KernelsOf(const ParameterList& parameters) {
  std::vector<std::pair<std::string, const Tensor*>> kernels;
  for (const Parameter* p : parameters) {
    if (IsKernelName(p->name)) kernels.emplace_back(p->name, &p->value);
  }
  return kernels;
}

}  // namespace lever
