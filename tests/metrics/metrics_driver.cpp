// Runs lever's metrics on predictions read from a CSV file and prints them as JSON, for
// tests/metrics/sklearn_parity.py to compare with scikit-learn.
//
//   metrics_driver binary FILE OUT_DIR   FILE: label,score[,weight]; also writes OUT_DIR/{roc,pr,table}.csv
//   metrics_driver regression FILE       FILE: target,prediction[,weight]
//   metrics_driver multiclass FILE       FILE: truth,predicted[,weight]
// Each FILE has a header row. Infinite thresholds print as null (JSON has no infinity).
#include <charconv>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/calibration.h"
#include "lever/metrics/curves.h"
#include "lever/metrics/multiclass.h"
#include "lever/metrics/regression.h"
#include "lever/metrics/threshold.h"

namespace {

using lever::NumberSpan;
using nlohmann::json;

struct Columns {
  std::vector<double> first, second, weights;
};

Columns ReadCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw lever::IoError("cannot open " + path);
  Columns columns;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<double> values;
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) {
      double value = 0.0;
      const auto result = std::from_chars(field.data(), field.data() + field.size(), value);
      if (result.ec != std::errc()) throw lever::DataError(path + ": '" + field + "' is not a number");
      values.push_back(value);
    }
    if (values.size() < 2) throw lever::DataError(path + ": expected 2 or 3 columns in '" + line + "'");
    columns.first.push_back(values[0]);
    columns.second.push_back(values[1]);
    if (values.size() > 2) columns.weights.push_back(values[2]);
  }
  return columns;
}

void WriteFile(const std::string& path, const auto& value) {
  std::ofstream out(path);
  lever::WriteCsv(out, value);
}

json Choice(const lever::ThresholdTable& table, const std::string& criterion) {
  const lever::ThresholdChoice choice = lever::ChooseThreshold(table, lever::ThresholdCriterion::Parse(criterion));
  return {{"threshold", choice.threshold},
          {"objective", choice.objective},
          {"precision", choice.confusion.Precision()},
          {"recall", choice.confusion.Recall()}};
}

json Binary(const Columns& c, const std::string& out_dir) {
  const std::vector<double>& labels = c.first;
  const std::vector<double>& scores = c.second;
  const NumberSpan weights = c.weights;
  const lever::ThresholdTable table(scores, labels, weights);
  json out;
  out["auc_roc"] = lever::AucRoc(scores, labels, weights);
  out["auc_pr"] = lever::AucPr(scores, labels, weights);
  out["log_loss"] = lever::LogLoss(scores, labels, weights);
  out["brier"] = lever::BrierScore(scores, labels, weights);
  out["accuracy"] = lever::Accuracy(scores, labels, 0.5, weights);
  out["precision"] = lever::Precision(scores, labels, 0.5, weights);
  out["recall"] = lever::Recall(scores, labels, 0.5, weights);
  out["f1"] = lever::F1Score(scores, labels, 0.5, weights);

  const lever::Calibration calibration = lever::MeasureCalibration(scores, labels, 10, weights);
  json bins = json::array();
  for (const lever::ReliabilityBin& bin : calibration.bins) {
    bins.push_back({{"index", bin.index},
                    {"count", bin.count},
                    {"mean_prediction", bin.mean_prediction},
                    {"fraction_positive", bin.fraction_positive}});
  }
  out["calibration"] = {{"bins", bins},
                        {"ece", calibration.expected_calibration_error},
                        {"mce", calibration.maximum_calibration_error},
                        {"mean_prediction", calibration.mean_prediction},
                        {"mean_label", calibration.mean_label}};

  json roc = {{"thresholds", json::array()}, {"fpr", json::array()}, {"tpr", json::array()}};
  for (const lever::RocPoint& p : lever::RocCurve(table)) {
    roc["thresholds"].push_back(p.threshold);
    roc["fpr"].push_back(p.false_positive_rate);
    roc["tpr"].push_back(p.true_positive_rate);
  }
  out["roc"] = roc;
  json pr = {{"thresholds", json::array()}, {"recall", json::array()}, {"precision", json::array()}};
  for (const lever::PrPoint& p : lever::PrCurve(table)) {
    pr["thresholds"].push_back(p.threshold);
    pr["recall"].push_back(p.recall);
    pr["precision"].push_back(p.precision);
  }
  out["pr"] = pr;

  json choices;
  for (const std::string criterion :
       {"max_f1", "youden_j", "target_precision=0.95", "target_recall=0.95", "min_cost=fp:1,fn:5"}) {
    choices[criterion] = Choice(table, criterion);
  }
  out["thresholds"] = choices;

  WriteFile(out_dir + "/roc.csv", lever::RocCurve(table));
  WriteFile(out_dir + "/pr.csv", lever::PrCurve(table));
  WriteFile(out_dir + "/table.csv", table);
  return out;
}

json Regression(const Columns& c) {
  const std::vector<double>& targets = c.first;
  const std::vector<double>& predictions = c.second;
  const NumberSpan weights = c.weights;
  return {{"mse", lever::MeanSquaredError(predictions, targets, weights)},
          {"rmse", lever::RootMeanSquaredError(predictions, targets, weights)},
          {"mae", lever::MeanAbsoluteError(predictions, targets, weights)},
          {"r2", lever::RSquared(predictions, targets, weights)}};
}

json Multiclass(const Columns& c) {
  const lever::ConfusionMatrix m(c.second, c.first, 0, c.weights);
  json counts = json::array();
  for (int t = 0; t < m.num_classes(); ++t) {
    json row = json::array();
    for (int p = 0; p < m.num_classes(); ++p) row.push_back(m.count(t, p));
    counts.push_back(row);
  }
  const auto scores = [](const lever::ClassScores& s) {
    return json{{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}};
  };
  json per_class = json::array();
  for (int k = 0; k < m.num_classes(); ++k) per_class.push_back(scores(m.Scores(k)));
  return {{"confusion", counts},
          {"accuracy", m.Accuracy()},
          {"per_class", per_class},
          {"macro", scores(m.MacroAverage())},
          {"micro", scores(m.MicroAverage())},
          {"weighted", scores(m.WeightedAverage())}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: metrics_driver binary FILE OUT_DIR | regression FILE | multiclass FILE";
  if (argc < 3) {
    std::cerr << usage << "\n";
    return 2;
  }
  const std::string mode = argv[1];
  try {
    const Columns columns = ReadCsv(argv[2]);
    json out;
    if (mode == "binary" && argc == 4)
      out = Binary(columns, argv[3]);
    else if (mode == "regression")
      out = Regression(columns);
    else if (mode == "multiclass")
      out = Multiclass(columns);
    else {
      std::cerr << usage << "\n";
      return 2;
    }
    std::cout << out.dump() << "\n";
  } catch (const lever::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
