// Optimize: the study loop around a C++ function, like Optuna's study.optimize.
#include "lever/tune/optimize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "lever/error.h"
#include "lever/tune/sqlite_storage.h"
#include "testing/files.h"

namespace lever::tune {
namespace {

using testing::Contains;

StudySpec Branin(int trials, int parallel = 1) {
  StudySpec spec;
  spec.goal = Goal::kMinimize;
  spec.metric_tag = "branin";
  spec.max_trials = trials;
  spec.max_parallel_trials = parallel;
  spec.params = {{.name = "x1", .type = ParameterType::kDouble, .min_value = -5, .max_value = 10},
                 {.name = "x2", .type = ParameterType::kDouble, .min_value = 0, .max_value = 15}};
  return spec;
}

double BraninValue(const Assignment& x) {
  const double pi = 3.14159265358979323846;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
  return u * u + 10 * (1 - t) * std::cos(x[0]) + 10;
}

std::string Database(uint64_t n = 0) {
  const std::string name = "study" + std::to_string(n) + ".db";
  testing::TempPath(name + "-wal");
  testing::TempPath(name + "-shm");
  return testing::TempPath(name);
}

StudyOptions Fast() {
  StudyOptions options;
  options.poll_seconds = 0.001;
  return options;
}

TEST(OptimizeTest, FindsBraninsMinimumWithTheGaussianProcess) {
  std::vector<double> bests;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    SqliteStudyStorage storage(Database(seed));
    StudyOptions options = Fast();
    options.seed = seed;
    const StudyResult r = Optimize(
        Branin(30), [](const Assignment& x, TrialReporter&) { return BraninValue(x); }, storage, options);
    ASSERT_EQ(r.trials.size(), 30u);
    ASSERT_TRUE(r.best.has_value());
    EXPECT_EQ(storage.ListTrials(r.study.id).size(), 30u);
    bests.push_back(r.trials[*r.best].objective);
  }
  // The global minimum is 0.397887. Seeds 1-3 ended at 1.94, 0.398 and 0.398 when this was written: the
  // median is the robust check (gp_sampler_test.cpp has the sampler's own figures).
  std::sort(bests.begin(), bests.end());
  EXPECT_LT(bests[1], 0.45);
}

TEST(OptimizeTest, ReportsReachTheMedianRuleAndTheObjectiveIsToldToStop) {
  SqliteStudyStorage storage(Database());
  StudySpec spec = Branin(8);
  spec.algorithm = Algorithm::kRandomSearch;
  spec.enable_trial_early_stopping = true;
  std::atomic<int> told_to_stop{0};
  int trial = 0;
  // The first three trials improve to 1; later ones plateau at 100 + step and wait to be stopped.
  const StudyResult r = Optimize(
      spec,
      [&](const Assignment&, TrialReporter& reporter) {
        const bool good = trial++ < 3;
        for (int step = 1; step <= 5; ++step) {
          if (reporter.ShouldStop()) {
            ++told_to_stop;
            return -1.0;  // ignored for a stopped trial
          }
          reporter.Report(step, good ? 1.0 / step : 100.0 + step);
          for (int wait = 0; wait < 1000 && !good && !reporter.ShouldStop(); ++wait) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        }
        return 1.0 / 5;
      },
      storage, Fast());
  ASSERT_EQ(r.trials.size(), 8u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.trials[i].status, TrialStatus::kCompleted);
  for (int i = 3; i < 8; ++i) {
    EXPECT_EQ(r.trials[i].status, TrialStatus::kStopped);
    EXPECT_EQ(r.trials[i].objective, 101.0);  // its last report, not the -1 it returned
  }
  EXPECT_EQ(told_to_stop.load(), 5);
}

TEST(OptimizeTest, ExceptionsAndNonFiniteValuesFailTrials) {
  SqliteStudyStorage storage(Database());
  StudySpec spec = Branin(3);
  spec.algorithm = Algorithm::kRandomSearch;
  int call = 0;
  const StudyResult r = Optimize(
      spec,
      [&](const Assignment& x, TrialReporter&) {
        if (++call == 1) throw std::runtime_error("out of memory");
        if (call == 2) throw ConfigError("bad knob");
        return call == 3 ? std::nan("") : BraninValue(x);
      },
      storage, Fast());
  ASSERT_EQ(r.trials.size(), 3u);
  EXPECT_EQ(r.trials[0].reason, "exception: out of memory");
  EXPECT_EQ(r.trials[1].reason, "ConfigError: bad knob");
  EXPECT_TRUE(Contains(r.trials[2].reason, "final value of 'branin' is nan"));
  for (const StoredTrial& t : r.trials) EXPECT_EQ(t.status, TrialStatus::kFailed);
  EXPECT_FALSE(r.best.has_value());
}

TEST(OptimizeTest, ParallelTrialsRunOnTheirOwnThreads) {
  SqliteStudyStorage storage(Database());
  std::atomic<int> running{0}, most{0};
  const StudyResult r = Optimize(
      Branin(6, 3),
      [&](const Assignment& x, TrialReporter&) {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        --running;
        return BraninValue(x);
      },
      storage, Fast());
  EXPECT_EQ(r.trials.size(), 6u);
  EXPECT_EQ(most.load(), 3);
  // Proposals made while trials ran are distinct (the GP's fantasies, or random draws).
  for (size_t i = 0; i < r.trials.size(); ++i) {
    for (size_t j = 0; j < i; ++j) EXPECT_NE(r.trials[i].assignment, r.trials[j].assignment);
  }
}

}  // namespace
}  // namespace lever::tune
