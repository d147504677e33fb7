#include "lever/tune/median_stopping.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lever::tune {
namespace {

std::vector<MetricPoint> Curve(std::initializer_list<double> values, int64_t step = 100) {
  std::vector<MetricPoint> curve;
  int64_t s = step;
  for (const double v : values) {
    curve.push_back({s, v});
    s += step;
  }
  return curve;
}

TEST(MedianStoppingTest, StopsATrialWorseThanTheMedianOfRunningAverages) {
  // Completed accuracy curves; running averages up to step 200: 0.55, 0.65, 0.75 -> median 0.65.
  const std::vector<std::vector<MetricPoint>> completed = {Curve({0.5, 0.6, 0.9}), Curve({0.6, 0.7, 0.95}),
                                                           Curve({0.7, 0.8, 0.97})};
  StoppingDecision d = MedianStoppingRule(Curve({0.4, 0.6}), completed, Goal::kMaximize);
  EXPECT_TRUE(d.stop);
  EXPECT_EQ(d.step, 200);
  EXPECT_DOUBLE_EQ(d.best, 0.6);
  EXPECT_DOUBLE_EQ(d.median, 0.65);
  EXPECT_EQ(d.compared, 3);
  // Its best (not its average) counts: 0.66 beats the median.
  EXPECT_FALSE(MedianStoppingRule(Curve({0.66, 0.5}), completed, Goal::kMaximize).stop);
  // Equal to the median is not strictly worse.
  EXPECT_FALSE(MedianStoppingRule(Curve({0.65, 0.6}), completed, Goal::kMaximize).stop);
}

TEST(MedianStoppingTest, MinimizeFlipsTheComparison) {
  const std::vector<std::vector<MetricPoint>> completed = {Curve({3, 2}), Curve({2, 1}), Curve({4, 3}), Curve({1, 1})};
  // Averages up to step 200: 2.5, 1.5, 3.5, 1 -> median (1.5 + 2.5) / 2 = 2.
  const StoppingDecision d = MedianStoppingRule(Curve({2.6, 2.1}), completed, Goal::kMinimize);
  EXPECT_DOUBLE_EQ(d.median, 2.0);
  EXPECT_TRUE(d.stop);
  EXPECT_FALSE(MedianStoppingRule(Curve({2.6, 1.9}), completed, Goal::kMinimize).stop);
}

TEST(MedianStoppingTest, OnlyReportsUpToTheRunningStepCount) {
  // At step 100 the completed trials' averages are their first values: 1, 2, 3.
  const std::vector<std::vector<MetricPoint>> completed = {Curve({1, 100}), Curve({2, 100}), Curve({3, 100})};
  EXPECT_DOUBLE_EQ(MedianStoppingRule(Curve({2.5}), completed, Goal::kMaximize).median, 2.0);
  EXPECT_FALSE(MedianStoppingRule(Curve({2.5}), completed, Goal::kMaximize).stop);
  // A completed trial that first reported after step s is left out.
  const std::vector<std::vector<MetricPoint>> late = {Curve({1}), Curve({2}), Curve({9}, 500)};
  const StoppingDecision d = MedianStoppingRule(Curve({0.5}), late, Goal::kMaximize);
  EXPECT_EQ(d.compared, 2);
  EXPECT_FALSE(d.stop);  // fewer than min_completed_trials to compare with
  EXPECT_TRUE(MedianStoppingRule(Curve({0.5}), late, Goal::kMaximize, {.min_completed_trials = 2}).stop);
}

TEST(MedianStoppingTest, ContinuesWithoutEvidenceOrInTheGracePeriod) {
  const std::vector<std::vector<MetricPoint>> completed = {Curve({5}), Curve({6}), Curve({7})};
  EXPECT_FALSE(MedianStoppingRule({}, completed, Goal::kMaximize).stop);
  EXPECT_FALSE(MedianStoppingRule(Curve({1}), {}, Goal::kMaximize).stop);
  EXPECT_TRUE(MedianStoppingRule(Curve({1}), completed, Goal::kMaximize).stop);
  EXPECT_FALSE(MedianStoppingRule(Curve({1}), completed, Goal::kMaximize, {.min_step = 101}).stop);
  // Non-finite reports are ignored.
  EXPECT_FALSE(MedianStoppingRule({{100, NAN}}, completed, Goal::kMaximize).stop);
  EXPECT_TRUE(MedianStoppingRule({{100, 1.0}, {200, NAN}}, completed, Goal::kMaximize).stop);
}

}  // namespace
}  // namespace lever::tune
