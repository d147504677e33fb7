#include "lever/metrics/binary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

using Floats = std::vector<float>;
using Doubles = std::vector<double>;

TEST(AucRocTest, HandValuesWithTies) {
  // Positives at scores 0.8 and 0.4, negatives at 0.4 and 0.1: of the 4 (positive, negative) pairs,
  // 3 are ordered correctly and one is tied (counts 1/2): AUC = 3.5 / 4.
  const Floats scores{0.8f, 0.4f, 0.4f, 0.1f};
  const Floats labels{1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(AucRoc(scores, labels), 0.875);
  EXPECT_DOUBLE_EQ(AucRoc(Floats{0.1f, 0.9f}, Floats{0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(AucRoc(Floats{0.9f, 0.1f}, Floats{0, 1}), 0.0);
  EXPECT_TRUE(std::isnan(AucRoc(Floats{0.3f, 0.5f}, Floats{1, 1})));
}

TEST(AucRocTest, WeightsCountPairs) {
  // A pair weighs w+ * w-. Positives {0.8: 1, 0.4: 1}, negatives {0.4: 2, 0.1: 1}: ordered pairs
  // 0.8 > 0.4 (2), 0.8 > 0.1 (1), 0.4 > 0.1 (1), tied 0.4 = 0.4 (2, counts half). AUC = (4 + 1) / (2 * 3).
  EXPECT_DOUBLE_EQ(AucRoc(Doubles{0.8, 0.4, 0.4, 0.1}, Doubles{1, 1, 0, 0}, Doubles{1, 1, 2, 1}), 5.0 / 6.0);
  // A zero weight removes the example.
  EXPECT_DOUBLE_EQ(AucRoc(Doubles{0.8, 0.4, 0.4, 0.1}, Doubles{1, 1, 0, 0}, Doubles{1, 1, 0, 1}), 1.0);
}

TEST(AucPrTest, StepsAtEachDistinctScore) {
  // scikit-learn's docstring example, highest score first: 0.8 (+) R 1/2 P 1; 0.4 (-) R 1/2;
  // 0.35 (+) R 1 P 2/3; 0.1 (-). AP = 1/2 * 1 + 1/2 * 2/3.
  EXPECT_DOUBLE_EQ(AucPr(Doubles{0.1, 0.4, 0.35, 0.8}, Doubles{0, 0, 1, 1}), 0.5 + 0.5 * 2.0 / 3.0);
}

TEST(AucPrTest, TiedScoresFormOneStep) {
  // Three examples tied at 0.5 (two positive) are one step: R 0 -> 1 at P = 2/3, whatever their order.
  EXPECT_DOUBLE_EQ(AucPr(Doubles{0.5, 0.5, 0.5, 0.2}, Doubles{1, 0, 1, 0}), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(AucPr(Doubles{0.5, 0.5, 0.5, 0.2}, Doubles{0, 1, 1, 0}), 2.0 / 3.0);
  // Perfect ranking gives 1; no positives leaves it undefined; no negatives gives 1.
  EXPECT_DOUBLE_EQ(AucPr(Floats{0.9f, 0.8f, 0.1f}, Floats{1, 1, 0}), 1.0);
  EXPECT_TRUE(std::isnan(AucPr(Floats{0.9f, 0.1f}, Floats{0, 0})));
  EXPECT_DOUBLE_EQ(AucPr(Floats{0.9f, 0.1f}, Floats{1, 1}), 1.0);
}

TEST(AucPrTest, Weights) {
  // Weight 3 on the 0.4 negative: 0.8 (+1) R 1/2 P 1; 0.4 (-3); 0.35 (+1) R 1 P 2/5.
  EXPECT_DOUBLE_EQ(AucPr(Doubles{0.1, 0.4, 0.35, 0.8}, Doubles{0, 0, 1, 1}, Doubles{1, 3, 1, 1}), 0.5 + 0.5 * 0.4);
}

TEST(LogLossTest, HandValueAndClipping) {
  // -(log 0.8 + log(1 - 0.3)) / 2
  EXPECT_NEAR(LogLoss(Floats{0.8f, 0.3f}, Floats{1, 0}), -(std::log(0.8) + std::log(0.7)) / 2, 1e-7);
  EXPECT_DOUBLE_EQ(LogLoss(Doubles{0.8, 0.3}, Doubles{1, 0}), -(std::log(0.8) + std::log1p(-0.3)) / 2);
  EXPECT_NEAR(LogLoss(Floats{0.0f}, Floats{1}), -std::log(1e-15), 1e-9);
  EXPECT_NEAR(LogLoss(Floats{1.0f}, Floats{0}), -std::log(1e-15), 1e-2);
}

TEST(LogLossTest, WeightedMean) {
  // (1 * -log 0.8 + 3 * -log 0.7) / 4
  EXPECT_DOUBLE_EQ(LogLoss(Doubles{0.8, 0.3}, Doubles{1, 0}, Doubles{1, 3}),
                   (-std::log(0.8) - 3 * std::log1p(-0.3)) / 4);
}

TEST(BrierScoreTest, HandValue) {
  // ((0.8 - 1)^2 + (0.3 - 0)^2 + (0.5 - 1)^2) / 3
  EXPECT_DOUBLE_EQ(BrierScore(Doubles{0.8, 0.3, 0.5}, Doubles{1, 0, 1}),
                   ((0.8 - 1) * (0.8 - 1) + 0.3 * 0.3 + 0.25) / 3);
  EXPECT_DOUBLE_EQ(BrierScore(Doubles{0.8, 0.3}, Doubles{1, 0}, Doubles{0, 1}), 0.3 * 0.3);
}

TEST(AccuracyTest, ThresholdAtOneHalf) {
  EXPECT_DOUBLE_EQ(Accuracy(Floats{0.5f, 0.49f, 0.9f}, Floats{1, 1, 0}), 1.0 / 3.0);
}

TEST(ConfusionAtThresholdTest, ScoreEqualToThresholdIsPositive) {
  // scores  0.9 0.5 0.5 0.3 0.1,  labels 1 0 1 1 0, threshold 0.5: predicted positive 0.9, 0.5, 0.5.
  const Doubles scores{0.9, 0.5, 0.5, 0.3, 0.1};
  const Doubles labels{1, 0, 1, 1, 0};
  const BinaryConfusion c = ConfusionAtThreshold(scores, labels, 0.5);
  EXPECT_EQ(c.true_positives, 2);
  EXPECT_EQ(c.false_positives, 1);
  EXPECT_EQ(c.true_negatives, 1);
  EXPECT_EQ(c.false_negatives, 1);
  EXPECT_DOUBLE_EQ(Precision(scores, labels), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(Recall(scores, labels), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(F1Score(scores, labels), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(Accuracy(scores, labels), 3.0 / 5.0);
  // At 0.3: TP 3, FP 1, TN 1, FN 0.
  EXPECT_DOUBLE_EQ(Precision(scores, labels, 0.3), 0.75);
  EXPECT_DOUBLE_EQ(Recall(scores, labels, 0.3), 1.0);
  EXPECT_DOUBLE_EQ(F1Score(scores, labels, 0.3), 6.0 / 7.0);
  // Weighted: weight 2 on the negative at 0.5 -> precision 2 / 4.
  EXPECT_DOUBLE_EQ(Precision(scores, labels, 0.5, Doubles{1, 2, 1, 1, 1}), 0.5);
}

TEST(ConfusionAtThresholdTest, ZeroDenominatorsGiveZero) {
  // Nothing predicted positive: precision 0 (scikit-learn's zero_division=0); no positives: recall 0.
  EXPECT_EQ(Precision(Doubles{0.1, 0.2}, Doubles{1, 0}, 0.9), 0.0);
  EXPECT_EQ(Recall(Doubles{0.1, 0.2}, Doubles{0, 0}), 0.0);
  EXPECT_EQ(F1Score(Doubles{0.1, 0.2}, Doubles{0, 0}), 0.0);
  const BinaryConfusion c{.true_positives = 3, .false_positives = 1, .true_negatives = 4, .false_negatives = 2};
  EXPECT_DOUBLE_EQ(c.YoudenJ(), 3.0 / 5.0 - 1.0 / 5.0);
  EXPECT_DOUBLE_EQ(c.Specificity(), 0.8);
  EXPECT_DOUBLE_EQ(c.FalsePositiveRate(), 0.2);
}

TEST(BinaryMetricsTest, IntegerLabelsAndDoubleScores) {
  EXPECT_DOUBLE_EQ(AucRoc(Doubles{0.8, 0.4, 0.4, 0.1}, std::vector<int>{1, 1, 0, 0}), 0.875);
  EXPECT_DOUBLE_EQ(AucRoc(Doubles{0.8, 0.4, 0.4, 0.1}, std::vector<int64_t>{1, 1, 0, 0}), 0.875);
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(BinaryMetricsTest, ClearErrorsOnBadInput) {
  EXPECT_EQ(ErrorOf([] { AucRoc(Doubles{}, Doubles{}); }),
            "DataError: AUC-ROC: no examples; a metric needs at least one prediction and label.");
  EXPECT_EQ(ErrorOf([] {
              AucPr(Doubles{0.1, 0.2}, Doubles{1});
            }),
            "DataError: AUC-PR: 2 scores but 1 labels; pass one of each per example.");
  EXPECT_EQ(ErrorOf([] {
              AucRoc(Doubles{0.1, 0.2}, Doubles{1, 2});
            }),
            "DataError: AUC-ROC: labels[1] = 2, but binary metrics expect labels 0 or 1 (1 = positive); map the "
            "classes to 0 and 1 first.");
  EXPECT_EQ(ErrorOf([] {
              AucRoc(Doubles{0.1, std::nan("")}, Doubles{1, 0});
            }),
            "DataError: AUC-ROC: scores[1] is nan; every example needs a finite value (check the model for "
            "divergence, or drop the example).");
  EXPECT_EQ(ErrorOf([] { LogLoss(Doubles{1.5}, Doubles{1}); }),
            "DataError: log loss: probabilities[0] = 1.5 is outside [0, 1]; pass probabilities (apply the sigmoid "
            "to logits first).");
  EXPECT_EQ(ErrorOf([] { LogLoss(Floats{std::nanf("")}, Floats{1}); }).substr(0, 49),
            "DataError: log loss: probabilities[0] = nan is ou");
  EXPECT_EQ(ErrorOf([] { BrierScore(Doubles{0.5}, Doubles{1}, Doubles{-1}); }),
            "DataError: Brier score: weights[0] = -1; sample weights must be finite and >= 0.");
  EXPECT_EQ(ErrorOf([] { BrierScore(Doubles{0.5}, Doubles{1}, Doubles{0}); }),
            "DataError: Brier score: the sample weights sum to 0; give at least one example a positive weight.");
  EXPECT_EQ(ErrorOf([] {
              AucRoc(Doubles{0.5, 0.1}, Doubles{1, 0}, Doubles{1});
            }),
            "DataError: AUC-ROC: 1 weights for 2 examples; pass one weight per example, or none.");
  EXPECT_EQ(ErrorOf([] { Precision(Doubles{0.5}, Doubles{1}, std::nan("")); }).substr(0, 42),
            "ConfigError: precision: the threshold is N");
  EXPECT_THROW(Accuracy(Doubles{std::numeric_limits<double>::infinity()}, Doubles{1}), DataError);
}

}  // namespace
}  // namespace lever
