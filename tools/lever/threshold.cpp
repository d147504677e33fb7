// `lever threshold`: a classifier's scores and labels in, the ROC table, AUCs and the decision threshold
// for a chosen criterion out. The work is in lever/metrics.
#include "lever/metrics/threshold.h"

#include <fmt/core.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/metrics/curves.h"
#include "lever/metrics/threshold_table.h"

namespace lever::cli {
namespace {

struct ThresholdFlags {
  std::string predictions;
  std::string score = "probability", label = "label", weight;
  std::string criterion = "max_f1";
  std::string roc, pr, table;
  int rows = 11;
  bool json = false;
};

// The schema below declares every column read a number, so each is held in `numbers`.
std::vector<double> NumbersOf(const Table& table, const std::string& name) {
  const std::vector<float>& numbers = table.Column(name).numbers;
  return std::vector<double>(numbers.begin(), numbers.end());
}

// Whole or not at all: a temporary file renamed into place (lever/io/atomic_file.h).
void WriteTo(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream out;
  write(out);
  WriteOutputFile(path, out.str());
}

int Run(const ThresholdFlags& f) {
  if (f.rows < 2) throw ConfigError("--rows must be at least 2 (the table's first and last threshold)");
  const ThresholdCriterion criterion = ThresholdCriterion::Parse(f.criterion);
  Schema schema;
  for (const std::string& name : {f.score, f.label, f.weight}) {
    if (!name.empty()) schema.columns.push_back({name, ColumnType::kNumber, std::nullopt});
  }
  CheckOutputIsNotAnInput(f.roc, "--roc", {f.predictions});
  CheckOutputIsNotAnInput(f.pr, "--pr", {f.predictions});
  CheckOutputIsNotAnInput(f.table, "--table", {f.predictions});
  const Table table = ReadTable(f.predictions, schema);
  const std::vector<double> scores = NumbersOf(table, f.score), labels = NumbersOf(table, f.label);
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0.0 && labels[i] != 1.0) {
      throw DataError(
          fmt::format("{}: data row {}: the label column '{}' holds {}; binary labels are 0 or 1 (1 = "
                      "positive): map the classes to 0 and 1 first",
                      f.predictions, i + 1, f.label, labels[i]));
    }
  }
  const std::vector<double> weights = f.weight.empty() ? std::vector<double>() : NumbersOf(table, f.weight);
  const ThresholdTable thresholds(scores, labels, weights);
  const ThresholdChoice choice = ChooseThreshold(thresholds, criterion);
  if (!f.roc.empty()) WriteTo(f.roc, [&](std::ostream& o) { WriteCsv(o, RocCurve(thresholds)); });
  if (!f.pr.empty()) WriteTo(f.pr, [&](std::ostream& o) { WriteCsv(o, PrCurve(thresholds)); });
  if (!f.table.empty()) WriteTo(f.table, [&](std::ostream& o) { WriteCsv(o, thresholds); });

  const BinaryConfusion& c = choice.confusion;
  if (f.json) {
    nlohmann::ordered_json out{{"examples", table.num_rows},
                               {"positives", thresholds.positives()},
                               {"negatives", thresholds.negatives()},
                               {"auc_roc", thresholds.AucRoc()},
                               {"auc_pr", thresholds.AucPr()},
                               {"criterion", criterion.Describe()},
                               {"threshold", std::isinf(choice.threshold) ? nlohmann::ordered_json("inf")
                                                                          : nlohmann::ordered_json(choice.threshold)},
                               {"objective", choice.objective},
                               {"true_positives", c.true_positives},
                               {"false_positives", c.false_positives},
                               {"true_negatives", c.true_negatives},
                               {"false_negatives", c.false_negatives},
                               {"precision", c.Precision()},
                               {"recall", c.Recall()},
                               {"f1", c.F1()},
                               {"false_positive_rate", c.FalsePositiveRate()},
                               {"accuracy", c.Accuracy()}};
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("{}: {} examples ({} positive, {} negative)  AUC-ROC {:.4f}  AUC-PR {:.4f}\n", f.predictions,
             table.num_rows, thresholds.positives(), thresholds.negatives(), thresholds.AucRoc(), thresholds.AucPr());
  // The table at evenly spaced ranks of the distinct thresholds, the first and the last included.
  const auto& rows = thresholds.rows();
  fmt::print("{:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "threshold", "TP", "FP", "TN", "FN", "precision",
             "recall", "FPR");
  const size_t shown = std::min<size_t>(static_cast<size_t>(f.rows), rows.size());
  for (size_t k = 0; k < shown; ++k) {
    const size_t i = shown == 1 ? 0 : k * (rows.size() - 1) / (shown - 1);
    const BinaryConfusion& r = rows[i].confusion;
    fmt::print("{:>12.6g} {:>9g} {:>9g} {:>9g} {:>9g} {:>9.4f} {:>9.4f} {:>9.4f}\n", rows[i].threshold,
               r.true_positives, r.false_positives, r.true_negatives, r.false_negatives, r.Precision(), r.Recall(),
               r.FalsePositiveRate());
  }
  fmt::print("{}: threshold {:.6g} (predict positive when the score is >= it); objective {:.6g}\n",
             criterion.Describe(), choice.threshold, choice.objective);
  fmt::print(
      "  TP {:g}  FP {:g}  TN {:g}  FN {:g}  precision {:.4f}  recall {:.4f}  F1 {:.4f}  FPR {:.4f}  accuracy {:.4f}\n",
      c.true_positives, c.false_positives, c.true_negatives, c.false_negatives, c.Precision(), c.Recall(), c.F1(),
      c.FalsePositiveRate(), c.Accuracy());
  return 0;
}

}  // namespace

Command RegisterThreshold(CLI::App& app) {
  auto f = std::make_shared<ThresholdFlags>();
  CLI::App* cmd = app.add_subcommand(
      "threshold", "Pick a binary classifier's decision threshold from its scores and labels; print the ROC table");
  cmd->add_option("--predictions", f->predictions,
                  "CSV (header row, optionally gzipped) with a score and a label column")
      ->required();
  cmd->add_option("--score", f->score, "the score column (a probability or any score, higher = more positive)")
      ->capture_default_str();
  cmd->add_option("--label", f->label, "the label column, 0 or 1")->capture_default_str();
  cmd->add_option("--weight", f->weight, "an example-weight column (default: every example counts 1)");
  cmd->add_option("--criterion", f->criterion,
                  "max_f1, youden_j, target_precision=P, target_recall=R, or min_cost=tp:C,fp:C,tn:C,fn:C")
      ->capture_default_str();
  cmd->add_option("--rows", f->rows, "rows of the printed table, at evenly spaced thresholds")->capture_default_str();
  cmd->add_option("--roc", f->roc, "write the ROC curve (threshold, false_positive_rate, true_positive_rate) as CSV");
  cmd->add_option("--pr", f->pr, "write the precision-recall curve as CSV");
  cmd->add_option("--table", f->table, "write the full threshold table (every distinct score, its four counts) as CSV");
  cmd->add_flag("--json", f->json, "print one JSON object instead of the table");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
