#include "lever/sweep/sweep.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/estimator/job_runner.h"
#include "lever/sweep/plots.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

TrainingRunSpec SmallSpiral() {
  TrainingRunSpec spec;
  spec.config.max_steps = 300;
  return spec;
}

TEST(SweepTest, KnobsParseWithTheirFlagAndValues) {
  const SweepKnob lr = ParseSweepKnob("learning_rate=0.001,0.01");
  EXPECT_EQ(lr.name, "learning_rate");
  EXPECT_EQ(lr.flag, "--learning-rate");
  EXPECT_EQ(lr.values, (std::vector<std::string>{"0.001", "0.01"}));
  EXPECT_EQ(ParseSweepKnob("--batch-size=10").flag, "--batch-size");
  EXPECT_EQ(ParseSweepKnob("lr=1").flag, "--learning-rate");
  EXPECT_EQ(ParseSweepKnob("hidden=8;8,8").values, (std::vector<std::string>{"8", "8,8"}));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("momentum=0.9"); }),
                       "not a knob a sweep can turn. Valid: learning_rate, lr, steps"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("l2"); }), "no values"));
  // '/' separates --hidden's values too, with no quotes in a shell.
  EXPECT_EQ(ParseSweepKnob("hidden=8/8,8/16,16").values, (std::vector<std::string>{"8", "8,8", "16,16"}));
}

// Every value is checked before any run: a sweep does not stop in its middle for a typo.
TEST(SweepTest, BadValuesAreRefusedBeforeAnyRun) {
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("lr=0.1,,1"); }), "an empty value"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("lr=0.1,"); }), "an empty value"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("lr=0.1,fast"); }),
                       "--knob lr=0.1,fast: the knob '--learning-rate fast' needs a finite number"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("steps=100,2.5"); }), "needs a whole number"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("steps=1e30"); }), "needs a whole number"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("batch_size=nan"); }), "finite number"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("activation=relu,rleu"); }), "rleu"));
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("optimizer=adam,adamx"); }), "unknown optimizer 'adamx'"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { ParseSweepKnob("initializer=he_normal,he"); }), "he"));
}

// The runs are counted before any combination is built: 100^5 = 10^10 runs is an error at once, not an
// exhausted memory.
TEST(SweepTest, TooManyRunsAreRefusedBeforeTheyAreListed) {
  std::string values = "1";
  for (int i = 2; i <= 100; ++i) values += "," + std::to_string(i);
  SweepSpec spec;
  spec.base = SmallSpiral();
  for (const char* name : {"steps", "batch_size", "l1", "l2", "clip_norm"}) {
    spec.knobs.push_back(ParseSweepKnob(std::string(name) + "=" + values));
  }
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunSweep(spec); }), "more than 10000 runs"));
  spec.knobs = {ParseSweepKnob("lr=0.1")};
  spec.knobs[0].values.clear();
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunSweep(spec); }), "has no values"));
}

// What the progress callback throws comes back to the caller (it would end the process on a worker thread).
TEST(SweepTest, AProgressCallbackThatThrowsReachesTheCaller) {
  SweepSpec spec;
  spec.base = SmallSpiral();
  spec.base.config.max_steps = 20;
  spec.knobs = {ParseSweepKnob("lr=0.01,0.1,0.3")};
  spec.jobs = 2;
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { RunSweep(spec, [](int, int) { throw IoError("stderr is full"); }); }),
                       "stderr is full"));
}

// Each run is the run `lever train` would make with that knob value: same figures, whatever the threads.
TEST(SweepTest, EveryCombinationEqualsItsOwnRunInAnyThreadCount) {
  SweepSpec spec;
  spec.base = SmallSpiral();
  spec.knobs = {ParseSweepKnob("learning_rate=0.003,0.3"), ParseSweepKnob("batch_size=5,20")};
  spec.seeds = 2;
  spec.jobs = 1;
  const std::vector<SweepRun> one = RunSweep(spec);
  ASSERT_EQ(one.size(), 8u);
  EXPECT_EQ(one[0].values, (std::vector<std::string>{"0.003", "5"}));
  EXPECT_EQ(one[1].seed, 2u);
  EXPECT_EQ(one[7].values, (std::vector<std::string>{"0.3", "20"}));
  spec.jobs = 3;
  const std::vector<SweepRun> three = RunSweep(spec);
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_EQ(one[i].test_loss, three[i].test_loss) << i;
    EXPECT_EQ(one[i].finding, three[i].finding) << i;
  }
  TrainingRunSpec alone = SmallSpiral();
  alone.config.optimizer.learning_rate = 0.3;
  alone.config.batch_size = 5;
  alone.config.seed = alone.data.seed = 2;
  alone.doctor = true;
  TrainingRun run(alone);
  const TrainingOutcome o = run.Run();
  EXPECT_EQ(one[5].test_loss, o.result.validation->loss);  // learning_rate 0.3, batch 5, seed 2
  EXPECT_EQ(one[5].curve.size(), 10u);                     // ten evaluations a run
  EXPECT_EQ(one[5].curve.back().test_loss, o.result.validation->loss);
}

// A run config sweep: each run is the job with the knob as its override, bit for bit, and writes nothing.
TEST(SweepTest, AConfigRunIsTheJobWithTheKnobsAsOverrides) {
  const std::filesystem::path dir = testing::TempPath("sweep_config");
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "t.csv");
    csv << "a,b,y\n";
    for (int i = 0; i < 200; ++i)
      csv << (i % 7) * 0.3 << "," << (i % 5) - 2 << "," << ((i % 7) * 0.3 > (i % 5) - 1) << "\n";
  }
  const std::string config = (dir / "run.yaml").string();
  std::ofstream(config) << "data: {train: " << (dir / "t.csv").string() << ", eval: " << (dir / "t.csv").string()
                        << ", label: y}\nrun: {model_dir: " << (dir / "model").string() << "}\n";
  SweepSpec spec;
  spec.config = config;
  spec.config_overrides = {"train.max_steps=200"};
  spec.knobs = {ParseSweepKnob("learning_rate=0.001,0.1"), ParseSweepKnob("hidden=4/8,8")};
  spec.base.config.seed = 3;
  spec.jobs = 2;
  const std::vector<SweepRun> runs = RunSweep(spec);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(dir / "model"));  // no model directory, no checkpoints to resume
  JobConfig c = LoadJobConfigWithDir(
      config, {"train.max_steps=200", "estimator.learning_rate=0.1", "estimator.hidden_units=[8,8]", "run.seed=3"}, "");
  c.run.model_dir.clear();
  c.doctor = true;
  Job job = PrepareJob(std::move(c));
  const JobResult alone = RunJob(job, {});
  EXPECT_EQ(runs[3].values, (std::vector<std::string>{"0.1", "8,8"}));
  EXPECT_EQ(runs[3].test_loss, alone.metrics.at("loss"));
  EXPECT_EQ(runs[3].test_accuracy, alone.metrics.at("accuracy"));
  EXPECT_EQ(runs[3].finding, alone.findings.empty() ? "healthy" : alone.findings.front().id);
  EXPECT_EQ(runs[3].kernel_weights, 2 * 8 + 8 * 8 + 8);
  EXPECT_FALSE(runs[3].curve.empty());
  EXPECT_EQ(runs[3].curve.back().test_loss, alone.metrics.at("loss"));

  spec.knobs = {ParseSweepKnob("initializer=zeros,ones")};
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunSweep(spec); }), "--knob initializer: a run config has no key"));
  spec.knobs = {ParseSweepKnob("lr=0.1")};
  spec.config = (dir / "missing.yaml").string();
  EXPECT_THROW(RunSweep(spec), Error);  // the config is loaded before any run
}

TEST(SweepTest, ADivergingRunIsKeptWithTheDoctorsVerdict) {
  SweepSpec spec;
  spec.base.data.dataset = "plane";
  spec.base.mlp.hidden = {8};
  spec.base.mlp.activation = "relu";
  spec.base.config.optimizer = {.name = "sgd", .learning_rate = 0.01};
  spec.base.config.max_steps = 300;
  spec.knobs = {ParseSweepKnob("learning_rate=0.01,0.3")};
  const std::vector<SweepRun> runs = RunSweep(spec);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_FALSE(runs[0].diverged);
  EXPECT_TRUE(runs[1].diverged);
  EXPECT_GT(runs[1].diverged_at, 0);
  EXPECT_EQ(runs[1].finding, "learning_rate_too_high");
  EXPECT_TRUE(std::isnan(runs[1].test_loss));
  const std::string table = SweepTableText(spec.knobs, runs);
  EXPECT_NE(table.find("learning_rate_too_high (diverged at step"), std::string::npos) << table;
}

TEST(SweepTest, PlotsDrawEveryRunAndTwoKnobsGetAHeatmap) {
  SweepSpec spec;
  spec.base = SmallSpiral();
  spec.knobs = {ParseSweepKnob("learning_rate=0.003,0.03,0.3")};
  const std::vector<SweepRun> runs = RunSweep(spec);
  const std::string svg = SweepCurvesSvg(spec.knobs, runs);
  size_t lines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++lines;
  EXPECT_EQ(lines, 6u);  // train and test loss of each run
  EXPECT_NE(svg.find("learning_rate=0.3 ("), std::string::npos);
  EXPECT_EQ(svg.rfind("</svg>\n"), svg.size() - 7);
  EXPECT_EQ(SweepHeatmapSvg(spec.knobs, runs), "");
  spec.knobs.push_back(ParseSweepKnob("batch_size=5,20"));
  const std::vector<SweepRun> grid = RunSweep(spec);
  const std::string heatmap = SweepHeatmapSvg(spec.knobs, grid);
  size_t cells = 0;
  for (size_t at = heatmap.find("<rect x="); at != std::string::npos; at = heatmap.find("<rect x=", at + 1)) ++cells;
  EXPECT_EQ(cells, 6u);
  const std::string csv = SweepTableCsv(spec.knobs, grid);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "learning_rate,batch_size,seed,train_loss,test_loss,test_accuracy,nonzero_weights,kernel_weights,"
            "diverged_at,doctor");
}

}  // namespace
}  // namespace lever
