#include "lever/estimator/evaluation_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <iterator>
#include <sstream>

#include "lever/error.h"
#include "lever/estimator/job.h"
#include "lever/io/atomic_file.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/curves.h"
#include "lever/metrics/multilabel.h"

namespace lever {
namespace {

void CheckRows(const std::string& head, const Tensor& p, const Tensor& y) {
  if (p.rows() != y.rows() || p.cols() == 0 || y.cols() == 0) {
    throw DataError(head + " report: predictions are (" + std::to_string(p.rows()) + ", " + std::to_string(p.cols()) +
                    ") but the labels (" + std::to_string(y.rows()) + ", " + std::to_string(y.cols()) +
                    "); pass the estimator's predictions of the examples whose labels these are");
  }
}

ConfusionMatrix ArgMaxConfusion(const Tensor& p, const Tensor& y) {
  CheckRows("multi_class", p, y);
  const std::vector<int64_t> predicted = ArgMaxRows(p);
  const std::vector<double> predicted_ids(predicted.begin(), predicted.end());
  return ConfusionMatrix(predicted_ids, ColumnValues(y, 0), static_cast<int>(p.cols()));
}

std::string BinaryText(const EvaluationReport& r) {
  const BinaryConfusion& c = r.confusion;
  const Calibration& cal = r.calibration;
  std::string out = "confusion at threshold 0.5 (lever threshold picks another):\n";
  out += "               predicted 1  predicted 0\n";
  out += fmt::format("  label 1     {:>12.0f} {:>12.0f}\n", c.true_positives, c.false_negatives);
  out += fmt::format("  label 0     {:>12.0f} {:>12.0f}\n", c.false_positives, c.true_negatives);
  out += fmt::format(
      "calibration: mean prediction {:.4f}, mean label {:.4f}, expected calibration error {:.4f}, maximum {:.4f}\n",
      cal.mean_prediction, cal.mean_label, cal.expected_calibration_error, cal.maximum_calibration_error);
  out += "  probability bin  examples  mean prediction  fraction positive\n";
  for (const ReliabilityBin& b : cal.bins) {
    if (b.count == 0) continue;
    out += fmt::format("  [{:.1f}, {:.1f}{}   {:>8.0f}  {:>15.4f}  {:>17.4f}\n", b.lower, b.upper,
                       b.upper >= 1.0 ? "]" : ")", b.count, b.mean_prediction, b.fraction_positive);
  }
  return out;
}

std::string MultiClassText(const ConfusionMatrix& m) {
  const int k = m.num_classes();
  std::string out = "confusion matrix (rows: label, columns: predicted class):\n      ";
  for (int c = 0; c < k; ++c) out += fmt::format("{:>6}", c);
  out += "\n";
  for (int t = 0; t < k; ++t) {
    out += fmt::format("  {:>3} ", t);
    for (int c = 0; c < k; ++c) out += fmt::format("{:>6.0f}", m.count(t, c));
    out += "\n";
  }
  out += "  class  support  precision  recall      f1\n";
  for (int t = 0; t < k; ++t) {
    const ClassScores s = m.Scores(t);
    out +=
        fmt::format("  {:>5}  {:>7.0f}  {:>9.4f}  {:>6.4f}  {:>6.4f}\n", t, m.Support(t), s.precision, s.recall, s.f1);
  }
  const ClassScores macro = m.MacroAverage();
  out += fmt::format("  macro           {:>9.4f}  {:>6.4f}  {:>6.4f}\n", macro.precision, macro.recall, macro.f1);
  return out;
}

std::string MultiLabelText(const std::vector<LabelReport>& labels) {
  size_t width = 5;
  for (const LabelReport& l : labels) width = std::max(width, l.name.size());
  std::string out = "per label (accuracy at threshold 0.5):\n";
  out += fmt::format("  {:<{}}  {:>6}  {:>8}\n", "label", width, "AUC", "accuracy");
  for (const LabelReport& l : labels) {
    out += fmt::format("  {:<{}}  {:>6.4f}  {:>8.4f}\n", l.name, width, l.auc, l.accuracy);
  }
  return out;
}

}  // namespace

EvaluationReport MakeEvaluationReport(const std::string& head, const Tensor& p, const Tensor& y,
                                      const std::vector<std::string>& label_names) {
  EvaluationReport r;
  r.head = head;
  if (head == "binary") {
    CheckRows(head, p, y);
    const std::vector<double> scores = ColumnValues(p, 0), labels = ColumnValues(y, 0);
    r.confusion = ConfusionAtThreshold(scores, labels, EvaluationReport::kThreshold);
    r.calibration = MeasureCalibration(scores, labels, EvaluationReport::kCalibrationBins);
  } else if (head == "multi_class") {
    r.confusion_matrix = ArgMaxConfusion(p, y);
  } else if (head == "multi_label") {
    std::vector<std::string> names = label_names;
    if (names.empty()) {
      for (Index j = 0; j < p.cols(); ++j) names.push_back(std::to_string(j));
    }
    const std::map<std::string, double> m = MultiLabelMetrics(p, y, names);  // checks the shapes and names
    for (const std::string& name : names) r.labels.push_back({name, m.at("auc/" + name), m.at("accuracy/" + name)});
  }
  return r;
}

EvaluationReport MakeEvaluationReport(const Job& job, const Tensor& predictions, const Tensor& labels) {
  return MakeEvaluationReport(job.HeadKind(), predictions, labels, job.labels.classes);
}

std::string EvaluationReport::Text() const {
  if (head == "binary") return BinaryText(*this);
  if (head == "multi_class" && confusion_matrix) return MultiClassText(*confusion_matrix);
  if (head == "multi_label") return MultiLabelText(labels);
  return "";
}

nlohmann::ordered_json EvaluationReport::Json() const {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  if (head == "binary") {
    const BinaryConfusion& c = confusion;
    const Calibration& cal = calibration;
    json["confusion"] = {{"threshold", kThreshold},
                         {"true_positives", c.true_positives},
                         {"false_positives", c.false_positives},
                         {"true_negatives", c.true_negatives},
                         {"false_negatives", c.false_negatives}};
    nlohmann::ordered_json bins = nlohmann::ordered_json::array();
    for (const ReliabilityBin& b : cal.bins) {
      bins.push_back({{"lower", b.lower},
                      {"upper", b.upper},
                      {"count", b.count},
                      {"mean_prediction", b.mean_prediction},
                      {"fraction_positive", b.fraction_positive}});
    }
    json["calibration"] = {{"mean_prediction", cal.mean_prediction},
                           {"mean_label", cal.mean_label},
                           {"expected_calibration_error", cal.expected_calibration_error},
                           {"maximum_calibration_error", cal.maximum_calibration_error},
                           {"bins", bins}};
  } else if (head == "multi_class" && confusion_matrix) {
    const ConfusionMatrix& m = *confusion_matrix;
    const int k = m.num_classes();
    nlohmann::ordered_json rows = nlohmann::ordered_json::array(), classes = nlohmann::ordered_json::array();
    for (int t = 0; t < k; ++t) {
      std::vector<double> row;
      for (int c = 0; c < k; ++c) row.push_back(m.count(t, c));
      rows.push_back(row);
      const ClassScores s = m.Scores(t);
      classes.push_back(
          {{"class", t}, {"support", m.Support(t)}, {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}});
    }
    const ClassScores macro = m.MacroAverage();
    json["confusion_matrix"] = rows;
    json["classes"] = classes;
    json["macro_average"] = {{"precision", macro.precision}, {"recall", macro.recall}, {"f1", macro.f1}};
  } else if (head == "multi_label") {
    nlohmann::ordered_json per_label = nlohmann::ordered_json::object();
    for (const LabelReport& l : labels) per_label[l.name] = {{"auc", l.auc}, {"accuracy", l.accuracy}};
    json["per_label"] = per_label;
  }
  return json;
}

namespace {

template <typename T>
std::string CsvText(const T& value) {
  std::ostringstream out;
  WriteCsv(out, value);
  return out.str();
}

}  // namespace

std::string RocCurveCsv(const Tensor& p, const Tensor& y) {
  CheckRows("binary", p, y);
  return CsvText(RocCurve(ColumnValues(p, 0), ColumnValues(y, 0)));
}

std::string PrCurveCsv(const Tensor& p, const Tensor& y) {
  CheckRows("binary", p, y);
  return CsvText(PrCurve(ColumnValues(p, 0), ColumnValues(y, 0)));
}

std::string CalibrationCsv(const Tensor& p, const Tensor& y) {
  CheckRows("binary", p, y);
  return CsvText(MeasureCalibration(ColumnValues(p, 0), ColumnValues(y, 0), EvaluationReport::kCalibrationBins));
}

std::string ConfusionMatrixCsv(const Tensor& p, const Tensor& y) {
  const ConfusionMatrix m = ArgMaxConfusion(p, y);
  const int k = m.num_classes();
  std::ostringstream out;
  out << "label";
  for (int c = 0; c < k; ++c) out << ",predicted_" << c;
  out << '\n';
  for (int t = 0; t < k; ++t) {
    out << t;
    for (int c = 0; c < k; ++c) out << ',' << m.count(t, c);
    out << '\n';
  }
  return out.str();
}

void CurveFiles::Check(const std::string& head, const std::vector<std::string>& inputs) const {
  if ((!roc.empty() || !pr.empty() || !calibration.empty()) && head != "binary") {
    throw ConfigError("--roc, --pr and --calibration are for a binary head; this model's is " + head);
  }
  if (!confusion.empty() && head != "multi_class") {
    throw ConfigError(
        "--confusion is for a multi_class head (a binary head's counts are in --report); this model's is " + head);
  }
  CheckOutputIsNotAnInput(roc, "--roc", inputs);
  CheckOutputIsNotAnInput(pr, "--pr", inputs);
  CheckOutputIsNotAnInput(calibration, "--calibration", inputs);
  CheckOutputIsNotAnInput(confusion, "--confusion", inputs);
}

void CurveFiles::Write(const Tensor& predictions, const Tensor& labels) const {
  if (!calibration.empty()) WriteOutputFile(calibration, CalibrationCsv(predictions, labels));
  if (!roc.empty()) WriteOutputFile(roc, RocCurveCsv(predictions, labels));
  if (!pr.empty()) WriteOutputFile(pr, PrCurveCsv(predictions, labels));
  if (!confusion.empty()) WriteOutputFile(confusion, ConfusionMatrixCsv(predictions, labels));
}

}  // namespace lever
