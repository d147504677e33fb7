#include "lever/metrics/regression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

using Doubles = std::vector<double>;

// scikit-learn's docstring example: errors 0.5, 0.5, 0, 1; mean target 2.875, total sum of squares 29.1875.
const Doubles kPredictions{2.5, 0.0, 2, 8};
const Doubles kTargets{3, -0.5, 2, 7};

TEST(RegressionMetricsTest, HandValues) {
  EXPECT_DOUBLE_EQ(MeanSquaredError(kPredictions, kTargets), 0.375);
  EXPECT_DOUBLE_EQ(RootMeanSquaredError(kPredictions, kTargets), std::sqrt(0.375));
  EXPECT_DOUBLE_EQ(MeanAbsoluteError(kPredictions, kTargets), 0.5);
  EXPECT_DOUBLE_EQ(RSquared(kPredictions, kTargets), 1.0 - 1.5 / 29.1875);
  EXPECT_NEAR(RSquared(kPredictions, kTargets), 0.948608137, 1e-9);  // scikit-learn's docstring value
}

TEST(RegressionMetricsTest, Weights) {
  // Weight 0 drops the last example: errors 0.5, 0.5, 0.
  const Doubles weights{1, 1, 1, 0};
  EXPECT_DOUBLE_EQ(MeanSquaredError(kPredictions, kTargets, weights), 0.5 / 3);
  EXPECT_DOUBLE_EQ(MeanAbsoluteError(kPredictions, kTargets, weights), 1.0 / 3);
  // Weighted mean target 1.5; spread 1.5^2 + 2^2 + 0.5^2 = 6.5; residual 0.5.
  EXPECT_DOUBLE_EQ(RSquared(kPredictions, kTargets, weights), 1.0 - 0.5 / 6.5);
}

TEST(RegressionMetricsTest, RSquaredEdgeCasesFollowScikitLearn) {
  EXPECT_EQ(RSquared(Doubles{2, 2}, Doubles{2, 2}), 1.0);  // constant targets, perfect predictions
  EXPECT_EQ(RSquared(Doubles{1, 3}, Doubles{2, 2}), 0.0);  // constant targets, imperfect predictions
  EXPECT_TRUE(std::isnan(RSquared(Doubles{1}, Doubles{2})));
  EXPECT_DOUBLE_EQ(RSquared(std::vector<float>{1, 2, 3}, std::vector<int>{3, 2, 1}), -3.0);  // 1 - 8 / 2
}

TEST(RegressionMetricsTest, Errors) {
  EXPECT_THROW(MeanSquaredError(Doubles{}, Doubles{}), DataError);
  EXPECT_THROW(MeanAbsoluteError(Doubles{1, 2}, Doubles{1}), DataError);
  EXPECT_THROW(RSquared(Doubles{1, std::nan("")}, Doubles{1, 2}), DataError);
  EXPECT_THROW(RootMeanSquaredError(Doubles{1}, Doubles{1}, Doubles{-1}), DataError);
  try {
    MeanAbsoluteError(Doubles{1, 2}, Doubles{1, 2, 3});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(),
                 "DataError: mean absolute error: 2 predictions but 3 targets; pass one of each per example.");
  }
}

}  // namespace
}  // namespace lever
