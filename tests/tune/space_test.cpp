#include "lever/tune/space.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"

namespace lever::tune {
namespace {

ParameterSpec Double(const std::string& name, double lo, double hi, ScaleType scale = ScaleType::kLinear) {
  return {.name = name, .type = ParameterType::kDouble, .min_value = lo, .max_value = hi, .scale = scale};
}
ParameterSpec Integer(const std::string& name, double lo, double hi, ScaleType scale = ScaleType::kLinear) {
  return {.name = name, .type = ParameterType::kInteger, .min_value = lo, .max_value = hi, .scale = scale};
}
ParameterSpec Discrete(const std::string& name, std::vector<double> values, ScaleType scale = ScaleType::kLinear) {
  return {.name = name, .type = ParameterType::kDiscrete, .discrete_values = std::move(values), .scale = scale};
}
ParameterSpec Categorical(const std::string& name, std::vector<std::string> values) {
  return {.name = name,
          .type = ParameterType::kCategorical,
          .categorical_values = std::move(values),
          .scale = ScaleType::kNone};
}

TEST(ScaleTest, TransformsMatchTheirFormulas) {
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kLinear, 2, 10, 4), 0.25);
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kLog, 0.001, 0.1, 0.01), 0.5);
  // Reverse log: 1 - log((hi + lo - v) / lo) / log(hi / lo). For [1, 100] and v = 91: 1 - log(10)/log(100).
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kReverseLog, 1, 100, 91), 0.5);
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kReverseLog, 1, 100, 1), 0.0);
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kReverseLog, 1, 100, 100), 1.0);
  // Reverse log spends its resolution near the top: the upper half of u covers [91, 100].
  EXPECT_DOUBLE_EQ(ScaleFromUnit(ScaleType::kReverseLog, 1, 100, 0.5), 91.0);
  EXPECT_DOUBLE_EQ(ScaleToUnit(ScaleType::kLog, 3, 3, 3), 0.5);  // a single point
}

TEST(ScaleTest, EveryScaleRoundTrips) {
  for (const ScaleType scale : {ScaleType::kLinear, ScaleType::kLog, ScaleType::kReverseLog}) {
    for (const double v : {0.9, 0.95, 0.99, 0.999}) {
      const double u = ScaleToUnit(scale, 0.9, 0.999, v);
      EXPECT_GE(u, 0.0);
      EXPECT_LE(u, 1.0);
      EXPECT_NEAR(ScaleFromUnit(scale, 0.9, 0.999, u), v, 1e-12) << ToString(scale) << " " << v;
    }
    EXPECT_EQ(ScaleFromUnit(scale, 1e-4, 0.1, 0.0), 1e-4);  // ends are exact
    EXPECT_EQ(ScaleFromUnit(scale, 1e-4, 0.1, 1.0), 0.1);
  }
}

TEST(SearchSpaceTest, DoublesRoundTripThroughTheUnitInterval) {
  const SearchSpace space({Double("lr", 1e-4, 1e-1, ScaleType::kLog), Double("m", 0.5, 0.999, ScaleType::kReverseLog),
                           Double("x", -5, 10)});
  for (int i = 0; i < space.size(); ++i) {
    for (const double u : {0.0, 0.1, 0.37, 0.5, 0.99, 1.0}) {
      EXPECT_NEAR(space.ToUnit(i, space.FromUnit(i, u)), u, 1e-12);
    }
  }
  EXPECT_NEAR(space.FromUnit(0, 0.5), std::sqrt(1e-5), 1e-15);
  EXPECT_EQ(space.FromUnit(2, 1.7), 10.0);  // clamped
}

TEST(SearchSpaceTest, IntegersOwnEqualWidthCells) {
  const SearchSpace space({Integer("batch_size", 8, 11)});
  // Four values, each a quarter of the interval: [0, .25) -> 8, [.25, .5) -> 9, ...
  EXPECT_EQ(space.FromUnit(0, 0.0), 8);
  EXPECT_EQ(space.FromUnit(0, 0.2499), 8);
  EXPECT_EQ(space.FromUnit(0, 0.25), 9);
  EXPECT_EQ(space.FromUnit(0, 0.7499), 10);
  EXPECT_EQ(space.FromUnit(0, 0.75), 11);
  EXPECT_EQ(space.FromUnit(0, 1.0), 11);
  for (int v = 8; v <= 11; ++v) {
    EXPECT_DOUBLE_EQ(space.ToUnit(0, v), (v - 8 + 0.5) / 4.0);  // cell centres
    EXPECT_EQ(space.FromUnit(0, space.ToUnit(0, v)), v);
  }
  // Uniform draws hit every value about equally often, ends included.
  Rng rng(5);
  std::vector<int> hits(4, 0);
  for (int i = 0; i < 40000; ++i) ++hits[static_cast<size_t>(space.Sample(rng)[0] - 8)];
  for (const int h : hits) EXPECT_NEAR(h, 10000, 400);
}

TEST(SearchSpaceTest, LogScaledIntegersRoundTrip) {
  const SearchSpace space({Integer("units", 1, 1000, ScaleType::kLog), Integer("k", 1, 9, ScaleType::kReverseLog)});
  for (int v : {1, 2, 3, 10, 99, 500, 1000}) EXPECT_EQ(space.FromUnit(0, space.ToUnit(0, v)), v);
  for (int v = 1; v <= 9; ++v) EXPECT_EQ(space.FromUnit(1, space.ToUnit(1, v)), v);
  // log-uniform over [0.5, 1000.5): P(1) = log(1.5 / 0.5) / log(1000.5 / 0.5).
  Rng rng(9);
  int ones = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) ones += space.Sample(rng)[0] == 1;
  EXPECT_NEAR(static_cast<double>(ones) / n, std::log(3.0) / std::log(2001.0), 0.006);
}

TEST(SearchSpaceTest, DiscreteValuesSnapToTheNearest) {
  const SearchSpace space({Discrete("units", {16, 32, 64, 128}, ScaleType::kLog), Discrete("p", {0.1, 0.2, 0.9})});
  for (const double v : {16.0, 32.0, 64.0, 128.0}) EXPECT_EQ(space.FromUnit(0, space.ToUnit(0, v)), v);
  EXPECT_DOUBLE_EQ(space.ToUnit(0, 32), 1.0 / 3.0);  // log-spaced values are evenly spaced in u
  EXPECT_EQ(space.FromUnit(0, 0.15), 16);
  EXPECT_EQ(space.FromUnit(0, 0.2), 32);
  EXPECT_EQ(space.FromUnit(1, 0.5), 0.2);  // u(0.2) = 0.125, u(0.9) = 1: 0.5 is nearer 0.2
  EXPECT_EQ(space.FromUnit(1, 0.6), 0.9);
}

TEST(SearchSpaceTest, CategoricalsAreOneHot) {
  const SearchSpace space({Double("lr", 0, 1), Categorical("opt", {"adam", "sgd", "ftrl"}), Integer("n", 1, 3)});
  EXPECT_EQ(space.encoded_dimension(), 5);
  const Eigen::VectorXd x = space.Encode({0.25, 1, 2});
  Eigen::VectorXd expected(5);
  expected << 0.25, 0, 1, 0, 0.5;
  EXPECT_TRUE(x.isApprox(expected)) << x.transpose();
  Eigen::VectorXd relaxed(5);
  relaxed << 0.3, 0.2, 0.1, 0.7, 0.9;
  EXPECT_EQ(space.Decode(relaxed), (Assignment{0.3, 2, 3}));
  EXPECT_EQ(space.Decode(space.Encode({0.75, 0, 1})), (Assignment{0.75, 0, 1}));
}

TEST(SearchSpaceTest, LogScaledDoublesAreLogUniform) {
  const SearchSpace space({Double("lr", 1e-4, 1.0, ScaleType::kLog)});
  Rng rng(1);
  std::vector<int> decades(4, 0);
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double v = space.Sample(rng)[0];
    ASSERT_GE(v, 1e-4);
    ASSERT_LE(v, 1.0);
    ++decades[static_cast<size_t>(std::min(3.0, std::floor(std::log10(v) + 4)))];
  }
  // Each decade holds a quarter (a linear draw would put 90% in the top one); 4 sigma is about 250.
  for (const int d : decades) EXPECT_NEAR(d, n / 4, 250);
}

TEST(SearchSpaceTest, FormatsFlagsForTheTrainer) {
  const SearchSpace space({Integer("batch_size", 8, 64), Double("learning_rate", 1e-5, 0.1, ScaleType::kLog),
                           Categorical("optimizer", {"adam", "sgd"}), Discrete("hidden", {16, 32.5})});
  EXPECT_EQ(space.Flags({32, 0.1, 1, 32.5}),
            (std::vector<std::string>{"--batch_size=32", "--learning_rate=0.1", "--optimizer=sgd", "--hidden=32.5"}));
  EXPECT_EQ(space.ValueText(1, 1e-5), "1e-05");
  EXPECT_EQ(space.ValueText(1, 0.1 + 0.2), "0.30000000000000004");  // round-trip precision
  EXPECT_EQ(space.ValueText(3, 16), "16");
  EXPECT_EQ(space.Describe({8, 0.01, 0, 16}), "batch_size=8, learning_rate=0.01, optimizer=adam, hidden=16");
  // ValueText and ParseValue are inverses over many draws.
  Rng rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    const Assignment a = space.Sample(rng);
    for (int i = 0; i < space.size(); ++i)
      EXPECT_EQ(space.ParseValue(i, space.ValueText(i, a[static_cast<size_t>(i)])), a[static_cast<size_t>(i)]);
  }
  EXPECT_THROW(space.ParseValue(2, "rmsprop"), ConfigError);
  EXPECT_THROW(space.ParseValue(0, "65"), ConfigError);
  EXPECT_THROW(space.ParseValue(0, "8.5"), ConfigError);
  EXPECT_THROW(space.ParseValue(3, "17"), ConfigError);
}

TEST(SearchSpaceTest, ChecksAssignments) {
  const SearchSpace space({Integer("n", 1, 3), Discrete("d", {1, 2})});
  EXPECT_NO_THROW(space.Check({2, 1}));
  EXPECT_THROW(space.Check({2}), ConfigError);
  EXPECT_THROW(space.Check({2.5, 1}), ConfigError);
  EXPECT_THROW(space.Check({2, 1.5}), ConfigError);
  EXPECT_THROW(space.Check({2, std::nan("")}), ConfigError);
  EXPECT_THROW(SearchSpace({Double("x", 1, 0)}), ConfigError);
}

}  // namespace
}  // namespace lever::tune
