#include "lever/train/training_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lever/error.h"
#include "lever/estimator/job_config.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

// y = 3 x1 - 2 x2 + 100 (whole numbers around 100, so regression); a few empty cells.
std::string RegressionCsv(int rows, int seed) {
  std::ostringstream out;
  out << "x1,x2,y\n";
  Rng rng(static_cast<uint64_t>(seed));
  for (int i = 0; i < rows; ++i) {
    const double x1 = rng.Uniform() * 10, x2 = rng.Uniform() * 10;
    if (i % 17 == 3) {
      out << "," << x2;
    } else {
      out << x1 << "," << x2;
    }
    out << "," << static_cast<int>(3 * x1 - 2 * x2 + 100) << "\n";
  }
  return out.str();
}

TEST(TrainingRunTest, CsvRegressionWithDefaultsWritesTheJobDirectory) {
  TrainingRunSpec spec;
  spec.data.train_file = testing::WriteFile("run_train.csv", RegressionCsv(300, 1));
  spec.data.test_file = testing::WriteFile("run_test.csv", RegressionCsv(100, 2));
  spec.data.label = "y";
  spec.job_dir = testing::TempPath("run_job");
  TrainingRun run(spec);
  EXPECT_EQ(run.data().labels.task, Task::kRegression);
  EXPECT_EQ(run.data().holdout.size(), 30);  // 10% held out for early stopping
  EXPECT_EQ(run.data().train.size(), 270);
  const TrainingOutcome o = run.Run();
  EXPECT_EQ(o.loss, "mean_squared_error");
  EXPECT_GE(o.result.best_step, 0);
  // The targets' spread is about 17; standardized targets and early stopping fit them far better.
  EXPECT_LT(o.result.validation->loss, 0.1 * 17 * 17);
  std::ifstream in(std::filesystem::path(spec.job_dir) / "result.json");
  const nlohmann::json written = nlohmann::json::parse(in);
  EXPECT_EQ(written, nlohmann::json(o.json));
  EXPECT_EQ(written["task"], "regression");
  EXPECT_TRUE(written.contains("early_stopping"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(spec.job_dir) / "events.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(spec.job_dir) / "eval" / "events.jsonl"));
  EXPECT_NE(o.Text().find("early stopping: holdout loss"), std::string::npos) << o.Text();
}

// --train-file without --test-file: --train-percent splits its rows by the seed, every row in exactly one
// part, the test rows in file order; the fills come from the training rows only. Without the percent (or
// with too few rows) the error says what to give.
TEST(TrainingRunTest, OneTableSplitsIntoTrainingAndTestRowsBySeed) {
  std::ostringstream csv;
  csv << "x,id,y\n";
  for (int i = 0; i < 200; ++i)
    csv << (i % 10 == 0 ? std::string() : std::to_string(i % 7)) << "," << i << "," << i % 3 << "\n";
  TrainingDataSpec spec;
  spec.train_file = testing::WriteFile("split_all.csv", csv.str());
  spec.label = "y";
  spec.hold_out = false;
  spec.split_train_file = true;
  spec.train_percent = 70;
  spec.standardize = false;
  const TrainingData a = LoadTrainingData(spec);
  ASSERT_EQ(a.train.size(), 140);
  ASSERT_EQ(a.test.size(), 60);
  EXPECT_EQ(a.labels.task, Task::kMultiClass);
  std::vector<int> seen(200, 0);
  for (const Dataset* d : {&a.train, &a.test}) {
    float last = -1;
    for (Index r = 0; r < d->size(); ++r) {
      const float id = d->features(r, 1);
      EXPECT_GT(id, last) << "rows keep the file's order";
      last = id;
      ++seen[static_cast<size_t>(id)];
      EXPECT_EQ(d->labels(r, 0), static_cast<float>(static_cast<int>(id) % 3));
    }
  }
  for (const int n : seen) EXPECT_EQ(n, 1);
  // A missing x takes the mean of the training rows' x.
  double sum = 0;
  int count = 0;
  for (Index r = 0; r < a.train.size(); ++r) {
    if (static_cast<int>(a.train.features(r, 1)) % 10 != 0) {
      sum += a.train.features(r, 0);
      ++count;
    }
  }
  for (Index r = 0; r < a.test.size(); ++r) {
    if (static_cast<int>(a.test.features(r, 1)) % 10 == 0) {
      EXPECT_NEAR(a.test.features(r, 0), sum / count, 1e-4);
    }
  }
  const TrainingData again = LoadTrainingData(spec);
  EXPECT_EQ(again.test.features, a.test.features);
  spec.seed = 2;
  EXPECT_NE(LoadTrainingData(spec).test.features, a.test.features);

  spec.split_train_file = false;
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([&] { LoadTrainingData(spec); }), "or --train-percent P to split its rows"));
  spec.split_train_file = true;
  spec.train_percent = 95;
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { LoadTrainingData(spec); }), "--train-percent must be in 10..90"));
  spec.train_percent = 50;
  spec.train_file = testing::WriteFile("split_one.csv", "x,y\n1,0\n");
  EXPECT_TRUE(
      Contains(ErrorOf<DataError>([&] { LoadTrainingData(spec); }), "it has 1 row; give more rows, or a --test-file"));
}

// Fewer than kMinRowsToHoldOut training rows: all of them train, no early stopping (a 1-row table too).
TEST(TrainingRunTest, TinyTablesKeepEveryRow) {
  for (const int rows : {1, 19}) {
    TrainingRunSpec spec;
    spec.data.train_file = testing::WriteFile("tiny_train.csv", RegressionCsv(rows, 3));
    spec.data.test_file = testing::WriteFile("tiny_test.csv", RegressionCsv(5, 4));
    spec.data.label = "y";
    spec.config.max_steps = 20;
    TrainingRun run(spec);
    EXPECT_EQ(run.data().holdout.size(), 0) << rows;
    EXPECT_EQ(run.data().train.size(), rows);
    EXPECT_EQ(run.Run().result.best_step, -1);
  }
}

TEST(TrainingRunTest, PlaygroundRunsHaveNoHoldoutAndBadKnobsAreNamed) {
  TrainingRunSpec spec;
  spec.config.max_steps = 50;
  TrainingRun run(spec);
  EXPECT_EQ(run.data().holdout.size(), 0);
  const TrainingOutcome o = run.Run();
  EXPECT_EQ(o.result.best_step, -1);
  EXPECT_EQ(o.result.steps, 50);
  EXPECT_EQ(o.loss, "sigmoid_cross_entropy");

  TrainingRunSpec bad;
  bad.patience = -1;
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { TrainingRun r(bad); }), "--patience"));
  bad = TrainingRunSpec();
  bad.data.noise = 70;
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { TrainingRun r(bad); }), "--noise is the Playground's 0-50 scale"));
  bad = TrainingRunSpec();
  bad.data.train_file = "x.csv";
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { TrainingRun r(bad); }), "needs a --test-file"));
}

// A CSV table takes the run config's network for every knob the user did not choose: the flag-driven and
// the run-config forms train the same model. A Playground dataset keeps the Playground's defaults.
TEST(TrainingRunTest, TablesTakeTheRunConfigsNetworkUnlessAKnobWasChosen) {
  const JobConfig config;  // what `lever train --config` gives a table
  TrainingRunSpec table;
  table.data.train_file = "train.csv";
  table.UseTableDefaults({});
  EXPECT_EQ(table.mlp.hidden, config.hidden_units);
  EXPECT_EQ(table.mlp.activation, config.activation);
  EXPECT_EQ(table.config.optimizer.name, config.optimizer);
  EXPECT_EQ(table.config.optimizer.learning_rate, config.learning_rate);
  EXPECT_EQ(table.config.batch_size, config.train_spec.batch_size);
  EXPECT_EQ(table.config.max_steps, config.train_spec.max_steps);

  TrainingRunSpec chosen;
  chosen.data.train_file = "train.csv";
  chosen.mlp.hidden = {5};
  chosen.config.optimizer = {.name = "sgd", .learning_rate = 0.3};
  chosen.UseTableDefaults({.hidden = true, .optimizer = true, .learning_rate = true});
  EXPECT_EQ(chosen.mlp.hidden, std::vector<Index>{5});
  EXPECT_EQ(chosen.config.optimizer.name, "sgd");
  EXPECT_EQ(chosen.config.optimizer.learning_rate, 0.3);
  EXPECT_EQ(chosen.mlp.activation, config.activation);  // not chosen: the table's default
  EXPECT_EQ(chosen.config.max_steps, config.train_spec.max_steps);

  TrainingRunSpec playground;
  const TrainingRunSpec before = playground;
  playground.UseTableDefaults({});
  EXPECT_EQ(playground.mlp.hidden, before.mlp.hidden);
  EXPECT_EQ(playground.mlp.activation, "tanh");
  EXPECT_EQ(playground.config.optimizer.name, "adam");
  EXPECT_EQ(playground.config.batch_size, 10);
  EXPECT_EQ(playground.config.max_steps, 3000);
}

// lever train --fix turns the doctor's knobs: whether one changed the run, and bad values refused (a count
// must be a finite whole number; a float beyond int64 would be undefined behaviour).
TEST(TrainingRunTest, KnobsSayWhetherTheyChangedTheRun) {
  TrainingRunSpec spec;
  EXPECT_TRUE(spec.ApplyKnob("--batch-norm"));
  EXPECT_FALSE(spec.ApplyKnob("--batch-norm"));  // already on: --fix stops rather than train the same run
  EXPECT_TRUE(spec.ApplyKnob("--learning-rate 0.3"));
  EXPECT_FALSE(spec.ApplyKnob("--learning-rate 0.3"));
  EXPECT_TRUE(spec.ApplyKnob("--hidden 16,16"));
  EXPECT_FALSE(spec.ApplyKnob("--hidden 16,16"));
  EXPECT_TRUE(spec.ApplyKnob("--steps 900"));
  EXPECT_EQ(spec.config.max_steps, 900);
  for (const char* bad : {"--steps 1e30", "--steps 2.5", "--steps nan", "--batch-size inf", "--batch-size 0",
                          "--learning-rate -1", "--l2 abc"}) {
    EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { spec.ApplyKnob(bad); }), std::string("the knob '") + bad)) << bad;
  }
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { spec.ApplyKnob("--momentum 0.9"); }), "not one lever train --fix"));
  EXPECT_EQ(spec.config.max_steps, 900);
}

}  // namespace
}  // namespace lever
