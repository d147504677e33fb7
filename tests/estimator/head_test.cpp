// Heads' evaluation metrics on hand-made predictions, worked out by hand.
#include "lever/estimator/head.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

TEST(MultiLabelHeadTest, SubsetAccuracyCountsOnlyExamplesWithEveryLabelRight) {
  // Two labels, four examples; a label is predicted positive when p >= 0.5.
  //   example  p            y      right
  //   0        0.8  0.3     1  0   both
  //   1        0.6  0.4     1  1   label 0 only
  //   2        0.2  0.9     1  1   label 1 only
  //   3        0.3  0.7     0  1   both
  // accuracy (subset) = 2/4 = 0.5; per_label_accuracy = 6/8 = 0.75.
  // auc: label 0 ranks positives 0.8, 0.6, 0.2 against the negative 0.3: 2 of 3 pairs, 2/3; label 1 ranks
  //   0.4, 0.9, 0.7 against 0.3: 1. Mean 5/6.
  // loss = -(log 0.8 + log 0.6 + log 0.2 + log 0.7 + log 0.7 + log 0.4 + log 0.9 + log 0.7) / 8
  //      = -log(0.01185408) / 8 = 0.55416...
  // label/mean = 6/8; prediction/mean = 4.2/8.
  Tensor p(4, 2), y(4, 2);
  p << 0.8f, 0.3f, 0.6f, 0.4f, 0.2f, 0.9f, 0.3f, 0.7f;
  y << 1, 0, 1, 1, 1, 1, 0, 1;
  const HeadPtr head = MakeMultiLabelHead(2);
  const std::map<std::string, double> m = head->Metrics(p, y);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m.at("accuracy"), 0.5);
  EXPECT_EQ(m.at("per_label_accuracy"), 0.75);
  EXPECT_NEAR(m.at("auc"), 5.0 / 6.0, 1e-12);
  // The probabilities are floats: 0.8f is 0.800000011920929, so the loss agrees with the decimals to ~1e-7.
  EXPECT_NEAR(m.at("loss"), -std::log(0.01185408) / 8.0, 1e-6);
  EXPECT_EQ(m.at("label/mean"), 0.75);
  EXPECT_NEAR(m.at("prediction/mean"), 4.2 / 8.0, 1e-7);
}

TEST(MultiLabelHeadTest, SubsetAccuracyIsZeroWhenEveryExampleMissesOneLabel) {
  // Three labels; each example gets exactly one label wrong: subset 0, per label 2/3.
  Tensor p(3, 3), y(3, 3);
  p << 0.9f, 0.1f, 0.1f,  //
      0.1f, 0.1f, 0.9f,   //
      0.9f, 0.9f, 0.9f;
  y << 0, 0, 0,  //
      0, 1, 1,   //
      1, 1, 0;
  const std::map<std::string, double> m = MakeMultiLabelHead(3)->Metrics(p, y);
  EXPECT_EQ(m.at("accuracy"), 0.0);
  EXPECT_EQ(m.at("per_label_accuracy"), 6.0 / 9.0);
}

TEST(MultiLabelHeadTest, RejectsNoLabels) { EXPECT_THROW(MakeMultiLabelHead(0), ConfigError); }

TEST(HeadRegistryTest, MakesHeadsByNameAndAlias) {
  EXPECT_EQ(HeadNames(), (std::vector<std::string>{"regression", "binary", "multi_class", "multi_label"}));
  EXPECT_EQ(HeadKindName(*MakeHead("multilabel", 3)), "multi_label");
  EXPECT_EQ(MakeHead("binary", 0)->Name(), "binary_classification");
  EXPECT_EQ(MakeHead("multiclass", 3)->LogitsDimension(), 3);
  EXPECT_EQ(HeadKindName(*MakeHead("multi_class_classification", 4)), "multi_class");
  EXPECT_EQ(HeadKindName(*MakeRegressionHead()), "regression");
  EXPECT_THROW(MakeHead("multi_class", 1), ConfigError);
  try {
    MakeHead("ranking", 0);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring,
                        "unknown head 'ranking'. Valid heads: regression, binary, multi_class, multi_label", e.what());
  }
}

}  // namespace
}  // namespace lever
