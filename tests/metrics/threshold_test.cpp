#include "lever/metrics/threshold.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

using Doubles = std::vector<double>;

// The table of curves_test.cpp, with F1 = 2TP / (2TP + FP + FN) and J = TPR - FPR:
//   threshold  TP FP TN FN  precision recall  F1    J
//   +inf        0  0  2  3  -         0       0     0
//   0.9         1  0  2  2  1         1/3     1/2   1/3
//   0.5         2  1  1  1  2/3       2/3     2/3   1/6
//   0.3         3  1  1  0  3/4       1       6/7   1/2
//   0.1         3  2  0  0  3/5       1       3/4   0
const Doubles kScores{0.5, 0.1, 0.9, 0.3, 0.5};
const Doubles kLabels{0, 0, 1, 1, 1};

TEST(ChooseThresholdTest, MaxF1) {
  const ThresholdChoice choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::MaxF1());
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, 6.0 / 7.0);
  EXPECT_EQ(choice.confusion.true_positives, 3);
  EXPECT_EQ(choice.confusion.false_positives, 1);
}

TEST(ChooseThresholdTest, MaxYoudenJ) {
  const ThresholdChoice choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::MaxYoudenJ());
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, 0.5);
}

TEST(ChooseThresholdTest, TargetPrecisionMaximizesRecall) {
  // Precision is not monotone: 0.9 and 0.3 both reach 0.7; 0.3 has the higher recall.
  ThresholdChoice choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::TargetPrecision(0.7));
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, 1.0);
  choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::TargetPrecision(0.8));
  EXPECT_EQ(choice.threshold, 0.9);
  EXPECT_DOUBLE_EQ(choice.objective, 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(choice.confusion.Precision(), 1.0);
  // Exactly reaching the target counts: 3/4 >= 0.75.
  EXPECT_EQ(ChooseThreshold(kScores, kLabels, ThresholdCriterion::TargetPrecision(0.75)).threshold, 0.3);
}

TEST(ChooseThresholdTest, UnreachablePrecisionSaysWhatIsReachable) {
  try {
    ChooseThreshold(Doubles{0.9, 0.5}, Doubles{0, 1}, ThresholdCriterion::TargetPrecision(0.6));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "DataError: choosing a threshold (target_precision=0.6): no threshold reaches precision 0.6; the "
              "highest precision reached is 0.5. Lower the target or improve the model.");
  }
}

TEST(ChooseThresholdTest, TargetRecallMaximizesPrecision) {
  // Recall >= 0.5 at 0.5 (P 2/3), 0.3 (P 3/4) and 0.1 (P 3/5).
  ThresholdChoice choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::TargetRecall(0.5));
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, 0.75);
  choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::TargetRecall(1.0 / 3.0));
  EXPECT_EQ(choice.threshold, 0.9);
}

TEST(ChooseThresholdTest, MinCost) {
  // Errors cost 1 each: 3/5, 2/5, 2/5, 1/5, 2/5 per example.
  ThresholdChoice choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::MinCost({}));
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, 0.2);
  // A false positive costing 100 leaves 0.9 (no false positive, two misses): 2/5.
  choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::MinCost({.false_positive = 100}));
  EXPECT_EQ(choice.threshold, 0.9);
  EXPECT_DOUBLE_EQ(choice.objective, 0.4);
  // A hit worth 1 and a false alarm costing 1, misses free: 0, -1/5, -1/5, -2/5, -1/5.
  const CostMatrix hit_pays{.true_positive = -1, .false_positive = 1, .false_negative = 0};
  choice = ChooseThreshold(kScores, kLabels, ThresholdCriterion::MinCost(hit_pays));
  EXPECT_EQ(choice.threshold, 0.3);
  EXPECT_DOUBLE_EQ(choice.objective, -0.4);
}

TEST(ChooseThresholdTest, TiesGoToTheHighestThreshold) {
  // Error counts: +inf 2, 0.9 1, 0.5 2, 0.1 1: 0.9 and 0.1 tie.
  EXPECT_EQ(ChooseThreshold(Doubles{0.9, 0.5, 0.1}, Doubles{1, 0, 1}, ThresholdCriterion::MinCost({})).threshold, 0.9);
  // Predicting nothing positive can win: its threshold is +inf.
  const ThresholdChoice none =
      ChooseThreshold(Doubles{0.9, 0.5}, Doubles{0, 1}, ThresholdCriterion::MinCost({.false_positive = 100}));
  EXPECT_EQ(none.threshold, std::numeric_limits<double>::infinity());
  EXPECT_EQ(none.confusion.PredictedPositives(), 0);
}

TEST(ChooseThresholdTest, WeightsAndATable) {
  // Weight 10 on the negative at 0.5: F1 = 1/2 at 0.9, 4/15 at 0.5, 6/16 at 0.3, 6/17 at 0.1.
  const ThresholdTable table(kScores, kLabels, Doubles{10, 1, 1, 1, 1});
  const ThresholdChoice choice = ChooseThreshold(table, ThresholdCriterion::MaxF1());
  EXPECT_EQ(choice.threshold, 0.9);
  EXPECT_DOUBLE_EQ(choice.objective, 0.5);
  EXPECT_EQ(ChooseThreshold(table, ThresholdCriterion::MaxYoudenJ()).threshold, 0.9);
}

TEST(ThresholdCriterionTest, ParseAndDescribeRoundTrip) {
  for (const std::string text :
       {"max_f1", "youden_j", "target_precision=0.9", "target_recall=0.25", "min_cost=tp:0,fp:1,tn:0,fn:5"}) {
    EXPECT_EQ(ThresholdCriterion::Parse(text).Describe(), text);
  }
  EXPECT_EQ(ThresholdCriterion::Parse("min_cost=fn:5,fp:1").Describe(), "min_cost=tp:0,fp:1,tn:0,fn:5");
  EXPECT_EQ(ThresholdCriterion::Parse("target_recall=0.8").kind(), ThresholdCriterion::Kind::kTargetRecall);
  EXPECT_EQ(ThresholdCriterion::Parse("target_recall=0.8").target(), 0.8);
}

TEST(ThresholdCriterionTest, ClearConfigErrors) {
  const auto message = [](const std::string& text) {
    try {
      ThresholdCriterion::Parse(text);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("f1"),
            "ConfigError: threshold criterion 'f1' is unknown; use max_f1, youden_j, target_precision=P, "
            "target_recall=R or min_cost=fp:C,fn:C (entries tp, fp, tn, fn).");
  EXPECT_EQ(message("target_precision=1.5"),
            "ConfigError: threshold criterion: target precision 1.5 is outside (0, 1]; pass a fraction such as 0.9.");
  EXPECT_EQ(message("target_recall=0"),
            "ConfigError: threshold criterion: target recall 0 is outside (0, 1]; pass a fraction such as 0.9.");
  EXPECT_EQ(message("target_recall=abc").substr(0, 67),
            "ConfigError: threshold criterion 'target_recall=abc': 'abc' is not ");
  EXPECT_EQ(message("min_cost=xx:1"),
            "ConfigError: threshold criterion 'min_cost=xx:1': unknown outcome 'xx'; the outcomes are tp, fp, tn "
            "and fn.");
  EXPECT_EQ(message("min_cost=fp:1,tn:1").substr(0, 86),
            "ConfigError: threshold criterion: with these costs every threshold costs the same (fn ");
  EXPECT_THROW(ThresholdCriterion::TargetPrecision(std::numeric_limits<double>::quiet_NaN()), ConfigError);
  EXPECT_THROW(ThresholdCriterion::MinCost({.false_positive = std::numeric_limits<double>::infinity()}), ConfigError);
}

TEST(ChooseThresholdTest, CriteriaThatNeedBothClasses) {
  EXPECT_THROW(ChooseThreshold(Doubles{0.2, 0.4}, Doubles{0, 0}, ThresholdCriterion::MaxF1()), DataError);
  EXPECT_THROW(ChooseThreshold(Doubles{0.2, 0.4}, Doubles{1, 1}, ThresholdCriterion::MaxYoudenJ()), DataError);
  EXPECT_THROW(ChooseThreshold(Doubles{0.2, 0.4}, Doubles{0, 0}, ThresholdCriterion::TargetRecall(0.5)), DataError);
  // Minimizing a cost needs neither class.
  EXPECT_EQ(ChooseThreshold(Doubles{0.2, 0.4}, Doubles{0, 0}, ThresholdCriterion::MinCost({})).threshold,
            std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace lever
