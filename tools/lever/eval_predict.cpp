// `lever eval` and `lever predict`: a trained model, an inference bundle (--model) or a --config job's newest
// checkpoint, evaluated on a labeled CSV file, or applied to one, writing probabilities and classes.
#include <fmt/core.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/estimator/evaluation_report.h"
#include "lever/estimator/job_runner.h"
#include "lever/estimator/predictions.h"
#include "lever/io/atomic_file.h"

namespace lever::cli {
namespace {

struct ModelFlags {
  std::string config, job_dir, model, data, output;
  bool json = false;
  // eval: the detailed report and curve files
  bool report = false;
  CurveFiles curves;
};

// A bundle (--model), or a --config job with its newest checkpoint (an error when there is none).
Job LoadModel(const ModelFlags& f, CLI::App* cmd) {
  if (!f.model.empty()) {
    if (!f.config.empty() || !f.job_dir.empty() || !cmd->remaining().empty()) {
      throw ConfigError("--model takes a bundle as it was exported: no --config, --job-dir or overrides with it");
    }
    return LoadBundle(f.model);
  }
  if (f.config.empty())
    throw ConfigError("give --model BUNDLE (from lever export) or --config run.yaml (a trained job)");
  Job job = LoadTrainedJob(f.config, ConfigOverrides(cmd), f.job_dir);
  for (const std::string& problem : job.checkpoint_problems) fmt::print(stderr, "warning: skipped {}\n", problem);
  if (!job.checkpoint_problems.empty()) {
    fmt::print(stderr, "warning: using the newest good checkpoint instead, step {}\n", job.checkpoint_step);
  }
  return job;
}

void AddCommon(CLI::App* cmd, ModelFlags& f) {
  cmd->add_option("--model", f.model, "an inference bundle written by lever export (instead of --config)");
  cmd->add_option("--config", f.config,
                  "the run config the model was trained with (its data.train refits the columns)");
  cmd->add_option("--job-dir,--job_dir", f.job_dir,
                  "with --config: the model directory, when not the config's run.model_dir");
  cmd->allow_extras();
}

int RunEval(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  const std::string data = f.data.empty() ? job.config.eval : f.data;
  if (f.data.empty() && !f.model.empty() && !std::filesystem::is_regular_file(data)) {
    throw ConfigError("the bundle's evaluation file " + data + " is not here; pass --data a labeled CSV file");
  }
  f.curves.Check(job.HeadKind(), {data, job.config.train});
  const Examples examples = job.Read(data, true);
  const auto metrics = job.estimator->Evaluate(examples);
  const bool details = f.report || f.curves.any();
  const Tensor p = details ? job.estimator->Predict(examples) : Tensor();
  const Tensor& y = examples.labels;
  // The curve files first, then the report (lever/estimator/evaluation_report.h).
  if (f.json) {
    nlohmann::ordered_json out{{"data", data}};
    for (const auto& [name, value] : metrics) out[name] = value;
    f.curves.Write(p, y);
    if (f.report) out.update(MakeEvaluationReport(job, p, y).Json());
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("{} ({} head, step {}):{}\n", data, job.head->Name(), job.estimator->global_step(), MetricsText(metrics));
  f.curves.Write(p, y);
  if (f.report) fmt::print("{}", MakeEvaluationReport(job, p, y).Text());
  return 0;
}

int RunPredict(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  CheckOutputIsNotAnInput(f.output, "--output", {f.data, job.config.train, job.config.eval});
  const Examples examples = job.Read(f.data, false);
  const Tensor p = job.estimator->Predict(examples);
  const std::string head = job.HeadKind();
  const bool jsonl = f.output.ends_with(".jsonl") || f.output.ends_with(".json") || (f.output.empty() && f.json);
  // The columns and rows by head (lever/estimator/predictions.h).
  const PredictionFormat format(head, job.labels);
  std::string text;
  if (!jsonl) text += format.CsvHeader(p.cols()) + '\n';
  for (Index i = 0; i < p.rows(); ++i) {
    text += jsonl ? format.JsonRow(p, i).dump() : format.CsvRow(p, i);
    text += '\n';
  }
  // A file whole or not at all (temporary file, then rename); stdout's errors are checked at exit (main.cpp).
  if (f.output.empty()) {
    WriteToStdout(text);
  } else {
    WriteOutputFile(f.output, text);
  }
  return 0;
}

}  // namespace

Command RegisterEval(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate a trained model (a bundle, or a --config job's newest checkpoint) on a labeled CSV file");
  AddCommon(cmd, *f);
  cmd->add_option("--data", f->data, "the CSV file to evaluate on (default: the config's data.eval)");
  cmd->add_flag("--json", f->json, "print one JSON object");
  cmd->add_flag("--report", f->report,
                "also print the details: binary, the confusion counts at 0.5 and the reliability bins; multi-class, "
                "the confusion matrix and each class's precision, recall and F1; multi-label, each label's AUC and "
                "accuracy");
  cmd->add_option("--roc", f->curves.roc, "binary head: write the ROC curve as CSV (threshold, fpr, tpr)");
  cmd->add_option("--pr", f->curves.pr, "binary head: write the precision-recall curve as CSV");
  cmd->add_option("--calibration", f->curves.calibration, "binary head: write the reliability bins (10) as CSV");
  cmd->add_option("--confusion", f->curves.confusion,
                  "multi-class head: write the confusion matrix as CSV (rows: label)");
  return [f, cmd] { return RunEval(*f, cmd); };
}

Command RegisterPredict(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand("predict",
                                     "Apply a trained model (a bundle, or a --config job's newest checkpoint) to a CSV "
                                     "file: probabilities and classes out");
  AddCommon(cmd, *f);
  cmd->add_option("--input,--data", f->data, "the CSV file to predict (the label column may be absent)")->required();
  cmd->add_option("--output", f->output, "where to write: .csv, or .jsonl / .json for JSON lines (default: stdout)");
  cmd->add_flag("--json", f->json, "JSON lines on stdout instead of CSV");
  return [f, cmd] { return RunPredict(*f, cmd); };
}

}  // namespace lever::cli
