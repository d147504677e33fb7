// ParameterImportances: a parameter that drives the metric explains most of its variation; one that
// does not explains about none, whatever the number of groups.
#include "lever/tune/importance.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lever::tune {
namespace {

SearchSpace Space() {
  return SearchSpace(
      {{.name = "lr", .type = ParameterType::kDouble, .min_value = 1e-4, .max_value = 1, .scale = ScaleType::kLog},
       {.name = "noise", .type = ParameterType::kDouble, .min_value = 0, .max_value = 1},
       {.name = "opt",
        .type = ParameterType::kCategorical,
        .max_value = 2,
        .categorical_values = {"a", "b", "c"},
        .scale = ScaleType::kNone}});
}

TEST(ImportanceTest, TheParameterThatDrivesTheMetricDominates) {
  const SearchSpace space = Space();
  Rng rng(7);
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 60; ++i) {
    const Assignment a = space.Sample(rng);
    // A bowl in log10(lr) around 1e-2, plus a small effect of the category; `noise` does nothing.
    const double d = std::log10(a[0]) + 2;
    trials.push_back({a, TrialState::kCompleted, d * d + 0.05 * a[2]});
  }
  trials.push_back({space.Sample(rng), TrialState::kFailed, std::nan("")});  // ignored
  const std::vector<ParameterImportance> imp = ParameterImportances(space, trials);
  ASSERT_EQ(imp.size(), 3u);
  EXPECT_EQ(imp[0].name, "lr");
  EXPECT_EQ(imp[0].groups, 8);  // round(sqrt(60))
  EXPECT_EQ(imp[2].groups, 3);  // one per category
  // Over seeds 1-8 of this setup without the category, omega^2 of `noise` ranged 0 to 0.12: chance
  // alone, which the bound leaves room for.
  EXPECT_GT(imp[0].importance, 0.7);
  EXPECT_LT(imp[1].importance, 0.25);
  EXPECT_LT(imp[2].importance, 0.25);
}

TEST(ImportanceTest, ExactValuesOnASmallHandWorkedCase) {
  // Metric ranks 1..4 ordered like `noise`, so `noise` explains everything with 2 groups of 2:
  // SST = 5, SSB = 4 * 1 = 4, MSW = 1 / 2, omega^2 = (4 - 0.5) / (5 + 0.5) = 7/11.
  const SearchSpace space = Space();
  std::vector<TrialRecord> trials;
  const double noise[] = {0.1, 0.2, 0.3, 0.4};
  for (int i = 0; i < 4; ++i) trials.push_back({{0.01, noise[i], 0}, TrialState::kCompleted, 10.0 * i});
  const std::vector<ParameterImportance> imp = ParameterImportances(space, trials);
  ASSERT_EQ(imp.size(), 3u);
  EXPECT_EQ(imp[1].groups, 2);
  EXPECT_DOUBLE_EQ(imp[1].importance, 7.0 / 11.0);
  EXPECT_EQ(imp[0].groups, 1);  // one value: explains nothing
  EXPECT_EQ(imp[0].importance, 0.0);
  trials.pop_back();
  EXPECT_TRUE(ParameterImportances(space, trials).empty());  // fewer than 4 trials
}

TEST(ImportanceTest, ManyEqualValuesAtABoundStillGiveFiniteImportances) {
  // The GP often proposes a bound: eleven trials at noise = 0 span several equal-count bins.
  const SearchSpace space = Space();
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 16; ++i) {
    trials.push_back({{0.01, i < 10 ? 0.0 : 0.1 * i - 1.0, 0}, TrialState::kCompleted, static_cast<double>(i)});
  }
  const std::vector<ParameterImportance> imp = ParameterImportances(space, trials);
  ASSERT_EQ(imp.size(), 3u);
  EXPECT_EQ(imp[1].groups, 3);  // 0 (ten trials), then bins 2 and 3 of 4
  EXPECT_TRUE(std::isfinite(imp[1].importance));
  EXPECT_GT(imp[1].importance, 0.5);  // the metric rises with noise
}

}  // namespace
}  // namespace lever::tune
