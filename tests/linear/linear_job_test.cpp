#include "lever/linear/linear_job.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/tensor/rng.h"
#include "testing/files.h"

namespace lever {
namespace {

using lever::testing::WriteFile;

// A planted logistic problem as a CSV table: a city (text, effect +-2) and a number x (weight 1.5).
std::string PlantedCsv(const std::string& name, int rows, uint64_t seed) {
  Rng rng(seed);
  const char* cities[] = {"Paris", "London", "Tokyo", "Berlin"};
  const double effects[] = {2.0, -2.0, 0.5, -0.5};
  std::string text = "city,x,clicked\n";
  for (int i = 0; i < rows; ++i) {
    const int c = static_cast<int>(rng.Uniform() * 4) % 4;
    const double x = rng.Uniform() * 4 - 2;
    const double z = effects[c] + 1.5 * x;
    const bool clicked = rng.Uniform() < 1.0 / (1.0 + std::exp(-z));
    text += std::string(cities[c]) + "," + std::to_string(x) + "," + (clicked ? "1" : "0") + "\n";
  }
  return WriteFile(name, text);
}

TEST(LinearJobTest, CsvWithDefaultsTrainsEvaluatesAndReports) {
  LinearJobOptions options;
  options.train_file = PlantedCsv("train.csv", 400, 1);
  options.test_file = PlantedCsv("test.csv", 200, 2);
  options.label = "clicked";
  options.top = 3;
  std::vector<std::string> info;
  int progress_calls = 0;
  const LinearJobResult r = RunLinearJob(
      options, [&](const LinearProgress&) { ++progress_calls; }, [&](const std::string& m) { info.push_back(m); });

  EXPECT_EQ(r.loss, "sigmoid_cross_entropy");
  EXPECT_EQ(r.solver, "online");
  EXPECT_NE(r.optimizer.find("Ftrl("), std::string::npos) << r.optimizer;
  EXPECT_EQ(r.train_rows, 400);
  EXPECT_GT(r.steps, 0);
  // In memory, the batch is min(256, ceil(rows / 16)) = 25 examples.
  EXPECT_EQ(r.train_examples, r.steps * 25);
  EXPECT_EQ(r.train_bad_rows.skipped(), 0);
  EXPECT_EQ(r.evaluation.examples, 200);
  EXPECT_GT(r.evaluation.auc, 0.8);
  EXPECT_EQ(r.classes, (std::vector<std::string>{"0", "1"}));
  // x (1 weight) and city (4 entries and 1 out-of-vocabulary bucket).
  EXPECT_EQ(r.weights, 6);
  EXPECT_GT(r.nonzero_weights, 0);
  EXPECT_GT(r.seconds, 0.0);
  ASSERT_NE(r.model, nullptr);
  EXPECT_EQ(r.model->num_features(), 6);
  EXPECT_EQ(r.convergence.converged, r.not_converged_reason.empty());
  ASSERT_EQ(r.top_weights.size(), 3u);
  EXPECT_GE(std::fabs(r.top_weights[0].weight), std::fabs(r.top_weights[2].weight));
  EXPECT_FALSE(r.top_weights[0].feature.empty());

  // The label decision and the feature columns, as the CLI prints them before training.
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0], r.label_explanation);
  EXPECT_NE(info[0].find("label 'clicked'"), std::string::npos) << info[0];
  EXPECT_EQ(info[1].rfind("feature columns:\n", 0), 0u) << info[1];
  EXPECT_NE(info[1].find("city: vocabulary(city, 4 entries"), std::string::npos) << info[1];
  EXPECT_NE(info[1].back(), '\n');
  EXPECT_EQ(progress_calls, 0);  // fewer than 1000 steps: no report

  const nlohmann::json json = r.ToJson();
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"accuracy", "auc", "classes", "convergence", "log_loss", "loss",
                                            "nonzero_weights", "optimizer", "rmse", "rows_per_second", "seconds",
                                            "solver", "steps", "test_examples", "test_skipped_rows", "train_examples",
                                            "train_rows", "train_skipped_rows"}));
  std::vector<std::string> convergence_keys;
  for (const auto& [key, value] : json["convergence"].items()) convergence_keys.push_back(key);
  EXPECT_EQ(convergence_keys, (std::vector<std::string>{"change", "converged", "iterations", "reason", "tolerance"}));
  EXPECT_EQ(json["train_rows"], 400);
  EXPECT_EQ(json["test_examples"], 200);
}

TEST(LinearJobTest, LibsvmByCoordinateDescentHasNoOptimizer) {
  LinearJobOptions options;
  options.train_file = WriteFile("train.svm", "+1 1:1\n-1 2:1\n+1 1:1 3:1\n-1 2:1 3:1\n+1 1:1\n-1 2:1\n");
  options.solver = "cd";
  options.l2 = 0.01;
  options.top = 1;
  std::vector<std::string> info;
  const LinearJobResult r = RunLinearJob(options, {}, [&](const std::string& m) { info.push_back(m); });
  EXPECT_EQ(r.solver, "cd");
  EXPECT_TRUE(r.optimizer.empty());
  EXPECT_TRUE(r.ToJson()["optimizer"].is_null());
  EXPECT_FALSE(r.ToJson().contains("classes"));
  EXPECT_EQ(r.train_rows, 6);
  EXPECT_EQ(r.train_examples, r.steps * 6);
  ASSERT_FALSE(info.empty());
  EXPECT_EQ(info[0].rfind("coordinate descent: 6 rows, 3 features", 0), 0u) << info[0];
  ASSERT_EQ(r.top_weights.size(), 1u);
  EXPECT_TRUE(r.top_weights[0].feature == "feature 1" || r.top_weights[0].feature == "feature 2")
      << r.top_weights[0].feature;
}

TEST(LinearJobTest, ValidateRejectsBadOptions) {
  LinearJobOptions options;
  options.train_file = "train.svm";
  options.format = "svm";
  EXPECT_THROW(
      {
        try {
          options.Validate();
        } catch (const ConfigError& e) {
          EXPECT_EQ(e.message(), "unknown --format 'svm'. Valid: auto, libsvm, csv.");
          throw;
        }
      },
      ConfigError);
  options.format = "auto";
  options.classes = 3;
  options.loss = "logistic";
  EXPECT_THROW(options.Validate(), ConfigError);  // --classes with the logistic loss
  options.loss = "auto";
  EXPECT_NO_THROW(options.Validate());  // auto with --classes is softmax
  options.classes = 1;
  EXPECT_THROW(options.Validate(), ConfigError);  // ... of at least two classes
  options.classes = 0;
  options.solver = "newton";
  EXPECT_THROW(RunLinearJob(options), ConfigError);  // checked before any file is read
}

TEST(LinearJobTest, SeveralLabelColumnsAreAMultiLabelTask) {
  // y1 follows x, y2 its opposite, y3 both: one sigmoid output per label, scored per label.
  std::string csv = "x,noise,y1,y2,y3\n";
  Rng rng(3);
  for (int i = 0; i < 400; ++i) {
    const double x = rng.Normal(), noise = rng.Normal();
    csv += std::to_string(x) + "," + std::to_string(noise) + "," + (x > 0 ? "1" : "0") + "," + (x > 0 ? "no" : "yes") +
           "," + (i % 2 == 0 ? "1" : "0") + "\n";
  }
  LinearJobOptions options;
  options.train_file = options.test_file = WriteFile("multi.csv", csv);
  options.label = "y1,y2,y3";
  const LinearJobResult r = RunLinearJob(options);
  EXPECT_EQ(r.classes, (std::vector<std::string>{"y1", "y2", "y3"}));
  EXPECT_EQ(r.weights, 2 * 3);  // two numeric features, three outputs
  const LinearEvaluation& e = r.evaluation;
  EXPECT_EQ(e.examples, 400);
  EXPECT_GT(e.label_metrics.at("auc/y1"), 0.97);
  EXPECT_GT(e.label_metrics.at("auc/y2"), 0.97);             // text yes/no, 'yes' the positive value
  EXPECT_NEAR(e.label_metrics.at("accuracy/y3"), 0.5, 0.1);  // nothing to learn
  EXPECT_DOUBLE_EQ(e.auc, e.label_metrics.at("auc"));
  const nlohmann::json j = r.ToJson();
  EXPECT_EQ(j["labels"], nlohmann::json({"y1", "y2", "y3"}));
  EXPECT_DOUBLE_EQ(j["per_label"]["y1"]["auc"].get<double>(), e.label_metrics.at("auc/y1"));

  options.loss = "squared";
  EXPECT_THROW(RunLinearJob(options), ConfigError);  // several labels: logistic only
  options.loss = "logistic";
  options.solver = "cd";
  EXPECT_THROW(RunLinearJob(options), ConfigError);  // coordinate descent fits one output
}

}  // namespace
}  // namespace lever
