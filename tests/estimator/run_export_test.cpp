#include "lever/estimator/run_export.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/estimator/job_config.h"
#include "lever/tensor/rng.h"
#include "lever/train/run_arguments.h"
#include "testing/files.h"

namespace lever {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TrainingRunSpec Spiral(const std::string& activation, int64_t steps) {
  TrainingRunSpec spec;
  spec.data.dataset = "spiral";
  spec.data.features = {"x1", "x2", "sin(x1)"};
  spec.data.noise = 10;
  spec.mlp.hidden = {8, 8};
  spec.mlp.activation = activation;
  spec.config.max_steps = steps;
  spec.config.seed = 7;
  spec.data.seed = 7;
  return spec;
}

// The bundle applied to the export's test.csv, as `lever predict --model` applies it.
Tensor BundlePredictions(const std::string& directory) {
  Job served = LoadBundle((fs::path(directory) / "bundle").string());
  return served.estimator->Predict(served.Read((fs::path(directory) / "test.csv").string(), false));
}

// The bundle's evaluation of the export's test.csv, as `lever eval --model` makes it.
std::map<std::string, double> BundleEvaluation(const std::string& directory) {
  Job served = LoadBundle((fs::path(directory) / "bundle").string());
  return served.estimator->Evaluate(served.Read((fs::path(directory) / "test.csv").string(), true));
}

// Exports `run` (trained) and checks the bundle predicts bit for bit what the run's model does, and
// evaluates the test set as the run did.
void ExpectExportMatchesRun(TrainingRun& run, const TrainingOutcome& outcome, const std::string& head) {
  const std::string directory = testing::TempPath("export");
  const RunExport exported = ExportRun(run, directory);
  EXPECT_EQ(exported.head, head);
  EXPECT_EQ(exported.step, run.trainer().step());
  for (const char* file : {"bundle/bundle.json", "run.yaml", "train.csv", "test.csv", "command.txt"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::path(directory) / file)) << file;
  }
  const Tensor expected = run.trainer().Predict(run.data().test.features);
  const Tensor got = BundlePredictions(directory);
  ASSERT_EQ(got.rows(), expected.rows());
  ASSERT_EQ(got.cols(), expected.cols());
  for (Index i = 0; i < got.rows(); ++i) {
    for (Index j = 0; j < got.cols(); ++j) ASSERT_EQ(got(i, j), expected(i, j)) << "row " << i;
  }
  const std::map<std::string, double> metrics = BundleEvaluation(directory);
  // The run's loss comes from the logits in float, the head's log loss from the float probabilities (whose
  // rounding near 0 and 1 it inherits), in double: the same to about four decimals.
  EXPECT_NEAR(metrics.at("loss"), outcome.result.validation->loss, 1e-4 * (1 + outcome.result.validation->loss));
  if (head == "binary") {
    EXPECT_DOUBLE_EQ(metrics.at("accuracy"), outcome.result.validation->accuracy);
  }
  EXPECT_EQ(ReadBundleManifest((fs::path(directory) / "bundle").string())["global_step"], run.trainer().step());
  // The run config the export wrote is one lever train --config reads, with the run's network.
  const JobConfig config = LoadJobConfig((fs::path(directory) / "run.yaml").string());
  EXPECT_EQ(config.type, "dnn");
  EXPECT_EQ(config.hidden_units, run.spec().mlp.hidden);
  EXPECT_EQ(config.activation, run.spec().mlp.activation);
  EXPECT_EQ(config.train_spec.max_steps, run.trainer().step());
  EXPECT_EQ(config.train_spec.batch_size, run.config().batch_size);
  EXPECT_EQ(config.learning_rate, run.config().optimizer.learning_rate);
  EXPECT_EQ(config.validation_split, 0.0);
  EXPECT_EQ(Read(fs::path(directory) / "command.txt"), TrainCommandLine(RunArguments(run)) + "\n");
}

TEST(RunExportTest, SpiralBundlePredictsTheRunsProbabilitiesBitForBit) {
  TrainingRun run(Spiral("tanh", 300));
  const TrainingOutcome outcome = run.Run();
  ExpectExportMatchesRun(run, outcome, "binary");
}

TEST(RunExportTest, PerLayerActivationsMapOntoTheDnn) {
  TrainingRun run(Spiral("relu,tanh", 300));
  const TrainingOutcome outcome = run.Run();
  ExpectExportMatchesRun(run, outcome, "binary");
}

TEST(RunExportTest, RegressionKeepsTheRunsTargetScale) {
  TrainingRunSpec spec;
  spec.data.dataset = "plane";
  spec.data.noise = 5;
  spec.config.max_steps = 300;
  TrainingRun run(spec);
  const TrainingOutcome outcome = run.Run();
  ASSERT_FALSE(run.trainer().target_scale().identity());
  ExpectExportMatchesRun(run, outcome, "regression");
}

TEST(RunExportTest, TrainingDataIsTheModelsFeaturesAndLabel) {
  TrainingRun run(Spiral("tanh", 10));
  run.Run();
  const std::string directory = testing::TempPath("export");
  ExportRun(run, directory);
  std::istringstream train(Read(fs::path(directory) / "train.csv"));
  std::string header, first;
  std::getline(train, header);
  std::getline(train, first);
  EXPECT_EQ(header, "x1,x2,sin_x1,label");
  EXPECT_EQ(fmt::format("{},{},{},{}", run.data().train.features(0, 0), run.data().train.features(0, 1),
                        run.data().train.features(0, 2), run.data().train.labels(0, 0)),
            first);
  const std::string yaml = Read(fs::path(directory) / "run.yaml");
  EXPECT_TRUE(Contains(yaml, "command.txt holds the command line that reproduces the run"));
  EXPECT_TRUE(Contains(yaml, "numeric: {key: sin_x1, standardize: false}"));
  EXPECT_TRUE(Contains(yaml, "head: binary"));
}

// A playground session trains in slices and exports between them: each export holds the weights of its
// step, and its command line trains that many steps.
TEST(RunExportTest, ExportsTheCurrentWeightsBetweenSlices) {
  TrainingRunSpec spec = Spiral("tanh", 1000);
  TrainingRun run(spec);
  run.trainer().set_max_steps(40);
  run.trainer().Train(run.data().train, &run.data().test);
  const std::string first = testing::TempPath("first");
  EXPECT_EQ(ExportRun(run, first).step, 40);
  EXPECT_TRUE(Contains(Read(fs::path(first) / "command.txt"), " --steps 40 "));
  run.trainer().set_max_steps(90);
  run.trainer().Train(run.data().train, &run.data().test);
  const std::string second = testing::TempPath("second");
  EXPECT_EQ(ExportRun(run, second).step, 90);
  const Tensor expected = run.trainer().Predict(run.data().test.features);
  const Tensor got = BundlePredictions(second);
  for (Index i = 0; i < got.rows(); ++i) ASSERT_EQ(got(i, 0), expected(i, 0));
  EXPECT_NE(BundlePredictions(first)(0, 0), got(0, 0));
}

TEST(RunExportTest, CommandLineSpellsEveryKnob) {
  TrainingRunSpec spec = Spiral("relu,tanh", 0);
  spec.mlp.dropout = 0.25;
  spec.mlp.regularizer.l2 = 0.001;
  spec.config.optimizer.name = "momentum";
  spec.config.optimizer.learning_rate = 0.03;
  spec.config.optimizer.options = {{"momentum", 0.8}};
  spec.config.clip_norm = 1.5;
  spec.schedule.name = "exponential";
  spec.schedule.decay_steps = 100;
  spec.schedule.decay_rate = 0.5;
  spec.data.features = {"x1", "x1*x2"};
  TrainingRun run(spec);
  // The run builds the schedule from the spec, starting at its learning rate.
  ASSERT_NE(run.config().optimizer.schedule, nullptr);
  EXPECT_DOUBLE_EQ(run.config().optimizer.schedule->Rate(0), 0.03);
  EXPECT_DOUBLE_EQ(run.config().optimizer.schedule->Rate(100), 0.015);
  EXPECT_EQ(TrainCommandLine(RunArguments(run)),
            "lever train --dataset spiral --features 'x1,x1*x2' --noise 10 --train-percent 50 --hidden 8,8 "
            "--activation relu,tanh --initializer glorot_uniform --l2 0.001 --dropout 0.25 --optimizer momentum "
            "--learning-rate 0.03 --opt momentum=0.8 --lr-schedule exponential --decay-steps 100 --decay-rate 0.5 "
            "--batch-size 10 --steps 0 --seed 7 --clip-norm 1.5");
  // The knobs a run config lacks are named in its comments.
  const std::string directory = testing::TempPath("export");
  const RunExport exported = ExportRun(run, directory);
  EXPECT_EQ(exported.notes.size(), 3);
  const std::string yaml = Read(fs::path(directory) / "run.yaml");
  EXPECT_TRUE(Contains(yaml, "#   --l1 0 --l2 0.001 (on every kernel): a run config's estimator.l1"));
  EXPECT_TRUE(Contains(yaml, "#   --opt momentum=0.8: a run config has no optimizer options"));
  EXPECT_TRUE(Contains(yaml, "#   --lr-schedule exponential: a run config has no learning-rate schedule"));
  EXPECT_TRUE(Contains(yaml, "dropout: 0.25"));
  EXPECT_TRUE(Contains(yaml, "clip_norm: 1.5"));
  EXPECT_TRUE(Contains(yaml, "optimizer: momentum"));
  // An untrained run exports its initial weights.
  EXPECT_EQ(exported.step, 0);
}

TEST(RunExportTest, RefusesADirectoryThatHoldsFilesOrIsALink) {
  TrainingRun run(Spiral("tanh", 0));
  const std::string full = testing::TempPath("full");
  fs::create_directories(full);
  std::ofstream(fs::path(full) / "keep.txt") << "mine\n";
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportRun(run, full); }), "exists and is not an empty directory"));
  EXPECT_EQ(Read(fs::path(full) / "keep.txt"), "mine\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(full), fs::directory_iterator()), 1);

  const std::string empty = testing::TempPath("empty");
  fs::create_directories(empty);
  const std::string link = testing::TempPath("link");
  fs::create_directory_symlink(empty, link);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportRun(run, link); }), "is a symbolic link"));
  EXPECT_TRUE(fs::is_empty(empty));
  // An empty directory is fine, and nothing is left beside it.
  ExportRun(run, empty);
  EXPECT_TRUE(fs::is_regular_file(fs::path(empty) / "run.yaml"));
  for (const auto& entry : fs::directory_iterator(fs::path(empty).parent_path())) {
    EXPECT_FALSE(Contains(entry.path().filename().string(), ".tmp-")) << entry.path();
  }
}

// A server exports its sessions' runs side by side: two exports into one parent directory at once, each
// into its own target, both succeed (no lock on the parent), and the same target is written once.
TEST(RunExportTest, ConcurrentExportsIntoOneDirectory) {
  TrainingRun first(Spiral("tanh", 20)), second(Spiral("relu", 20));
  first.Run();
  second.Run();
  const std::string parent = testing::TempPath("parent");
  std::string first_error, second_error;
  std::thread other([&] {
    try {
      ExportRun(second, parent + "/b");
    } catch (const Error& e) {
      second_error = e.what();
    }
  });
  try {
    ExportRun(first, parent + "/a");
  } catch (const Error& e) {
    first_error = e.what();
  }
  other.join();
  EXPECT_EQ(first_error, "");
  EXPECT_EQ(second_error, "");
  EXPECT_TRUE(fs::is_regular_file(fs::path(parent) / "a" / "bundle" / "bundle.json"));
  EXPECT_TRUE(fs::is_regular_file(fs::path(parent) / "b" / "bundle" / "bundle.json"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportRun(first, parent + "/b"); }), "not an empty directory"));
}

TEST(RunExportTest, RefusesKnobsTheEstimatorLacks) {
  TrainingRunSpec spec = Spiral("tanh", 0);
  spec.mlp.batch_norm = true;
  TrainingRun batch_norm(spec);
  const std::string directory = testing::TempPath("export");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { CheckExportable(batch_norm, directory); }), "--batch-norm"));
  EXPECT_FALSE(fs::exists(directory));

  spec = Spiral("tanh", 0);
  spec.data.features = {"x1", "x1"};
  TrainingRun twice(spec);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportRun(twice, directory); }), "--features lists x1 twice"));
  EXPECT_FALSE(fs::exists(directory));

  // A diverged run has no model to export.
  TrainingRun diverged(Spiral("tanh", 0));
  diverged.model().parameters().All().front()->value(0, 0) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportRun(diverged, directory); }), "training diverged"));
  EXPECT_FALSE(fs::exists(directory));
}

// y = 3 x1 - 2 x2 + 100 with a few empty cells; `text` adds a text column.
std::string TableCsv(int rows, int seed, bool text) {
  std::ostringstream out;
  out << "x1,x2," << (text ? "city," : "") << "y\n";
  Rng rng(static_cast<uint64_t>(seed));
  for (int i = 0; i < rows; ++i) {
    const double x1 = rng.Uniform() * 10, x2 = rng.Uniform() * 10;
    if (i % 17 == 3) {
      out << "," << x2;
    } else {
      out << x1 << "," << x2;
    }
    if (text) out << "," << (i % 2 == 0 ? "Lima" : "Oslo");
    out << "," << (3 * x1 - 2 * x2 + 100 > 100 ? "yes" : "no") << "\n";
  }
  return out.str();
}

// A numeric table: the files copied, the numbers standardized by numeric columns as the run did (in double
// rather than float, so the predictions agree to float rounding), the label's classes kept.
TEST(RunExportTest, NumericTableAgreesToFloatRounding) {
  TrainingRunSpec spec;
  spec.data.train_file = testing::WriteFile("train.csv", TableCsv(300, 1, false));
  spec.data.test_file = testing::WriteFile("test.csv", TableCsv(100, 2, false));
  spec.data.label = "y";
  spec.UseTableDefaults({});
  spec.config.max_steps = 200;
  TrainingRun run(spec);
  const TrainingOutcome outcome = run.Run();
  const std::string directory = testing::TempPath("export");
  const RunExport exported = ExportRun(run, directory);
  EXPECT_EQ(exported.head, "binary");
  EXPECT_EQ(Read(fs::path(directory) / "train.csv"), Read(spec.data.train_file));
  const Tensor expected = run.trainer().Predict(run.data().test.features);
  const Tensor got = BundlePredictions(directory);
  double worst = 0.0;
  for (Index i = 0; i < got.rows(); ++i) worst = std::max(worst, std::abs(double{got(i, 0)} - expected(i, 0)));
  EXPECT_LT(worst, 1e-5);
  EXPECT_NEAR(BundleEvaluation(directory).at("loss"), outcome.result.validation->loss, 1e-4);
  const std::string yaml = Read(fs::path(directory) / "run.yaml");
  EXPECT_TRUE(Contains(yaml, "numeric: {key: x1, standardize: true}"));
  EXPECT_TRUE(Contains(yaml, "label_vocabulary: [\"no\", \"yes\"]"));
  EXPECT_TRUE(Contains(yaml, "validation_split: 0.1"));

  spec.data.train_file = testing::WriteFile("text_train.csv", TableCsv(300, 1, true));
  spec.data.test_file = testing::WriteFile("text_test.csv", TableCsv(100, 2, true));
  TrainingRun text(spec);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { CheckExportable(text, testing::TempPath("text")); }),
                       "column 'city' is text"));
}

// One table split by --train-percent: train.csv and test.csv hold the rows the run trained and tested on, and
// the command line splits the same file again.
TEST(RunExportTest, ASplitTableExportsItsTwoParts) {
  TrainingRunSpec spec;
  spec.data.train_file = testing::WriteFile("all.csv", TableCsv(300, 1, false));
  spec.data.split_train_file = true;
  spec.data.train_percent = 70;
  spec.data.validation_split = 0;
  spec.data.label = "y";
  spec.UseTableDefaults({});
  spec.config.max_steps = 200;
  TrainingRun run(spec);
  const TrainingOutcome outcome = run.Run();
  const std::string directory = testing::TempPath("split_export");
  ExportRun(run, directory);
  const auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  EXPECT_EQ(lines(Read(fs::path(directory) / "train.csv")), 1 + 210);
  EXPECT_EQ(lines(Read(fs::path(directory) / "test.csv")), 1 + 90);
  const Tensor expected = run.trainer().Predict(run.data().test.features);
  const Tensor got = BundlePredictions(directory);
  ASSERT_EQ(got.rows(), 90);
  double worst = 0.0;
  for (Index i = 0; i < got.rows(); ++i) worst = std::max(worst, std::abs(double{got(i, 0)} - expected(i, 0)));
  EXPECT_LT(worst, 1e-5);
  const std::string command = Read(fs::path(directory) / "command.txt");
  EXPECT_TRUE(Contains(command, "--train-percent 70"));
  EXPECT_FALSE(Contains(command, "--test-file"));
}

}  // namespace
}  // namespace lever
