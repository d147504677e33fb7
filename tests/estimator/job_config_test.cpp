#include "lever/estimator/job_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace lever {
namespace {

namespace fs = std::filesystem;

class JobConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lever_job_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  JobConfig Load(const std::string& eval) {
    const fs::path path = dir_ / "run.yaml";
    std::ofstream(path) << "data: {train: train.csv, eval: eval.csv, label: y}\n" << eval << "\n";
    return LoadJobConfig(path.string());
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

}  // namespace
}  // namespace lever
