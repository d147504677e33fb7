// `lever linear`: fast linear and logistic regression on sparse data (LIBSVM files streamed from disk,
// or CSV tables through feature columns). The work is in lever/linear and lever/features.
#include <fmt/core.h>

#include <sched.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "flags.h"
#include "lever/data/labels.h"
#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/linear/coordinate_descent.h"
#include "lever/linear/training.h"
#include "lever/losses/registry.h"
#include "lever/optim/registry.h"
#include "lever/registry.h"

namespace lever::cli {
namespace {

struct LinearFlags {
  std::string train, test, format = "auto", schema, columns, label, na_values;
  long long num_features = 0;
  std::string loss = "logistic";
  long classes = 0;
  std::string optimizer = "ftrl";
  double learning_rate = 0, l1 = 0, l2 = 0;
  std::vector<std::string> optimizer_options;
  long batch_size = 0, steps = 0, shuffle_buffer = 0, report_every = 0, top = 0;
  double passes = 0;
  uint64_t seed = 1;
  bool skip_bad_rows = false, json = false, quiet = false, zero_based = false;
  long long max_bad_rows = 1000;
  std::string solver = "online", l1_scale = "none";
  int max_sweeps = 0;  // 0: kDefaultSweeps for the loss
  double tolerance = 1e-4;
  // Flags that only one solver reads, to reject them with the other.
  std::vector<CLI::Option*> online_only, cd_only;
};

// Makes the calling thread run only when a core would otherwise be idle (Linux SCHED_IDLE; best effort).
void LowerToIdlePriority() {
  sched_param param{};
  sched_setscheduler(0, SCHED_IDLE, &param);  // 0: the calling thread
}

// ".csv" for "x.csv" and "x.csv.gz".
std::string DataExtension(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.extension() == ".gz" ? p.stem().extension() : p.extension()).string();
}

std::string Format(const LinearFlags& f, const std::string& path) {
  if (f.format != "auto") return f.format;
  const std::string ext = DataExtension(path);
  return ext == ".csv" || ext == ".tsv" ? "csv" : "libsvm";
}

CsvOptions CsvDialect(const std::string& path) {
  CsvOptions csv;
  if (DataExtension(path) == ".tsv") csv.delimiter = '\t';
  return csv;
}

// Names and aliases mean what they mean in `lever train` (the loss registry); a linear model reads class ids.
std::string LossName(const std::string& loss) {
  const std::string name = CanonicalLossName(loss);
  if (name == "softmax_cross_entropy") {
    throw ConfigError("--loss " + loss + " takes one label column per class; lever linear reads class ids: "
                      "use --loss softmax (sparse_softmax_cross_entropy)");
  }
  return name;
}

// CSV: tables, feature columns (from YAML, or one per column), sparse rows.
struct CsvData {
  SparseRows train_x, test_x;
  std::vector<float> train_y, test_y;
  FeatureSet features;
  Index columns = 0;
  LabelEncoding labels;
  BadRowReport train_bad_rows, test_bad_rows;
};

// The label options the loss implies: logistic is binary, softmax multi-class, squared regression. With
// --classes, numeric labels are the class ids 0..classes-1.
LabelOptions LinearLabelOptions(const std::string& loss, long classes, const TableColumn& label) {
  LabelOptions options;
  options.task = loss == "sigmoid_cross_entropy" ? "binary" : loss == "sparse_softmax_cross_entropy" ? "multi_class" : "regression";
  options.override_hint = [](Task task) {
    return std::string("--loss ") + (task == Task::kBinary ? "logistic" : task == Task::kMultiClass ? "softmax" : "squared");
  };
  if (classes > 0 && label.type != ColumnType::kString) {
    for (long id = 0; id < classes; ++id) options.vocabulary.push_back(std::to_string(id));
  }
  return options;
}

// The encoded labels as a vector (PrepareLabel keeps 0/1 and class ids as they are).
std::vector<float> Labels(const Table& t, const std::string& file, const LabelEncoding& labels) {
  const Tensor y = labels.Encode(t, file);
  return std::vector<float>(y.data(), y.data() + y.rows());
}

// "a,,b" -> {"a", "", "b"}.
std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t comma = text.find(','); comma != std::string::npos; comma = text.find(',', start)) {
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  out.push_back(text.substr(start));
  return out;
}

CsvData LoadCsv(const LinearFlags& f, const std::string& loss, const BadRowPolicy& policy) {
  const long classes = loss == "sparse_softmax_cross_entropy" ? f.classes : 0;
  Schema schema;
  if (!f.schema.empty()) {
    schema = LoadSchema(f.schema);
    if (!f.na_values.empty()) schema.missing_values = SplitList(f.na_values);
  } else {
    InferOptions infer;
    infer.label = f.label;
    infer.bad_rows = policy;
    if (!f.na_values.empty()) infer.missing_values = SplitList(f.na_values);
    schema = InferSchema(f.train, CsvDialect(f.train), infer).schema;
  }
  if (!f.label.empty()) schema.label = f.label;
  if (schema.label.empty()) throw ConfigError("name the label column with --label (or in the schema)");
  CsvData d;
  const Table train = ReadTable(f.train, schema, CsvDialect(f.train), policy, &d.train_bad_rows);
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
  const TableColumn& label = train.Column(schema.label);
  d.labels = DecideLabels(label, LinearLabelOptions(loss, classes, label), f.train, train.lines);
  if (classes > 0 && d.labels.Outputs() != classes) {
    throw ConfigError(fmt::format("--classes {}, but the label column '{}' has {} classes ({}); leave --classes out for text labels",
                                  classes, schema.label, d.labels.Outputs(), d.labels.explanation));
  }
  d.train_y = Labels(train, f.train, d.labels);
  if (!f.test.empty()) {
    const Table test = ReadTable(f.test, schema, CsvDialect(f.test), policy, &d.test_bad_rows);
    TableSource test_source(test, f.test);
    d.features.Bind(test_source);
    d.features.AppendLinearRows(test_source, 0, test.num_rows, d.test_x);
    d.test_y = Labels(test, f.test, d.labels);
  }
  return d;
}

void CheckFlags(const LinearFlags& f, const std::string& loss) {
  if (f.format != "auto" && f.format != "libsvm" && f.format != "csv") {
    throw ConfigError("unknown --format '" + f.format + "'. Valid: auto, libsvm, csv.");
  }
  if (!(f.learning_rate >= 0)) {
    throw ConfigError(
        fmt::format("--learning-rate must be positive, or 0 for the default rule, got {}", f.learning_rate));
  }
  if (loss == "sparse_softmax_cross_entropy" && f.classes < 2 && !(f.classes == 0 && Format(f, f.train) == "csv")) {
    throw ConfigError(f.classes == 0 ? std::string("--loss softmax on LIBSVM needs --classes, the number of classes (at "
                                                   "least 2; labels are class ids 0 to classes - 1)")
                                     : fmt::format("--classes must be at least 2, got {}", f.classes));
  }
  if (loss != "sparse_softmax_cross_entropy" && f.classes != 0) {
    throw ConfigError("--classes applies only to --loss softmax (got --loss " + f.loss + ")");
  }
  if (f.solver != "online" && f.solver != "cd") {
    throw ConfigError("unknown --solver '" + f.solver + "'. Valid: online (the --optimizer, step by step, streaming or "
                      "in memory), cd (coordinate descent on the data in memory).");
  }
  for (const CLI::Option* o : f.solver == "cd" ? f.online_only : f.cd_only) {
    if (o->count() > 0) {
      throw ConfigError(o->get_name() + " does not apply to --solver " + f.solver + (f.solver == "cd"
                            ? " (coordinate descent has no optimizer, steps or batches; see --max-sweeps)"
                            : "; it is a coordinate-descent setting (--solver cd)"));
    }
  }
  if (f.solver == "cd" && loss == "sparse_softmax_cross_entropy") {
    throw ConfigError("--solver cd fits --loss logistic or squared; use --solver online for softmax");
  }
  ParseL1Scale(f.l1_scale);
}

// The squared loss's sweeps are exact and cheap but need more of them when features are correlated
// (scikit-learn's diabetes table converges in 26); the logistic default stays where the benchmarks ran it.
int DefaultSweeps(const std::string& loss) { return loss == "mean_squared_error" ? 100 : 20; }

// Coordinate descent on rows in memory; the solution goes into a (non-fused) LinearModel for evaluation
// and reporting. Returns the sweeps taken.
int FitCd(const LinearFlags& f, const std::string& loss, const SparseRows& x, const std::vector<float>& y,
          LinearModelConfig config, std::unique_ptr<LinearModel>& model, Convergence& convergence) {
  CoordinateDescentOptions cd;
  cd.loss = loss;
  cd.l1 = f.l1;
  cd.l2 = f.l2;
  cd.l1_scale = ParseL1Scale(f.l1_scale);
  cd.max_sweeps = f.max_sweeps != 0 ? f.max_sweeps : DefaultSweeps(loss);  // negative: the library says why not
  cd.tolerance = f.tolerance;
  const bool verbose = !f.quiet && !f.json;
  if (verbose) {
    fmt::print("coordinate descent: {} rows, {} features, {} nonzeros; l1 {} (scale {}), l2 {}\n", x.rows(), x.cols,
               x.nnz(), f.l1, f.l1_scale, f.l2);
  }
  const CoordinateDescentResult r = FitCoordinateDescent(x, y, cd, [&](const CoordinateDescentProgress& p) {
    if (verbose) {
      fmt::print("sweep {}  objective {:.6f}  train loss {:.5f}  nonzero {}  changed {}  {:.2f}s\n", p.sweep,
                 p.objective, p.loss, p.nonzero, p.changed, p.seconds);
    }
  });
  convergence = r.convergence;
  config.allow_fused = false;
  config.optimizer.name = "sgd";  // unused: the weights come from the solver
  config.optimizer.learning_rate = 0.0;
  config.optimizer.options.clear();
  model = std::make_unique<LinearModel>(x.cols, config);
  model->SetWeights(r.weights, r.bias);
  return r.sweeps;
}

// The library's convergence report in the flags' words; empty when the fit converged.
std::string NotConvergedWarning(const LinearFlags& f, const Convergence& c) {
  if (c.converged) return "";
  if (f.solver == "cd") {
    return fmt::format("not converged: {} sweeps (--max-sweeps) ended with a relative change of {} > --tolerance {}; "
                       "raise --max-sweeps or loosen --tolerance", c.iterations, FormatChange(c.change),
                       FormatChange(c.tolerance));
  }
  if (c.limit == "max passes") {
    return fmt::format("not converged: the training loss of a pass still fell by more than {} within the last "
                       "{} passes when training until converged stopped at its most, {} passes ({} steps); give "
                       "--passes or --steps, or raise --learning-rate",
                       FormatChange(c.tolerance), LinearTrainOptions{}.patience, LinearTrainOptions{}.max_passes,
                       c.iterations);
  }
  return fmt::format("not converged: the training loss still fell {:.1f}% over the last tenth of {} steps (more than "
                     "{:.0f}%); raise --passes (or --steps) or --learning-rate", 100.0 * c.change, c.iterations,
                     100.0 * c.tolerance);
}

void PrintSkipped(const std::string& file, const BadRowReport& report) {
  fmt::print("skipped {} malformed row{} of {}{}\n", report.skipped(), report.skipped() == 1 ? "" : "s", file,
             report.messages().empty() ? "" : "; the first: " + report.messages().front());
}

int Run(const LinearFlags& f) {
  const auto start = std::chrono::steady_clock::now();
  const std::string loss = LossName(f.loss);
  CheckFlags(f, loss);
  const BadRowPolicy policy{f.skip_bad_rows, f.max_bad_rows};
  LibsvmOptions libsvm;
  libsvm.zero_based = f.zero_based;
  libsvm.num_classes = loss == "sparse_softmax_cross_entropy" ? f.classes : 0;
  LinearModelConfig config;
  config.loss = loss;
  config.outputs = loss == "sparse_softmax_cross_entropy" ? f.classes : 1;
  config.optimizer.name = f.optimizer;
  config.optimizer.learning_rate = f.learning_rate;
  AddOptimizerOptions(f.optimizer_options, config.optimizer);
  config.regularizer = {f.l1, f.l2};
  config.l1_by_std = f.solver == "online" && ParseL1Scale(f.l1_scale) == L1Scale::kStd;
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
  Convergence convergence;
  // Examples trained on (repeats counted) and rows of the training file (-1: not known, when a stream
  // stopped before reading the file to its end).
  int64_t steps = 0, train_examples = 0, train_rows = -1;
  BadRowReport train_bad_rows, test_bad_rows;
  // LIBSVM: the index as written in the file.
  std::function<std::string(Index)> feature_name = [&f](Index id) {
    return "feature " + std::to_string(id + (f.zero_based ? 0 : 1));
  };
  CsvData csv;
  if (Format(f, f.train) == "csv") {
    csv = LoadCsv(f, loss, policy);
    config.feature_columns = csv.columns;
    config.outputs = csv.labels.Outputs();
    if (!f.quiet && !f.json) fmt::print("{}\nfeature columns:\n{}", csv.labels.explanation, csv.features.Describe());
    if (f.solver == "cd") {
      csv.train_x.cols = csv.features.linear_dimension();
      steps = FitCd(f, loss, csv.train_x, csv.train_y, config, model, convergence);
      train_examples = steps * csv.train_x.rows();
    } else {
      model = std::make_unique<LinearModel>(csv.features.linear_dimension(), config);
      steps = TrainLinear(*model, csv.train_x, csv.train_y, train, progress, &convergence);
      train_examples = steps * LinearBatchSize(train, csv.train_x.rows());
    }
    train_rows = csv.train_x.rows();
    train_bad_rows = csv.train_bad_rows;
    test_bad_rows = csv.test_bad_rows;
    if (!f.test.empty()) eval = EvaluateLinear(*model, csv.test_x, csv.test_y);
    feature_name = [&csv](Index id) { return csv.features.LinearFeatureName(id); };
  } else {
    std::future<LibsvmData> test_data;
    if (f.num_features > 0 && f.solver == "online") {
      // Stream: parse on a background thread while training. The test file is read meanwhile on a thread
      // that only runs when a core would otherwise be idle.
      model = std::make_unique<LinearModel>(f.num_features, config);
      if (!f.test.empty()) {
        test_data = std::async(std::launch::async, [&f, &libsvm, &policy] {
          LowerToIdlePriority();
          return ReadLibsvmFile(f.test, libsvm, policy, f.num_features, 1);
        });
      }
      LibsvmStream stream(f.train, f.num_features, libsvm, policy, {f.shuffle_buffer, f.seed, true, 4});
      steps = TrainLinear(*model, stream, train, progress, &convergence);
      train_examples = stream.examples();
      train_rows = stream.examples_per_pass();
      train_bad_rows = stream.bad_rows();
    } else {
      LibsvmData data = ReadLibsvmFile(f.train, libsvm, policy, f.num_features);
      if (data.labels.empty()) {
        throw DataError("no examples in " + f.train +
                        (data.bad_rows.skipped() == 0
                             ? std::string(": the file holds no data lines")
                             : ": all " + std::to_string(data.bad_rows.skipped()) +
                                   " of its data lines are malformed and were skipped; the first: " +
                                   data.bad_rows.messages().front()));
      }
      for (float& v : data.labels) v = PrepareLabel(loss, v);
      if (f.solver == "cd") {
        // The test file is read on another thread while the solver runs on this one.
        if (!f.test.empty()) {
          test_data = std::async(std::launch::async, [&f, &libsvm, &policy, cols = data.features.cols] {
            return ReadLibsvmFile(f.test, libsvm, policy, cols, 1);
          });
        }
        steps = FitCd(f, loss, data.features, data.labels, config, model, convergence);
        train_examples = steps * data.features.rows();
      } else {
        model = std::make_unique<LinearModel>(data.features.cols, config);
        steps = TrainLinear(*model, data.features, data.labels, train, progress, &convergence);
        train_examples = steps * LinearBatchSize(train, data.features.rows());
      }
      train_rows = data.features.rows();
      train_bad_rows = data.bad_rows;
    }
    if (test_data.valid()) {
      LibsvmData test = test_data.get();
      // An index beyond the model: EvaluateLinear's block reader throws, naming the lines that hold it.
      if (test.features.cols > model->num_features()) EvaluateLinear(*model, f.test, libsvm, policy);
      test.features.cols = model->num_features();
      for (float& v : test.labels) v = PrepareLabel(loss, v);
      eval = EvaluateLinear(*model, test.features, test.labels);
      test_bad_rows = test.bad_rows;
    } else if (!f.test.empty()) {
      eval = EvaluateLinear(*model, f.test, libsvm, policy, &test_bad_rows);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Index nonzero = model->CountNonzeroWeights();
  const double rows_per_second = static_cast<double>(train_examples + eval.examples) / seconds;
  if (f.json) {
    nlohmann::json out = {{"steps", steps},
                          {"train_examples", train_examples},
                          {"train_rows", train_rows >= 0 ? nlohmann::json(train_rows) : nlohmann::json()},
                          {"train_skipped_rows", train_bad_rows.skipped()},
                          {"seconds", seconds},
                          {"rows_per_second", rows_per_second},
                          {"nonzero_weights", nonzero},
                          {"test_examples", eval.examples},
                          {"test_skipped_rows", test_bad_rows.skipped()},
                          {"log_loss", eval.log_loss},
                          {"auc", eval.auc},
                          {"accuracy", eval.accuracy},
                          {"rmse", eval.rmse},
                          {"solver", f.solver},
                          {"optimizer", f.solver == "cd" ? nlohmann::json() : nlohmann::json(model->optimizer().Describe())}};
    if (!csv.labels.classes.empty()) out["classes"] = csv.labels.classes;
    out["convergence"] = {{"converged", convergence.converged},
                          {"iterations", convergence.iterations},
                          {"change", convergence.change},
                          {"tolerance", convergence.tolerance},
                          {"reason", NotConvergedWarning(f, convergence)}};
    fmt::print("{}\n", out.dump());
    return 0;
  }
  std::fflush(stdout);  // the warning after the progress lines, also when both go to one file
  if (!convergence.converged) fmt::print(stderr, "warning: {}\n", NotConvergedWarning(f, convergence));
  fmt::print("trained {} {} on {} examples{} in {:.2f}s ({:.0f} rows/s end to end); {} of {} weights nonzero\n",
             steps, f.solver == "cd" ? "sweeps" : "steps", train_examples, train_rows >= 0 ? fmt::format(" from {} rows", train_rows) : "", seconds,
             rows_per_second, nonzero, model->num_features() * model->outputs());
  if (f.skip_bad_rows) {
    PrintSkipped(f.train, train_bad_rows);
    if (!f.test.empty()) PrintSkipped(f.test, test_bad_rows);
  }
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
  cmd->add_option("--train", f->train, "training data: LIBSVM (.svm, .libsvm, any name) or CSV (.csv; .tsv is tab-separated), optionally gzipped")->required();
  cmd->add_option("--test", f->test, "test data in the same format");
  cmd->add_option("--format", f->format, "auto (by extension), libsvm or csv")->capture_default_str();
  cmd->add_option("--num-features", f->num_features,
                  "LIBSVM: size of the feature space; given, the file is streamed (parsed while training), otherwise read into memory");
  cmd->add_flag("--zero-based", f->zero_based, "LIBSVM: indices start at 0 (feature id = index), not at 1");
  cmd->add_option("--schema", f->schema, "CSV: schema YAML (default: inferred from the file)");
  cmd->add_option("--na-values", f->na_values,
                  "CSV: comma-separated texts that mean missing (default: empty, NA, N/A, NaN, nan, null, NULL, ?); "
                  "missing numbers take the training mean, missing texts are their own category");
  cmd->add_option("--columns", f->columns, "CSV: YAML with feature_columns (default: one column per input column)");
  cmd->add_option("--label", f->label,
                  "CSV: the label column, numbers or text (logistic: any two values, the second sorted one positive)");
  cmd->add_option("--loss", f->loss, "logistic, squared or softmax, or any loss name or alias of lever train")
      ->capture_default_str();
  cmd->add_option("--classes", f->classes,
                  "softmax: number of classes, at least 2 (labels 0..classes-1); required for LIBSVM, for CSV the labels "
                  "give them (text labels: their sorted values)");
  cmd->add_option("--solver", f->solver,
                  "online: the --optimizer step by step (streaming or in memory); cd: coordinate descent in memory "
                  "(logistic or squared loss)")
      ->capture_default_str();
  auto& online = f->online_only;
  auto& cd = f->cd_only;
  online.push_back(cmd->add_option("--optimizer", f->optimizer, JoinNames(OptimizerNames()))->capture_default_str());
  online.push_back(cmd->add_option("--learning-rate,--lr", f->learning_rate,
                                   "> 0, or 0 = TensorFlow's default min(0.2, 1/sqrt(feature columns))")
                       ->capture_default_str());
  online.push_back(cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable"));
  cmd->add_option("--l1-scale", f->l1_scale,
                  "none (every weight pays --l1) or std (weight j pays --l1 times feature j's standard deviation: the "
                  "L1 penalty of standardized features; online: FTRL's fused kernel, over the examples seen so far)")
      ->capture_default_str();
  cd.push_back(cmd->add_option("--max-sweeps", f->max_sweeps,
                               "cd: most sweeps over the features (default: 20 for logistic, 100 for squared loss); "
                               "a warning says when they ran out before --tolerance was met"));
  cd.push_back(cmd->add_option("--tolerance", f->tolerance,
                               "cd: stop when a sweep lowers the objective by less than this fraction")
                   ->capture_default_str());
  cmd->add_option("--l1", f->l1, "L1 penalty on the mean loss (exact zeros)")->capture_default_str();
  cmd->add_option("--l2", f->l2, "L2 penalty on the mean loss")->capture_default_str();
  online.push_back(cmd->add_option("--batch-size", f->batch_size,
                                   "examples per step; 0 = min(256, rows / 16) in memory (at least 16 steps a pass), "
                                   "256 streamed")
                       ->capture_default_str());
  online.push_back(cmd->add_option("--steps", f->steps, "training steps (0 = use --passes)")->capture_default_str());
  online.push_back(
      cmd->add_option("--passes", f->passes,
                      "passes over the training data when --steps is 0; 0 = in memory until the loss of a pass stops "
                      "falling (5 passes without a 0.1% gain, at most 100), streamed 1")->capture_default_str());
  online.push_back(cmd->add_option("--shuffle-buffer", f->shuffle_buffer,
                                   "streaming: examples held for shuffling (0 = file order)")
                       ->capture_default_str());
  cmd->add_option("--seed", f->seed, "seed for shuffling")->capture_default_str();
  cmd->add_flag("--skip-bad-rows", f->skip_bad_rows, "skip malformed rows instead of stopping, and print how many");
  cmd->add_option("--max-bad-rows", f->max_bad_rows, "with --skip-bad-rows: fail after this many per file (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--report-every", f->report_every, "progress line every N steps (default 1000)");
  cmd->add_option("--top", f->top, "print the N largest weights with their feature names");
  cmd->add_flag("--json", f->json, "print one JSON line with the results");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the result");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
