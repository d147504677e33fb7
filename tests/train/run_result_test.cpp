#include "lever/train/run_result.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testing/files.h"

namespace lever {
namespace {

std::vector<std::string> Keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(RunResultTest, OneSchemaInAFixedOrder) {
  RunResult r;
  r.global_step = 300;
  r.steps = 100;
  r.train_seconds = 0.5;
  r.metrics = {{"loss", 0.25}, {"accuracy", 0.9}};
  nlohmann::ordered_json j = r.ToJson();
  // Steps and time first, then the figures in the order given; nothing the run did not decide or judge.
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"global_step", "steps", "train_seconds", "loss", "accuracy"}));
  EXPECT_EQ(j["global_step"], 300);
  EXPECT_EQ(j["accuracy"], 0.9);

  r.task = "binary";
  r.classes = {"no", "yes"};
  r.holdout_rows = 40;
  r.holdout = {90, 0.1, true};
  Convergence c;
  c.converged = false;
  c.change = 0.12;
  c.tolerance = 0.03;
  c.reason = "not converged";
  r.convergence = c;
  r.extras["per_label"] = {{"a", 1}};
  j = r.ToJson();
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"global_step", "steps", "train_seconds", "loss", "accuracy", "task",
                                               "classes", "early_stopping", "convergence", "per_label"}));
  EXPECT_EQ(j["classes"], nlohmann::ordered_json({"no", "yes"}));
  EXPECT_EQ(j["early_stopping"]["holdout_rows"], 40);
  EXPECT_EQ(j["early_stopping"]["best_step"], 90);
  EXPECT_EQ(j["early_stopping"]["stopped_early"], true);
  EXPECT_EQ(j["convergence"]["converged"], false);
  EXPECT_EQ(j["convergence"]["reason"], "not converged");
}

TEST(RunResultTest, WritesWhatToJsonSays) {
  RunResult r;
  r.steps = r.global_step = 7;
  r.metrics = {{"loss", 1.5}};
  const std::string path = testing::TempPath("result.json");
  r.Write(path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), r.ToJson().dump(2) + "\n");
}

}  // namespace
}  // namespace lever
