// `lever linear`: fast linear and logistic regression on sparse data (LIBSVM files streamed from disk,
// or CSV tables through feature columns). The work is in lever/linear and lever/features.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/linear/training.h"

namespace lever::cli {
namespace {

struct LinearFlags {
  std::string train, test, format = "auto", schema, columns, label;
  long long num_features = 0;
  std::string loss = "logistic";
  long classes = 0;
  std::string optimizer = "ftrl";
  double learning_rate = 0, l1 = 0, l2 = 0;
  std::vector<std::string> optimizer_options;
  long batch_size = 256, steps = 0, shuffle_buffer = 0, report_every = 0, top = 0;
  double passes = 1;
  uint64_t seed = 1;
  bool skip_bad_rows = false, json = false, quiet = false;
  long long max_bad_rows = 1000;
};

std::string Format(const LinearFlags& f, const std::string& path) {
  if (f.format != "auto") return f.format;
  const std::string ext = std::filesystem::path(path).extension() == ".gz"
                              ? std::filesystem::path(path).stem().extension().string()
                              : std::filesystem::path(path).extension().string();
  return ext == ".csv" || ext == ".tsv" ? "csv" : "libsvm";
}

std::string LossName(const std::string& loss) {
  if (loss == "logistic") return "sigmoid_cross_entropy";
  if (loss == "squared" || loss == "linear") return "mean_squared_error";
  if (loss == "softmax") return "sparse_softmax_cross_entropy";
  throw ConfigError("unknown --loss '" + loss + "'. Valid: logistic, squared, softmax.");
}

// CSV: tables, feature columns (from YAML, or one per column), sparse rows.
struct CsvData {
  SparseRows train_x, test_x;
  std::vector<float> train_y, test_y;
  FeatureSet features;
  Index columns = 0;
};

std::vector<float> Labels(const Table& t, const std::string& label, const std::string& loss) {
  const TableColumn& c = t.Column(label);
  std::vector<float> y;
  for (int64_t r = 0; r < t.num_rows; ++r) {
    const float v = c.type == ColumnType::kInteger ? static_cast<float>(c.integers[static_cast<size_t>(r)])
                                                   : c.numbers[static_cast<size_t>(r)];
    y.push_back(PrepareLabel(loss, v));
  }
  return y;
}

CsvData LoadCsv(const LinearFlags& f, const std::string& loss, const BadRowPolicy& policy) {
  Schema schema;
  if (!f.schema.empty()) {
    schema = LoadSchema(f.schema);
  } else {
    InferOptions infer;
    infer.label = f.label;
    schema = InferSchema(f.train, {}, infer).schema;
  }
  if (!f.label.empty()) schema.label = f.label;
  if (schema.label.empty()) throw ConfigError("name the label column with --label (or in the schema)");
  CsvData d;
  const Table train = ReadTable(f.train, schema, {}, policy);
  if (!f.columns.empty()) {
    d.features = LoadFeatureColumns(f.columns);
  } else {
    for (const TableColumn& c : train.columns) {
      if (c.name == schema.label) continue;
      if (c.type == ColumnType::kString) {
        d.features.Add(CategoricalColumnWithVocabularyList(c.name, c.dictionary, 1));
      } else {
        d.features.Add(NumericColumn(c.name));
      }
    }
  }
  d.columns = static_cast<Index>(d.features.columns().size());
  TableSource train_source(train, f.train);
  d.features.Fit(train_source);
  d.features.AppendLinearRows(train_source, 0, train.num_rows, d.train_x);
  d.train_y = Labels(train, schema.label, loss);
  if (!f.test.empty()) {
    const Table test = ReadTable(f.test, schema, {}, policy);
    TableSource test_source(test, f.test);
    d.features.Bind(test_source);
    d.features.AppendLinearRows(test_source, 0, test.num_rows, d.test_x);
    d.test_y = Labels(test, schema.label, loss);
  }
  return d;
}

int Run(const LinearFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  const std::string loss = LossName(f.loss);
  const BadRowPolicy policy{f.skip_bad_rows, f.max_bad_rows};
  LinearModelConfig config;
  config.loss = loss;
  config.outputs = loss == "sparse_softmax_cross_entropy" ? f.classes : 1;
  config.optimizer.name = f.optimizer;
  config.optimizer.learning_rate = f.learning_rate;
  for (const std::string& kv : f.optimizer_options) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw ConfigError("--opt expects key=value, got '" + kv + "'");
    config.optimizer.options[kv.substr(0, eq)] = std::stod(kv.substr(eq + 1));
  }
  config.regularizer = {f.l1, f.l2};
  LinearTrainOptions train;
  train.batch_size = f.batch_size;
  train.steps = f.steps;
  train.passes = f.passes;
  train.seed = f.seed;
  train.report_every = f.quiet || f.json ? 0 : (f.report_every > 0 ? f.report_every : 1000);
  auto progress = [](const LinearProgress& p) {
    fmt::print("step {}  examples {}  passes {:.2f}  train loss {:.5f}  {:.0f} examples/s\n", p.step, p.examples,
               p.passes, p.loss, p.seconds > 0 ? static_cast<double>(p.examples) / p.seconds : 0.0);
  };

  std::unique_ptr<LinearModel> model;
  LinearEvaluation eval;
  int64_t steps = 0, train_rows = 0;
  std::function<std::string(Index)> feature_name = [](Index id) { return "feature " + std::to_string(id + 1); };
  CsvData csv;
  if (Format(f, f.train) == "csv") {
    csv = LoadCsv(f, loss, policy);
    config.feature_columns = csv.columns;
    model = std::make_unique<LinearModel>(csv.features.linear_dimension(), config);
    if (!f.quiet && !f.json) fmt::print("feature columns:\n{}", csv.features.Describe());
    steps = TrainLinear(*model, csv.train_x, csv.train_y, train, progress);
    train_rows = csv.train_x.rows();
    if (!f.test.empty()) eval = EvaluateLinear(*model, csv.test_x, csv.test_y);
    feature_name = [&csv](Index id) { return csv.features.LinearFeatureName(id); };
  } else if (f.num_features > 0) {
    // Stream: parse on a background thread while training.
    model = std::make_unique<LinearModel>(f.num_features, config);
    LibsvmStream stream(f.train, f.num_features, {}, policy, {f.shuffle_buffer, f.seed, true, 4});
    steps = TrainLinear(*model, stream, train, progress);
    train_rows = stream.examples();
    if (!f.test.empty()) eval = EvaluateLinear(*model, f.test, {}, policy);
  } else {
    LibsvmData data = ReadLibsvmFile(f.train, {}, policy);
    for (float& v : data.labels) v = PrepareLabel(loss, v);
    model = std::make_unique<LinearModel>(data.features.cols, config);
    steps = TrainLinear(*model, data.features, data.labels, train, progress);
    train_rows = static_cast<int64_t>(steps * f.batch_size);
    if (!f.test.empty()) eval = EvaluateLinear(*model, f.test, {}, policy);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Index nonzero = model->CountNonzeroWeights();
  if (f.json) {
    nlohmann::json out = {{"steps", steps},           {"train_examples", train_rows},
                          {"seconds", seconds},       {"rows_per_second", static_cast<double>(train_rows + eval.examples) / seconds},
                          {"nonzero_weights", nonzero}, {"test_examples", eval.examples},
                          {"log_loss", eval.log_loss}, {"auc", eval.auc},
                          {"accuracy", eval.accuracy}, {"rmse", eval.rmse},
                          {"optimizer", model->optimizer().Describe()}};
    fmt::print("{}\n", out.dump());
    return 0;
  }
  fmt::print("trained {} steps on {} examples in {:.2f}s ({:.0f} rows/s end to end); {} of {} weights nonzero\n", steps,
             train_rows, seconds, static_cast<double>(train_rows + eval.examples) / seconds, nonzero,
             model->num_features() * model->outputs());
  if (eval.examples > 0) {
    fmt::print("test: {} examples  loss {:.5f}", eval.examples, eval.loss);
    if (loss == "sigmoid_cross_entropy") fmt::print("  AUC {:.4f}  accuracy {:.4f}", eval.auc, eval.accuracy);
    if (loss == "sparse_softmax_cross_entropy") fmt::print("  accuracy {:.4f}", eval.accuracy);
    if (loss == "mean_squared_error") fmt::print("  RMSE {:.5f}", eval.rmse);
    fmt::print("\n");
  }
  if (f.top > 0) {
    fmt::print("largest weights:\n");
    const auto weights = model->NonzeroWeights();
    for (size_t i = 0; i < weights.size() && static_cast<long>(i) < f.top; ++i) {
      fmt::print("  {:+.5f}  {}\n", weights[i].second, feature_name(weights[i].first));
    }
  }
  return 0;
}

}  // namespace

Command RegisterLinear(CLI::App& app) {
  auto f = std::make_shared<LinearFlags>();
  CLI::App* cmd = app.add_subcommand("linear", "Train a linear or logistic model on sparse data (LIBSVM or CSV)");
  cmd->add_option("--train", f->train, "training data: LIBSVM (.svm, .libsvm, any name) or CSV (.csv), optionally gzipped")->required();
  cmd->add_option("--test", f->test, "test data in the same format");
  cmd->add_option("--format", f->format, "auto (by extension), libsvm or csv")->capture_default_str();
  cmd->add_option("--num-features", f->num_features,
                  "LIBSVM: size of the feature space; given, the file is streamed (parsed while training), otherwise read into memory");
  cmd->add_option("--schema", f->schema, "CSV: schema YAML (default: inferred from the file)");
  cmd->add_option("--columns", f->columns, "CSV: YAML with feature_columns (default: one column per input column)");
  cmd->add_option("--label", f->label, "CSV: the label column");
  cmd->add_option("--loss", f->loss, "logistic, squared or softmax")->capture_default_str();
  cmd->add_option("--classes", f->classes, "softmax: number of classes (labels 0..classes-1)");
  cmd->add_option("--optimizer", f->optimizer, "ftrl, sgd, adagrad, adam, ...")->capture_default_str();
  cmd->add_option("--learning-rate,--lr", f->learning_rate, "0 = TensorFlow's default min(0.2, 1/sqrt(feature columns))")
      ->capture_default_str();
  cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable");
  cmd->add_option("--l1", f->l1, "L1 penalty on the mean loss (exact zeros)")->capture_default_str();
  cmd->add_option("--l2", f->l2, "L2 penalty on the mean loss")->capture_default_str();
  cmd->add_option("--batch-size", f->batch_size, "examples per step")->capture_default_str();
  cmd->add_option("--steps", f->steps, "training steps (0 = use --passes)")->capture_default_str();
  cmd->add_option("--passes", f->passes, "passes over the training data when --steps is 0")->capture_default_str();
  cmd->add_option("--shuffle-buffer", f->shuffle_buffer, "streaming: examples held for shuffling (0 = file order)")
      ->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed for shuffling")->capture_default_str();
  cmd->add_flag("--skip-bad-rows", f->skip_bad_rows, "skip and count malformed rows instead of stopping");
  cmd->add_option("--max-bad-rows", f->max_bad_rows, "with --skip-bad-rows: fail after this many")->capture_default_str();
  cmd->add_option("--report-every", f->report_every, "progress line every N steps (default 1000)");
  cmd->add_option("--top", f->top, "print the N largest weights with their feature names");
  cmd->add_flag("--json", f->json, "print one JSON line with the results");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the result");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
