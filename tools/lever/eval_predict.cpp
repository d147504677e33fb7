// `lever eval` and `lever predict`: a trained model, an inference bundle (--model) or a --config job's newest
// checkpoint, evaluated on a labeled CSV file, or applied to one, writing probabilities and classes.
#include <fmt/core.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/estimator/bundle.h"
#include "lever/estimator/predictions.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/calibration.h"
#include "lever/metrics/curves.h"
#include "lever/metrics/multiclass.h"
#include "lever/error.h"
#include "flags.h"
#include "train_job.h"

namespace lever::cli {
namespace {

struct ModelFlags {
  std::string config, job_dir, model, data, output;
  bool json = false;
  // eval: the detailed report and curve files
  bool report = false;
  std::string roc, pr, calibration, confusion;
};

// A bundle (--model), or a --config job with its newest checkpoint (an error when there is none).
Job LoadModel(const ModelFlags& f, CLI::App* cmd) {
  if (!f.model.empty()) {
    if (!f.config.empty() || !f.job_dir.empty() || !cmd->remaining().empty()) {
      throw ConfigError("--model takes a bundle as it was exported: no --config, --job-dir or overrides with it");
    }
    return LoadBundle(f.model);
  }
  if (f.config.empty()) throw ConfigError("give --model BUNDLE (from lever export) or --config run.yaml (a trained job)");
  return LoadTrainedJob(f.config, ConfigOverrides(cmd), f.job_dir);
}

void AddCommon(CLI::App* cmd, ModelFlags& f) {
  cmd->add_option("--model", f.model, "an inference bundle written by lever export (instead of --config)");
  cmd->add_option("--config", f.config, "the run config the model was trained with (its data.train refits the columns)");
  cmd->add_option("--job-dir,--job_dir", f.job_dir, "with --config: the model directory, when not the config's run.model_dir");
  cmd->allow_extras();
}

void WriteTo(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path);
  if (!out) throw IoError("cannot write " + path);
  write(out);
  out.flush();
  if (!out) throw IoError("cannot write " + path);
}

// The details behind the metrics: for a binary head the confusion counts at 0.5 and the reliability bins,
// for a multi-class head the confusion matrix and each class's scores. Text lines, or JSON into `json`.
void Report(const std::string& head, const Tensor& p, const Tensor& y, const ModelFlags& f, nlohmann::ordered_json* json) {
  if (head == "binary") {
    const std::vector<double> scores(p.col(0).data(), p.col(0).data() + p.rows());
    const std::vector<double> labels(y.col(0).data(), y.col(0).data() + y.rows());
    const BinaryConfusion c = ConfusionAtThreshold(scores, labels, 0.5);
    const Calibration cal = MeasureCalibration(scores, labels, 10);
    if (!f.calibration.empty()) WriteTo(f.calibration, [&](std::ostream& out) { WriteCsv(out, cal); });
    if (!f.roc.empty()) WriteTo(f.roc, [&](std::ostream& out) { WriteCsv(out, RocCurve(scores, labels)); });
    if (!f.pr.empty()) WriteTo(f.pr, [&](std::ostream& out) { WriteCsv(out, PrCurve(scores, labels)); });
    if (!f.report) return;
    if (json) {
      (*json)["confusion"] = {{"threshold", 0.5}, {"true_positives", c.true_positives}, {"false_positives", c.false_positives},
                              {"true_negatives", c.true_negatives}, {"false_negatives", c.false_negatives}};
      nlohmann::ordered_json bins = nlohmann::ordered_json::array();
      for (const ReliabilityBin& b : cal.bins) {
        bins.push_back({{"lower", b.lower}, {"upper", b.upper}, {"count", b.count}, {"mean_prediction", b.mean_prediction},
                        {"fraction_positive", b.fraction_positive}});
      }
      (*json)["calibration"] = {{"mean_prediction", cal.mean_prediction}, {"mean_label", cal.mean_label},
                                {"expected_calibration_error", cal.expected_calibration_error},
                                {"maximum_calibration_error", cal.maximum_calibration_error}, {"bins", bins}};
      return;
    }
    fmt::print("confusion at threshold 0.5 (lever threshold picks another):\n");
    fmt::print("               predicted 1  predicted 0\n");
    fmt::print("  label 1     {:>12.0f} {:>12.0f}\n", c.true_positives, c.false_negatives);
    fmt::print("  label 0     {:>12.0f} {:>12.0f}\n", c.false_positives, c.true_negatives);
    fmt::print("calibration: mean prediction {:.4f}, mean label {:.4f}, expected calibration error {:.4f}, maximum {:.4f}\n",
               cal.mean_prediction, cal.mean_label, cal.expected_calibration_error, cal.maximum_calibration_error);
    fmt::print("  probability bin  examples  mean prediction  fraction positive\n");
    for (const ReliabilityBin& b : cal.bins) {
      if (b.count == 0) continue;
      fmt::print("  [{:.1f}, {:.1f}{}   {:>8.0f}  {:>15.4f}  {:>17.4f}\n", b.lower, b.upper, b.upper >= 1.0 ? "]" : ")", b.count,
                 b.mean_prediction, b.fraction_positive);
    }
    return;
  }
  if (head != "multi_class") return;
  const std::vector<int64_t> predicted = ArgMaxRows(p);
  const std::vector<double> predicted_ids(predicted.begin(), predicted.end());
  const std::vector<double> truth(y.col(0).data(), y.col(0).data() + y.rows());
  const int k = static_cast<int>(p.cols());
  const ConfusionMatrix m(predicted_ids, truth, k);
  if (!f.confusion.empty()) {
    WriteTo(f.confusion, [&](std::ostream& out) {
      out << "label";
      for (int c = 0; c < k; ++c) out << ",predicted_" << c;
      out << '\n';
      for (int t = 0; t < k; ++t) {
        out << t;
        for (int c = 0; c < k; ++c) out << ',' << m.count(t, c);
        out << '\n';
      }
    });
  }
  if (!f.report) return;
  if (json) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array(), classes = nlohmann::ordered_json::array();
    for (int t = 0; t < k; ++t) {
      std::vector<double> row;
      for (int c = 0; c < k; ++c) row.push_back(m.count(t, c));
      rows.push_back(row);
      const ClassScores s = m.Scores(t);
      classes.push_back({{"class", t}, {"support", m.Support(t)}, {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}});
    }
    const ClassScores macro = m.MacroAverage();
    (*json)["confusion_matrix"] = rows;
    (*json)["classes"] = classes;
    (*json)["macro_average"] = {{"precision", macro.precision}, {"recall", macro.recall}, {"f1", macro.f1}};
    return;
  }
  fmt::print("confusion matrix (rows: label, columns: predicted class):\n      ");
  for (int c = 0; c < k; ++c) fmt::print("{:>6}", c);
  fmt::print("\n");
  for (int t = 0; t < k; ++t) {
    fmt::print("  {:>3} ", t);
    for (int c = 0; c < k; ++c) fmt::print("{:>6.0f}", m.count(t, c));
    fmt::print("\n");
  }
  fmt::print("  class  support  precision  recall      f1\n");
  for (int t = 0; t < k; ++t) {
    const ClassScores s = m.Scores(t);
    fmt::print("  {:>5}  {:>7.0f}  {:>9.4f}  {:>6.4f}  {:>6.4f}\n", t, m.Support(t), s.precision, s.recall, s.f1);
  }
  const ClassScores macro = m.MacroAverage();
  fmt::print("  macro           {:>9.4f}  {:>6.4f}  {:>6.4f}\n", macro.precision, macro.recall, macro.f1);
}

int RunEval(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  const std::string data = f.data.empty() ? job.config.eval : f.data;
  if (f.data.empty() && !f.model.empty() && !std::filesystem::exists(data)) {
    throw ConfigError("the bundle's evaluation file " + data + " is not here; pass --data a labeled CSV file");
  }
  const std::string head = job.HeadKind();
  if ((!f.roc.empty() || !f.pr.empty() || !f.calibration.empty()) && head != "binary") {
    throw ConfigError("--roc, --pr and --calibration are for a binary head; this model's is " + head);
  }
  if (!f.confusion.empty() && head != "multi_class") {
    throw ConfigError("--confusion is for a multi_class head (a binary head's counts are in --report); this model's is " + head);
  }
  const Examples examples = job.Read(data, true);
  const auto metrics = job.estimator->Evaluate(examples);
  const bool details = f.report || !f.roc.empty() || !f.pr.empty() || !f.calibration.empty() || !f.confusion.empty();
  const Tensor predictions = details ? job.estimator->Predict(examples) : Tensor();
  if (f.json) {
    nlohmann::ordered_json out{{"data", data}};
    for (const auto& [name, value] : metrics) out[name] = value;
    if (details) Report(head, predictions, examples.labels, f, &out);
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("{} ({} head, step {}):{}\n", data, job.head->Name(), job.estimator->global_step(), MetricsText(metrics));
  if (details) Report(head, predictions, examples.labels, f, nullptr);
  return 0;
}

int RunPredict(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  const Examples examples = job.Read(f.data, false);
  const Tensor p = job.estimator->Predict(examples);
  const std::string head = job.HeadKind();
  const bool jsonl = f.output.ends_with(".jsonl") || f.output.ends_with(".json") || (f.output.empty() && f.json);
  std::ofstream file;
  if (!f.output.empty()) {
    file.open(f.output);
    if (!file) throw IoError("cannot write " + f.output);
  }
  std::ostream& out = f.output.empty() ? std::cout : file;
  // The columns and rows by head (lever/estimator/predictions.h).
  const PredictionFormat format(head, job.labels);
  if (!jsonl) out << format.CsvHeader(p.cols()) << '\n';
  for (Index i = 0; i < p.rows(); ++i) {
    if (jsonl) {
      out << format.JsonRow(p, i).dump() << '\n';
    } else {
      out << format.CsvRow(p, i) << '\n';
    }
  }
  out.flush();
  if (!out) throw IoError("cannot write " + (f.output.empty() ? std::string("the output") : f.output));
  return 0;
}

}  // namespace

Command RegisterEval(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a trained model (a bundle, or a --config job's newest checkpoint) on a labeled CSV file");
  AddCommon(cmd, *f);
  cmd->add_option("--data", f->data, "the CSV file to evaluate on (default: the config's data.eval)");
  cmd->add_flag("--json", f->json, "print one JSON object");
  cmd->add_flag("--report", f->report,
                "also print the details: binary, the confusion counts at 0.5 and the reliability bins; multi-class, "
                "the confusion matrix and each class's precision, recall and F1");
  cmd->add_option("--roc", f->roc, "binary head: write the ROC curve as CSV (threshold, fpr, tpr)");
  cmd->add_option("--pr", f->pr, "binary head: write the precision-recall curve as CSV");
  cmd->add_option("--calibration", f->calibration, "binary head: write the reliability bins (10) as CSV");
  cmd->add_option("--confusion", f->confusion, "multi-class head: write the confusion matrix as CSV (rows: label)");
  return [f, cmd] { return RunEval(*f, cmd); };
}

Command RegisterPredict(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand("predict", "Apply a trained model (a bundle, or a --config job's newest checkpoint) to a CSV file: probabilities and classes out");
  AddCommon(cmd, *f);
  cmd->add_option("--input,--data", f->data, "the CSV file to predict (the label column may be absent)")->required();
  cmd->add_option("--output", f->output, "where to write: .csv, or .jsonl / .json for JSON lines (default: stdout)");
  cmd->add_flag("--json", f->json, "JSON lines on stdout instead of CSV");
  return [f, cmd] { return RunPredict(*f, cmd); };
}

}  // namespace lever::cli
