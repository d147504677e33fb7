// GridSampler, RandomSampler and MakeSampler.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "lever/error.h"
#include "lever/tune/gp_sampler.h"
#include "lever/tune/grid_sampler.h"
#include "lever/tune/random_sampler.h"

namespace lever::tune {
namespace {

ParameterSpec Integer(const std::string& name, double lo, double hi) {
  return {.name = name, .type = ParameterType::kInteger, .min_value = lo, .max_value = hi};
}
ParameterSpec Categorical(const std::string& name, std::vector<std::string> values) {
  return {.name = name,
          .type = ParameterType::kCategorical,
          .categorical_values = std::move(values),
          .scale = ScaleType::kNone};
}
ParameterSpec Discrete(const std::string& name, std::vector<double> values) {
  return {.name = name, .type = ParameterType::kDiscrete, .discrete_values = std::move(values)};
}

std::vector<TrialRecord> AsHistory(const std::vector<Assignment>& points, TrialState state) {
  std::vector<TrialRecord> history;
  for (const Assignment& a : points) history.push_back({a, state, 1.0});
  return history;
}

TEST(GridSamplerTest, EnumeratesEveryCombinationInNestedLoopOrder) {
  GridSampler grid(
      SearchSpace({Integer("layers", 1, 2), Categorical("opt", {"adam", "sgd"}), Discrete("units", {8, 16, 32})}));
  EXPECT_EQ(grid.size(), 12u);
  EXPECT_EQ(grid.Describe(), "GridSampler(12 points)");
  Rng rng(0);
  const std::vector<Assignment> all = grid.Propose({}, 100, rng);
  ASSERT_EQ(all.size(), 12u);  // fewer than asked: the grid is exhausted
  EXPECT_EQ(all[0], (Assignment{1, 0, 8}));
  EXPECT_EQ(all[1], (Assignment{1, 0, 16}));
  EXPECT_EQ(all[2], (Assignment{1, 0, 32}));
  EXPECT_EQ(all[3], (Assignment{1, 1, 8}));
  EXPECT_EQ(all[6], (Assignment{2, 0, 8}));
  EXPECT_EQ(all[11], (Assignment{2, 1, 32}));
  EXPECT_EQ(std::set<Assignment>(all.begin(), all.end()).size(), 12u);
}

TEST(GridSamplerTest, ContinuesAfterTheHistoryWhateverItsState) {
  GridSampler grid(SearchSpace({Integer("a", 0, 2), Integer("b", 0, 1)}));
  Rng rng(0);
  std::vector<TrialRecord> history = AsHistory({{0, 0}, {0, 1}}, TrialState::kCompleted);
  history.push_back({{1, 0}, TrialState::kFailed, NAN});   // failed points are not retried
  history.push_back({{2, 1}, TrialState::kPending, NAN});  // running ones are not proposed again
  EXPECT_EQ(grid.Propose(history, 2, rng), (std::vector<Assignment>{{1, 1}, {2, 0}}));
  history.push_back({{1, 1}, TrialState::kCompleted, 0.0});
  history.push_back({{2, 0}, TrialState::kCompleted, 0.0});
  EXPECT_TRUE(grid.Propose(history, 2, rng).empty());
}

TEST(GridSamplerTest, RejectsDoublesAndSaturatesHugeGrids) {
  try {
    GridSampler grid(SearchSpace(
        {Integer("a", 0, 2), {.name = "lr", .type = ParameterType::kDouble, .min_value = 0, .max_value = 1}}));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("params[1].type: GRID_SEARCH enumerates"), std::string::npos) << e.what();
  }
  GridSampler huge(SearchSpace({Integer("a", 0, 1e15), Integer("b", 0, 1e15)}));
  EXPECT_EQ(huge.size(), UINT64_MAX);
  Rng rng(0);
  EXPECT_EQ(huge.Propose({}, 2, rng), (std::vector<Assignment>{{0, 0}, {0, 1}}));
}

TEST(RandomSamplerTest, RespectsScalesAndIsReproducible) {
  const SearchSpace space(
      {{.name = "lr", .type = ParameterType::kDouble, .min_value = 1e-5, .max_value = 1e-1, .scale = ScaleType::kLog},
       Categorical("opt", {"a", "b", "c"})});
  RandomSampler sampler(space);
  Rng rng(11);
  const std::vector<Assignment> draws = sampler.Propose({}, 8000, rng);
  ASSERT_EQ(draws.size(), 8000u);
  // log10(lr) is uniform on [-5, -1]: mean -3, variance 16/12.
  double mean = 0.0, second = 0.0;
  std::vector<int> categories(3, 0);
  for (const Assignment& a : draws) {
    const double l = std::log10(a[0]);
    mean += l;
    second += l * l;
    ++categories[static_cast<size_t>(a[1])];
  }
  mean /= 8000;
  const double variance = second / 8000 - mean * mean;
  EXPECT_NEAR(mean, -3.0, 0.05);  // sd of the mean is 0.013
  EXPECT_NEAR(variance, 16.0 / 12.0, 0.06);
  for (const int c : categories) EXPECT_NEAR(c, 8000 / 3, 170);
  Rng again(11);
  EXPECT_EQ(sampler.Propose({}, 8000, again), draws);
}

TEST(MakeSamplerTest, FollowsTheAlgorithm) {
  StudySpec spec;
  spec.params = {Integer("a", 0, 3)};
  spec.algorithm = Algorithm::kGridSearch;
  EXPECT_EQ(MakeSampler(spec)->Describe(), "GridSampler(4 points)");
  spec.algorithm = Algorithm::kRandomSearch;
  EXPECT_EQ(MakeSampler(spec)->Describe(), "RandomSampler");
  spec.algorithm = Algorithm::kBayesian;
  EXPECT_EQ(MakeSampler(spec)->Describe().rfind("GpSampler(", 0), 0u);
  spec.params.push_back(Integer("a", 0, 1));
  EXPECT_THROW(MakeSampler(spec), ConfigError);
}

}  // namespace
}  // namespace lever::tune
