#include "lever/tune/study_spec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lever/error.h"

namespace lever::tune {
namespace {

// The course's file, unchanged.
constexpr const char* kCourseSpec = R"(trainingInput:
  hyperparameters:
    goal: MINIMIZE
    maxTrials: 5
    maxParallelTrials: 1
    hyperparameterMetricTag: rmse
    params:
    - parameterName: batch_size
      type: INTEGER
      minValue: 8
      maxValue: 64
      scaleType: UNIT_LINEAR_SCALE
    - parameterName: learning_rate
      type: DOUBLE
      minValue: 0.01
      maxValue: 0.1
      scaleType: UNIT_LOG_SCALE
)";

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseStudySpec(yaml, "study.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// A spec with one parameter entry given as the indented body of `- ` (line 4 is its first line).
std::string WithParam(const std::string& body, const std::string& extra = "") {
  return "trainingInput:\n  hyperparameters:\n" + extra + "    params:\n    - " + body;
}

void ExpectError(const std::string& yaml, const std::vector<std::string>& parts) {
  const std::string e = ErrorOf(yaml);
  EXPECT_EQ(e.rfind("ConfigError: study.yaml", 0), 0u) << e;
  for (const std::string& part : parts)
    EXPECT_NE(e.find(part), std::string::npos) << "missing '" << part << "' in: " << e;
}

TEST(StudySpecTest, LoadsTheCourseFileUnchanged) {
  const StudySpec spec = ParseStudySpec(kCourseSpec, "hyperparam.yaml");
  EXPECT_EQ(spec.goal, Goal::kMinimize);
  EXPECT_EQ(spec.max_trials, 5);
  EXPECT_EQ(spec.max_parallel_trials, 1);
  EXPECT_EQ(spec.max_failed_trials, 0);
  EXPECT_EQ(spec.metric_tag, "rmse");
  EXPECT_EQ(spec.algorithm, Algorithm::kBayesian);
  EXPECT_FALSE(spec.enable_trial_early_stopping);
  EXPECT_FALSE(spec.trainer.has_value());
  EXPECT_TRUE(spec.ignored_keys.empty());
  ASSERT_EQ(spec.params.size(), 2u);
  EXPECT_EQ(spec.params[0].name, "batch_size");
  EXPECT_EQ(spec.params[0].type, ParameterType::kInteger);
  EXPECT_EQ(spec.params[0].min_value, 8);
  EXPECT_EQ(spec.params[0].max_value, 64);
  EXPECT_EQ(spec.params[0].scale, ScaleType::kLinear);
  EXPECT_EQ(spec.params[1].name, "learning_rate");
  EXPECT_EQ(spec.params[1].type, ParameterType::kDouble);
  EXPECT_DOUBLE_EQ(spec.params[1].min_value, 0.01);
  EXPECT_DOUBLE_EQ(spec.params[1].max_value, 0.1);
  EXPECT_EQ(spec.params[1].scale, ScaleType::kLog);
}

TEST(StudySpecTest, LoadsFromAFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "lever_study_spec_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "hyperparam.yaml").string();
  std::ofstream(path) << kCourseSpec << "trainer:\n  command: [python3, task.py]\n  working_directory: code\n";
  const StudySpec spec = LoadStudySpec(path);
  EXPECT_EQ(spec.params.size(), 2u);
  ASSERT_TRUE(spec.trainer.has_value());
  EXPECT_EQ(spec.trainer->working_directory, (dir / "code").string());
  std::filesystem::remove_all(dir);
  EXPECT_THROW(LoadStudySpec(path), IoError);
}

TEST(StudySpecTest, DefaultsFollowCloudMl) {
  const StudySpec spec =
      ParseStudySpec("hyperparameters:\n  params:\n  - {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\n");
  EXPECT_EQ(spec.goal, Goal::kMaximize);
  EXPECT_EQ(spec.metric_tag, "training/hptuning/metric");
  EXPECT_EQ(spec.max_trials, 1);
  EXPECT_EQ(spec.max_parallel_trials, 1);
  EXPECT_EQ(spec.params[0].scale, ScaleType::kLinear);
}

TEST(StudySpecTest, ParsesEveryKeyTypeAndTheTrainerExtension) {
  const StudySpec spec = ParseStudySpec(R"(
hyperparameters:
  goal: MAXIMIZE
  hyperparameterMetricTag: accuracy
  maxTrials: 3
  maxParallelTrials: 8
  maxFailedTrials: 2
  enableTrialEarlyStopping: true
  resumePreviousJobId: job_7
  algorithm: RANDOM_SEARCH
  params:
  - {parameterName: momentum, type: DOUBLE, minValue: 0.9, maxValue: 0.999, scaleType: UNIT_REVERSE_LOG_SCALE}
  - {parameterName: optimizer, type: CATEGORICAL, categoricalValues: [adam, "0.5", sgd], scaleType: NONE}
  - {parameterName: hidden, type: DISCRETE, discreteValues: [16, 32, 64], scaleType: UNIT_LOG_SCALE}
  - {parameterName: layers, type: INTEGER, minValue: 1, maxValue: 4}
trainer:
  command: [python3, -m, trainer.task, --epochs=5]
  timeout_seconds: 90.5
  working_directory: /srv/code
  env: {PYTHONUNBUFFERED: "1", OMP_NUM_THREADS: 2}
)");
  EXPECT_EQ(spec.goal, Goal::kMaximize);
  EXPECT_EQ(spec.metric_tag, "accuracy");
  EXPECT_EQ(spec.max_failed_trials, 2);
  EXPECT_TRUE(spec.enable_trial_early_stopping);
  EXPECT_EQ(spec.resume_previous_job_id, "job_7");
  EXPECT_EQ(spec.algorithm, Algorithm::kRandomSearch);
  EXPECT_EQ(spec.EffectiveParallelism(), 3);  // more parallel trials than trials is allowed, and capped
  ASSERT_EQ(spec.params.size(), 4u);
  EXPECT_EQ(spec.params[0].scale, ScaleType::kReverseLog);
  EXPECT_EQ(spec.params[1].categorical_values, (std::vector<std::string>{"adam", "0.5", "sgd"}));
  EXPECT_EQ(spec.params[1].scale, ScaleType::kNone);
  EXPECT_EQ(spec.params[2].discrete_values, (std::vector<double>{16, 32, 64}));
  EXPECT_EQ(spec.params[2].min_value, 16);
  EXPECT_EQ(spec.params[2].max_value, 64);
  ASSERT_TRUE(spec.trainer.has_value());
  EXPECT_EQ(spec.trainer->command, (std::vector<std::string>{"python3", "-m", "trainer.task", "--epochs=5"}));
  EXPECT_DOUBLE_EQ(spec.trainer->timeout_seconds, 90.5);
  EXPECT_EQ(spec.trainer->working_directory, "/srv/code");
  EXPECT_EQ(spec.trainer->env.at("PYTHONUNBUFFERED"), "1");
  EXPECT_EQ(spec.trainer->env.at("OMP_NUM_THREADS"), "2");
}

TEST(StudySpecTest, AcceptsAndListsCloudOnlyTrainingInputKeys) {
  const StudySpec spec = ParseStudySpec(std::string("trainingInput:\n  scaleTier: BASIC\n  region: us-central1\n") +
                                        (kCourseSpec + std::string(kCourseSpec).find("  hyperparameters")));
  EXPECT_EQ(spec.ignored_keys, (std::vector<std::string>{"trainingInput.scaleTier", "trainingInput.region"}));
  EXPECT_EQ(spec.params.size(), 2u);
}

TEST(StudySpecTest, UnknownKeysSuggestTheClosestValidKey) {
  ExpectError("trainingInput:\n  hyperparameters:\n    maxTrails: 4\n",
              {"study.yaml:3:", "trainingInput.hyperparameters.maxTrails", "unknown key (did you mean maxTrials?)",
               "valid keys here: goal,"});
  ExpectError(WithParam("parameterName: x\n      type: DOUBLE\n      minValue: 0\n      maxvalue: 1\n"),
              {"study.yaml:7:", "trainingInput.hyperparameters.params[0].maxvalue", "did you mean maxValue?"});
  ExpectError("trainingInput:\n  hyperparameter: {}\n",
              {"study.yaml:2:", "trainingInput.hyperparameter", "did you mean hyperparameters?"});
  ExpectError(
      "hyperparameters: {params: [{parameterName: x, type: INTEGER, minValue: 0, maxValue: 1}]}\n"
      "trainer: {comand: [x]}\n",
      {"study.yaml:2:", "trainer.comand", "did you mean command?"});
  // No suggestion when nothing is close.
  const std::string e = ErrorOf("hyperparameters:\n  zzzzzz: 1\n");
  EXPECT_NE(e.find("hyperparameters.zzzzzz: unknown key; valid keys here"), std::string::npos) << e;
}

TEST(StudySpecTest, EnumValuesSuggestTheClosestSpelling) {
  ExpectError(WithParam("{parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\n", "    goal: MINIMISE\n"),
              {"study.yaml:3:", "trainingInput.hyperparameters.goal",
               "'MINIMISE' is not valid (did you mean MINIMIZE?)", "use one of MAXIMIZE, MINIMIZE"});
  ExpectError(WithParam("{parameterName: x, type: FLOAT, minValue: 0, maxValue: 1}\n"),
              {"study.yaml:4:", "params[0].type", "'FLOAT' is not valid", "DOUBLE, INTEGER, CATEGORICAL, DISCRETE"});
  ExpectError(WithParam("{parameterName: x, type: DOUBLE, minValue: 1, maxValue: 2, scaleType: LOG_SCALE}\n"),
              {"params[0].scaleType", "did you mean UNIT_LOG_SCALE?"});
  ExpectError(WithParam("{parameterName: x, type: INTEGER, minValue: 1, maxValue: 2}\n", "    algorithm: GRID\n"),
              {"trainingInput.hyperparameters.algorithm", "'GRID' is not valid (did you mean GRID_SEARCH?)"});
}

TEST(StudySpecTest, MissingRequiredKeysAreNamed) {
  ExpectError("trainingInput:\n  hyperparameters:\n    maxTrials: 2\n",
              {"study.yaml:3:", "trainingInput.hyperparameters.params: missing"});
  ExpectError(WithParam("type: DOUBLE\n      minValue: 0\n      maxValue: 1\n"),
              {"study.yaml:4:", "params[0].parameterName: missing"});
  ExpectError(WithParam("parameterName: x\n      minValue: 0\n"), {"study.yaml:4:", "params[0].type: missing"});
  ExpectError(WithParam("{parameterName: x, type: DOUBLE, minValue: 0}\n"),
              {"study.yaml:4:", "params[0].maxValue: missing; DOUBLE parameters need minValue and maxValue"});
  ExpectError(WithParam("{parameterName: x, type: DISCRETE}\n"), {"params[0].discreteValues: missing"});
  ExpectError(WithParam("{parameterName: x, type: CATEGORICAL}\n"), {"params[0].categoricalValues: missing"});
  ExpectError("trainingInput:\n  scaleTier: BASIC\n", {"trainingInput.hyperparameters: missing"});
  ExpectError("trainer: {command: [x]}\n", {"no hyperparameters block"});
  ExpectError(
      "hyperparameters: {params: [{parameterName: x, type: INTEGER, minValue: 0, maxValue: 1}]}\ntrainer: "
      "{timeout_seconds: 5}\n",
      {"study.yaml:2:", "trainer.command: missing"});
}

TEST(StudySpecTest, LogScalesNeedAPositiveRange) {
  ExpectError(WithParam("parameterName: lr\n      type: DOUBLE\n      minValue: 0\n      maxValue: 0.1\n      "
                        "scaleType: UNIT_LOG_SCALE\n"),
              {"study.yaml:6:", "trainingInput.hyperparameters.params[0].minValue",
               "UNIT_LOG_SCALE needs a strictly positive range, got minValue 0", "use UNIT_LINEAR_SCALE"});
  ExpectError(
      WithParam("{parameterName: m, type: INTEGER, minValue: -3, maxValue: 5, scaleType: UNIT_REVERSE_LOG_SCALE}\n"),
      {"params[0].minValue", "UNIT_REVERSE_LOG_SCALE needs a strictly positive range, got minValue -3"});
  ExpectError(WithParam("{parameterName: d, type: DISCRETE, discreteValues: [0, 1, 2], scaleType: UNIT_LOG_SCALE}\n"),
              {"params[0].discreteValues[0]", "strictly positive values, got 0"});
}

TEST(StudySpecTest, GridSearchRejectsDoubleParameters) {
  ExpectError(
      WithParam("{parameterName: a, type: INTEGER, minValue: 1, maxValue: 3}\n"
                "    - parameterName: lr\n      type: DOUBLE\n      minValue: 0.1\n      maxValue: 1\n",
                "    algorithm: GRID_SEARCH\n"),
      {"study.yaml:7:", "trainingInput.hyperparameters.params[1].type",
       "GRID_SEARCH enumerates INTEGER, CATEGORICAL and DISCRETE parameters only", "'lr' is DOUBLE", "DISCRETE"});
}

TEST(StudySpecTest, DuplicateNamesAreRejected) {
  ExpectError(WithParam("{parameterName: lr, type: DOUBLE, minValue: 0, maxValue: 1}\n"
                        "    - {parameterName: lr, type: INTEGER, minValue: 0, maxValue: 1}\n"),
              {"study.yaml:5:", "params[1].parameterName", "'lr' is already the name of params[0]"});
  ExpectError("hyperparameters:\n  maxTrials: 2\n  maxTrials: 3\n",
              {"study.yaml:3:", "hyperparameters.maxTrials: appears twice (first on line 2)"});
}

TEST(StudySpecTest, DuplicateAndMisspelledKeysNameTheLine) {
  ExpectError("trainingInput:\n  hyperparameters:\n    goal: MAXIMIZE\n    params: []\n    goal: MINIMIZE\n",
              {"study.yaml:5:", "trainingInput.hyperparameters.goal: appears twice (first on line 3); keep one"});
  // Inside the trainer's env too, which takes any variable name.
  ExpectError(
      "hyperparameters: {params: [{parameterName: x, type: INTEGER, minValue: 0, maxValue: 1}]}\n"
      "trainer:\n  command: [x]\n  env:\n    A: 1\n    A: 2\n",
      {"study.yaml:6:", "trainer.env.A: appears twice (first on line 5)"});
  ExpectError("hyperparameters:\n  maxParalelTrials: 2\n",
              {"study.yaml:2:", "hyperparameters.maxParalelTrials: unknown key (did you mean maxParallelTrials?)"});
}

TEST(StudySpecTest, RangesAndValueListsAreChecked) {
  ExpectError(WithParam("parameterName: lr\n      type: DOUBLE\n      minValue: 0.5\n      maxValue: 0.1\n"),
              {"study.yaml:6:", "params[0].minValue", "minValue 0.5 is greater than maxValue 0.1; swap them"});
  ExpectError(WithParam("{parameterName: n, type: INTEGER, minValue: 1.5, maxValue: 4}\n"),
              {"params[0].minValue", "INTEGER bounds must be whole numbers, got 1.5"});
  ExpectError(
      WithParam("parameterName: d\n      type: DISCRETE\n      discreteValues:\n      - 1\n      - 4\n      - 4\n"),
      {"study.yaml:9:", "params[0].discreteValues[2]", "strictly increasing, got 4 after 4"});
  ExpectError(WithParam("{parameterName: d, type: DISCRETE, discreteValues: []}\n"),
              {"params[0].discreteValues", "non-empty list"});
  ExpectError(WithParam("{parameterName: c, type: CATEGORICAL, categoricalValues: []}\n"),
              {"params[0].categoricalValues", "CATEGORICAL parameters need a non-empty list"});
  ExpectError(WithParam("{parameterName: c, type: CATEGORICAL, categoricalValues: [a, b, a]}\n"),
              {"params[0].categoricalValues[2]", "'a' appears twice"});
  ExpectError(WithParam("{parameterName: c, type: CATEGORICAL, categoricalValues: [a], scaleType: UNIT_LOG_SCALE}\n"),
              {"params[0].scaleType", "does not apply to CATEGORICAL"});
  ExpectError(WithParam("{parameterName: c, type: CATEGORICAL, categoricalValues: [a], minValue: 1}\n"),
              {"params[0].minValue: does not apply to CATEGORICAL parameters"});
  ExpectError(WithParam("{parameterName: x, type: DOUBLE, minValue: abc, maxValue: 1}\n"),
              {"params[0].minValue: expected a number, got 'abc'"});
  ExpectError(WithParam("{parameterName: x, type: DOUBLE, minValue: .nan, maxValue: 1}\n"),
              {"params[0].minValue: expected a finite number"});
  ExpectError(WithParam("{parameterName: --lr, type: DOUBLE, minValue: 0, maxValue: 1}\n"),
              {"params[0].parameterName", "starts with '-'"});
  ExpectError(WithParam("{parameterName: learning rate, type: DOUBLE, minValue: 0, maxValue: 1}\n"),
              {"params[0].parameterName", "becomes the trainer flag"});
  std::string many = "{parameterName: d, type: DISCRETE, discreteValues: [";
  for (int i = 0; i <= 1000; ++i) many += (i ? ", " : "") + std::to_string(i);
  ExpectError(WithParam(many + "]}\n"), {"params[0].discreteValues", "has 1001 values, at most 1000"});
}

TEST(StudySpecTest, StudyLevelNumbersAreChecked) {
  const std::string param = "{parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\n";
  ExpectError(WithParam(param, "    maxTrials: 0\n"), {"study.yaml:3:", "maxTrials: must be at least 1, got 0"});
  ExpectError(WithParam(param, "    maxParallelTrials: 2.5\n"),
              {"maxParallelTrials: expected a whole number, got '2.5'"});
  ExpectError(WithParam(param, "    maxFailedTrials: -1\n"), {"maxFailedTrials: must be at least 0"});
  ExpectError(WithParam(param, "    enableTrialEarlyStopping: perhaps\n"),
              {"enableTrialEarlyStopping: expected true or false"});
  ExpectError(WithParam(param, "    hyperparameterMetricTag: ''\n"), {"hyperparameterMetricTag: must not be empty"});
}

TEST(StudySpecTest, TrainerExtensionIsChecked) {
  const std::string head = "hyperparameters: {params: [{parameterName: x, type: INTEGER, minValue: 0, maxValue: 1}]}\n";
  ExpectError(head + "trainer:\n  command: python3 task.py\n",
              {"study.yaml:3:", "trainer.command", "lever runs no shell, so split the line into a list"});
  ExpectError(head + "trainer: {command: []}\n", {"trainer.command", "non-empty list"});
  ExpectError(head + "trainer: {command: [x], timeout_seconds: 0}\n", {"trainer.timeout_seconds: must be positive"});
  ExpectError(head + "trainer: {command: [x], env: {CLOUD_ML_TRIAL_ID: 3}}\n", {"trainer.env.CLOUD_ML_TRIAL_ID"});
  ExpectError(head + "trainer: {command: [x], env: {1BAD: 3}}\n", {"not a valid environment variable name"});
  ExpectError(head + "hyperparameters: {}\ntrainingInput: {hyperparameters: {}}\n", {"appears twice"});
  ExpectError("hyperparameters: {}\ntrainingInput: {hyperparameters: {}}\n",
              {"hyperparameters: give the hyperparameters block once"});
}

TEST(StudySpecTest, InvalidYamlNamesTheLine) {
  ExpectError("trainingInput:\n  hyperparameters: [\n", {"not valid YAML"});
  ExpectError("- 1\n- 2\n", {"expected a map"});
}

TEST(StudySpecTest, ValidateParametersChecksSpecsBuiltInCode) {
  ParameterSpec lr{
      .name = "lr", .type = ParameterType::kDouble, .min_value = 0.0, .max_value = 1.0, .scale = ScaleType::kLog};
  try {
    ValidateParameters({lr});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("params[0].minValue ('lr'): UNIT_LOG_SCALE needs a strictly positive range"),
              std::string::npos)
        << e.what();
  }
  lr.min_value = 1e-3;
  EXPECT_NO_THROW(ValidateParameters({lr}));
  EXPECT_THROW(ValidateParameters({lr, lr}), ConfigError);
  EXPECT_THROW(ValidateParameters({}), ConfigError);
}

TEST(StudySpecTest, ClosestMatchFindsTyposOnly) {
  EXPECT_EQ(internal::EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(internal::EditDistance("ABC", "abc"), 0);
  EXPECT_EQ(internal::ClosestMatch("maxTrails", {"goal", "maxTrials", "maxParallelTrials"}), "maxTrials");
  EXPECT_EQ(internal::ClosestMatch("banana", {"goal", "maxTrials"}), "");
}

}  // namespace
}  // namespace lever::tune
