#include "lever/estimator/job_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "lever/error.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/head.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"

namespace lever {
namespace {

// Walks the document, checking keys and types; every message names where the value came from.
class Reader {
 public:
  Reader(std::string source, std::set<std::string> overridden)
      : source_(std::move(source)), overridden_(std::move(overridden)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path, const std::string& what) const {
    // A value from the command line is named as such; one from the file by its line.
    for (const std::string& o : overridden_) {
      if (path == o || path.rfind(o + ".", 0) == 0 || o.rfind(path + ".", 0) == 0) {
        throw ConfigError(source_ + " with --" + o + "=...: " + path + ": " + what);
      }
    }
    const int line = node.IsDefined() ? node.Mark().line : -1;
    throw ConfigError(source_ + (line >= 0 ? ":" + std::to_string(line + 1) : std::string()) + ": " + path + ": " + what);
  }

  void CheckKeys(const YAML::Node& map, const std::string& path, const std::set<std::string>& allowed) const {
    if (!map.IsDefined() || map.IsNull()) return;
    if (!map.IsMap()) Fail(map, path, "expected a map of settings");
    for (const auto& item : map) {
      const std::string key = item.first.as<std::string>();
      if (allowed.count(key) == 0) {
        std::string valid;
        for (const std::string& a : allowed) valid += (valid.empty() ? "" : ", ") + a;
        Fail(item.first, path.empty() ? key : path + "." + key, "unknown key; valid keys here: " + valid);
      }
    }
  }

  template <class T>
  void Read(const YAML::Node& map, const std::string& path, const char* key, T& out, const char* expected) const {
    if (!map.IsDefined() || !map.IsMap()) return;
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return;
    try {
      out = node.as<T>();
    } catch (const YAML::Exception&) {
      Fail(node, path + "." + key, "'" + (node.IsScalar() ? node.Scalar() : std::string("(a list or map)")) + "' is not " +
                                       expected);
    }
  }

 private:
  std::string source_;
  std::set<std::string> overridden_;  // key paths set by overrides
};

// "train.max_steps=500": sets root.train.max_steps to the YAML value 500, creating maps on the way.
void ApplyOverride(YAML::Node& root, const std::string& override_text, const std::string& source) {
  const size_t eq = override_text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(source + ": override '" + override_text + "' is not key.path=value (e.g. --train.max_steps=500)");
  }
  const std::string path = override_text.substr(0, eq);
  YAML::Node value;
  try {
    value = YAML::Load(override_text.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ": override --" + override_text + ": the value is not valid YAML: " + e.msg);
  }
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

}  // namespace

JobConfig LoadJobConfig(const std::string& path, const std::vector<std::string>& overrides) {
  JobConfig c;
  c.source = path;
  c.directory = DirectoryOf(path);
  c.text = ReadTextFile(path, "run config");
  YAML::Node root;
  try {
    root = YAML::Load(c.text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ConfigError(path + ": expected a map with data, estimator, train, eval and run sections");
  std::set<std::string> overridden;
  bool columns_overridden = false;
  for (const std::string& o : overrides) {
    ApplyOverride(root, o, path);
    const std::string key = o.substr(0, o.find('='));
    overridden.insert(key);
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

  const Reader r(path, overridden);
  r.CheckKeys(root, "", {"data", "estimator", "train", "eval", "run", "feature_columns", "wide_columns", "deep_columns"});
  const YAML::Node data = root["data"], estimator = root["estimator"], train = root["train"], eval = root["eval"],
                   run = root["run"];
  r.CheckKeys(data, "data", {"train", "eval", "label", "schema", "na_values"});
  r.Read(data, "data", "train", c.train, "a file name");
  r.Read(data, "data", "eval", c.eval, "a file name");
  r.Read(data, "data", "label", c.label, "a column name");
  r.Read(data, "data", "schema", c.schema, "a file name");
  if (data.IsMap() && data["na_values"].IsDefined() && !data["na_values"].IsNull()) {
    if (!data["na_values"].IsSequence()) {
      r.Fail(data["na_values"], "data.na_values", "expected a list of texts that mean missing, e.g. [\"\", NA, \"?\"]");
    }
    std::vector<std::string> tokens;
    r.Read(data, "data", "na_values", tokens, "a list of texts");
    c.na_values = std::move(tokens);
  }
  if (c.train.empty()) r.Fail(data, "data.train", "required: the training CSV file");
  if (c.eval.empty()) r.Fail(data, "data.eval", "required: the CSV file every reported metric is measured on");
  auto resolve = [&](std::string& file) {
    if (!std::filesystem::path(file).is_absolute()) file = (std::filesystem::path(c.directory) / file).string();
  };
  resolve(c.train);
  resolve(c.eval);
  if (!c.schema.empty()) resolve(c.schema);

  r.CheckKeys(estimator, "estimator", {"type", "head", "label_vocabulary", "positive_class", "hidden_units", "activation", "dropout", "l1", "l2", "optimizer",
                                       "learning_rate", "linear_optimizer", "linear_learning_rate"});
  r.Read(estimator, "estimator", "type", c.type, "a model type");
  if (!IsModelTypeName(c.type)) {
    r.Fail(estimator["type"], "estimator.type",
           "'" + c.type + "' is not a model type; valid: " + JoinNames(ModelTypeNames()));
  }
  r.Read(estimator, "estimator", "head", c.head, "a head");
  if (c.head != "auto" && !IsHeadName(c.head)) {
    r.Fail(estimator["head"], "estimator.head",
           "'" + c.head + "' is not a head; valid: auto, " + JoinNames(HeadNames()));
  }
  r.Read(estimator, "estimator", "label_vocabulary", c.label_vocabulary, "a list of class names");
  r.Read(estimator, "estimator", "positive_class", c.positive_class, "a class name");
  r.Read(estimator, "estimator", "hidden_units", c.hidden_units, "a list of positive whole numbers");
  for (const Index units : c.hidden_units) {
    if (units <= 0) r.Fail(estimator["hidden_units"], "estimator.hidden_units", "every layer needs at least one unit");
  }
  r.Read(estimator, "estimator", "activation", c.activation, "an activation name");
  r.Read(estimator, "estimator", "dropout", c.dropout, "a number in [0, 1)");
  if (!(c.dropout >= 0.0 && c.dropout < 1.0)) r.Fail(estimator["dropout"], "estimator.dropout", "must be in [0, 1)");
  r.Read(estimator, "estimator", "l1", c.l1, "a number >= 0");
  r.Read(estimator, "estimator", "l2", c.l2, "a number >= 0");
  r.Read(estimator, "estimator", "optimizer", c.optimizer, "an optimizer name");
  r.Read(estimator, "estimator", "learning_rate", c.learning_rate, "a positive number");
  r.Read(estimator, "estimator", "linear_optimizer", c.linear_optimizer, "an optimizer name");
  r.Read(estimator, "estimator", "linear_learning_rate", c.linear_learning_rate, "a number >= 0");

  c.feature_columns = root["feature_columns"].IsDefined();
  c.wide_columns = root["wide_columns"].IsDefined();
  c.deep_columns = root["deep_columns"].IsDefined();
  if (c.type == "wide_and_deep" && (!c.wide_columns || !c.deep_columns)) {
    r.Fail(root, "wide_columns", "a wide_and_deep model needs both wide_columns and deep_columns lists");
  }
  if (c.type != "wide_and_deep" && (c.wide_columns || c.deep_columns)) {
    r.Fail(root[c.wide_columns ? "wide_columns" : "deep_columns"], c.wide_columns ? "wide_columns" : "deep_columns",
           "only for estimator.type wide_and_deep; a " + c.type + " model takes feature_columns");
  }

  r.CheckKeys(train, "train", {"max_steps", "batch_size", "clip_norm"});
  r.Read(train, "train", "max_steps", c.train_spec.max_steps, "a whole number of steps");
  r.Read(train, "train", "batch_size", c.train_spec.batch_size, "a whole number of examples");
  r.Read(train, "train", "clip_norm", c.train_spec.clip_norm, "a number >= 0");

  r.CheckKeys(eval, "eval", {"every_steps", "start_delay_steps", "steps", "throttle_secs", "early_stopping", "export"});
  r.Read(eval, "eval", "every_steps", c.eval_spec.every_steps, "a whole number of steps");
  r.Read(eval, "eval", "start_delay_steps", c.eval_spec.start_delay_steps, "a whole number of steps");
  r.Read(eval, "eval", "steps", c.eval_spec.steps, "a whole number of evaluation batches (0: the whole file)");
  r.Read(eval, "eval", "throttle_secs", c.eval_spec.throttle_secs, "a number of seconds");
  const YAML::Node stopping = eval.IsDefined() && eval.IsMap() ? eval["early_stopping"] : YAML::Node();
  r.CheckKeys(stopping, "eval.early_stopping", {"metric", "goal", "patience_steps", "min_delta"});
  // A metric's goal unless the config says: higher is better for these, lower for the others (loss, error).
  static const std::set<std::string> kHigherIsBetter = {"accuracy", "auc", "auc_precision_recall", "precision",
                                                       "recall", "f1", "r_squared"};
  if (stopping.IsDefined() && !stopping.IsNull()) {
    c.early_stopping_metric = "loss";
    r.Read(stopping, "eval.early_stopping", "metric", c.early_stopping_metric, "a metric name");
    std::string goal = kHigherIsBetter.count(c.early_stopping_metric) != 0 ? "maximize" : "minimize";
    r.Read(stopping, "eval.early_stopping", "goal", goal, "minimize or maximize");
    if (goal != "minimize" && goal != "maximize") {
      r.Fail(stopping["goal"], "eval.early_stopping.goal", "'" + goal + "' is not a goal; valid: minimize, maximize");
    }
    c.early_stopping_maximize = goal == "maximize";
    r.Read(stopping, "eval.early_stopping", "patience_steps", c.early_stopping_patience, "a whole number of steps");
    r.Read(stopping, "eval.early_stopping", "min_delta", c.early_stopping_min_delta, "a number >= 0");
  }

  // eval.export: a strategy name, or {strategy, metric, goal, keep}.
  const YAML::Node exporting = eval.IsDefined() && eval.IsMap() ? eval["export"] : YAML::Node();
  if (exporting.IsDefined() && !exporting.IsNull()) {
    c.export_strategy = "final";
    c.export_metric = c.early_stopping_metric.empty() ? "loss" : c.early_stopping_metric;
    if (exporting.IsScalar()) {
      c.export_strategy = exporting.Scalar();
    } else {
      r.CheckKeys(exporting, "eval.export", {"strategy", "metric", "goal", "keep"});
      r.Read(exporting, "eval.export", "strategy", c.export_strategy, "an export strategy");
      r.Read(exporting, "eval.export", "metric", c.export_metric, "a metric name");
    }
    // The goal: early stopping's for its metric, otherwise what the metric's name says.
    c.export_maximize = c.export_metric == c.early_stopping_metric ? c.early_stopping_maximize
                                                                   : kHigherIsBetter.count(c.export_metric) != 0;
    if (!exporting.IsScalar()) {
      std::string goal = c.export_maximize ? "maximize" : "minimize";
      r.Read(exporting, "eval.export", "goal", goal, "minimize or maximize");
      if (goal != "minimize" && goal != "maximize") {
        r.Fail(exporting["goal"], "eval.export.goal", "'" + goal + "' is not a goal; valid: minimize, maximize");
      }
      c.export_maximize = goal == "maximize";
      r.Read(exporting, "eval.export", "keep", c.export_keep, "a whole number of bundles");
      if (c.export_keep < 1) r.Fail(exporting["keep"], "eval.export.keep", "keep at least 1 bundle");
    }
    if (c.export_strategy != "final" && c.export_strategy != "latest" && c.export_strategy != "best") {
      r.Fail(exporting.IsScalar() ? exporting : exporting["strategy"], exporting.IsScalar() ? "eval.export" : "eval.export.strategy",
             "'" + c.export_strategy + "' is not an export strategy; valid: final, latest, best");
    }
  }

  r.CheckKeys(run, "run", {"model_dir", "seed", "save_checkpoints_steps", "save_checkpoints_secs", "keep_checkpoint_max",
                           "log_step_count_steps"});
  r.Read(run, "run", "model_dir", c.run.model_dir, "a directory");
  r.Read(run, "run", "seed", c.run.seed, "a whole number");
  r.Read(run, "run", "save_checkpoints_steps", c.run.save_checkpoints_steps, "a whole number of steps");
  r.Read(run, "run", "save_checkpoints_secs", c.run.save_checkpoints_secs, "a number of seconds");
  r.Read(run, "run", "keep_checkpoint_max", c.run.keep_checkpoint_max, "a whole number");
  r.Read(run, "run", "log_step_count_steps", c.run.log_step_count_steps, "a whole number of steps");
  if (!c.run.model_dir.empty()) resolve(c.run.model_dir);
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
