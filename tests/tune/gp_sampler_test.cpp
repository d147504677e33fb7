#include "lever/tune/gp_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "lever/tune/random_sampler.h"

namespace lever::tune {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Branin-Hoo on [-5, 10] x [0, 15]; global minimum 0.397887 at three points.
double Branin(double x1, double x2) {
  const double b = 5.1 / (4 * kPi * kPi), c = 5 / kPi, t = 1 / (8 * kPi);
  const double u = x2 - b * x1 * x1 + c * x1 - 6;
  return u * u + 10 * (1 - t) * std::cos(x1) + 10;
}

SearchSpace BraninSpace() {
  return SearchSpace({{.name = "x1", .type = ParameterType::kDouble, .min_value = -5, .max_value = 10},
                      {.name = "x2", .type = ParameterType::kDouble, .min_value = 0, .max_value = 15}});
}

// Runs a sequential study in-process: propose one, evaluate, record.
double BestAfter(Sampler& sampler, int evaluations, uint64_t seed) {
  Rng rng(seed);
  std::vector<TrialRecord> history;
  double best = INFINITY;
  for (int i = 0; i < evaluations; ++i) {
    const std::vector<Assignment> proposal = sampler.Propose(history, 1, rng);
    const double value = Branin(proposal.at(0)[0], proposal.at(0)[1]);
    history.push_back({proposal[0], TrialState::kCompleted, value});
    best = std::min(best, value);
  }
  return best;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Bounds: Vizier's and Spearmint's GP-EI reach Branin's minimum to about 1e-2 within 30 evaluations;
// random search's median best after 30 is around 2 to 3.
TEST(GpSamplerTest, BeatsRandomSearchOnBranin) {
  std::vector<double> gp_best, random_best;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    GpSampler gp(BraninSpace(), Goal::kMinimize);
    RandomSampler random(BraninSpace());
    gp_best.push_back(BestAfter(gp, 30, seed));
    random_best.push_back(BestAfter(random, 30, seed));
  }
  const double gp_median = Median(gp_best), random_median = Median(random_best);
  RecordProperty("gp_median_best", std::to_string(gp_median));
  RecordProperty("random_median_best", std::to_string(random_median));
  std::printf("Branin, 30 evaluations, 5 seeds: GP median best %.6f, random median best %.6f\n", gp_median,
              random_median);
  for (size_t i = 0; i < gp_best.size(); ++i)
    std::printf("  seed %zu: GP %.6f random %.6f\n", i + 1, gp_best[i], random_best[i]);
  EXPECT_LT(gp_median, random_median);
  EXPECT_LT(gp_median, 1.0);
  EXPECT_GE(gp_median, 0.397887 - 1e-6);
}

// Parallel trials: rounds of three proposals, each round seeing only the rounds before it.
TEST(GpSamplerTest, BatchesOfThreeStillFindBraninsMinimum) {
  std::vector<double> bests;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    GpSampler sampler(BraninSpace(), Goal::kMinimize);
    Rng rng(seed);
    std::vector<TrialRecord> history;
    double best = INFINITY;
    for (int round = 0; round < 10; ++round) {
      const std::vector<Assignment> batch = sampler.Propose(history, 3, rng);
      ASSERT_EQ(batch.size(), 3u);
      for (const Assignment& a : batch) {
        history.push_back({a, TrialState::kCompleted, Branin(a[0], a[1])});
        best = std::min(best, history.back().objective);
      }
    }
    bests.push_back(best);
  }
  std::printf("Branin, 10 rounds of 3: GP median best %.6f\n", Median(bests));
  EXPECT_LT(Median(bests), 1.0);
}

TEST(GpSamplerTest, StartsRandomThenIsReproducible) {
  GpSampler sampler(BraninSpace(), Goal::kMinimize);
  EXPECT_EQ(sampler.initial_trials(), 3);
  Rng a(7), b(7);
  GpSampler twin(BraninSpace(), Goal::kMinimize);
  std::vector<TrialRecord> history;
  for (int i = 0; i < 6; ++i) {
    const std::vector<Assignment> pa = sampler.Propose(history, 1, a);
    const std::vector<Assignment> pb = twin.Propose(history, 1, b);
    ASSERT_EQ(pa, pb);
    history.push_back({pa[0], TrialState::kCompleted, Branin(pa[0][0], pa[0][1])});
  }
}

TEST(GpSamplerTest, SpreadsABatchAndSkipsFailedTrials) {
  GpSampler sampler(BraninSpace(), Goal::kMinimize);
  Rng rng(3);
  std::vector<TrialRecord> history;
  for (const Assignment& a : RandomSampler(BraninSpace()).Propose({}, 8, rng)) {
    history.push_back({a, TrialState::kCompleted, Branin(a[0], a[1])});
  }
  history.push_back({{2.0, 2.0}, TrialState::kFailed, NAN});
  history.push_back({{9.0, 1.0}, TrialState::kCompleted, NAN});  // reported nothing usable
  history.push_back({{3.0, 3.0}, TrialState::kPending, NAN});
  const std::vector<Assignment> batch = sampler.Propose(history, 4, rng);
  ASSERT_EQ(batch.size(), 4u);
  std::set<Assignment> distinct(batch.begin(), batch.end());
  distinct.insert(Assignment{3.0, 3.0});
  EXPECT_EQ(distinct.size(), 5u);  // no two proposals coincide, nor with the running trial
  for (size_t i = 0; i < batch.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      EXPECT_GT(std::hypot((batch[i][0] - batch[j][0]) / 15, (batch[i][1] - batch[j][1]) / 15), 1e-3);
    }
  }
}

TEST(GpSamplerTest, DoesNotRepeatTrialsInASmallDiscreteSpace) {
  const SearchSpace space({{.name = "n", .type = ParameterType::kInteger, .min_value = 1, .max_value = 3},
                           {.name = "opt",
                            .type = ParameterType::kCategorical,
                            .categorical_values = {"a", "b"},
                            .scale = ScaleType::kNone}});
  GpSampler sampler(space, Goal::kMinimize);
  Rng rng(2);
  std::vector<TrialRecord> history;
  std::set<Assignment> tried;
  for (int i = 0; i < 6; ++i) {
    const Assignment a = sampler.Propose(history, 1, rng).at(0);
    tried.insert(a);
    history.push_back({a, TrialState::kCompleted, a[0] + a[1]});
  }
  EXPECT_EQ(tried.size(), 6u);
}

TEST(GpSamplerTest, MaximizesAndHandlesMixedSpaces) {
  // Maximize -(x - 0.3)^2 + [opt == b] + small integer effect; the best is x = 0.3, opt = b, n = 4.
  const SearchSpace space({{.name = "x", .type = ParameterType::kDouble, .min_value = 0, .max_value = 1},
                           {.name = "opt",
                            .type = ParameterType::kCategorical,
                            .categorical_values = {"a", "b", "c"},
                            .scale = ScaleType::kNone},
                           {.name = "n", .type = ParameterType::kInteger, .min_value = 1, .max_value = 6},
                           {.name = "units",
                            .type = ParameterType::kDiscrete,
                            .discrete_values = {8, 16, 32, 64},
                            .scale = ScaleType::kLog}});
  const auto objective = [](const Assignment& a) {
    return -(a[0] - 0.3) * (a[0] - 0.3) + (a[1] == 1 ? 1.0 : 0.0) - 0.05 * std::fabs(a[2] - 4) -
           0.02 * std::fabs(std::log2(a[3]) - 5);
  };
  GpSampler sampler(space, Goal::kMaximize);
  Rng rng(12);
  std::vector<TrialRecord> history;
  double best = -INFINITY;
  for (int i = 0; i < 25; ++i) {
    const Assignment a = sampler.Propose(history, 1, rng).at(0);
    EXPECT_NO_THROW(space.Check(a));
    history.push_back({a, TrialState::kCompleted, objective(a)});
    best = std::max(best, objective(a));
  }
  EXPECT_GT(best, 0.95);  // found opt = b, n = 4, units = 32 and x near 0.3
}

}  // namespace
}  // namespace lever::tune
