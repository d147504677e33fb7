#include "lever/estimator/run_export.h"

#include <fmt/core.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "lever/data/csv_reader.h"
#include "lever/data/dataset.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/estimator/job.h"
#include "lever/estimator/predictions.h"
#include "lever/io/atomic_file.h"
#include "lever/io/dir_lock.h"
#include "lever/losses/registry.h"
#include "lever/registry.h"
#include "lever/train/run_arguments.h"

namespace lever {
namespace {

namespace fs = std::filesystem;

// What the export writes, decided (and refused) before anything is written.
struct Plan {
  bool table = false;                // a CSV table (its files copied), not a Playground dataset
  std::string head;                  // binary, multi_class, multi_label, regression
  std::vector<std::string> labels;   // the label columns
  std::vector<std::string> classes;  // a classifier's class names in id order (its label_vocabulary)
  std::vector<std::string> inputs;   // the model's inputs, one numeric column each
  std::vector<std::string> notes;    // knobs run.yaml cannot carry
};

// The head a run config gives the run's loss and labels, or a ConfigError naming the loss.
std::string HeadOf(const TrainingRun& run) {
  const std::string loss = CanonicalLossName(run.config().loss);
  const TrainingData& data = run.data();
  const bool table = !run.spec().data.train_file.empty();
  const Task task = table ? data.labels.task : data.classification ? Task::kBinary : Task::kRegression;
  if (loss == "sparse_softmax_cross_entropy") return "multi_class";
  if (loss == "mean_squared_error") {
    if (data.outputs == 1) return "regression";
    throw ConfigError(fmt::format(
        "--loss mean_squared_error with {} outputs has no run-config head (a regression head predicts one target), "
        "so this run cannot be exported",
        data.outputs));
  }
  if (loss == "sigmoid_cross_entropy") {
    if (task == Task::kMultiLabel) return "multi_label";
    if (data.outputs == 1 && task != Task::kRegression) return "binary";
    throw ConfigError(
        "--loss sigmoid_cross_entropy on labels passed as they are (--task regression) has no run-config head (a "
        "binary head takes two classes), so this run cannot be exported: train it with --task binary, or without "
        "--loss");
  }
  throw ConfigError("--loss " + loss +
                    " (one 0/1 label column per class) has no run-config head, so this run cannot be exported: a "
                    "multi-class table takes one column of class ids (--loss sparse_softmax_cross_entropy)");
}

// The knobs a run config's dnn cannot carry: refused when the bundle could not hold the model, otherwise
// a note in run.yaml.
std::vector<std::string> Notes(const TrainingRun& run) {
  const TrainingRunSpec& spec = run.spec();
  const MlpSpec& mlp = spec.mlp;
  const TrainConfig& c = spec.config;
  if (mlp.batch_norm) {
    throw ConfigError(
        "--batch-norm has no run-config equivalent (a run config's dnn has no batch normalization), so a bundle "
        "cannot hold this run's model: train without --batch-norm to export it");
  }
  std::vector<std::string> notes;
  if (mlp.initializer != "glorot_uniform") {
    notes.push_back("--initializer " + mlp.initializer +
                    ": a run config's dnn initializes its kernels glorot_uniform (no key sets it)");
  }
  if (mlp.regularizer.l1 != 0.0 || mlp.regularizer.l2 != 0.0) {
    notes.push_back(fmt::format(
        "--l1 {} --l2 {} (on every kernel): a run config's estimator.l1 and estimator.l2 penalize a linear model's "
        "weights only, not a dnn's, so they are left out",
        mlp.regularizer.l1, mlp.regularizer.l2));
  }
  for (const auto& [name, value] : c.optimizer.options) {
    notes.push_back(fmt::format("--opt {}={}: a run config has no optimizer options; {} takes its default", name, value,
                                c.optimizer.name));
  }
  if (spec.schedule.name != "constant") {
    notes.push_back("--lr-schedule " + spec.schedule.name +
                    ": a run config has no learning-rate schedule; it trains at the initial rate throughout");
  }
  if (c.clip_value != 0.0) {
    notes.push_back(fmt::format(
        "--clip-value {}: a run config clips by the global norm only (train.clip_norm); left out", c.clip_value));
  }
  if (CanonicalLossName(c.loss) == "mean_squared_error" && run.data().outputs == 1 && !c.standardize_targets) {
    notes.push_back("the run trained its regression on raw targets; a run config's regression head standardizes them");
  }
  return notes;
}

Plan MakePlan(const TrainingRun& run) {
  const TrainingRunSpec& spec = run.spec();
  const TrainingData& data = run.data();
  Plan plan;
  plan.table = !spec.data.train_file.empty();
  plan.head = HeadOf(run);
  plan.notes = Notes(run);
  plan.inputs = data.train.feature_names;
  if (plan.table) {
    if (!data.text_columns.empty()) {
      throw ConfigError("column '" + data.text_columns.front() +
                        "' is text, which lever train encodes as one 0/1 input per training value and then "
                        "standardizes with the numbers; no run-config feature column does that, so this run cannot "
                        "be exported: train the table with lever train --config (a text column becomes an "
                        "embedding) and lever export, or leave the column out");
    }
    for (const std::string* file : {&spec.data.train_file, &spec.data.test_file}) {
      if (file->ends_with(".tsv") || file->ends_with(".tsv.gz")) {
        throw ConfigError(*file +
                          " is tab-separated, and a run config reads comma-separated files: convert it to CSV "
                          "and train on that to export the run");
      }
    }
    plan.labels = plan.head == "multi_label" ? data.labels.classes : std::vector<std::string>{spec.data.label};
    if (plan.head == "binary" || plan.head == "multi_class") plan.classes = data.labels.classes;
  } else {
    plan.labels = {"label"};
    if (plan.head == "binary" || plan.head == "multi_class") {
      plan.classes = data.labels.classes;
      if (plan.classes.empty()) {
        // A Playground dataset's labels are class ids 0..k-1.
        const Index k = plan.head == "binary" ? 2 : data.outputs;
        for (Index id = 0; id < k; ++id) plan.classes.push_back(std::to_string(id));
      }
    }
  }
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const std::string& name = plan.inputs[i];
    if (std::find(plan.inputs.begin(), plan.inputs.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        plan.inputs.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw ConfigError("--features lists " + name +
                        " twice; a CSV file cannot hold two columns of one name, so this run cannot be exported: "
                        "drop the repeat");
    }
    if (std::find(plan.labels.begin(), plan.labels.end(), name) != plan.labels.end()) {
      throw ConfigError("the input '" + name + "' is also a label column, so this run cannot be exported");
    }
  }
  return plan;
}

// A Playground dataset's rows as the model sees them: its features, then the label (a class name, or a
// regression target). Each number is the shortest text that reads back as the same float.
std::string PlaygroundCsv(const Dataset& data, const Plan& plan) {
  std::string out;
  for (const std::string& name : plan.inputs) out += CsvField(name) + ",";
  out += CsvField(plan.labels.front()) + "\n";
  for (Index i = 0; i < data.size(); ++i) {
    // fmt::format, not format_to a back_inserter: Debian's libfmt (built by g++) lacks the instantiation clang
    // asks for there, and the clang build would not link.
    for (Index j = 0; j < data.num_features(); ++j) out += fmt::format("{},", data.features(i, j));
    const float label = data.labels(i, 0);
    if (plan.classes.empty()) {
      out += fmt::format("{}\n", label);
    } else {
      const auto id = static_cast<size_t>(label);
      if (!(label >= 0.0f) || id >= plan.classes.size() || static_cast<float>(id) != label) {
        throw Error(fmt::format("internal error: example {} has label {}, not a class id below {}", i, label,
                                plan.classes.size()));
      }
      out += CsvField(plan.classes[id]) + "\n";
    }
  }
  return out;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  return bytes;
}

// A number in the shortest text that reads back as the same double (YAML's emitter would print 17 digits).
std::string Number(double value) { return fmt::format("{}", value); }

// run.yaml: the comments, then the config.
std::string RunConfigYaml(const TrainingRun& run, const Plan& plan, int64_t steps) {
  const TrainingRunSpec& spec = run.spec();
  const TrainConfig& c = spec.config;
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "train" << YAML::Value << "train.csv";
  y << YAML::Key << "eval" << YAML::Value << "test.csv";
  y << YAML::Key << "label" << YAML::Value;
  if (plan.labels.size() > 1) {
    y << YAML::Flow << plan.labels;
  } else {
    y << plan.labels.front();
  }
  if (plan.table) {
    if (!spec.data.schema.empty()) y << YAML::Key << "schema" << YAML::Value << "schema.yaml";
    if (!spec.data.column_types.empty()) {
      y << YAML::Key << "column_types" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (const auto& [column, type] : spec.data.column_types) {
        y << YAML::Key << column << YAML::Value << ColumnTypeName(type);
      }
      y << YAML::EndMap;
    }
    if (!spec.data.na_values.empty()) {
      y << YAML::Key << "na_values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const std::string& text : spec.data.na_values) y << YAML::DoubleQuoted << text;
      y << YAML::EndSeq;
    }
  }
  y << YAML::EndMap;

  y << YAML::Key << "estimator" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "type" << YAML::Value << "dnn";
  y << YAML::Key << "head" << YAML::Value << plan.head;
  if (!plan.classes.empty()) {
    y << YAML::Key << "label_vocabulary" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& name : plan.classes) y << YAML::DoubleQuoted << name;
    y << YAML::EndSeq;
  }
  y << YAML::Key << "hidden_units" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const Index units : spec.mlp.hidden) y << units;
  y << YAML::EndSeq;
  y << YAML::Key << "activation" << YAML::Value << spec.mlp.activation;
  if (spec.mlp.dropout != 0.0) y << YAML::Key << "dropout" << YAML::Value << Number(spec.mlp.dropout);
  y << YAML::Key << "optimizer" << YAML::Value << c.optimizer.name;
  y << YAML::Key << "learning_rate" << YAML::Value << Number(c.optimizer.learning_rate);
  y << YAML::EndMap;

  // One numeric input per model input, as the run's model sees it: a Playground dataset's features as
  // they are; a table's numbers standardized (or not) as the run's were.
  y << YAML::Key << "feature_columns" << YAML::Value << YAML::BeginSeq;
  for (const std::string& name : plan.inputs) {
    y << YAML::BeginMap << YAML::Key << "numeric" << YAML::Value << YAML::Flow << YAML::BeginMap;
    y << YAML::Key << "key" << YAML::Value << name;
    y << YAML::Key << "standardize" << YAML::Value << (plan.table && spec.data.standardize);
    y << YAML::EndMap << YAML::EndMap;
  }
  y << YAML::EndSeq;

  y << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "max_steps" << YAML::Value << steps;
  y << YAML::Key << "batch_size" << YAML::Value << c.batch_size;
  if (c.clip_norm != 0.0) y << YAML::Key << "clip_norm" << YAML::Value << Number(c.clip_norm);
  // Early stopping on held-out training rows as the run had it (a Playground run holds none out).
  const bool holdout = run.data().holdout.size() > 0;
  y << YAML::Key << "validation_split" << YAML::Value << Number(holdout ? spec.data.validation_split : 0.0);
  if (holdout) y << YAML::Key << "patience" << YAML::Value << spec.patience;
  y << YAML::EndMap;
  y << YAML::Key << "eval" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "every_steps" << YAML::Value << c.eval_every;
  y << YAML::EndMap;
  y << YAML::Key << "run" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "seed" << YAML::Value << c.seed;
  y << YAML::EndMap;
  y << YAML::EndMap;

  std::string out =
      "# A run config for the flag-driven lever train run exported beside it: the same network on the same data\n"
      "# (train.csv, test.csv) with the same knobs, as far as a run config has them. lever train --config run.yaml\n"
      "# trains it on the estimator, which draws its own initial weights, batches and dropout masks, so its\n"
      "# weights are not the run's bit for bit: command.txt holds the command line that reproduces the run\n"
      "# exactly, and bundle/ holds the run's own weights (lever predict --model bundle).\n";
  if (!plan.notes.empty()) {
    out += "#\n# Knobs of the run that this config cannot carry:\n";
    for (const std::string& note : plan.notes) out += "#   " + note + "\n";
  }
  return out + y.c_str() + "\n";
}

// Copies `run`'s weights into the job's estimator: the same MLP (MakeMlp of the same knobs), so the same
// variable names and shapes. Its variables are created by a first prediction.
void CopyWeights(TrainingRun& run, Job& job, const Examples& examples) {
  job.estimator->Predict(examples);
  const ParameterList to = job.estimator->Variables();
  const ParameterList from = run.model().parameters().All();
  if (to.size() != from.size()) {
    throw Error(fmt::format("internal error: the run's model has {} variables and the run config's {}", from.size(),
                            to.size()));
  }
  for (Parameter* target : to) {
    const auto source =
        std::find_if(from.begin(), from.end(), [&](const Parameter* p) { return p->name == target->name; });
    if (source == from.end() || (*source)->value.rows() != target->value.rows() ||
        (*source)->value.cols() != target->value.cols()) {
      throw Error("internal error: the run config's variable '" + target->name +
                  "' has no variable of its name and shape in the run's model");
    }
    target->value = (*source)->value;
  }
  job.estimator->set_global_step(run.trainer().step());
}

// The bundle's predictions against the run's on the test rows: equal for a Playground dataset; for a
// table, within float rounding of the standardization (relative 1e-4 leaves room for a deep net's growth).
void CheckPredictions(TrainingRun& run, const Plan& plan, const Tensor& bundle) {
  const Tensor mine = run.trainer().Predict(run.data().test.features);
  if (mine.rows() != bundle.rows() || mine.cols() != bundle.cols()) {
    throw Error(fmt::format("internal error: the bundle predicts {} x {} for the test rows, the run {} x {}",
                            bundle.rows(), bundle.cols(), mine.rows(), mine.cols()));
  }
  for (Index i = 0; i < mine.rows(); ++i) {
    for (Index j = 0; j < mine.cols(); ++j) {
      const double a = mine(i, j), b = bundle(i, j);
      const double tolerance = plan.table ? 1e-4 * (1.0 + std::abs(a)) : 0.0;
      if (!(std::abs(a - b) <= tolerance)) {
        throw Error(fmt::format(
            "internal error: the exported bundle predicts {} for test row {}, the run {}; nothing was written", b,
            i + 1, a));
      }
    }
  }
}

// A field as the reader gave it: quoted also when spaces or tabs begin or end it (a quoted field kept them;
// unquoted, the reader would trim them).
std::string ExactField(std::string_view text) {
  const bool edge =
      !text.empty() && (text.front() == ' ' || text.front() == '\t' || text.back() == ' ' || text.back() == '\t');
  if (!edge) return CsvField(std::string(text));
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// One table split by --train-percent (no --test-file): its records into (training, test) CSV texts, by the
// mask the loader drew (lever/train/training_data.h), so the files hold the rows the run trained and tested on.
std::pair<std::string, std::string> SplitTableFiles(const TrainingDataSpec& data) {
  CsvReader reader(data.train_file);
  std::vector<std::string> rows;
  CsvRecord record;
  while (reader.Next(record)) {
    std::string row;
    for (size_t i = 0; i < record.size(); ++i) row += (i ? "," : "") + ExactField(record[i]);
    rows.push_back(row + "\n");
  }
  const std::vector<bool> is_test =
      RowSplitMask(static_cast<Index>(rows.size()), 1.0 - data.train_percent / 100.0, data.seed, kTestSplitStream);
  std::string header;
  for (size_t i = 0; i < reader.header().size(); ++i) header += (i ? "," : "") + ExactField(reader.header()[i]);
  std::pair<std::string, std::string> out{header + "\n", header + "\n"};
  for (size_t r = 0; r < rows.size(); ++r) (is_test[r] ? out.second : out.first) += rows[r];
  return out;
}

void WriteExport(TrainingRun& run, const Plan& plan, const fs::path& temporary, const fs::path& target,
                 const std::string& recorded_as, RunExport& result) {
  const TrainingRunSpec& spec = run.spec();
  if (plan.table && spec.data.test_file.empty()) {
    const auto [train, test] = SplitTableFiles(spec.data);
    WriteFileAtomically((temporary / "train.csv").string(), train);
    WriteFileAtomically((temporary / "test.csv").string(), test);
  } else if (plan.table) {
    WriteFileAtomically((temporary / "train.csv").string(), ReadFileBytes(spec.data.train_file));
    WriteFileAtomically((temporary / "test.csv").string(), ReadFileBytes(spec.data.test_file));
    if (!spec.data.schema.empty()) {
      WriteFileAtomically((temporary / "schema.yaml").string(), ReadFileBytes(spec.data.schema));
    }
  } else {
    WriteFileAtomically((temporary / "train.csv").string(), PlaygroundCsv(run.data().train, plan));
    WriteFileAtomically((temporary / "test.csv").string(), PlaygroundCsv(run.data().test, plan));
  }
  const int64_t steps = RunSteps(run);
  WriteFileAtomically((temporary / "run.yaml").string(), RunConfigYaml(run, plan, steps));
  result.command = TrainCommandLine(RunArguments(run));
  WriteFileAtomically((temporary / "command.txt").string(), result.command + "\n");

  Job job = PrepareJob(LoadJobConfig((temporary / "run.yaml").string()));
  if (job.HeadKind() != plan.head) {
    throw Error("internal error: the run config's head is " + job.HeadKind() + ", the run's " + plan.head);
  }
  // Predictions in the run's units: the trainer's target scale (fitted on its training rows, which a
  // holdout leaves out) rather than the one the job fits on the whole file.
  if (plan.head == "regression") {
    job.target_scale = run.trainer().target_scale();
    job.head = MakeJobHead(job.labels, job.target_scale);
    job.estimator = MakeJobEstimator(job);
  }
  const Examples test = job.Read(job.config.eval, true);
  CopyWeights(run, job, test);
  CheckPredictions(run, plan, job.estimator->Predict(test));
  result.metrics = job.estimator->Evaluate(test);
  // The manifest names where the files will be, not the hidden directory they are written in.
  const fs::path final_directory = recorded_as.empty() ? fs::absolute(target) : fs::path(recorded_as);
  job.config.source = (final_directory / "run.yaml").string();
  job.config.directory = final_directory.string();
  job.config.train = (final_directory / "train.csv").string();
  job.config.eval = (final_directory / "test.csv").string();
  ExportBundle(job, (temporary / "bundle").string(), result.metrics);
  result.head = plan.head;
  result.step = job.estimator->global_step();
  for (const ColumnSchema& column : job.schema.columns) {
    if (std::find(plan.labels.begin(), plan.labels.end(), column.name) == plan.labels.end()) {
      result.inputs.push_back(column.name);
    }
  }
}

// `directory` as the export's target: refused when it is a symbolic link or exists and is not an empty
// directory.
fs::path ExportTarget(const std::string& directory) {
  fs::path target = fs::path(directory).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  const std::string leaf = target.filename().string();
  if (leaf.empty() || leaf == "." || leaf == "..") {
    throw ConfigError("'" + directory + "' cannot be an export's directory: name a new one (for example " +
                      (fs::path(directory) / "export").lexically_normal().string() + ")");
  }
  std::error_code error;
  const fs::file_status status = fs::symlink_status(target, error);
  if (fs::is_symlink(status)) {
    throw ConfigError(directory +
                      " is a symbolic link; an export is written into a directory of its own, never through a "
                      "link (it could write elsewhere): name a new directory");
  }
  if (fs::exists(status) && (!fs::is_directory(status) || !fs::is_empty(target, error))) {
    throw ConfigError(directory +
                      " exists and is not an empty directory; nothing was written: choose a new directory or "
                      "remove it");
  }
  return target;
}

}  // namespace

void CheckExportable(const TrainingRun& run, const std::string& directory) {
  ExportTarget(directory);
  MakePlan(run);
}

RunExport ExportRun(TrainingRun& run, const std::string& directory, const std::string& recorded_as) {
  const fs::path target = ExportTarget(directory);
  const std::string leaf = target.filename().string();
  RunExport result;
  result.directory = directory;
  const Plan plan = MakePlan(run);
  for (const Parameter* p : run.model().parameters().All()) {
    if (!p->value.allFinite()) {
      throw ConfigError("the run's weights are not all finite ('" + p->name +
                        "' holds NaN or infinity: training diverged), so there is no model to export: train again "
                        "with a lower --learning-rate or --clip-norm");
    }
  }
  result.notes = plan.notes;

  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) throw IoError("cannot create " + parent.string() + ": " + error.message());
  // The hidden directories killed exports left (and bundles' alike) go, when no other lever process is
  // writing a bundle here; an export itself needs no lock, as its hidden directory is its own (pid and a
  // count, for the threads of a server) and the rename at the end fails rather than replace what another
  // export put at the target meanwhile.
  try {
    const DirLock lock(parent.string(), "", "", "");
    RemoveStaleTemporaries(parent.string(), StaleTemporaries::kDirectoriesOnly);
  } catch (const ConfigError&) {
  }
  static std::atomic<uint64_t> exports{0};
  const fs::path temporary =
      parent / fmt::format(".{}.{}.tmp-{}", leaf, exports.fetch_add(1, std::memory_order_relaxed), getpid());
  fs::remove_all(temporary, error);
  fs::create_directory(temporary, error);
  if (error) throw IoError("cannot create " + temporary.string() + " for the export: " + error.message());
  try {
    WriteExport(run, plan, temporary, target, recorded_as, result);
    SyncDirectory(temporary.string());
    // rename(2) puts a directory in place of an empty one, and fails if files appeared there meanwhile
    // (another export's, say), replacing nothing.
    fs::rename(temporary, target, error);
    if (error) throw IoError("cannot move the export into " + target.string() + ": " + error.message());
    SyncDirectory(parent.string());
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
  return result;
}

}  // namespace lever
