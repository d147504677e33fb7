#include "lever/estimator/job_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

namespace fs = std::filesystem;

// Counts what a run shows its observer.
class CountingObserver : public JobObserver {
 public:
  void OnStart(const Job& /*job*/, const Examples& train, const Examples& eval) override {
    train_rows = train.size();
    eval_rows = eval.size();
  }
  bool AfterStep(Learner& /*learner*/, const StepReport& /*report*/) override {
    ++steps;
    return false;
  }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& report) override {
    ++(report.name == "holdout" ? holdout_checks : evaluations);
    return false;
  }
  int64_t train_rows = 0, eval_rows = 0;
  int steps = 0, evaluations = 0, holdout_checks = 0;
};

// A yes/no label from two numbers, and a small DNN run config over them.
class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("lever_job_runner_" + std::to_string(getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (const auto& [name, rows] : {std::pair<std::string, int>{"train", 400}, {"test", 100}}) {
      std::ofstream out(dir_ / (name + ".csv"));
      out << "x1,x2,answer\n";
      for (int i = 0; i < rows; ++i) {
        const double x1 = noise(rng), x2 = noise(rng);
        out << x1 << "," << x2 << "," << (x1 + x2 + 0.3 * noise(rng) > 0 ? "yes" : "no") << "\n";
      }
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Config(const std::string& extra) {
    const fs::path path = dir_ / "run.yaml";
    std::ofstream(path) << "data: {train: train.csv, eval: test.csv, label: answer}\n"
                           "estimator: {type: dnn, hidden_units: [4], optimizer: adam, learning_rate: 0.05}\n"
                           "train: {max_steps: 60, batch_size: 32}\n"
                        << extra;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(JobRunnerTest, TrainsEvaluatesAndWritesResultJson) {
  Job job = PrepareJob(LoadJobConfig(Config("eval: {every_steps: 20}\nrun: {model_dir: model}\n")));
  auto observer = std::make_shared<CountingObserver>();
  JobRunOptions options;
  options.tuner = HypertuneReporter();  // whatever the environment says, report to no tuner
  const JobResult r = RunJob(job, options, observer);
  EXPECT_EQ(observer->train_rows, 360);  // 10% of the 400 training rows held out for early stopping
  EXPECT_EQ(r.holdout_rows, 40);
  EXPECT_EQ(observer->eval_rows, 100);
  EXPECT_EQ(observer->steps, 60);
  EXPECT_EQ(observer->evaluations, 3);      // steps 20, 40, 60
  EXPECT_EQ(observer->holdout_checks, 60);  // every max(1, 60 / 100) steps
  EXPECT_FALSE(r.run.train.interrupted);
  EXPECT_FALSE(r.early_stopped);
  EXPECT_TRUE(r.exported.empty());
  EXPECT_GT(r.metrics.at("accuracy"), 0.8);
  ASSERT_EQ(r.result_file, (dir_ / "model" / "result.json").string());

  std::ifstream in(r.result_file);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::ordered_json result = nlohmann::ordered_json::parse(text.str());
  EXPECT_EQ(text.str(), result.dump(2) + "\n");
  EXPECT_EQ(result, JobResultJson(job, r.run, r.holdout_rows));
  std::vector<std::string> keys;
  for (auto it = result.begin(); it != result.end(); ++it) keys.push_back(it.key());
  ASSERT_GE(keys.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 3),
            (std::vector<std::string>{"global_step", "steps", "train_seconds"}));
  EXPECT_EQ(std::vector<std::string>(keys.end() - 3, keys.end()),
            (std::vector<std::string>{"task", "classes", "early_stopping"}));
  EXPECT_EQ(result["early_stopping"]["holdout_rows"], 40);
  EXPECT_EQ(result["early_stopping"]["best_step"], r.run.train.holdout.best_step);
  EXPECT_EQ(result["global_step"], 60);
  EXPECT_EQ(result["accuracy"], r.metrics.at("accuracy"));
  EXPECT_EQ(result["task"], "binary");
  EXPECT_EQ(result["classes"], nlohmann::ordered_json::parse(R"(["no", "yes"])"));

  // The trained job comes back from its checkpoint and evaluates as the run's final evaluation did.
  Job trained = LoadTrainedJob(Config("eval: {every_steps: 20}\nrun: {model_dir: model}\n"), {}, "");
  EXPECT_DOUBLE_EQ(trained.estimator->Evaluate(trained.Read(trained.config.eval, true)).at("accuracy"),
                   r.metrics.at("accuracy"));
}

TEST_F(JobRunnerTest, StopRequestWritesNoResult) {
  Job job = PrepareJob(LoadJobConfig(Config("run: {model_dir: model, save_checkpoints_steps: 10}\n")));
  JobRunOptions options;
  options.tuner = HypertuneReporter();
  options.stop_requested = [] { return true; };
  const JobResult r = RunJob(job, options);
  EXPECT_TRUE(r.run.train.interrupted);
  EXPECT_TRUE(r.metrics.empty());
  EXPECT_TRUE(r.result_file.empty());
  EXPECT_FALSE(fs::exists(dir_ / "model" / "result.json"));
}

TEST_F(JobRunnerTest, ExportNeedsAModelDirectory) {
  Job job = PrepareJob(LoadJobConfig(Config("eval: {export: {strategy: final}}\n")));
  EXPECT_THROW(RunJob(job), ConfigError);
}

TEST_F(JobRunnerTest, LoadTrainedJobNeedsACheckpoint) {
  EXPECT_THROW(LoadTrainedJob(Config(""), {}, ""), ConfigError);                           // no model_dir
  EXPECT_THROW(LoadTrainedJob(Config(""), {}, (dir_ / "nothing").string()), ConfigError);  // no directory
  EXPECT_EQ(LoadJobConfigWithDir(Config(""), {"train.max_steps=7"}, "elsewhere").run.model_dir, "elsewhere");
  EXPECT_EQ(LoadJobConfigWithDir(Config(""), {"train.max_steps=7"}, "").train_spec.max_steps, 7);
}

}  // namespace
}  // namespace lever
