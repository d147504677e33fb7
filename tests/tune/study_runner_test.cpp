// RunStudy with trainers that are small shell scripts: per-trial directories, arguments and environment,
// parallel trials, failures (exit codes, timeouts, missing reports, maxFailedTrials), the median rule,
// and a study resumed after its tuner died. Each trainer runs for well under a second.
#include "lever/tune/study_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lever/error.h"
#include "lever/tune/metric_file.h"
#include "lever/tune/sqlite_storage.h"
#include "testing/files.h"

namespace lever::tune {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "lever_study_XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int CountLines(const std::string& path, const std::string& part) {
  std::istringstream in(Read(path));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(part) != std::string::npos;
  return n;
}

// A trainer script: `body` runs after $job (the --job-dir value) and $x (the --x value) are set.
std::string Trainer(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir / name;
  std::ofstream(path) << "#!/bin/sh\n"
                         "job=''; x=''\n"
                         "for a in \"$@\"; do case \"$a\" in --job-dir=*) job=\"${a#--job-dir=}\";; "
                         "--x=*) x=\"${a#--x=}\";; esac; done\n"
                      << body;
  chmod(path.c_str(), 0755);
  return path;
}

// Reports `loss` = the value of an awk expression in x, at global_step `step`.
std::string Report(const std::string& expression, const std::string& step = "1") {
  return "v=$(awk -v x=\"$x\" 'BEGIN { printf \"%.17g\", " + expression +
         " }')\n"
         "echo \"{\\\"global_step\\\": \\\"" +
         step +
         "\\\", \\\"loss\\\": \\\"$v\\\", \\\"trial\\\": \\\"$CLOUD_ML_TRIAL_ID\\\"}\" >> "
         "\"$CLOUD_ML_HP_METRIC_FILE\"\n";
}

StudySpec Spec(const std::string& trainer, int max_trials, const std::string& extra = "") {
  StudySpec spec = ParseStudySpec(
      "hyperparameters:\n"
      "  goal: MINIMIZE\n"
      "  hyperparameterMetricTag: loss\n"
      "  algorithm: RANDOM_SEARCH\n"
      "  maxTrials: " +
      std::to_string(max_trials) + "\n" + extra +
      "  params:\n"
      "  - {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\n");
  spec.trainer = TrainerSpec{{trainer}, 0.0, "", {}};
  return spec;
}

StudyOptions Fast() {
  StudyOptions options;
  options.poll_seconds = 0.01;
  options.kill_grace_seconds = 0.2;
  return options;
}

TEST(StudyRunnerTest, EachTrialGetsItsDirectoryArgumentsAndEnvironment) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh",
                                      "printf '%s\\n' \"$@\" > \"$job/argv.txt\"\n"
                                      "env > \"$job/env.txt\"\n"
                                      "pwd > \"$job/pwd.txt\"\n"
                                      "echo to-stdout; echo to-stderr >&2\n" +
                                          Report("(x - 0.3) ^ 2"));
  StudySpec spec = ParseStudySpec(
      "hyperparameters:\n"
      "  goal: MINIMIZE\n"
      "  hyperparameterMetricTag: loss\n"
      "  maxTrials: 3\n"
      "  algorithm: RANDOM_SEARCH\n"
      "  params:\n"
      "  - {parameterName: x, type: DOUBLE, minValue: 0, maxValue: 1}\n"
      "  - {parameterName: units, type: INTEGER, minValue: 8, maxValue: 64, scaleType: UNIT_LOG_SCALE}\n"
      "  - {parameterName: opt, type: CATEGORICAL, categoricalValues: [adam, sgd]}\n");
  spec.trainer = TrainerSpec{{trainer, "--epochs=2"}, 0.0, dir.path(), {{"EXTRA_SETTING", "on"}}};
  setenv("LEVER_TEST_INHERITED", "yes", 1);
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(spec, dir / "study", storage, Fast());
  ASSERT_EQ(r.trials.size(), 3u);
  EXPECT_EQ(r.end, StudyEnd::kMaxTrials);
  const SearchSpace space(spec.params);
  for (const StoredTrial& t : r.trials) {
    SCOPED_TRACE("trial " + std::to_string(t.number));
    const std::string job = fs::absolute(dir / "study").string() + "/trials/" + std::to_string(t.number);
    EXPECT_EQ(t.job_dir, job);
    EXPECT_EQ(t.status, TrialStatus::kCompleted) << t.reason;
    std::string expected = "--epochs=2\n";
    for (const std::string& flag : space.Flags(t.assignment)) expected += flag + "\n";
    expected += "--job-dir=" + job + "\n";
    EXPECT_EQ(Read(job + "/argv.txt"), expected);
    EXPECT_TRUE(
        Contains(Read(job + "/argv.txt"), "--units=" + std::to_string(static_cast<int>(t.assignment[1])) + "\n"));
    const std::string env = Read(job + "/env.txt");
    EXPECT_TRUE(Contains(env, "CLOUD_ML_TRIAL_ID=" + std::to_string(t.number) + "\n"));
    EXPECT_TRUE(Contains(env, "CLOUD_ML_HP_METRIC_FILE=" + job + "/hptuning_metric.jsonl\n"));
    EXPECT_TRUE(Contains(env, "EXTRA_SETTING=on\n"));
    EXPECT_TRUE(Contains(env, "LEVER_TEST_INHERITED=yes\n"));
    EXPECT_EQ(Read(job + "/pwd.txt"), fs::canonical(dir.path()).string() + "\n");
    EXPECT_EQ(Read(job + "/stdout.log"), "to-stdout\n");
    EXPECT_EQ(Read(job + "/stderr.log"), "to-stderr\n");
    // The objective is the reported value, which the trainer computed from the double it was given.
    EXPECT_NEAR(t.objective, (t.assignment[0] - 0.3) * (t.assignment[0] - 0.3), 1e-15);
    EXPECT_EQ(t.exit_code, 0);
    EXPECT_EQ(t.metrics.size(), 1u);
    EXPECT_GT(t.duration, 0.0);
  }
  ASSERT_TRUE(r.best.has_value());
  for (const StoredTrial& t : r.trials) EXPECT_LE(r.trials[*r.best].objective, t.objective);
  // The storage holds what the result says.
  const std::vector<StoredTrial> stored = storage.ListTrials(r.study.id);
  ASSERT_EQ(stored.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(stored[i].objective, r.trials[i].objective);
}

TEST(StudyRunnerTest, SameSeedSameTrials) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh", Report("x"));
  const StudySpec spec = Spec(trainer, 3);
  std::vector<Assignment> runs[2];
  for (int run = 0; run < 2; ++run) {
    SqliteStudyStorage storage(dir / ("study" + std::to_string(run) + ".db"));
    for (const StoredTrial& t : RunStudy(spec, dir / ("s" + std::to_string(run)), storage, Fast()).trials) {
      runs[run].push_back(t.assignment);
    }
  }
  EXPECT_EQ(runs[0], runs[1]);
  StudyOptions other = Fast();
  other.seed = 2;
  SqliteStudyStorage storage(dir / "other.db");
  EXPECT_NE(RunStudy(spec, dir / "other", storage, other).trials[0].assignment, runs[0][0]);
}

TEST(StudyRunnerTest, RunsUpToMaxParallelTrialsAtOnce) {
  TempDir dir;
  const std::string log = dir / "log.txt";
  const std::string trainer =
      Trainer(dir, "train.sh",
              "echo \"start $CLOUD_ML_TRIAL_ID\" >> " + log + "\nsleep 0.4\necho \"end $CLOUD_ML_TRIAL_ID\" >> " + log +
                  "\n" + Report("x"));
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(Spec(trainer, 5, "  maxParallelTrials: 3\n"), dir / "s", storage, Fast());
  ASSERT_EQ(r.trials.size(), 5u);
  int running = 0, most = 0;
  std::istringstream in(Read(log));
  for (std::string line; std::getline(in, line);) {
    running += line.rfind("start", 0) == 0 ? 1 : -1;
    most = std::max(most, running);
  }
  EXPECT_EQ(most, 3);
  for (const StoredTrial& t : r.trials) EXPECT_EQ(t.status, TrialStatus::kCompleted);
}

TEST(StudyRunnerTest, FailedTrialsKeepTheirStderrTailAndMaxFailedTrialsEndsTheStudy) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh",
                                      "i=1; while [ $i -le 30 ]; do echo \"line $i\" >&2; i=$((i + 1)); done\n"
                                      "exit 3\n");
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(Spec(trainer, 10, "  maxFailedTrials: 2\n"), dir / "s", storage, Fast());
  EXPECT_EQ(r.end, StudyEnd::kMaxFailedTrials);
  EXPECT_EQ(r.failed, 2);
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_FALSE(r.best.has_value());
  const StoredTrial t = storage.ListTrials(r.study.id)[1];
  EXPECT_EQ(t.status, TrialStatus::kFailed);
  EXPECT_EQ(t.exit_code, 3);
  EXPECT_EQ(t.reason, "exit code 3");
  std::string tail;
  for (int i = 11; i <= 30; ++i) tail += (i > 11 ? "\n" : "") + std::string("line ") + std::to_string(i);
  EXPECT_EQ(t.stderr_tail, tail);
}

TEST(StudyRunnerTest, TimedOutTrialsAreKilledWithTheirProcessGroup) {
  TempDir dir;
  // Ignores SIGTERM (and so does the sleep it starts): only SIGKILL, after the grace period, ends it.
  const std::string trainer = Trainer(dir, "train.sh", "trap '' TERM\nsleep 5\n" + Report("x"));
  StudySpec spec = Spec(trainer, 1);
  spec.trainer->timeout_seconds = 0.3;
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(spec, dir / "s", storage, Fast());
  ASSERT_EQ(r.trials.size(), 1u);
  EXPECT_EQ(r.trials[0].status, TrialStatus::kFailed);
  EXPECT_EQ(r.trials[0].reason, "timed out after 0.3 s (trainer.timeout_seconds)");
  EXPECT_LT(r.trials[0].duration, 2.0);
  EXPECT_FALSE(r.trials[0].exit_code.has_value());  // killed by a signal
}

TEST(StudyRunnerTest, ATrialThatNeverReportsTheMetricFails) {
  TempDir dir;
  const std::string trainer = Trainer(
      dir, "train.sh", "echo '{\"global_step\": \"1\", \"accuracy\": \"0.9\"}' >> \"$CLOUD_ML_HP_METRIC_FILE\"\n");
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(Spec(trainer, 1), dir / "s", storage, Fast());
  ASSERT_EQ(r.trials.size(), 1u);
  EXPECT_EQ(r.trials[0].status, TrialStatus::kFailed);
  EXPECT_EQ(r.trials[0].exit_code, 0);
  EXPECT_TRUE(Contains(r.trials[0].reason,
                       "ended without reporting 'loss' to " + r.trials[0].job_dir + "/hptuning_metric.jsonl"));
}

TEST(StudyRunnerTest, TheMedianRuleStopsTrialsWorseThanTheCompletedOnes) {
  TempDir dir;
  // Grid order x = 1, 2, 3 complete first (loss x + 1/step over 6 steps); x = 4, 5, 6 are worse than
  // the median of the completed running averages from their first report on.
  std::string body;
  for (int step = 1; step <= 6; ++step) {
    body += Report("x + 1 / " + std::to_string(step), std::to_string(step)) + "sleep 0.05\n";
  }
  const std::string trainer = Trainer(dir, "train.sh", body);
  StudySpec spec = ParseStudySpec(
      "hyperparameters:\n"
      "  goal: MINIMIZE\n"
      "  hyperparameterMetricTag: loss\n"
      "  maxTrials: 6\n"
      "  algorithm: GRID_SEARCH\n"
      "  enableTrialEarlyStopping: true\n"
      "  params:\n"
      "  - {parameterName: x, type: DISCRETE, discreteValues: [1, 2, 3, 4, 5, 6]}\n");
  spec.trainer = TrainerSpec{{trainer}, 0.0, "", {}};
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(spec, dir / "s", storage, Fast());
  ASSERT_EQ(r.trials.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.trials[i].status, TrialStatus::kCompleted);
    EXPECT_DOUBLE_EQ(r.trials[i].objective, (i + 1) + 1.0 / 6);
    EXPECT_EQ(r.trials[i].metrics.size(), 6u);
  }
  for (int i = 3; i < 6; ++i) {
    SCOPED_TRACE("trial " + std::to_string(i));
    EXPECT_EQ(r.trials[i].status, TrialStatus::kStopped);
    EXPECT_TRUE(Contains(r.trials[i].reason, "median rule at step"));
    ASSERT_FALSE(r.trials[i].metrics.empty());
    EXPECT_LT(r.trials[i].metrics.size(), 6u);  // killed before its last report
    EXPECT_EQ(r.trials[i].objective, *FinalValue(r.trials[i].metrics));
  }
  EXPECT_EQ(r.trials[*r.best].number, 0);
}

TEST(StudyRunnerTest, AResumedStudyRerunsOnlyTrialsInterruptedByADeadTuner) {
  TempDir dir;
  const std::string log = dir / "invocations.txt";
  const std::string trainer =
      Trainer(dir, "train.sh", "echo \"trial $CLOUD_ML_TRIAL_ID x=$x\" >> " + log + "\n" + Report("x"));
  const StudySpec spec = Spec(trainer, 4);
  SqliteStudyStorage storage(dir / "study.db");
  StudySpec first = spec;
  first.max_trials = 2;
  RunStudy(first, dir / "s", storage, Fast());
  // A tuner that died while trial 2 ran left it RUNNING, with a metric report of the dead attempt.
  const int64_t id = storage.FindStudy("default")->id;
  const Assignment orphan = {0.125};
  ASSERT_EQ(storage.AddTrial(id, orphan, fs::absolute(dir / "s").string() + "/trials/2", 1.0), 2);
  storage.AddMetricPoints(id, 2, {{1, 99.0}}, 2.0);

  int interrupted = -1;
  struct Observer : StudyObserver {
    int* interrupted;
    void OnStudyOpened(const StudyInfo&, const std::vector<StoredTrial>&, int n) override { *interrupted = n; }
  } observer;
  observer.interrupted = &interrupted;
  const StudyResult r = RunStudy(spec, dir / "s", storage, Fast(), &observer);
  EXPECT_EQ(interrupted, 1);
  ASSERT_EQ(r.trials.size(), 4u);  // maxTrials counts the study's total
  for (const StoredTrial& t : r.trials) EXPECT_EQ(t.status, TrialStatus::kCompleted);
  EXPECT_EQ(r.trials[2].assignment, orphan);
  EXPECT_EQ(r.trials[2].attempts, 2);
  EXPECT_EQ(r.trials[2].objective, 0.125);  // not the dead attempt's 99
  // Trials 0 and 1 ran once, in the first run; 2 and 3 once, in the second.
  for (int n = 0; n < 4; ++n) EXPECT_EQ(CountLines(log, "trial " + std::to_string(n) + " "), 1) << n;
  EXPECT_EQ(CountLines(log, "trial 2 x=0.125"), 1);

  // A third run has nothing left to do.
  RunStudy(spec, dir / "s", storage, Fast());
  EXPECT_EQ(CountLines(log, "trial"), 4);
}

TEST(StudyRunnerTest, AChangedSpecCannotResumeAStudy) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh", Report("x"));
  SqliteStudyStorage storage(dir / "study.db");
  RunStudy(Spec(trainer, 1), dir / "s", storage, Fast());
  StudySpec changed = Spec(trainer, 2);
  changed.params[0].max_value = 2;
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunStudy(changed, dir / "s", storage, Fast()); }),
                       "study 'default' was created with params"));
  StudySpec no_trainer = Spec(trainer, 1);
  no_trainer.trainer.reset();
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([&] { RunStudy(no_trainer, dir / "s", storage, Fast()); }), "no trainer command"));
  StudySpec missing = Spec("no-such-trainer-program", 1);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunStudy(missing, dir / "s", storage, Fast()); }),
                       "'no-such-trainer-program' is not an executable on PATH"));
}

TEST(StudyRunnerTest, OneTunerAtATimePerStudyDirectory) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh", Report("x"));
  fs::create_directories(dir / "s");
  // Another tuner, as the kernel sees it: a process holding tuner.lock.
  const int other = open((dir / "s/tuner.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(other, 0);
  ASSERT_EQ(flock(other, LOCK_EX), 0);
  SqliteStudyStorage storage(dir / "study.db");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { RunStudy(Spec(trainer, 1), dir / "s", storage, Fast()); }),
                       "another tuner is running the study in"));
  close(other);  // released: the study runs
  EXPECT_EQ(RunStudy(Spec(trainer, 1), dir / "s", storage, Fast()).trials.size(), 1u);
}

TEST(StudyRunnerTest, ResumePreviousJobIdGivesTheSamplerTheEarlierTrials) {
  TempDir dir;
  const std::string trainer = Trainer(dir, "train.sh", Report("x"));
  {
    fs::create_directories(dir / "old");
    SqliteStudyStorage old(dir / "old/study.db");
    RunStudy(Spec(trainer, 3), dir / "old", old, Fast());
  }
  const std::vector<TrialRecord> prior = LoadPriorHistory(Spec(trainer, 1), dir / "old");
  ASSERT_EQ(prior.size(), 3u);
  for (const TrialRecord& t : prior) EXPECT_EQ(t.state, TrialState::kCompleted);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { LoadPriorHistory(Spec(trainer, 1), dir / "nowhere"); }),
                       "no study database at"));
}

// The course's spec from docs/tuning.md, as written there, with its trainer replaced by a script.
TEST(StudyRunnerTest, TheDocumentedCourseSpecRunsUnchanged) {
  TempDir dir;
  const std::string yaml =
      "trainingInput:\n"
      "  hyperparameters:\n"
      "    goal: MINIMIZE\n"
      "    maxTrials: 5\n"
      "    maxParallelTrials: 1\n"
      "    hyperparameterMetricTag: rmse\n"
      "    params:\n"
      "    - parameterName: batch_size\n"
      "      type: INTEGER\n"
      "      minValue: 8\n"
      "      maxValue: 64\n"
      "      scaleType: UNIT_LINEAR_SCALE\n"
      "    - parameterName: learning_rate\n"
      "      type: DOUBLE\n"
      "      minValue: 0.01\n"
      "      maxValue: 0.1\n"
      "      scaleType: UNIT_LOG_SCALE\n"
      "trainer:                                  # lever's extension; optional\n"
      "  command: [python3, -m, trainer.task, --train_steps=1000]\n"
      "  timeout_seconds: 900\n";
  ASSERT_TRUE(Contains(Read("docs/tuning.md"), yaml)) << "docs/tuning.md's example changed; update this test";
  StudySpec spec = ParseStudySpec(yaml, "hptuning_config.yaml");
  const std::string trainer = Trainer(
      dir, "task.sh",
      "lr=''; bs=''\n"
      "for a in \"$@\"; do case \"$a\" in --learning_rate=*) lr=\"${a#*=}\";; --batch_size=*) bs=\"${a#*=}\";; esac; "
      "done\n"
      "v=$(awk -v lr=\"$lr\" -v bs=\"$bs\" 'BEGIN { printf \"%.17g\", (log(lr) - log(0.03)) ^ 2 + (bs - 32) ^ 2 / 1000 "
      "}')\n"
      "echo \"{\\\"global_step\\\": \\\"1000\\\", \\\"rmse\\\": \\\"$v\\\"}\" > \"$CLOUD_ML_HP_METRIC_FILE\"\n");
  spec.trainer->command = {trainer};
  SqliteStudyStorage storage(dir / "study.db");
  const StudyResult r = RunStudy(spec, dir / "s", storage, Fast());
  ASSERT_EQ(r.trials.size(), 5u);
  for (const StoredTrial& t : r.trials) {
    EXPECT_EQ(t.status, TrialStatus::kCompleted) << t.reason;
    const double expected =
        std::pow(std::log(t.assignment[1]) - std::log(0.03), 2) + std::pow(t.assignment[0] - 32, 2) / 1000;
    EXPECT_NEAR(t.objective, expected, 1e-9);
  }
}

}  // namespace
}  // namespace lever::tune
