#pragma once
// A hyperparameter-tuning study, read from YAML in Cloud ML Engine's shape:
//
//   trainingInput:
//     hyperparameters:
//       goal: MINIMIZE                       # MAXIMIZE (default) | MINIMIZE
//       hyperparameterMetricTag: rmse        # default training/hptuning/metric
//       maxTrials: 20                        # default 1
//       maxParallelTrials: 2                 # default 1
//       maxFailedTrials: 3                   # default 0 = no limit
//       enableTrialEarlyStopping: true       # default false (median stopping rule)
//       resumePreviousJobId: study-0412      # default none
//       algorithm: ALGORITHM_UNSPECIFIED     # (Bayesian, the default) | GRID_SEARCH | RANDOM_SEARCH
//       params:
//       - parameterName: learning_rate
//         type: DOUBLE                       # DOUBLE | INTEGER | CATEGORICAL | DISCRETE
//         minValue: 0.0001
//         maxValue: 0.1
//         scaleType: UNIT_LOG_SCALE          # UNIT_LINEAR_SCALE (default) | UNIT_LOG_SCALE | UNIT_REVERSE_LOG_SCALE
//       - parameterName: optimizer
//         type: CATEGORICAL
//         categoricalValues: [adam, adagrad]
//   trainer:                                 # lever's extension: how to run one trial
//     command: [python3, -m, trainer.task, --epochs=5]
//     timeout_seconds: 600
//     working_directory: ..                  # relative to the spec file
//     env: {PYTHONUNBUFFERED: "1"}
//
// The `hyperparameters` block may also stand at the top level. Other Cloud ML `trainingInput` keys
// (scaleTier, region, pythonModule, ...) concern Cloud's machines: they are accepted, listed in
// `ignored_keys` and otherwise ignored. Every error names the file, the line, the key path
// (trainingInput.hyperparameters.params[1].minValue), the value and the rule. docs/tuning.md is the
// reference.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lever::tune {

enum class Goal { kMaximize, kMinimize };
/// kBayesian is Cloud ML's ALGORITHM_UNSPECIFIED (the service's default, a Gaussian-process bandit).
enum class Algorithm { kBayesian, kGridSearch, kRandomSearch };
enum class ParameterType { kDouble, kInteger, kCategorical, kDiscrete };
/// How a numeric parameter maps to [0, 1] (space.h gives the exact transforms). kNone for CATEGORICAL.
enum class ScaleType { kNone, kLinear, kLog, kReverseLog };

/// The spellings used in study files: "MINIMIZE", "GRID_SEARCH", "INTEGER", "UNIT_LOG_SCALE", ...
std::string ToString(Goal goal);
std::string ToString(Algorithm algorithm);
std::string ToString(ParameterType type);
std::string ToString(ScaleType scale);

/// One entry of `params`. Numeric ranges are closed: [min_value, max_value].
struct ParameterSpec {
  std::string name;
  ParameterType type = ParameterType::kDouble;
  /// DOUBLE and INTEGER: the range (INTEGER bounds are whole numbers). DISCRETE: the first and last
  /// value. CATEGORICAL: 0 and the number of values - 1.
  double min_value = 0.0;
  double max_value = 0.0;
  std::vector<std::string> categorical_values{};  // CATEGORICAL, in the file's order
  std::vector<double> discrete_values{};          // DISCRETE, strictly increasing
  /// kLinear when not given for a numeric parameter; kNone for CATEGORICAL.
  ScaleType scale = ScaleType::kLinear;
};

/// lever's extension: the command that runs one trial. Each trial runs `command` followed by one
/// `--name=value` argument per parameter, with the cloudml-hypertune environment variables set.
struct TrainerSpec {
  std::vector<std::string> command;        // argv, not a shell line; command[0] is found on PATH
  double timeout_seconds = 0.0;            // 0 = no limit
  std::string working_directory;           // empty = the current directory; relative paths are
                                           // resolved against the spec file's directory
  std::map<std::string, std::string> env;  // added to the inherited environment
};

struct StudySpec {
  Goal goal = Goal::kMaximize;
  std::string metric_tag = "training/hptuning/metric";
  int max_trials = 1;
  int max_parallel_trials = 1;
  int max_failed_trials = 0;  // 0 = no limit: failed trials only count towards max_trials
  bool enable_trial_early_stopping = false;
  std::string resume_previous_job_id;  // empty = a new study
  Algorithm algorithm = Algorithm::kBayesian;
  std::vector<ParameterSpec> params;
  std::optional<TrainerSpec> trainer;
  /// Cloud-only keys that were accepted but have no effect here, as key paths
  /// ("trainingInput.scaleTier"), so a CLI can mention them.
  std::vector<std::string> ignored_keys;

  /// Trials that may run at once: max_parallel_trials capped by max_trials (asking for more parallel
  /// trials than trials is allowed and simply has no effect).
  int EffectiveParallelism() const { return max_parallel_trials < max_trials ? max_parallel_trials : max_trials; }
};

/// Parses a study spec. `source` names the file in messages; a relative trainer.working_directory is
/// resolved against `base_directory`. Throws ConfigError naming source:line, the key path, the value and
/// the rule.
StudySpec ParseStudySpec(const std::string& yaml_text, const std::string& source = "<study>",
                         const std::string& base_directory = ".");

/// Reads a YAML file and parses it (IoError when it cannot be read).
StudySpec LoadStudySpec(const std::string& path);

/// Checks the rules that do not depend on the YAML text (the parser calls it; so do the Space and the
/// samplers' constructors, for specs built in code). Throws ConfigError naming params[i].
void ValidateParameters(const std::vector<ParameterSpec>& params);

namespace internal {
/// Levenshtein distance, case-insensitive (for "did you mean" suggestions).
int EditDistance(const std::string& a, const std::string& b);
/// The closest of `candidates` to `word` when it is close enough to be a likely typo, else "".
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);
}  // namespace internal

}  // namespace lever::tune
