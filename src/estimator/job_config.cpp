#include "lever/estimator/job_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "io/yaml_reader.h"
#include "lever/error.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/head.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"

namespace lever {
namespace {

using internal::YamlSource;
using internal::YamlValue;

// "train.max_steps=500": sets root.train.max_steps to the YAML value 500, creating maps on the way.
void ApplyOverride(YAML::Node& root, const std::string& override_text, const std::string& source) {
  const size_t eq = override_text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(source + ": override '" + override_text + "' is not key.path=value (e.g. --train.max_steps=500)");
  }
  const std::string path = override_text.substr(0, eq);
  // The one YAML reader, as for the file: duplicate keys and aliases that expand too far are refused.
  const YAML::Node value = internal::ParseYaml(override_text.substr(eq + 1), source + " with --" + path + "=...",
                                               "Quote the value, or write it as YAML ([128, 64], {key: value})")
                               .node();
  std::vector<std::string> keys;
  std::stringstream in(path);
  for (std::string key; std::getline(in, key, '.');) keys.push_back(key);
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < keys.size(); ++i) {
    YAML::Node next = chain.back()[keys[i]];
    if (next.IsDefined() && !next.IsNull() && !next.IsMap()) {
      throw ConfigError(source + ": override --" + override_text + ": '" + keys[i] + "' is not a map of settings");
    }
    chain.push_back(next);
  }
  YAML::Node target = chain.back();
  target[keys.back()] = value;
}

// Relative paths in a config are relative to the config's directory.
void Resolve(const JobConfig& c, std::string& file) {
  if (!std::filesystem::path(file).is_absolute()) file = (std::filesystem::path(c.directory) / file).string();
}

void ReadData(const YamlValue& data, JobConfig& c) {
  data.CheckKeys({"column_types", "eval", "label", "na_values", "schema", "train"});
  c.train = data["train"].TextOr(c.train, "a file name");
  c.eval = data["eval"].TextOr(c.eval, "a file name");
  if (data["label"].IsSequence()) {
    c.labels = data["label"].TextList("a column name, or a list of them (a multi-label task)");
    if (c.labels.empty()) data["label"].Fail("an empty list; name the label column (or several, a multi-label task)");
    c.label.clear();
    for (const std::string& name : c.labels) c.label += (c.label.empty() ? "" : ",") + name;
  } else {
    c.label = data["label"].TextOr(c.label, "a column name, or a list of them (a multi-label task)");
    c.labels = {c.label};
  }
  c.schema = data["schema"].TextOr(c.schema, "a file name");
  if (data["na_values"].IsSet()) {
    c.na_values = data["na_values"].TextList("a list of texts that mean missing, e.g. [\"\", NA, \"?\"]");
  }
  const YamlValue types = data["column_types"];
  if (types.IsSet()) {
    if (!types.IsMap()) types.Fail("a map of column: type, e.g. {zip: string, age: number}");
    for (const YamlValue::Entry& entry : types.Entries()) {
      const std::string text = entry.value.Text("a column type: number, integer or string");
      const std::optional<ColumnType> type = ParseColumnType(text);
      if (!type) entry.value.Fail("unknown type '" + text + "'; valid types: number, integer, string (or categorical)");
      c.column_types[entry.key.Text("a column name")] = *type;
    }
  }
  if (c.train.empty()) data["train"].Fail("required: the training CSV file");
  if (c.eval.empty()) data["eval"].Fail("required: the CSV file every reported metric is measured on");
  Resolve(c, c.train);
  Resolve(c, c.eval);
  if (!c.schema.empty()) Resolve(c, c.schema);
}

// The model: its type, head and shape (the estimator section's keys other than the optimizers').
void ReadEstimator(const YamlValue& estimator, JobConfig& c) {
  estimator.CheckKeys({"activation", "dropout", "head", "hidden_units", "l1", "l2", "label_vocabulary", "learning_rate",
                       "linear_learning_rate", "linear_optimizer", "optimizer", "positive_class", "type"});
  c.type = estimator["type"].TextOr(c.type, "a model type");
  if (!IsModelTypeName(c.type)) {
    estimator["type"].Fail("'" + c.type + "' is not a model type; valid: " + JoinNames(ModelTypeNames()));
  }
  c.head = estimator["head"].TextOr(c.head, "a head");
  if (c.head != "auto" && !IsHeadName(c.head)) {
    estimator["head"].Fail("'" + c.head + "' is not a head; valid: auto, " + JoinNames(HeadNames()));
  }
  if (estimator["label_vocabulary"].IsSet()) {
    c.label_vocabulary = estimator["label_vocabulary"].TextList("a list of class names");
  }
  c.positive_class = estimator["positive_class"].TextOr(c.positive_class, "a class name");
  c.hidden_units = estimator["hidden_units"].AsOr(c.hidden_units, "a list of positive whole numbers");
  for (const Index units : c.hidden_units) {
    if (units <= 0) estimator["hidden_units"].Fail("every layer needs at least one unit");
  }
  c.activation = estimator["activation"].TextOr(c.activation, "an activation name");
  c.dropout = estimator["dropout"].NumberOr(c.dropout, "a number in [0, 1)");
  if (!(c.dropout >= 0.0 && c.dropout < 1.0)) estimator["dropout"].Fail("must be in [0, 1)");
  c.l1 = estimator["l1"].NumberOr(c.l1, "a number >= 0");
  c.l2 = estimator["l2"].NumberOr(c.l2, "a number >= 0");
}

// The optimizers, also in the estimator section: the deep part's and the linear (wide) part's.
void ReadOptimizer(const YamlValue& estimator, JobConfig& c) {
  c.optimizer = estimator["optimizer"].TextOr(c.optimizer, "an optimizer name");
  c.learning_rate = estimator["learning_rate"].NumberOr(c.learning_rate, "a positive number");
  c.linear_optimizer = estimator["linear_optimizer"].TextOr(c.linear_optimizer, "an optimizer name");
  c.linear_learning_rate = estimator["linear_learning_rate"].NumberOr(c.linear_learning_rate, "a number >= 0");
}

// Which feature-column lists the file has (ParseFeatureColumns reads them) and whether they fit the model.
void ReadColumnLists(const YamlValue& root, JobConfig& c) {
  c.feature_columns = root["feature_columns"].IsDefined();
  c.wide_columns = root["wide_columns"].IsDefined();
  c.deep_columns = root["deep_columns"].IsDefined();
  if (c.type == "wide_and_deep" && (!c.wide_columns || !c.deep_columns)) {
    root["wide_columns"].Fail("a wide_and_deep model needs both wide_columns and deep_columns lists");
  }
  if (c.type != "wide_and_deep" && (c.wide_columns || c.deep_columns)) {
    root[c.wide_columns ? "wide_columns" : "deep_columns"].Fail("only for estimator.type wide_and_deep; a " + c.type +
                                                                " model takes feature_columns");
  }
}

// A whole number of at least `min` (the key's line named when it is less), or `fallback` when unset.
int64_t WholeNumberOr(const YamlValue& value, int64_t fallback, int64_t min, std::string_view expected,
                      int64_t max = YamlValue::kMaxInteger) {
  return value.IsSet() ? value.Integer(min, max, expected) : fallback;
}

// A number >= 0 (> 0 when `positive`), or `fallback` when unset.
double NonNegativeOr(const YamlValue& value, double fallback, std::string_view expected, bool positive = false) {
  const double number = value.NumberOr(fallback, expected);
  if (value.IsSet() && !(positive ? number > 0.0 : number >= 0.0)) {
    value.Fail("expected " + std::string(expected) + ", got " + value.Describe());
  }
  return number;
}

void ReadTrain(const YamlValue& train, JobConfig& c) {
  train.CheckKeys({"batch_size", "clip_norm", "max_steps", "patience", "validation_split"});
  TrainSpec& spec = c.train_spec;
  spec.max_steps = WholeNumberOr(train["max_steps"], spec.max_steps, 0, "a whole number of steps");
  spec.batch_size = WholeNumberOr(train["batch_size"], spec.batch_size, 1, "a whole number of examples");
  spec.clip_norm = NonNegativeOr(train["clip_norm"], spec.clip_norm, "a number >= 0 (0 turns clipping off)");
  c.validation_split = train["validation_split"].NumberOr(c.validation_split, "a share of the rows in [0, 1)");
  if (!(c.validation_split >= 0.0 && c.validation_split < 1.0)) {
    train["validation_split"].Fail("must be in [0, 1) (0: no holdout, no early stopping)");
  }
  c.patience = train["patience"].AsOr(c.patience, "a whole number of checks");
  if (c.patience < 1) train["patience"].Fail("must be at least 1 check (validation_split 0 turns early stopping off)");
}

// A metric's goal unless the config says: higher is better for these, lower for the others (loss, error).
bool HigherIsBetter(const std::string& metric) {
  static const std::set<std::string> kHigherIsBetter = {
      "accuracy", "auc", "auc_precision_recall", "precision", "recall", "f1", "r_squared"};
  return kHigherIsBetter.count(metric) != 0;
}

// "minimize" or "maximize" (`maximize` when the key is left out) as maximize.
bool ReadGoal(const YamlValue& goal, bool maximize) {
  const std::string text = goal.TextOr(maximize ? "maximize" : "minimize", "minimize or maximize");
  if (text != "minimize" && text != "maximize") {
    goal.Fail("'" + text + "' is not a goal; valid: minimize, maximize");
  }
  return text == "maximize";
}

void ReadEarlyStopping(const YamlValue& stopping, JobConfig& c) {
  stopping.CheckKeys({"goal", "metric", "min_delta", "patience_steps"});
  if (!stopping.IsSet()) return;
  c.early_stopping_metric = stopping["metric"].TextOr("loss", "a metric name");
  c.early_stopping_maximize = ReadGoal(stopping["goal"], HigherIsBetter(c.early_stopping_metric));
  c.early_stopping_patience = stopping["patience_steps"].AsOr(c.early_stopping_patience, "a whole number of steps");
  c.early_stopping_min_delta = stopping["min_delta"].NumberOr(c.early_stopping_min_delta, "a number >= 0");
}

// eval.export: a strategy name, or {strategy, metric, goal, keep}.
void ReadExport(const YamlValue& exporting, JobConfig& c) {
  if (!exporting.IsSet()) return;
  c.export_strategy = "final";
  c.export_metric = c.early_stopping_metric.empty() ? "loss" : c.early_stopping_metric;
  const YamlValue strategy = exporting.IsScalar() ? exporting : exporting["strategy"];
  if (!exporting.IsScalar()) {
    exporting.CheckKeys({"goal", "keep", "metric", "strategy"});
    c.export_metric = exporting["metric"].TextOr(c.export_metric, "a metric name");
  }
  c.export_strategy = strategy.TextOr(c.export_strategy, "an export strategy");
  // The goal: early stopping's for its metric, otherwise what the metric's name says.
  c.export_maximize =
      c.export_metric == c.early_stopping_metric ? c.early_stopping_maximize : HigherIsBetter(c.export_metric);
  if (!exporting.IsScalar()) {
    c.export_maximize = ReadGoal(exporting["goal"], c.export_maximize);
    c.export_keep = exporting["keep"].AsOr(c.export_keep, "a whole number of bundles");
    if (c.export_keep < 1) exporting["keep"].Fail("keep at least 1 bundle");
  }
  if (c.export_strategy != "final" && c.export_strategy != "latest" && c.export_strategy != "best") {
    strategy.Fail("'" + c.export_strategy + "' is not an export strategy; valid: final, latest, best");
  }
}

void ReadEval(const YamlValue& eval, JobConfig& c) {
  eval.CheckKeys({"early_stopping", "every_steps", "export", "start_delay_steps", "steps", "throttle_secs"});
  EvalSpec& spec = c.eval_spec;
  spec.every_steps = WholeNumberOr(eval["every_steps"], spec.every_steps, 0, "a whole number of steps (0: at the end)");
  spec.start_delay_steps =
      WholeNumberOr(eval["start_delay_steps"], spec.start_delay_steps, 0, "a whole number of steps");
  spec.steps = WholeNumberOr(eval["steps"], spec.steps, 0, "a whole number of evaluation batches (0: the whole file)");
  spec.throttle_secs = NonNegativeOr(eval["throttle_secs"], spec.throttle_secs, "a number of seconds >= 0 (0: off)");
  ReadEarlyStopping(eval["early_stopping"], c);
  ReadExport(eval["export"], c);
}

void ReadRun(const YamlValue& run, JobConfig& c) {
  run.CheckKeys({"keep_checkpoint_max", "log_step_count_steps", "model_dir", "save_checkpoints_secs",
                 "save_checkpoints_steps", "seed"});
  RunConfig& r = c.run;
  r.model_dir = run["model_dir"].TextOr(r.model_dir, "a directory");
  r.seed = run["seed"].AsOr(r.seed, "a whole number");
  r.save_checkpoints_steps =
      WholeNumberOr(run["save_checkpoints_steps"], r.save_checkpoints_steps, 0, "a whole number of steps (0: by time)");
  r.save_checkpoints_secs =
      NonNegativeOr(run["save_checkpoints_secs"], r.save_checkpoints_secs, "a positive number of seconds", true);
  r.keep_checkpoint_max =
      static_cast<int>(WholeNumberOr(run["keep_checkpoint_max"], r.keep_checkpoint_max, 1,
                                     "a whole number of checkpoints", std::numeric_limits<int>::max()));
  r.log_step_count_steps =
      WholeNumberOr(run["log_step_count_steps"], r.log_step_count_steps, 1, "a whole number of steps");
  if (!r.model_dir.empty()) Resolve(c, r.model_dir);
}

}  // namespace

JobConfig LoadJobConfig(const std::string& path, const std::vector<std::string>& overrides) {
  JobConfig c;
  c.source = path;
  c.directory = DirectoryOf(path);
  c.text = ReadTextFile(path, "run config YAML file");
  YAML::Node root = internal::ParseYaml(c.text, path).node();
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(path + ": expected a map with data, estimator, train, eval and run sections");
  auto source = std::make_shared<YamlSource>(YamlSource{path, {}});
  bool columns_overridden = false;
  for (const std::string& o : overrides) {
    ApplyOverride(root, o, path);
    const std::string key = o.substr(0, o.find('='));
    source->overridden.push_back(key);
    const std::string top = key.substr(0, key.find_first_of(".["));
    columns_overridden |= top == "feature_columns" || top == "wide_columns" || top == "deep_columns";
  }
  {
    YAML::Emitter out;
    out << root;
    c.resolved = std::string(out.c_str()) + "\n";
  }
  // Column lists are parsed from the text, so an override of one must be in it (its lines then count in
  // the resolved YAML, not the file).
  if (columns_overridden) c.text = c.resolved;

  const YamlValue document(root, "", source);
  document.CheckKeys(
      {"data", "deep_columns", "doctor", "estimator", "eval", "feature_columns", "run", "train", "wide_columns"});
  c.doctor = document["doctor"].BoolOr(false);
  ReadData(document["data"], c);
  ReadEstimator(document["estimator"], c);
  ReadOptimizer(document["estimator"], c);
  ReadColumnLists(document, c);
  ReadTrain(document["train"], c);
  ReadEval(document["eval"], c);
  ReadRun(document["run"], c);
  // The numeric rules with the messages the specs already give, prefixed with the file.
  try {
    c.train_spec.Validate();
    c.eval_spec.Validate();
    c.run.Validate();
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.message());
  }
  return c;
}

}  // namespace lever
