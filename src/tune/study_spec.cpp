#include "lever/tune/study_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>

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

int EditDistance(const std::string& a, const std::string& b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      const int next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  // A typo: within a third of the word's length (at least 2 edits). A fragment: one contains the other
  // ("LOG_SCALE" for UNIT_LOG_SCALE). The closest qualifying candidate wins.
  const int limit = std::max(2, static_cast<int>(word.size()) / 3);
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : candidates) {
    const int distance = EditDistance(word, candidate);
    const bool fragment = word.size() >= 3 && candidate.size() >= 3 &&
                          (lower(candidate).find(lower(word)) != std::string::npos ||
                           lower(word).find(lower(candidate)) != std::string::npos);
    if ((distance <= limit || fragment) && (best.empty() || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
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

class Parser {
 public:
  Parser(std::string source, std::string base) : source_(std::move(source)), base_(std::move(base)) {}

  StudySpec Parse(const std::string& text) {
    const YAML::Node root = Load(text);
    if (!root.IsMap()) {
      throw ConfigError(source_ +
                        ": expected a map with trainingInput: {hyperparameters: ...} (Cloud ML's shape) or "
                        "a top-level hyperparameters: block");
    }
    CheckKeys(root, "", {"trainingInput", "hyperparameters", "trainer"}, {"jobId", "labels"});
    StudySpec spec;
    const YAML::Node training_input = root["trainingInput"];
    const bool cloud_shape = training_input.IsDefined();
    if (cloud_shape) {
      if (!training_input.IsMap()) Fail(training_input, "trainingInput", "expected a map holding hyperparameters:");
      CheckKeys(training_input, "trainingInput", {"hyperparameters"}, kCloudTrainingInputKeys);
      if (root["hyperparameters"].IsDefined()) {
        Fail(root["hyperparameters"], "hyperparameters",
             "give the hyperparameters block once, either under trainingInput or at the top level");
      }
      if (!training_input["hyperparameters"].IsDefined()) {
        Fail(training_input, "trainingInput.hyperparameters", "missing; trainingInput needs a hyperparameters: block");
      }
    } else if (!root["hyperparameters"].IsDefined()) {
      throw ConfigError(source_ +
                        ": no hyperparameters block: expected trainingInput.hyperparameters (Cloud ML's "
                        "shape) or a top-level hyperparameters:");
    }
    const YAML::Node block = cloud_shape ? training_input["hyperparameters"] : root["hyperparameters"];
    const std::string path = cloud_shape ? "trainingInput.hyperparameters" : "hyperparameters";
    Hyperparameters(block, path, spec);
    if (root["trainer"].IsDefined()) spec.trainer = Trainer(root["trainer"], "trainer");
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

  YAML::Node Load(const std::string& text) const {
    try {
      return YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      throw ConfigError(source_ + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
    }
  }

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path, const std::string& what) const {
    std::ostringstream msg;
    msg << source_;
    if (node.IsDefined() && node.Mark().line >= 0) msg << ":" << node.Mark().line + 1;
    msg << ": " << path << ": " << what;
    throw ConfigError(msg.str());
  }

  static std::string Join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
  }

  static std::string Child(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // Rejects unknown and repeated keys; `ignored` keys are accepted and recorded in ignored_keys.
  void CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed,
                 const std::vector<std::string>& ignored = {}) {
    std::map<std::string, int> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.as<std::string>() : std::string("?");
      const std::string here = Child(path, key);
      if (seen.count(key) > 0) {
        Fail(kv.first, here, "appears twice (first on line " + std::to_string(seen[key]) + "); keep one");
      }
      seen[key] = kv.first.Mark().line + 1;
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) {
        ignored_.push_back(here);
        continue;
      }
      std::vector<std::string> candidates = allowed;
      candidates.insert(candidates.end(), ignored.begin(), ignored.end());
      const std::string guess = internal::ClosestMatch(key, candidates);
      Fail(kv.first, here,
           "unknown key" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)") +
               "; valid keys here: " + Join(allowed));
    }
  }

  std::string Text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsDefined()) Fail(node, path, "missing; expected a text value");
    if (!node.IsScalar()) Fail(node, path, "expected a text value");
    return node.as<std::string>();
  }

  double Number(const YAML::Node& node, const std::string& path) const {
    if (!node.IsDefined()) Fail(node, path, "missing; expected a number");
    if (!node.IsScalar())
      Fail(node, path, "expected a number, got " + std::string(node.IsNull() ? "nothing" : "a list or map"));
    double v = 0.0;
    try {
      v = node.as<double>();
    } catch (const YAML::Exception&) {
      Fail(node, path, "expected a number, got " + Quote(node.as<std::string>()));
    }
    if (!std::isfinite(v)) Fail(node, path, "expected a finite number, got " + Quote(node.as<std::string>()));
    return v;
  }

  int WholeNumber(const YAML::Node& node, const std::string& path, int min) const {
    const double v = Number(node, path);
    if (v != std::round(v) || std::fabs(v) > 2e9) {
      Fail(node, path, "expected a whole number, got " + Quote(node.as<std::string>()));
    }
    if (v < min) Fail(node, path, "must be at least " + std::to_string(min) + ", got " + FormatValue(v));
    return static_cast<int>(v);
  }

  bool Bool(const YAML::Node& node, const std::string& path) const {
    if (!node.IsDefined()) Fail(node, path, "missing; expected true or false");
    if (!node.IsScalar()) Fail(node, path, "expected true or false");
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      Fail(node, path, "expected true or false, got " + Quote(node.as<std::string>()));
    }
  }

  // One of a fixed set of spellings; `names` and `values` correspond.
  template <class Enum>
  Enum Choice(const YAML::Node& node, const std::string& path, const std::vector<std::string>& names,
              const std::vector<Enum>& values) const {
    const std::string text = Text(node, path);
    for (size_t i = 0; i < names.size(); ++i) {
      if (text == names[i]) return values[i];
    }
    const std::string guess = internal::ClosestMatch(text, names);
    Fail(node, path,
         Quote(text) + " is not valid" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)") +
             "; use one of " + Join(names));
  }

  void Hyperparameters(const YAML::Node& node, const std::string& path, StudySpec& spec) {
    if (!node.IsMap()) Fail(node, path, "expected a map with goal, maxTrials, params, ...");
    CheckKeys(node, path,
              {"goal", "hyperparameterMetricTag", "maxTrials", "maxParallelTrials", "maxFailedTrials",
               "enableTrialEarlyStopping", "resumePreviousJobId", "algorithm", "params"});
    if (node["goal"].IsDefined()) {
      spec.goal = Choice(node["goal"], path + ".goal", {"MAXIMIZE", "MINIMIZE", "GOAL_TYPE_UNSPECIFIED"},
                         std::vector<Goal>{Goal::kMaximize, Goal::kMinimize, Goal::kMaximize});
    }
    if (node["hyperparameterMetricTag"].IsDefined()) {
      spec.metric_tag = Text(node["hyperparameterMetricTag"], path + ".hyperparameterMetricTag");
      if (spec.metric_tag.empty())
        Fail(node["hyperparameterMetricTag"], path + ".hyperparameterMetricTag", "must not be empty");
    }
    if (node["maxTrials"].IsDefined()) spec.max_trials = WholeNumber(node["maxTrials"], path + ".maxTrials", 1);
    if (node["maxParallelTrials"].IsDefined()) {
      spec.max_parallel_trials = WholeNumber(node["maxParallelTrials"], path + ".maxParallelTrials", 1);
    }
    if (node["maxFailedTrials"].IsDefined()) {
      spec.max_failed_trials = WholeNumber(node["maxFailedTrials"], path + ".maxFailedTrials", 0);
    }
    if (node["enableTrialEarlyStopping"].IsDefined()) {
      spec.enable_trial_early_stopping = Bool(node["enableTrialEarlyStopping"], path + ".enableTrialEarlyStopping");
    }
    if (node["resumePreviousJobId"].IsDefined()) {
      spec.resume_previous_job_id = Text(node["resumePreviousJobId"], path + ".resumePreviousJobId");
    }
    if (node["algorithm"].IsDefined()) {
      spec.algorithm =
          Choice(node["algorithm"], path + ".algorithm", {"ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH"},
                 std::vector<Algorithm>{Algorithm::kBayesian, Algorithm::kGridSearch, Algorithm::kRandomSearch});
    }
    const YAML::Node list = node["params"];
    if (!list.IsDefined()) Fail(node, path + ".params", "missing; list the parameters to tune under params:");
    if (!list.IsSequence() || list.size() == 0) {
      Fail(list, path + ".params", "expected a non-empty list of {parameterName, type, ...} entries");
    }
    std::map<std::string, size_t> names;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string item = path + ".params[" + std::to_string(i) + "]";
      ParameterSpec p = Parameter(list[i], item);
      const auto [it, fresh] = names.emplace(p.name, i);
      if (!fresh) {
        Fail(
            list[i]["parameterName"], item + ".parameterName",
            Quote(p.name) + " is already the name of params[" + std::to_string(it->second) + "]; names must be unique");
      }
      if (spec.algorithm == Algorithm::kGridSearch && p.type == ParameterType::kDouble) {
        Fail(list[i]["type"], item + ".type",
             "GRID_SEARCH enumerates INTEGER, CATEGORICAL and DISCRETE parameters only, and " + Quote(p.name) +
                 " is DOUBLE; list its values with type: DISCRETE and discreteValues, or use RANDOM_SEARCH or "
                 "ALGORITHM_UNSPECIFIED");
      }
      spec.params.push_back(std::move(p));
    }
  }

  ParameterSpec Parameter(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap())
      Fail(node, path, "expected a map such as {parameterName: lr, type: DOUBLE, minValue: 0.001, maxValue: 0.1}");
    CheckKeys(node, path,
              {"parameterName", "type", "minValue", "maxValue", "categoricalValues", "discreteValues", "scaleType"});
    ParameterSpec p;
    if (!node["parameterName"].IsDefined())
      Fail(node, path + ".parameterName", "missing; every parameter needs a name");
    p.name = Text(node["parameterName"], path + ".parameterName");
    if (!node["type"].IsDefined()) {
      Fail(node, path + ".type", "missing; give type: DOUBLE, INTEGER, CATEGORICAL or DISCRETE");
    }
    p.type = Choice(node["type"], path + ".type", {"DOUBLE", "INTEGER", "CATEGORICAL", "DISCRETE"},
                    std::vector<ParameterType>{ParameterType::kDouble, ParameterType::kInteger,
                                               ParameterType::kCategorical, ParameterType::kDiscrete});
    const std::string type = ToString(p.type);
    // Keys that belong to other types are errors rather than silently ignored.
    const auto reject = [&](const char* key, const std::string& why) {
      if (node[key].IsDefined()) Fail(node[key], path + "." + key, "does not apply to " + type + " parameters; " + why);
    };
    const auto require = [&](const char* key, const std::string& why) {
      if (!node[key].IsDefined()) Fail(node, path + "." + key, "missing; " + why);
    };
    const bool numeric = p.type == ParameterType::kDouble || p.type == ParameterType::kInteger;
    if (numeric) {
      require("minValue", type + " parameters need minValue and maxValue");
      require("maxValue", type + " parameters need minValue and maxValue");
      reject("categoricalValues", "remove it or make the parameter CATEGORICAL");
      reject("discreteValues", "remove it or make the parameter DISCRETE");
      p.min_value = Number(node["minValue"], path + ".minValue");
      p.max_value = Number(node["maxValue"], path + ".maxValue");
    } else if (p.type == ParameterType::kDiscrete) {
      require("discreteValues", "DISCRETE parameters need discreteValues, a strictly increasing list of numbers");
      reject("minValue", "the values are discreteValues");
      reject("maxValue", "the values are discreteValues");
      reject("categoricalValues", "the values are discreteValues");
      const YAML::Node list = node["discreteValues"];
      if (!list.IsSequence()) Fail(list, path + ".discreteValues", "expected a list of numbers such as [16, 32, 64]");
      for (size_t i = 0; i < list.size(); ++i) {
        p.discrete_values.push_back(Number(list[i], path + ".discreteValues[" + std::to_string(i) + "]"));
      }
      if (!p.discrete_values.empty()) {
        p.min_value = p.discrete_values.front();
        p.max_value = p.discrete_values.back();
      }
    } else {
      require("categoricalValues", "CATEGORICAL parameters need categoricalValues, a list such as [adam, sgd]");
      reject("minValue", "the values are categoricalValues");
      reject("maxValue", "the values are categoricalValues");
      reject("discreteValues", "the values are categoricalValues");
      const YAML::Node list = node["categoricalValues"];
      if (!list.IsSequence()) Fail(list, path + ".categoricalValues", "expected a list such as [adam, sgd]");
      for (size_t i = 0; i < list.size(); ++i) {
        p.categorical_values.push_back(Text(list[i], path + ".categoricalValues[" + std::to_string(i) + "]"));
      }
      p.max_value = p.categorical_values.empty() ? 0.0 : static_cast<double>(p.categorical_values.size() - 1);
    }
    p.scale = p.type == ParameterType::kCategorical ? ScaleType::kNone : ScaleType::kLinear;
    if (node["scaleType"].IsDefined()) {
      const ScaleType scale =
          Choice(node["scaleType"], path + ".scaleType",
                 {"UNIT_LINEAR_SCALE", "UNIT_LOG_SCALE", "UNIT_REVERSE_LOG_SCALE", "NONE"},
                 std::vector<ScaleType>{ScaleType::kLinear, ScaleType::kLog, ScaleType::kReverseLog, ScaleType::kNone});
      // NONE is Cloud ML's "no scaling": linear for numbers, nothing for categories.
      if (scale != ScaleType::kNone) p.scale = scale;
    }
    if (const std::optional<Violation> v = CheckParameter(p)) {
      // Point at the offending entry when it exists (discreteValues[3]); else at its key or the map.
      const YAML::Node at = Locate(node, v->field);
      Fail(at, v->field.empty() ? path : path + "." + v->field, v->message);
    }
    return p;
  }

  // The node holding `field` ("minValue", "discreteValues[3]") inside a parameter's map, or the map.
  static YAML::Node Locate(const YAML::Node& node, const std::string& field) {
    const size_t bracket = field.find('[');
    const std::string key = field.substr(0, bracket);
    if (key.empty() || !node[key].IsDefined()) return node;
    const YAML::Node value = node[key];
    if (bracket == std::string::npos || !value.IsSequence()) return value;
    const size_t index = std::stoul(field.substr(bracket + 1));
    return index < value.size() ? value[index] : value;
  }

  TrainerSpec Trainer(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) Fail(node, path, "expected a map such as {command: [python3, train.py], timeout_seconds: 600}");
    CheckKeys(node, path, {"command", "timeout_seconds", "working_directory", "env"});
    TrainerSpec trainer;
    const YAML::Node command = node["command"];
    if (!command.IsDefined())
      Fail(node, path + ".command", "missing; give the trainer's argv, such as [python3, -m, trainer.task]");
    if (command.IsScalar()) {
      Fail(command, path + ".command",
           "expected a list of arguments such as [python3, -m, trainer.task], got the text " +
               Quote(command.as<std::string>()) + "; lever runs no shell, so split the line into a list");
    }
    if (!command.IsSequence() || command.size() == 0) {
      Fail(command, path + ".command", "expected a non-empty list of arguments such as [python3, -m, trainer.task]");
    }
    for (size_t i = 0; i < command.size(); ++i) {
      const std::string item = path + ".command[" + std::to_string(i) + "]";
      trainer.command.push_back(Text(command[i], item));
      if (i == 0 && trainer.command[0].empty()) Fail(command[i], item, "the program must not be empty");
    }
    if (node["timeout_seconds"].IsDefined()) {
      trainer.timeout_seconds = Number(node["timeout_seconds"], path + ".timeout_seconds");
      if (trainer.timeout_seconds <= 0) {
        Fail(node["timeout_seconds"], path + ".timeout_seconds",
             "must be positive, got " + FormatValue(trainer.timeout_seconds) + "; leave it out for no limit");
      }
    }
    if (node["working_directory"].IsDefined()) {
      std::filesystem::path dir = Text(node["working_directory"], path + ".working_directory");
      if (dir.empty())
        Fail(node["working_directory"], path + ".working_directory",
             "must not be empty; leave it out for the current directory");
      if (dir.is_relative()) dir = std::filesystem::path(base_) / dir;
      trainer.working_directory = dir.lexically_normal().string();
    }
    const YAML::Node env = node["env"];
    if (env.IsDefined()) {
      if (!env.IsMap()) Fail(env, path + ".env", "expected a map of variables such as {PYTHONUNBUFFERED: \"1\"}");
      for (const auto& kv : env) {
        const std::string name = Text(kv.first, path + ".env");
        const std::string here = path + ".env." + name;
        bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
        for (const char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
        if (!valid) Fail(kv.first, here, "not a valid environment variable name; use letters, digits and '_'");
        if (name.rfind("CLOUD_ML_", 0) == 0) {
          Fail(kv.first, here, "lever sets the CLOUD_ML_ variables for each trial; remove it");
        }
        if (trainer.env.count(name) > 0) Fail(kv.first, here, "appears twice; keep one");
        trainer.env[name] = Text(kv.second, here);
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
  return ParseStudySpec(ReadTextFile(path, "study spec"), path, DirectoryOf(path));
}

}  // namespace lever::tune
