#include "lever/estimator/job_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

namespace fs = std::filesystem;

class JobConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lever_job_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  JobConfig Load(const std::string& eval, const std::vector<std::string>& overrides = {}) {
    const fs::path path = dir_ / "run.yaml";
    std::ofstream(path) << "data: {train: train.csv, eval: eval.csv, label: y}\n" << eval << "\n";
    return LoadJobConfig(path.string(), overrides);
  }

  // The ConfigError's message, from "run.yaml" on (the directory is left out).
  std::string ErrorOf(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    try {
      Load(yaml, overrides);
    } catch (const ConfigError& e) {
      const std::string message = e.what();
      const size_t file = message.find("run.yaml");
      return file == std::string::npos ? message : message.substr(file);
    }
    return "(no error)";
  }

  fs::path dir_;
};

// Early stopping's goal follows the metric's name unless the config gives one: an accuracy or AUC that
// early stopping minimized would stop a run that is still improving.
TEST_F(JobConfigTest, EarlyStoppingGoalFollowsTheMetric) {
  EXPECT_FALSE(Load("eval: {early_stopping: {patience_steps: 10}}").early_stopping_maximize);
  EXPECT_FALSE(Load("eval: {early_stopping: {metric: loss}}").early_stopping_maximize);
  EXPECT_TRUE(Load("eval: {early_stopping: {metric: auc}}").early_stopping_maximize);
  EXPECT_TRUE(Load("eval: {early_stopping: {metric: accuracy}}").early_stopping_maximize);
  EXPECT_FALSE(Load("eval: {early_stopping: {metric: auc, goal: minimize}}").early_stopping_maximize);
  EXPECT_TRUE(Load("eval: {early_stopping: {metric: loss, goal: maximize}}").early_stopping_maximize);
  // The exporter's goal is early stopping's for the same metric.
  EXPECT_TRUE(Load("eval: {early_stopping: {metric: auc}, export: best}").export_maximize);
}

TEST_F(JobConfigTest, MisspelledKeysSuggestTheClosestValidKey) {
  EXPECT_EQ(ErrorOf("estimator:\n  type: dnn\n  learning_rat: 0.1\n"),
            "run.yaml:4: estimator.learning_rat: unknown key (did you mean learning_rate?); valid keys here: "
            "activation, dropout, head, hidden_units, l1, l2, label_vocabulary, learning_rate, linear_learning_rate, "
            "linear_optimizer, optimizer, positive_class, type");
  EXPECT_EQ(ErrorOf("", {"train.max_step=5"}),
            "run.yaml with --train.max_step=...: train.max_step: unknown key (did you mean max_steps?); valid keys "
            "here: batch_size, clip_norm, max_steps, patience, validation_split");
}

TEST_F(JobConfigTest, DuplicateKeysNameBothLines) {
  EXPECT_EQ(ErrorOf("train:\n  max_steps: 10\n  batch_size: 4\n  max_steps: 20\n"),
            "run.yaml:5: train.max_steps: appears twice (first on line 3); keep one");
  EXPECT_EQ(ErrorOf("data: {train: other.csv}\n"), "run.yaml:2: data: appears twice (first on line 1); keep one");
  // An override's value is read by the same reader: no duplicate keys, no aliases that expand too far.
  EXPECT_EQ(ErrorOf("", {"train={max_steps: 5, max_steps: 6}"}),
            "run.yaml with --train=...:1: max_steps: appears twice (first on line 1); keep one");
  std::string laughs = "estimator.hidden_units=[";
  for (int i = 0; i < 70; ++i) laughs += "[";
  laughs += std::string(70, ']') + "]";
  EXPECT_EQ(ErrorOf("", {laughs}),
            "run.yaml with --estimator.hidden_units=...: nests 71 levels deep (each alias *name counted as a copy of "
            "its anchor); lever reads at most 64 levels. Flatten the nesting (a crossed column of crossed columns, "
            "for example)");
}

TEST_F(JobConfigTest, ValuesOfTheWrongTypeNameTheLineAndWhatIsExpected) {
  EXPECT_EQ(ErrorOf("train: {max_steps: many}\n"),
            "run.yaml:2: train.max_steps: expected a whole number of steps, got 'many'");
  EXPECT_EQ(ErrorOf("estimator: {hidden_units: [64, 0]}\n"),
            "run.yaml:2: estimator.hidden_units: every layer needs at least one unit");
  EXPECT_EQ(ErrorOf("eval: {export: {strategy: sometimes}}\n"),
            "run.yaml:2: eval.export.strategy: 'sometimes' is not an export strategy; valid: final, latest, best");
  EXPECT_EQ(ErrorOf("", {"estimator.dropout=1.5"}),
            "run.yaml with --estimator.dropout=...: estimator.dropout: must be in [0, 1)");
}

// The numeric rules name the run config's keys and lines, never the C++ fields (train_spec.max_steps).
TEST_F(JobConfigTest, NumericRulesNameTheKeyAndItsLine) {
  EXPECT_EQ(ErrorOf("train: {max_steps: -1}\n"), "run.yaml:2: train.max_steps: must be at least 0, got -1");
  EXPECT_EQ(ErrorOf("train:\n  batch_size: 0\n"), "run.yaml:3: train.batch_size: must be at least 1, got 0");
  EXPECT_EQ(ErrorOf("train: {clip_norm: -0.5}\n"),
            "run.yaml:2: train.clip_norm: expected a number >= 0 (0 turns clipping off), got '-0.5'");
  EXPECT_EQ(ErrorOf("eval: {every_steps: -5}\n"), "run.yaml:2: eval.every_steps: must be at least 0, got -5");
  EXPECT_EQ(ErrorOf("eval: {throttle_secs: -1}\n"),
            "run.yaml:2: eval.throttle_secs: expected a number of seconds >= 0 (0: off), got '-1'");
  EXPECT_EQ(ErrorOf("run: {keep_checkpoint_max: 0}\n"),
            "run.yaml:2: run.keep_checkpoint_max: must be at least 1, got 0");
  EXPECT_EQ(ErrorOf("run: {save_checkpoints_secs: 0}\n"),
            "run.yaml:2: run.save_checkpoints_secs: expected a positive number of seconds, got '0'");
  EXPECT_EQ(ErrorOf("", {"train.max_steps=-3"}),
            "run.yaml with --train.max_steps=...: train.max_steps: must be at least 0, got -3");
  // The library's own check, for specs built in C++, names the same keys.
  TrainSpec spec;
  spec.max_steps = -1;
  std::string message = "(no error)";
  try {
    spec.Validate();
  } catch (const ConfigError& e) {
    message = e.message();
  }
  EXPECT_EQ(message, "train.max_steps must be >= 0, got -1");
}

}  // namespace
}  // namespace lever
