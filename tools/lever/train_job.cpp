// `lever train --config run.yaml`: a training job from one YAML file (lever/estimator/job_config.h) run on
// the estimator: checkpoints and resume in the model directory, Ctrl-C / SIGTERM stop after a checkpoint,
// progress and evaluation lines, tuner reports.
#include <fmt/core.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "console.h"
#include "lever/data/csv_dataset.h"
#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/job_config.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/train/hypertune_reporter.h"
#include "lever/train/stop_signal.h"
#include "train_job.h"

#include "lever/checkpoint/checkpoint_manager.h"

namespace lever::cli {
namespace {

// Every column but the label as a standardized number (the default when the config lists no columns).
FeatureSet NumericColumns(const Table& table, const std::string& label, const std::string& file) {
  FeatureSet set;
  for (const TableColumn& column : table.columns) {
    if (column.name == label) continue;
    if (column.type == ColumnType::kString) {
      throw ConfigError(file + ": column '" + column.name +
                        "' holds text; list feature_columns in the run config (a categorical column with an "
                        "embedding, for example) to use it");
    }
    set.Add(NumericColumn(column.name));
  }
  return set;
}

Tensor Labels(const Table& table, const std::string& label) {
  const TableColumn& column = table.Column(label);
  Tensor y(table.num_rows, 1);
  for (int64_t i = 0; i < table.num_rows; ++i) y(i, 0) = column.NumberAt(static_cast<size_t>(i));
  return y;
}

HeadPtr MakeHead(const JobConfig& c, const Tensor& labels) {
  const LabelSummary s = SummarizeLabels(labels);
  const std::string head = c.head == "auto" ? (s.kind == LabelKind::kBinary       ? "binary"
                                               : s.kind == LabelKind::kMultiClass ? "multi_class"
                                                                                  : "regression")
                                            : c.head;
  if (head == "binary") return MakeBinaryClassHead();
  if (head == "multi_class") {
    if (s.kind == LabelKind::kRegression) {
      throw ConfigError(c.source + ": estimator.head multi_class needs whole-number class ids 0..k-1 in '" + c.label + "'");
    }
    return MakeMultiClassHead(std::max<Index>(2, s.num_classes));
  }
  return MakeRegressionHead();
}

class JobProgress : public Hook {
 public:
  JobProgress(bool quiet, HypertuneReporter tuner) : quiet_(quiet), tuner_(std::move(tuner)) {}
  bool AfterStep(Estimator& /*estimator*/, const StepReport& r) override {
    if (!quiet_ && (r.step % 500 == 0)) {
      const double rate = r.seconds > 0 ? static_cast<double>(r.step - first_step_) / r.seconds : 0.0;
      fmt::print("step {}/{}  loss {:.4f}  {:.0f} steps/s{}\n", r.step, r.max_steps, r.loss, rate,
                 rate > 0 ? fmt::format("  ETA {:.1f}s", static_cast<double>(r.max_steps - r.step) / rate) : "");
      std::fflush(stdout);
    }
    return false;
  }
  void Begin(Estimator& estimator) override { first_step_ = estimator.global_step(); }
  bool AfterEvaluation(Estimator& /*estimator*/, const EvalReport& r) override {
    std::vector<std::pair<std::string, double>> metrics;
    std::string line = fmt::format("eval at step {}:", r.step);
    for (const auto& [name, value] : r.metrics) {
      if (name == "global_step") continue;
      metrics.emplace_back(name, value);
      line += fmt::format("  {} {:.4f}", name, value);
    }
    tuner_.Report(r.step, metrics);
    if (!quiet_) {
      fmt::print("{}\n", line);
      std::fflush(stdout);
    }
    return false;
  }

 private:
  bool quiet_;
  HypertuneReporter tuner_;
  int64_t first_step_ = 0;
};

}  // namespace

Job PrepareJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir) {
  Job job;
  job.config = LoadJobConfig(config_path, overrides);
  JobConfig& c = job.config;
  if (!job_dir.empty()) c.run.model_dir = job_dir;
  const CsvOptions csv;
  InferOptions infer;
  infer.label = c.label;
  infer.sample_rows = 0;
  job.schema = InferSchema(c.train, csv, infer).schema;
  job.train = ReadTable(c.train, job.schema);
  const TableSource train_source(job.train, c.train);
  auto columns = [&](const char* key) {
    return std::make_unique<FeatureSet>(ParseFeatureColumns(c.text, c.source, c.directory, key));
  };
  if (c.type == "wide_and_deep") {
    job.wide = columns("wide_columns");
    job.deep = columns("deep_columns");
  } else {
    auto set = c.feature_columns ? columns("feature_columns")
                                 : std::make_unique<FeatureSet>(NumericColumns(job.train, c.label, c.train));
    (c.type == "linear" ? job.wide : job.deep) = std::move(set);
  }
  // Fitted on the training file every time: the same file gives the same statistics, so evaluation and
  // prediction see the inputs training saw.
  if (job.wide) job.wide->Fit(train_source);
  if (job.deep) job.deep->Fit(train_source);
  job.train_labels = Labels(job.train, c.label);
  job.head = MakeHead(c, job.train_labels);
  WideDeepOptions options;
  options.use_wide = job.wide != nullptr;
  options.use_deep = job.deep != nullptr;
  options.hidden_units = c.hidden_units;
  options.activation = c.activation;
  options.dropout = c.dropout;
  options.linear_optimizer = {.name = c.linear_optimizer, .learning_rate = c.linear_learning_rate};
  options.linear_regularizer = {c.l1, c.l2};
  options.dnn_optimizer = {.name = c.optimizer, .learning_rate = c.learning_rate};
  job.estimator = MakeWideDeepEstimator(job.head, job.wide.get(), job.deep.get(), options, c.run);
  return job;
}

Examples Job::Read(const std::string& path, bool with_labels) const {
  Schema read_schema = schema;
  if (!with_labels) {
    std::erase_if(read_schema.columns, [&](const ColumnSchema& col) { return col.name == config.label; });
    read_schema.label.clear();
  }
  const Table table = ReadTable(path, read_schema);
  const TableSource source(table, path);
  return MakeExamples(wide.get(), deep.get(), source,
                      with_labels ? Labels(table, config.label) : Tensor(table.num_rows, 0));
}

int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                bool quiet) {
  Job job = PrepareJob(config_path, overrides, job_dir);
  const JobConfig& c = job.config;
  const Table& train = job.train;
  const TableSource train_source(job.train, c.train);
  const Examples train_examples = MakeExamples(job.wide.get(), job.deep.get(), train_source, job.train_labels);
  const Examples eval_examples = job.Read(c.eval, true);
  const HeadPtr& head = job.head;
  auto& wide = job.wide;
  auto& deep = job.deep;
  auto& estimator = job.estimator;
  const int64_t eval_rows = eval_examples.size();

  StopSignalHandler stop;
  TrainSpec spec = c.train_spec;
  spec.stop_requested = [&stop] { return stop.requested(); };
  spec.hooks.push_back(std::make_shared<NanGuardHook>());
  spec.hooks.push_back(std::make_shared<JobProgress>(quiet, HypertuneReporter::FromEnvironment()));
  std::shared_ptr<EarlyStoppingHook> early;
  if (!c.early_stopping_metric.empty()) {
    early = std::make_shared<EarlyStoppingHook>(
        c.early_stopping_metric, c.early_stopping_maximize ? EarlyStoppingHook::Goal::kMaximize : EarlyStoppingHook::Goal::kMinimize,
        c.early_stopping_patience, c.early_stopping_min_delta);
    spec.hooks.push_back(early);
  }
  if (!quiet) {
    fmt::print("data: {} ({} examples), eval {} ({} examples), label '{}': {} head\n", c.train, train.num_rows, c.eval,
               eval_rows, c.label, head->Name());
    auto describe = [](const char* what, const FeatureSet& set) {
      const std::string text = set.Describe();
      if (set.columns().size() <= 12) {
        fmt::print("{} columns:\n{}", what, text);
        return;
      }
      // Many columns: the first few, then the count.
      size_t end = 0;
      for (int line = 0; line < 5; ++line) end = text.find('\n', end) + 1;
      fmt::print("{} columns ({} in all):\n{}  ...\n", what, set.columns().size(), text.substr(0, end));
    };
    if (wide) describe("wide", *wide);
    if (deep) describe("deep", *deep);
    fmt::print("model: {}  steps {}  batch {}  seed {}{}\n", c.type, spec.max_steps, spec.batch_size, c.run.seed,
               c.run.model_dir.empty() ? "" : "  model_dir " + c.run.model_dir);
  }
  const TrainAndEvaluateResult r = TrainAndEvaluate(*estimator, train_examples, eval_examples, spec, c.eval_spec);
  for (const std::string& problem : r.train.checkpoint_problems) fmt::print(stderr, "warning: skipped {}\n", problem);
  if (r.train.resumed_from_step >= 0 && !quiet) fmt::print("resumed from the checkpoint of step {}\n", r.train.resumed_from_step);
  if (r.train.interrupted) {
    fmt::print("stopped by {} at step {}; checkpoint {}. Run the same command to continue.\n",
               stop.signal_number() == SIGINT ? "Ctrl-C" : "SIGTERM", r.train.global_step, r.train.last_checkpoint);
    return 0;
  }
  std::string line = fmt::format("final: step {}", r.train.global_step);
  for (const auto& [name, value] : r.final_evaluation().metrics) {
    if (name != "global_step") line += fmt::format("  {} {:.4f}", name, value);
  }
  fmt::print("{}\n", line);
  if (early && early->stopped()) {
    fmt::print("early stopping: no improvement of {} for {} steps; restored the variables of step {}\n",
               c.early_stopping_metric, c.early_stopping_patience, early->best_step());
  }
  if (!c.run.model_dir.empty()) {
    nlohmann::ordered_json result{{"global_step", r.train.global_step}};
    for (const auto& [name, value] : r.final_evaluation().metrics) result[name] = value;
    const std::string path = (std::filesystem::path(c.run.model_dir) / "result.json").string();
    std::ofstream out(path);
    out << result.dump(2) << '\n';
    if (!out) throw IoError("cannot write " + path);
  }
  return 0;
}

}  // namespace lever::cli
