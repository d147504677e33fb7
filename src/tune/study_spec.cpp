#include "lever/tune/study_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "io/yaml_reader.h"
#include "lever/error.h"
#include "lever/io/text_file.h"

namespace lever::tune {

std::string ToString(Goal goal) { return goal == Goal::kMinimize ? "MINIMIZE" : "MAXIMIZE"; }

std::string ToString(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kGridSearch:
      return "GRID_SEARCH";
    case Algorithm::kRandomSearch:
      return "RANDOM_SEARCH";
    case Algorithm::kBayesian:
      break;
  }
  return "ALGORITHM_UNSPECIFIED";
}

std::string ToString(ParameterType type) {
  switch (type) {
    case ParameterType::kInteger:
      return "INTEGER";
    case ParameterType::kCategorical:
      return "CATEGORICAL";
    case ParameterType::kDiscrete:
      return "DISCRETE";
    case ParameterType::kDouble:
      break;
  }
  return "DOUBLE";
}

std::string ToString(ScaleType scale) {
  switch (scale) {
    case ScaleType::kLinear:
      return "UNIT_LINEAR_SCALE";
    case ScaleType::kLog:
      return "UNIT_LOG_SCALE";
    case ScaleType::kReverseLog:
      return "UNIT_REVERSE_LOG_SCALE";
    case ScaleType::kNone:
      break;
  }
  return "NONE";
}

namespace internal {

// The YAML reader's, which suggests key names too.
int EditDistance(const std::string& a, const std::string& b) { return lever::internal::EditDistance(a, b); }

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  return lever::internal::ClosestMatch(word, candidates);
}

}  // namespace internal

namespace {

constexpr size_t kMaxDiscreteValues = 1000;
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53: integers above lose precision as doubles

// A rule broken by one parameter: the key inside params[i] that holds the problem ("minValue",
// "discreteValues[3]", "" for the entry itself) and what is wrong and what to do.
struct Violation {
  std::string field;
  std::string message;
};

std::string Quote(const std::string& text) { return "'" + text + "'"; }

bool IsLogScale(ScaleType scale) { return scale == ScaleType::kLog || scale == ScaleType::kReverseLog; }

std::optional<Violation> CheckParameter(const ParameterSpec& p) {
  if (p.name.empty()) return Violation{"parameterName", "must not be empty"};
  for (const char c : p.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return Violation{"parameterName", Quote(p.name) + " becomes the trainer flag --" + p.name +
                                            "=value; use only letters, digits, '_', '-' and '.'"};
    }
  }
  if (p.name.front() == '-') {
    return Violation{"parameterName",
                     Quote(p.name) + " starts with '-'; write the name without dashes (lever adds --)"};
  }
  const std::string scale = ToString(p.scale);
  switch (p.type) {
    case ParameterType::kDouble:
    case ParameterType::kInteger: {
      if (!std::isfinite(p.min_value))
        return Violation{"minValue", "must be a finite number, got " + FormatValue(p.min_value)};
      if (!std::isfinite(p.max_value))
        return Violation{"maxValue", "must be a finite number, got " + FormatValue(p.max_value)};
      if (p.type == ParameterType::kInteger) {
        for (const auto& [field, v] : {std::pair{"minValue", p.min_value}, std::pair{"maxValue", p.max_value}}) {
          if (v != std::round(v)) {
            return Violation{field, "INTEGER bounds must be whole numbers, got " + FormatValue(v) +
                                        "; round it or make the parameter DOUBLE"};
          }
          if (std::fabs(v) > kMaxExactInteger) {
            return Violation{field, "INTEGER bounds must lie within +-2^53, got " + FormatValue(v)};
          }
        }
      }
      if (p.min_value > p.max_value) {
        return Violation{"minValue", "minValue " + FormatValue(p.min_value) + " is greater than maxValue " +
                                         FormatValue(p.max_value) + "; swap them"};
      }
      if (IsLogScale(p.scale) && p.min_value <= 0) {
        return Violation{"minValue", scale + " needs a strictly positive range, got minValue " +
                                         FormatValue(p.min_value) +
                                         "; raise minValue above 0 or use UNIT_LINEAR_SCALE"};
      }
      return std::nullopt;
    }
    case ParameterType::kDiscrete: {
      if (p.discrete_values.empty())
        return Violation{"discreteValues", "DISCRETE parameters need a non-empty list of numbers"};
      if (p.discrete_values.size() > kMaxDiscreteValues) {
        return Violation{"discreteValues", "has " + std::to_string(p.discrete_values.size()) + " values, at most " +
                                               std::to_string(kMaxDiscreteValues) +
                                               " are allowed; use INTEGER or DOUBLE with a range"};
      }
      for (size_t i = 0; i < p.discrete_values.size(); ++i) {
        const std::string field = "discreteValues[" + std::to_string(i) + "]";
        const double v = p.discrete_values[i];
        if (!std::isfinite(v)) return Violation{field, "must be a finite number, got " + FormatValue(v)};
        if (i > 0 && v <= p.discrete_values[i - 1]) {
          return Violation{field, "discreteValues must be strictly increasing, got " + FormatValue(v) + " after " +
                                      FormatValue(p.discrete_values[i - 1]) + "; sort them and drop duplicates"};
        }
      }
      if (IsLogScale(p.scale) && p.discrete_values.front() <= 0) {
        return Violation{"discreteValues[0]", scale + " needs strictly positive values, got " +
                                                  FormatValue(p.discrete_values.front()) +
                                                  "; drop it or use UNIT_LINEAR_SCALE"};
      }
      return std::nullopt;
    }
    case ParameterType::kCategorical: {
      if (p.categorical_values.empty()) {
        return Violation{"categoricalValues", "CATEGORICAL parameters need a non-empty list such as [adam, sgd]"};
      }
      std::set<std::string> seen;
      for (size_t i = 0; i < p.categorical_values.size(); ++i) {
        const std::string field = "categoricalValues[" + std::to_string(i) + "]";
        if (p.categorical_values[i].empty()) return Violation{field, "must not be empty"};
        if (!seen.insert(p.categorical_values[i]).second) {
          return Violation{field, Quote(p.categorical_values[i]) + " appears twice; list each value once"};
        }
      }
      if (p.scale != ScaleType::kNone) {
        return Violation{"scaleType", scale + " does not apply to CATEGORICAL parameters; remove scaleType"};
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

using lever::internal::YamlValue;

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Cloud ML's whole numbers are JSON numbers: 2.0 and 1e3 count.
int WholeNumber(const YamlValue& node, int min) {
  const double v = node.FiniteNumber();
  if (v != std::round(v) || std::fabs(v) > 2e9) node.Fail("expected a whole number, got " + node.Describe());
  if (v < min) node.Fail("must be at least " + std::to_string(min) + ", got " + FormatValue(v));
  return static_cast<int>(v);
}

// One of a fixed set of spellings; `names` and `values` correspond.
template <class Enum>
Enum Choice(const YamlValue& node, const std::vector<std::string>& names, const std::vector<Enum>& values) {
  const std::string text = node.Text();
  for (size_t i = 0; i < names.size(); ++i) {
    if (text == names[i]) return values[i];
  }
  const std::string guess = internal::ClosestMatch(text, names);
  node.Fail(Quote(text) + " is not valid" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)") +
            "; use one of " + Join(names));
}

// The value holding `field` ("minValue", "discreteValues[3]") inside a parameter's map, or the map.
YamlValue Locate(const YamlValue& node, const std::string& field) {
  const size_t bracket = field.find('[');
  const std::string key = field.substr(0, bracket);
  if (key.empty() || !node[key].IsDefined()) return node;
  const YamlValue value = node[key];
  if (bracket == std::string::npos || !value.IsSequence()) return value;
  const size_t index = std::stoul(field.substr(bracket + 1));
  return index < value.size() ? value[index] : value;
}

class Parser {
 public:
  Parser(std::string source, std::string base) : source_(std::move(source)), base_(std::move(base)) {}

  StudySpec Parse(const std::string& text) {
    const YamlValue root = lever::internal::ParseYaml(text, source_);
    if (!root.IsMap()) {
      throw ConfigError(source_ +
                        ": expected a map with trainingInput: {hyperparameters: ...} (Cloud ML's shape) or "
                        "a top-level hyperparameters: block");
    }
    Ignore(root.CheckKeys({"trainingInput", "hyperparameters", "trainer"}, {"jobId", "labels"}));
    StudySpec spec;
    const YamlValue training_input = root["trainingInput"];
    const bool cloud_shape = training_input.IsDefined();
    if (cloud_shape) {
      if (!training_input.IsMap()) training_input.Fail("expected a map holding hyperparameters:");
      Ignore(training_input.CheckKeys({"hyperparameters"}, kCloudTrainingInputKeys));
      if (root["hyperparameters"].IsDefined()) {
        root["hyperparameters"].Fail(
            "give the hyperparameters block once, either under trainingInput or at the top level");
      }
      if (!training_input["hyperparameters"].IsDefined()) {
        training_input["hyperparameters"].Fail("missing; trainingInput needs a hyperparameters: block");
      }
    } else if (!root["hyperparameters"].IsDefined()) {
      throw ConfigError(source_ +
                        ": no hyperparameters block: expected trainingInput.hyperparameters (Cloud ML's "
                        "shape) or a top-level hyperparameters:");
    }
    Hyperparameters(cloud_shape ? training_input["hyperparameters"] : root["hyperparameters"], spec);
    if (root["trainer"].IsDefined()) spec.trainer = Trainer(root["trainer"]);
    spec.ignored_keys = ignored_;
    return spec;
  }

 private:
  // trainingInput keys that configure Cloud ML's machines and packaging; they mean nothing locally.
  inline static const std::vector<std::string> kCloudTrainingInputKeys = {"scaleTier",
                                                                          "masterType",
                                                                          "masterConfig",
                                                                          "workerType",
                                                                          "workerConfig",
                                                                          "workerCount",
                                                                          "parameterServerType",
                                                                          "parameterServerConfig",
                                                                          "parameterServerCount",
                                                                          "evaluatorType",
                                                                          "evaluatorConfig",
                                                                          "evaluatorCount",
                                                                          "packageUris",
                                                                          "pythonModule",
                                                                          "args",
                                                                          "region",
                                                                          "jobDir",
                                                                          "runtimeVersion",
                                                                          "pythonVersion",
                                                                          "encryptionConfig",
                                                                          "scheduling",
                                                                          "network",
                                                                          "serviceAccount",
                                                                          "useChiefInTfConfig",
                                                                          "enableWebAccess"};

  void Ignore(const std::vector<std::string>& paths) { ignored_.insert(ignored_.end(), paths.begin(), paths.end()); }

  void Hyperparameters(const YamlValue& node, StudySpec& spec) {
    if (!node.IsMap()) node.Fail("expected a map with goal, maxTrials, params, ...");
    node.CheckKeys({"goal", "hyperparameterMetricTag", "maxTrials", "maxParallelTrials", "maxFailedTrials",
                    "enableTrialEarlyStopping", "resumePreviousJobId", "algorithm", "params"});
    if (node["goal"].IsDefined()) {
      spec.goal = Choice(node["goal"], {"MAXIMIZE", "MINIMIZE", "GOAL_TYPE_UNSPECIFIED"},
                         std::vector<Goal>{Goal::kMaximize, Goal::kMinimize, Goal::kMaximize});
    }
    if (const YamlValue tag = node["hyperparameterMetricTag"]; tag.IsDefined()) {
      spec.metric_tag = tag.Text();
      if (spec.metric_tag.empty()) tag.Fail("must not be empty");
    }
    if (node["maxTrials"].IsDefined()) spec.max_trials = WholeNumber(node["maxTrials"], 1);
    if (node["maxParallelTrials"].IsDefined()) spec.max_parallel_trials = WholeNumber(node["maxParallelTrials"], 1);
    if (node["maxFailedTrials"].IsDefined()) spec.max_failed_trials = WholeNumber(node["maxFailedTrials"], 0);
    if (node["enableTrialEarlyStopping"].IsDefined()) {
      spec.enable_trial_early_stopping = node["enableTrialEarlyStopping"].Bool();
    }
    if (node["resumePreviousJobId"].IsDefined()) spec.resume_previous_job_id = node["resumePreviousJobId"].Text();
    if (node["algorithm"].IsDefined()) {
      spec.algorithm =
          Choice(node["algorithm"], {"ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH"},
                 std::vector<Algorithm>{Algorithm::kBayesian, Algorithm::kGridSearch, Algorithm::kRandomSearch});
    }
    const YamlValue list = node["params"];
    if (!list.IsDefined()) list.Fail("missing; list the parameters to tune under params:");
    if (!list.IsSequence() || list.size() == 0) {
      list.Fail("expected a non-empty list of {parameterName, type, ...} entries");
    }
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < list.size(); ++i) {
      ParameterSpec p = Parameter(list[i]);
      const auto [it, fresh] = names.emplace(p.name, i);
      if (!fresh) {
        list[i]["parameterName"].Fail(Quote(p.name) + " is already the name of params[" + std::to_string(it->second) +
                                      "]; names must be unique");
      }
      if (spec.algorithm == Algorithm::kGridSearch && p.type == ParameterType::kDouble) {
        list[i]["type"].Fail("GRID_SEARCH enumerates INTEGER, CATEGORICAL and DISCRETE parameters only, and " +
                             Quote(p.name) +
                             " is DOUBLE; list its values with type: DISCRETE and discreteValues, or use "
                             "RANDOM_SEARCH or ALGORITHM_UNSPECIFIED");
      }
      spec.params.push_back(std::move(p));
    }
  }

  ParameterSpec Parameter(const YamlValue& node) {
    if (!node.IsMap()) {
      node.Fail("expected a map such as {parameterName: lr, type: DOUBLE, minValue: 0.001, maxValue: 0.1}");
    }
    node.CheckKeys(
        {"parameterName", "type", "minValue", "maxValue", "categoricalValues", "discreteValues", "scaleType"});
    ParameterSpec p;
    if (!node["parameterName"].IsDefined()) node["parameterName"].Fail("missing; every parameter needs a name");
    p.name = node["parameterName"].Text();
    if (!node["type"].IsDefined()) node["type"].Fail("missing; give type: DOUBLE, INTEGER, CATEGORICAL or DISCRETE");
    p.type = Choice(node["type"], {"DOUBLE", "INTEGER", "CATEGORICAL", "DISCRETE"},
                    std::vector<ParameterType>{ParameterType::kDouble, ParameterType::kInteger,
                                               ParameterType::kCategorical, ParameterType::kDiscrete});
    const std::string type = ToString(p.type);
    // Keys that belong to other types are errors rather than silently ignored.
    const auto reject = [&](const char* key, const std::string& why) {
      if (node[key].IsDefined()) node[key].Fail("does not apply to " + type + " parameters; " + why);
    };
    const auto require = [&](const char* key, const std::string& why) {
      if (!node[key].IsDefined()) node[key].Fail("missing; " + why);
    };
    const bool numeric = p.type == ParameterType::kDouble || p.type == ParameterType::kInteger;
    if (numeric) {
      require("minValue", type + " parameters need minValue and maxValue");
      require("maxValue", type + " parameters need minValue and maxValue");
      reject("categoricalValues", "remove it or make the parameter CATEGORICAL");
      reject("discreteValues", "remove it or make the parameter DISCRETE");
      p.min_value = node["minValue"].FiniteNumber();
      p.max_value = node["maxValue"].FiniteNumber();
    } else if (p.type == ParameterType::kDiscrete) {
      require("discreteValues", "DISCRETE parameters need discreteValues, a strictly increasing list of numbers");
      reject("minValue", "the values are discreteValues");
      reject("maxValue", "the values are discreteValues");
      reject("categoricalValues", "the values are discreteValues");
      const YamlValue list = node["discreteValues"];
      if (!list.IsSequence()) list.Fail("expected a list of numbers such as [16, 32, 64]");
      for (size_t i = 0; i < list.size(); ++i) p.discrete_values.push_back(list[i].FiniteNumber());
      if (!p.discrete_values.empty()) {
        p.min_value = p.discrete_values.front();
        p.max_value = p.discrete_values.back();
      }
    } else {
      require("categoricalValues", "CATEGORICAL parameters need categoricalValues, a list such as [adam, sgd]");
      reject("minValue", "the values are categoricalValues");
      reject("maxValue", "the values are categoricalValues");
      reject("discreteValues", "the values are categoricalValues");
      const YamlValue list = node["categoricalValues"];
      if (!list.IsSequence()) list.Fail("expected a list such as [adam, sgd]");
      p.categorical_values = list.TextList();
      p.max_value = p.categorical_values.empty() ? 0.0 : static_cast<double>(p.categorical_values.size() - 1);
    }
    p.scale = p.type == ParameterType::kCategorical ? ScaleType::kNone : ScaleType::kLinear;
    if (node["scaleType"].IsDefined()) {
      const ScaleType scale =
          Choice(node["scaleType"], {"UNIT_LINEAR_SCALE", "UNIT_LOG_SCALE", "UNIT_REVERSE_LOG_SCALE", "NONE"},
                 std::vector<ScaleType>{ScaleType::kLinear, ScaleType::kLog, ScaleType::kReverseLog, ScaleType::kNone});
      // NONE is Cloud ML's "no scaling": linear for numbers, nothing for categories.
      if (scale != ScaleType::kNone) p.scale = scale;
    }
    if (const std::optional<Violation> v = CheckParameter(p)) {
      // Point at the offending entry when it exists (discreteValues[3]); else at its key or the map.
      Locate(node, v->field).Fail(v->message);
    }
    return p;
  }

  TrainerSpec Trainer(const YamlValue& node) {
    if (!node.IsMap()) node.Fail("expected a map such as {command: [python3, train.py], timeout_seconds: 600}");
    node.CheckKeys({"command", "timeout_seconds", "working_directory", "env"});
    TrainerSpec trainer;
    const YamlValue command = node["command"];
    if (!command.IsDefined()) command.Fail("missing; give the trainer's argv, such as [python3, -m, trainer.task]");
    if (command.IsScalar()) {
      command.Fail("expected a list of arguments such as [python3, -m, trainer.task], got the text " +
                   command.Describe() + "; lever runs no shell, so split the line into a list");
    }
    if (!command.IsSequence() || command.size() == 0) {
      command.Fail("expected a non-empty list of arguments such as [python3, -m, trainer.task]");
    }
    trainer.command = command.TextList();
    if (trainer.command[0].empty()) command[0].Fail("the program must not be empty");
    if (const YamlValue timeout = node["timeout_seconds"]; timeout.IsDefined()) {
      trainer.timeout_seconds = timeout.FiniteNumber();
      if (trainer.timeout_seconds <= 0) {
        timeout.Fail("must be positive, got " + FormatValue(trainer.timeout_seconds) + "; leave it out for no limit");
      }
    }
    if (const YamlValue directory = node["working_directory"]; directory.IsDefined()) {
      std::filesystem::path dir = directory.Text();
      if (dir.empty()) directory.Fail("must not be empty; leave it out for the current directory");
      if (dir.is_relative()) dir = std::filesystem::path(base_) / dir;
      trainer.working_directory = dir.lexically_normal().string();
    }
    const YamlValue env = node["env"];
    if (env.IsDefined()) {
      if (!env.IsMap()) env.Fail("expected a map of variables such as {PYTHONUNBUFFERED: \"1\"}");
      for (const YamlValue::Entry& entry : env.Entries()) {
        const std::string name = entry.key.Text();
        bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
        for (const char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
        if (!valid) entry.key.Fail("not a valid environment variable name; use letters, digits and '_'");
        if (name.rfind("CLOUD_ML_", 0) == 0)
          entry.key.Fail("lever sets the CLOUD_ML_ variables for each trial; remove it");
        trainer.env[name] = entry.value.Text();
      }
    }
    return trainer;
  }

  std::string source_;
  std::string base_;
  std::vector<std::string> ignored_;
};

}  // namespace

void ValidateParameters(const std::vector<ParameterSpec>& params) {
  if (params.empty()) throw ConfigError("a study needs at least one parameter in params");
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string where = "params[" + std::to_string(i) + "]";
    if (const std::optional<Violation> v = CheckParameter(params[i])) {
      throw ConfigError(where + (v->field.empty() ? "" : "." + v->field) + " (" + Quote(params[i].name) +
                        "): " + v->message);
    }
    const auto [it, fresh] = names.emplace(params[i].name, i);
    if (!fresh) {
      throw ConfigError(where + ".parameterName: " + Quote(params[i].name) + " is already the name of params[" +
                        std::to_string(it->second) + "]; names must be unique");
    }
  }
}

StudySpec ParseStudySpec(const std::string& yaml_text, const std::string& source, const std::string& base_directory) {
  return Parser(source, base_directory).Parse(yaml_text);
}

StudySpec LoadStudySpec(const std::string& path) {
  return ParseStudySpec(ReadTextFile(path, "study spec YAML file"), path, DirectoryOf(path));
}

}  // namespace lever::tune
