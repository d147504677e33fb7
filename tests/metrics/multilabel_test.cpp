#include "lever/metrics/multilabel.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"

namespace lever {
namespace {

// Three examples, two labels, worked by hand.
TEST(MultiLabelMetricsTest, SubsetAndPerLabelFiguresByHand) {
  Tensor p(3, 2), y(3, 2);
  p << 0.9f, 0.2f,  // right, right
      0.6f, 0.7f,   // right, wrong
      0.3f, 0.4f;   // right, right
  y << 1, 0, 1, 0, 0, 0;
  const auto m = MultiLabelMetrics(p, y, {"a", "b"});
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 2.0 / 3.0);            // examples 1 and 3 have both right
  EXPECT_DOUBLE_EQ(m.at("per_label_accuracy"), 5.0 / 6.0);  // 5 of 6 pairs
  EXPECT_DOUBLE_EQ(m.at("accuracy/a"), 1.0);
  EXPECT_DOUBLE_EQ(m.at("accuracy/b"), 2.0 / 3.0);
  // a: positives 0.9, 0.6 above the negative 0.3: AUC 1. b has no positive: NaN, left out of the mean.
  EXPECT_DOUBLE_EQ(m.at("auc/a"), 1.0);
  EXPECT_TRUE(std::isnan(m.at("auc/b")));
  EXPECT_DOUBLE_EQ(m.at("auc"), 1.0);
  const double loss =
      -(std::log(0.9) + std::log(0.8) + std::log(0.6) + std::log(0.3) + std::log(0.7) + std::log(0.6)) / 6.0;
  EXPECT_NEAR(m.at("loss"), loss, 1e-6);
  EXPECT_EQ(MultiLabelMetrics(p, y).count("auc/a"), 0u);  // no names: no per-label keys
  EXPECT_THROW(MultiLabelMetrics(p, Tensor(3, 3)), DataError);
  EXPECT_THROW(MultiLabelMetrics(p, y, {"a"}), DataError);
}

}  // namespace
}  // namespace lever
