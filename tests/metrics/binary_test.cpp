#include "lever/metrics/binary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace lever {
namespace {

TEST(AucRocTest, HandValuesWithTies) {
  // Positives at scores 0.8 and 0.4, negatives at 0.4 and 0.1: of the 4 (positive, negative) pairs,
  // 3 are ordered correctly and one is tied (counts 1/2): AUC = 3.5 / 4.
  const std::vector<float> scores{0.8f, 0.4f, 0.4f, 0.1f};
  const std::vector<float> labels{1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(AucRoc(scores, labels), 0.875);
  EXPECT_DOUBLE_EQ(AucRoc(std::vector<float>{0.1f, 0.9f}, std::vector<float>{0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(AucRoc(std::vector<float>{0.9f, 0.1f}, std::vector<float>{0, 1}), 0.0);
  EXPECT_TRUE(std::isnan(AucRoc(std::vector<float>{0.3f, 0.5f}, std::vector<float>{1, 1})));
}

TEST(LogLossTest, HandValueAndClipping) {
  // -(log 0.8 + log(1 - 0.3)) / 2
  EXPECT_NEAR(LogLoss(std::vector<float>{0.8f, 0.3f}, std::vector<float>{1, 0}),
              -(std::log(0.8) + std::log(0.7)) / 2, 1e-7);
  EXPECT_NEAR(LogLoss(std::vector<float>{0.0f}, std::vector<float>{1}), -std::log(1e-15), 1e-9);
}

TEST(AccuracyTest, ThresholdAtOneHalf) {
  EXPECT_DOUBLE_EQ(Accuracy(std::vector<float>{0.5f, 0.49f, 0.9f}, std::vector<float>{1, 1, 0}), 1.0 / 3.0);
}

}  // namespace
}  // namespace lever
