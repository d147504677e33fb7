#include "lever/linear/linear_job.h"

#include <fmt/core.h>
#include <sched.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <set>

#include "lever/data/csv_reader.h"
#include "lever/data/labels.h"
#include "lever/data/schema.h"
#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/linear/coordinate_descent.h"
#include "lever/losses/registry.h"
#include "lever/memory_limit.h"
#include "lever/registry.h"

namespace lever {
namespace {

using InfoFn = std::function<void(const std::string&)>;

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

std::string Format(const LinearJobOptions& o, const std::string& path) {
  if (o.format != "auto") return o.format;
  const std::string ext = DataExtension(path);
  return ext == ".csv" || ext == ".tsv" ? "csv" : "libsvm";
}

CsvOptions CsvDialect(const std::string& path) {
  CsvOptions csv;
  if (DataExtension(path) == ".tsv") csv.delimiter = '\t';
  return csv;
}

// Names and aliases mean what they mean in `lever train` (the loss registry); a linear model reads class ids.
// auto stays auto (the labels decide it).
std::string LossName(const std::string& loss) {
  if (loss == "auto") return loss;
  const std::string name = CanonicalLossName(loss);
  if (name == "softmax_cross_entropy") {
    throw ConfigError("--loss " + loss +
                      " takes one label column per class; lever linear reads class ids: "
                      "use --loss softmax (sparse_softmax_cross_entropy)");
  }
  return name;
}

// The label columns a label option names: "a,b,c" (not itself a column) is a multi-label task, one yes/no
// label per column, trained with the logistic loss (one sigmoid output per label).
std::vector<std::string> LabelColumnsIn(const std::string& label, const Schema& schema, const std::string& loss,
                                        const std::string& solver) {
  std::vector<std::string> header;
  for (const ColumnSchema& c : schema.columns) header.push_back(c.name);
  std::vector<std::string> columns = LabelColumns(label, header);
  if (columns.size() < 2) return {label};
  if (loss != "sigmoid_cross_entropy" && loss != "auto") {
    throw ConfigError("--label " + label + " names " + std::to_string(columns.size()) +
                      " columns: a multi-label task, one yes/no label each, which lever linear trains with the "
                      "logistic loss (what --loss auto picks), not " +
                      loss);
  }
  if (solver == "cd") {
    throw ConfigError("--label " + label +
                      ": coordinate descent fits one output; train a multi-label model with --solver online (the "
                      "default)");
  }
  return columns;
}

// CSV: tables, feature columns (from YAML, or one per column), sparse rows.
struct CsvData {
  SparseRows train_x, test_x;
  std::vector<float> train_y, test_y;
  FeatureSet features;
  Index columns = 0;
  LabelEncoding labels;  // multi-label: the label columns as its classes
  BadRowReport train_bad_rows, test_bad_rows;
};

// The label options the loss implies: logistic is binary, softmax multi-class, squared regression, auto
// the labels' own decision. With --classes, numeric labels are the class ids 0..classes-1.
LabelOptions LinearLabelOptions(const std::string& loss, Index classes, const TableColumn& label) {
  LabelOptions options;
  options.task = loss == "auto"                           ? (classes > 0 ? "multi_class" : "auto")
                 : loss == "sigmoid_cross_entropy"        ? "binary"
                 : loss == "sparse_softmax_cross_entropy" ? "multi_class"
                                                          : "regression";
  options.override_hint = [](Task task) {
    return std::string("--loss ") + (task == Task::kBinary       ? "logistic"
                                     : task == Task::kMultiClass ? "softmax"
                                                                 : "squared");
  };
  if (classes > 0 && label.type != ColumnType::kString) {
    for (Index id = 0; id < classes; ++id) options.vocabulary.push_back(std::to_string(id));
  }
  return options;
}

// The encoded labels as a vector (PrepareLabel keeps 0/1 and class ids as they are).
std::vector<float> Labels(const Table& t, const std::string& file, const LabelEncoding& labels) {
  const Tensor y = labels.Encode(t, file);
  return std::vector<float>(y.data(), y.data() + y.size());  // row-major: a multi-label row's labels together
}

CsvData LoadCsv(const LinearJobOptions& o, const std::string& loss) {
  const Index classes = loss == "sparse_softmax_cross_entropy" || loss == "auto" ? o.classes : 0;
  // A label with commas may name several columns: inferred without it, so the check below can say so.
  const bool maybe_several = o.label.find(',') != std::string::npos;
  Schema schema;
  if (!o.schema.empty()) {
    schema = LoadSchema(o.schema);
    if (!o.na_values.empty()) schema.missing_values = SplitNames(o.na_values);
  } else {
    InferOptions infer;
    infer.label = maybe_several ? "" : o.label;
    infer.bad_rows = o.bad_rows;
    if (!o.na_values.empty()) infer.missing_values = SplitNames(o.na_values);
    schema = InferSchema(o.train_file, CsvDialect(o.train_file), infer).schema;
  }
  ApplyColumnTypes(schema, o.column_types, "--column-type");
  const std::vector<std::string> label_columns =
      maybe_several ? LabelColumnsIn(o.label, schema, loss, o.solver) : std::vector<std::string>{o.label};
  const bool multi_label = label_columns.size() > 1;
  if (!o.label.empty()) schema.label = label_columns.front();
  if (schema.label.empty()) throw ConfigError("name the label column with --label (or in the schema)");
  const auto is_label = [&](const std::string& name) {
    return name == schema.label || std::find(label_columns.begin(), label_columns.end(), name) != label_columns.end();
  };
  CsvData d;
  const Table train = ReadTable(o.train_file, schema, CsvDialect(o.train_file), o.bad_rows, &d.train_bad_rows);
  if (!o.columns.empty()) {
    d.features = LoadFeatureColumns(o.columns);
  } else {
    // As every CSV path: an inferred column missing in every row, or numbers with a few stray texts, is
    // said, not trained on as a text column (a declared number column says so when its column is fitted).
    if (o.schema.empty()) CheckNoEmptyColumns(train, o.train_file);
    for (const TableColumn& c : train.columns) {
      if (o.schema.empty() && o.column_types.count(c.name) == 0 && !is_label(c.name)) {
        CheckTextIsNotMostlyNumbers(train, c.name, o.train_file, "--na-values", "--column-type " + c.name + "=string");
      }
    }
    for (const TableColumn& c : train.columns) {
      if (is_label(c.name)) continue;
      if (c.type == ColumnType::kString) {
        // As in every CSV path: the training values; a missing or unseen one takes the one extra bucket.
        d.features.Add(CategoricalColumnWithVocabularyList(c.name, PresentValues(c), 1));
      } else {
        d.features.Add(NumericColumn(c.name));
      }
    }
  }
  d.columns = static_cast<Index>(d.features.columns().size());
  TableSource train_source(train, o.train_file);
  d.features.Fit(train_source);
  d.features.AppendLinearRows(train_source, 0, train.num_rows, d.train_x);
  const TableColumn& label = train.Column(schema.label);
  d.labels = multi_label ? DecideMultiLabels(train, label_columns, o.train_file)
                         : DecideLabels(label, LinearLabelOptions(loss, classes, label), o.train_file, train.lines);
  if (classes > 0 && d.labels.Outputs() != classes) {
    throw ConfigError(
        fmt::format("--classes {}, but the label column '{}' has {} classes ({}); leave --classes out for text labels",
                    classes, schema.label, d.labels.Outputs(), d.labels.explanation));
  }
  d.train_y = Labels(train, o.train_file, d.labels);
  if (!o.test_file.empty()) {
    const Table test = ReadTable(o.test_file, schema, CsvDialect(o.test_file), o.bad_rows, &d.test_bad_rows);
    TableSource test_source(test, o.test_file);
    d.features.Bind(test_source);
    d.features.AppendLinearRows(test_source, 0, test.num_rows, d.test_x);
    d.test_y = Labels(test, o.test_file, d.labels);
  }
  return d;
}

// The squared loss's sweeps are exact and cheap but need more of them when features are correlated
// (scikit-learn's diabetes table converges in 26); the logistic default stays where the benchmarks ran it.
int DefaultSweeps(const std::string& loss) { return loss == "mean_squared_error" ? 100 : 20; }

// Coordinate descent on rows in memory; the solution goes into a (non-fused) LinearModel for evaluation
// and reporting. Returns the sweeps taken.
int FitCd(const LinearJobOptions& o, const std::string& loss, const SparseRows& x, const std::vector<float>& y,
          LinearModelConfig config, LinearJobResult& r, const InfoFn& info) {
  CoordinateDescentOptions cd;
  cd.loss = loss;
  cd.l1 = o.l1;
  cd.l2 = o.l2;
  cd.l1_scale = ParseL1Scale(o.l1_scale);
  cd.max_sweeps = o.max_sweeps != 0 ? o.max_sweeps : DefaultSweeps(loss);  // negative: the solver says why not
  cd.tolerance = o.tolerance;
  CoordinateDescentProgressFn sweep_lines;
  if (info) {
    info(fmt::format("coordinate descent: {} rows, {} features, {} nonzeros; l1 {} (scale {}), l2 {}", x.rows(), x.cols,
                     x.nnz(), o.l1, o.l1_scale, o.l2));
    sweep_lines = [&info](const CoordinateDescentProgress& p) {
      info(fmt::format("sweep {}  objective {:.6f}  train loss {:.5f}  nonzero {}  changed {}  {:.2f}s", p.sweep,
                       p.objective, p.loss, p.nonzero, p.changed, p.seconds));
    };
  }
  const CoordinateDescentResult fit = FitCoordinateDescent(x, y, cd, sweep_lines);
  r.convergence = fit.convergence;
  config.allow_fused = false;
  config.optimizer.name = "sgd";  // unused: the weights come from the solver
  config.optimizer.learning_rate = 0.0;
  config.optimizer.options.clear();
  r.model = std::make_shared<LinearModel>(x.cols, config);
  r.model->SetWeights(fit.weights, fit.bias);
  return fit.sweeps;
}

// The convergence report in the flags' words; empty when the fit converged.
std::string NotConvergedReason(const LinearJobOptions& o, const Convergence& c) {
  if (c.converged) return "";
  if (o.solver == "cd") {
    return fmt::format(
        "not converged: {} sweeps (--max-sweeps) ended with a relative change of {} > --tolerance {}; "
        "raise --max-sweeps or loosen --tolerance",
        c.iterations, FormatChange(c.change), FormatChange(c.tolerance));
  }
  if (c.limit == "max passes") {
    return fmt::format(
        "not converged: the training loss of a pass still fell by more than {} within the last "
        "{} passes when training until converged stopped at its most, {} passes ({} steps); give "
        "--passes or --steps, or raise --learning-rate",
        FormatChange(c.tolerance), LinearTrainOptions{}.patience, LinearTrainOptions{}.max_passes, c.iterations);
  }
  return fmt::format(
      "not converged: the training loss still fell {:.1f}% over the last tenth of {} steps (more than "
      "{:.0f}%); raise --passes (or --steps) or --learning-rate",
      100.0 * c.change, c.iterations, 100.0 * c.tolerance);
}

// What feature id `id` of the model is, for the top weights.
using FeatureNameFn = std::function<std::string(Index)>;

// CSV: features through feature columns, labels decided from the training table; trained in memory.
FeatureNameFn RunCsv(const LinearJobOptions& o, LinearModelConfig config, const LinearTrainOptions& train,
                     const LinearProgressFn& progress, const InfoFn& info, LinearJobResult& r) {
  CsvData csv = LoadCsv(o, r.loss);
  if (r.loss == "auto") {
    r.loss = csv.labels.DefaultLoss();
    config.loss = r.loss;
    if (o.solver == "cd" && csv.labels.Outputs() > 1) {
      throw ConfigError(csv.labels.explanation + ". --solver cd fits one output (--loss logistic or squared); " +
                        "train this task with --solver online (the default)");
    }
  }
  config.feature_columns = csv.columns;
  config.outputs = csv.labels.Outputs();
  r.label_explanation = csv.labels.explanation;
  r.feature_columns = csv.features.Describe();
  r.classes = csv.labels.classes;
  if (info) {
    std::string columns = "feature columns:\n" + r.feature_columns;
    columns.pop_back();  // the last line's newline
    info(r.label_explanation);
    info(columns);
  }
  if (o.solver == "cd") {
    csv.train_x.cols = csv.features.linear_dimension();
    r.steps = FitCd(o, r.loss, csv.train_x, csv.train_y, config, r, info);
    r.train_examples = r.steps * csv.train_x.rows();
  } else {
    r.model = std::make_shared<LinearModel>(csv.features.linear_dimension(), config);
    r.steps = TrainLinear(*r.model, csv.train_x, csv.train_y, train, progress, &r.convergence);
    r.train_examples = r.steps * LinearBatchSize(train, csv.train_x.rows());
  }
  r.train_rows = csv.train_x.rows();
  r.train_bad_rows = csv.train_bad_rows;
  r.test_bad_rows = csv.test_bad_rows;
  if (!o.test_file.empty()) {
    r.evaluation =
        EvaluateLinear(*r.model, csv.test_x, csv.test_y,
                       csv.labels.task == Task::kMultiLabel ? csv.labels.classes : std::vector<std::string>{});
  }
  return [features = std::make_shared<FeatureSet>(std::move(csv.features))](Index id) {
    return features->LinearFeatureName(id);
  };
}

// --loss auto on a LIBSVM file read into memory is logistic: its labels must be two values (the usual
// -1/+1 or 0/1), not targets a positive-or-not rule would silently turn into 0/1.
void CheckTwoLabels(const std::vector<float>& labels, const std::string& file) {
  std::set<float> values;
  for (const float v : labels) {
    values.insert(v);
    if (values.size() > 2) break;
  }
  if (values.size() <= 2) return;
  throw ConfigError(fmt::format(
      "{}: the labels hold more than two values ({}, {}, {}, ...): --loss auto reads a LIBSVM file as a binary "
      "task (logistic). Pass --loss squared for a regression target, or --loss softmax --classes K for class "
      "ids 0..K-1",
      file, LabelNumberName(*values.begin()), LabelNumberName(*std::next(values.begin())),
      LabelNumberName(*std::next(values.begin(), 2))));
}

// LIBSVM: streamed from disk while training (online with num_features), or read into memory.
FeatureNameFn RunLibsvm(const LinearJobOptions& o, const LinearModelConfig& config, const LinearTrainOptions& train,
                        const LinearProgressFn& progress, const InfoFn& info, LinearJobResult& r) {
  LibsvmOptions libsvm;
  libsvm.zero_based = o.zero_based;
  libsvm.num_classes = r.loss == "sparse_softmax_cross_entropy" ? o.classes : 0;
  std::future<LibsvmData> test_data;
  // The feature space's size comes from the input (a flag, or the largest index in the file): one that
  // cannot fit is named with where it came from, before the model is allocated.
  const auto check_features = [&](int64_t features, const std::string& source) {
    CheckFitsInMemory(
        static_cast<double>(features) * static_cast<double>(std::max<int64_t>(1, o.classes)) * 4 * sizeof(float),
        "a linear model of " + std::to_string(features) + " features (" + source +
            "), with its gradients and optimizer slots",
        "lower --num-features, or renumber the features densely (feature ids are LIBSVM indices), or "
        "raise LEVER_MEMORY_LIMIT if the machine has more");
  };
  if (o.num_features > 0 && o.solver == "online") {
    check_features(o.num_features, "--num-features");
    // Stream: parse on a background thread while training. The test file is read meanwhile on a thread
    // that only runs when a core would otherwise be idle.
    r.model = std::make_shared<LinearModel>(o.num_features, config);
    if (!o.test_file.empty()) {
      test_data = std::async(std::launch::async, [&o, &libsvm] {
        LowerToIdlePriority();
        return ReadLibsvmFile(o.test_file, libsvm, o.bad_rows, o.num_features, 1);
      });
    }
    LibsvmStream stream(o.train_file, o.num_features, libsvm, o.bad_rows, {o.shuffle_buffer, o.seed, true, 4});
    r.steps = TrainLinear(*r.model, stream, train, progress, &r.convergence);
    r.train_examples = stream.examples();
    r.train_rows = stream.examples_per_pass();
    r.train_bad_rows = stream.bad_rows();
  } else {
    LibsvmData data = ReadLibsvmFile(o.train_file, libsvm, o.bad_rows, o.num_features);
    if (data.labels.empty()) {
      throw DataError("no examples in " + o.train_file +
                      (data.bad_rows.skipped() == 0
                           ? std::string(": the file holds no data lines")
                           : ": all " + std::to_string(data.bad_rows.skipped()) +
                                 " of its data lines are malformed and were skipped; the first: " +
                                 data.bad_rows.messages().front()));
    }
    if (o.loss == "auto" && r.loss == "sigmoid_cross_entropy") CheckTwoLabels(data.labels, o.train_file);
    for (float& v : data.labels) v = PrepareLabel(r.loss, v);
    check_features(data.features.cols, o.num_features > 0 ? std::string("--num-features")
                                                          : "the largest index in " + o.train_file + ", plus one");
    if (o.solver == "cd") {
      // The test file is read on another thread while the solver runs on this one.
      if (!o.test_file.empty()) {
        test_data = std::async(std::launch::async, [&o, &libsvm, cols = data.features.cols] {
          return ReadLibsvmFile(o.test_file, libsvm, o.bad_rows, cols, 1);
        });
      }
      r.steps = FitCd(o, r.loss, data.features, data.labels, config, r, info);
      r.train_examples = r.steps * data.features.rows();
    } else {
      r.model = std::make_shared<LinearModel>(data.features.cols, config);
      r.steps = TrainLinear(*r.model, data.features, data.labels, train, progress, &r.convergence);
      r.train_examples = r.steps * LinearBatchSize(train, data.features.rows());
    }
    r.train_rows = data.features.rows();
    r.train_bad_rows = data.bad_rows;
  }
  if (test_data.valid()) {
    LibsvmData test = test_data.get();
    // An index beyond the model: EvaluateLinear's block reader throws, naming the lines that hold it.
    if (test.features.cols > r.model->num_features()) EvaluateLinear(*r.model, o.test_file, libsvm, o.bad_rows);
    test.features.cols = r.model->num_features();
    for (float& v : test.labels) v = PrepareLabel(r.loss, v);
    r.evaluation = EvaluateLinear(*r.model, test.features, test.labels);
    r.test_bad_rows = test.bad_rows;
  } else if (!o.test_file.empty()) {
    r.evaluation = EvaluateLinear(*r.model, o.test_file, libsvm, o.bad_rows, &r.test_bad_rows);
  }
  // The index as written in the file.
  return [zero_based = o.zero_based](Index id) { return "feature " + std::to_string(id + (zero_based ? 0 : 1)); };
}

}  // namespace

void LinearJobOptions::Validate() const {
  // auto with --classes is softmax (LIBSVM and CSV alike).
  const std::string name = loss == "auto" && classes != 0 ? "sparse_softmax_cross_entropy" : LossName(loss);
  if (format != "auto" && format != "libsvm" && format != "csv") {
    throw ConfigError("unknown --format '" + format + "'. Valid: auto, libsvm, csv.");
  }
  if (!(optimizer.learning_rate >= 0)) {
    throw ConfigError(
        fmt::format("--learning-rate must be positive, or 0 for the default rule, got {}", optimizer.learning_rate));
  }
  if (name == "sparse_softmax_cross_entropy" && classes < 2 && !(classes == 0 && Format(*this, train_file) == "csv")) {
    throw ConfigError(classes == 0 ? std::string("--loss softmax on LIBSVM needs --classes, the number of classes (at "
                                                 "least 2; labels are class ids 0 to classes - 1)")
                                   : fmt::format("--classes must be at least 2, got {}", classes));
  }
  if (name != "sparse_softmax_cross_entropy" && classes != 0) {
    throw ConfigError("--classes applies only to --loss softmax (got --loss " + loss + ")");
  }
  if (num_features < 0) {
    throw ConfigError(fmt::format(
        "--num-features must be positive (the size of the LIBSVM feature space), got {}; leave it out to read the "
        "file into memory and take the size from its largest index",
        num_features));
  }
  if (classes < 0) throw ConfigError(fmt::format("--classes must be at least 2, got {}", classes));
  if (solver != "online" && solver != "cd") {
    throw ConfigError("unknown --solver '" + solver +
                      "'. Valid: online (the --optimizer, step by step, streaming or "
                      "in memory), cd (coordinate descent on the data in memory).");
  }
  if (solver == "cd" && name == "sparse_softmax_cross_entropy") {
    throw ConfigError("--solver cd fits --loss logistic or squared; use --solver online for softmax");
  }
  ParseL1Scale(l1_scale);
}

nlohmann::json LinearJobResult::ToJson() const {
  nlohmann::json out = {{"steps", steps},
                        {"train_examples", train_examples},
                        {"train_rows", train_rows >= 0 ? nlohmann::json(train_rows) : nlohmann::json()},
                        {"train_skipped_rows", train_bad_rows.skipped()},
                        {"seconds", seconds},
                        {"rows_per_second", rows_per_second},
                        {"nonzero_weights", nonzero_weights},
                        {"test_examples", evaluation.examples},
                        {"test_skipped_rows", test_bad_rows.skipped()},
                        {"log_loss", evaluation.log_loss},
                        {"auc", evaluation.auc},
                        {"accuracy", evaluation.accuracy},
                        {"rmse", evaluation.rmse},
                        {"loss", loss},
                        {"solver", solver},
                        {"optimizer", optimizer.empty() ? nlohmann::json() : nlohmann::json(optimizer)}};
  if (!evaluation.label_metrics.empty()) {
    // Multi-label: the labels (classes holds their columns) and each one's figures; accuracy is subset accuracy.
    out["labels"] = classes;
    nlohmann::json per_label = nlohmann::json::object();
    for (const std::string& name : classes) {
      per_label[name] = {{"auc", evaluation.label_metrics.at("auc/" + name)},
                         {"accuracy", evaluation.label_metrics.at("accuracy/" + name)}};
    }
    out["per_label"] = per_label;
  } else if (!classes.empty()) {
    out["classes"] = classes;
  }
  out["convergence"] = {{"converged", convergence.converged},
                        {"iterations", convergence.iterations},
                        {"change", convergence.change},
                        {"tolerance", convergence.tolerance},
                        {"reason", not_converged_reason}};
  return out;
}

namespace {
std::string SkippedText(const std::string& file, const BadRowReport& report) {
  return fmt::format("skipped {} malformed row{} of {}{}\n", report.skipped(), report.skipped() == 1 ? "" : "s", file,
                     report.messages().empty() ? "" : "; the first: " + report.messages().front());
}
}  // namespace

std::string LinearJobResult::Text(const LinearJobOptions& o) const {
  std::string out =
      fmt::format("trained {} {} on {} examples{} in {:.2f}s ({:.0f} rows/s end to end); {} of {} weights nonzero\n",
                  steps, solver == "cd" ? "sweeps" : "steps", train_examples,
                  train_rows >= 0 ? fmt::format(" from {} rows", train_rows) : "", seconds, rows_per_second,
                  nonzero_weights, weights);
  if (o.bad_rows.skip) {
    out += SkippedText(o.train_file, train_bad_rows);
    if (!o.test_file.empty()) out += SkippedText(o.test_file, test_bad_rows);
  }
  if (const LinearEvaluation& e = evaluation; e.examples > 0) {
    out += fmt::format("test: {} examples  loss {:.5f}", e.examples, e.loss);
    const bool multi_label = !e.label_metrics.empty();
    if (loss == "sigmoid_cross_entropy") {
      out += fmt::format("  {}AUC {:.4f}  {}accuracy {:.4f}", multi_label ? "mean " : "", e.auc,
                         multi_label ? "subset " : "", e.accuracy);
    }
    if (loss == "sparse_softmax_cross_entropy") out += fmt::format("  accuracy {:.4f}", e.accuracy);
    if (loss == "mean_squared_error") out += fmt::format("  RMSE {:.5f}", e.rmse);
    out += "\n";
    for (const std::string& label : multi_label ? classes : std::vector<std::string>{}) {
      out += fmt::format("  {}: AUC {:.4f}  accuracy {:.4f}\n", label, e.label_metrics.at("auc/" + label),
                         e.label_metrics.at("accuracy/" + label));
    }
  }
  if (o.top > 0) out += "largest weights:\n";
  for (const NamedWeight& w : top_weights) out += fmt::format("  {:+.5f}  {}\n", w.weight, w.feature);
  return out;
}

LinearJobResult RunLinearJob(const LinearJobOptions& o, const LinearProgressFn& progress, const InfoFn& info) {
  const auto start = std::chrono::steady_clock::now();
  o.Validate();
  LinearJobResult r;
  r.loss = LossName(o.loss);
  const bool csv = Format(o, o.train_file) == "csv";
  if (r.loss == "auto" && !csv) r.loss = o.classes > 0 ? "sparse_softmax_cross_entropy" : "sigmoid_cross_entropy";
  r.solver = o.solver;
  LinearModelConfig config;
  config.loss = r.loss;
  config.outputs = r.loss == "sparse_softmax_cross_entropy" ? o.classes : 1;  // CSV: its labels decide
  config.optimizer = o.optimizer;
  config.regularizer = {o.l1, o.l2};
  config.l1_by_std = o.solver == "online" && ParseL1Scale(o.l1_scale) == L1Scale::kStd;
  LinearTrainOptions train;
  train.batch_size = o.batch_size;
  train.steps = o.steps;
  train.passes = o.passes;
  train.seed = o.seed;
  train.report_every = progress ? (o.report_every > 0 ? o.report_every : 1000) : 0;
  const FeatureNameFn feature_name =
      csv ? RunCsv(o, config, train, progress, info, r) : RunLibsvm(o, config, train, progress, info, r);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.nonzero_weights = r.model->CountNonzeroWeights();
  r.weights = r.model->num_features() * r.model->outputs();
  r.rows_per_second = static_cast<double>(r.train_examples + r.evaluation.examples) / r.seconds;
  if (o.top > 0) {
    const std::vector<std::pair<Index, float>> weights = r.model->NonzeroWeights();
    for (size_t i = 0; i < weights.size() && static_cast<int64_t>(i) < o.top; ++i) {
      r.top_weights.push_back({feature_name(weights[i].first), weights[i].second});
    }
  }
  if (o.solver != "cd") r.optimizer = r.model->optimizer().Describe();
  r.not_converged_reason = NotConvergedReason(o, r.convergence);
  return r;
}

}  // namespace lever
