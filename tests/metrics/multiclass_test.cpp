#include "lever/metrics/multiclass.h"

#include <gtest/gtest.h>

#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

// truth      0 0 1 1 2 2 2
// predicted  0 1 1 1 2 0 2
// counts (rows truth, columns predicted): [1 1 0; 0 2 0; 1 0 2]
//   class 0: precision 1/2, recall 1/2, F1 1/2
//   class 1: precision 2/3, recall 1,   F1 4/5
//   class 2: precision 1,   recall 2/3, F1 4/5
const std::vector<int> kTruth{0, 0, 1, 1, 2, 2, 2};
const std::vector<int> kPredicted{0, 1, 1, 1, 2, 0, 2};

TEST(ConfusionMatrixTest, CountsAndPerClassScores) {
  const ConfusionMatrix m(kPredicted, kTruth);
  ASSERT_EQ(m.num_classes(), 3);
  const double expected[3][3] = {{1, 1, 0}, {0, 2, 0}, {1, 0, 2}};
  for (int t = 0; t < 3; ++t) {
    for (int p = 0; p < 3; ++p) EXPECT_EQ(m.count(t, p), expected[t][p]) << t << "," << p;
  }
  EXPECT_EQ(m.Total(), 7);
  EXPECT_EQ(m.Support(2), 3);
  EXPECT_EQ(m.PredictedCount(1), 3);
  EXPECT_DOUBLE_EQ(m.Accuracy(), 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.Scores(0).f1, 0.5);
  EXPECT_DOUBLE_EQ(m.Scores(1).precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.Scores(1).recall, 1.0);
  EXPECT_DOUBLE_EQ(m.Scores(1).f1, 0.8);
  EXPECT_DOUBLE_EQ(m.Scores(2).recall, 2.0 / 3.0);
}

TEST(ConfusionMatrixTest, Averages) {
  const ConfusionMatrix m(kPredicted, kTruth);
  const ClassScores macro = m.MacroAverage();
  EXPECT_DOUBLE_EQ(macro.precision, 13.0 / 18.0);
  EXPECT_DOUBLE_EQ(macro.recall, 13.0 / 18.0);
  EXPECT_DOUBLE_EQ(macro.f1, 0.7);
  const ClassScores micro = m.MicroAverage();
  EXPECT_DOUBLE_EQ(micro.precision, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(micro.f1, 5.0 / 7.0);
  // Weighted by support 2, 2, 3.
  const ClassScores weighted = m.WeightedAverage();
  EXPECT_DOUBLE_EQ(weighted.precision, 16.0 / 21.0);
  EXPECT_DOUBLE_EQ(weighted.recall, 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(weighted.f1, 5.0 / 7.0);
}

TEST(ConfusionMatrixTest, AbsentClassesAreLeftOutOfAverages) {
  // Class 3 never occurs: like scikit-learn without a label list, the macro average skips it.
  const ConfusionMatrix m(kPredicted, kTruth, 4);
  EXPECT_EQ(m.num_classes(), 4);
  EXPECT_FALSE(m.Present(3));
  EXPECT_DOUBLE_EQ(m.MacroAverage().f1, 0.7);
  // A class only ever predicted counts (precision 0, recall 0).
  const ConfusionMatrix n(std::vector<double>{0, 2}, std::vector<double>{0, 0});
  EXPECT_EQ(n.num_classes(), 3);
  EXPECT_FALSE(n.Present(1));
  EXPECT_DOUBLE_EQ(n.MacroAverage().precision, 0.5);
  EXPECT_DOUBLE_EQ(n.MacroAverage().recall, 0.25);
}

TEST(ConfusionMatrixTest, WeightsAndFloatIds) {
  const std::vector<float> truth{0, 1, 1}, predicted{0, 0, 1};
  const ConfusionMatrix m(predicted, truth, 0, std::vector<double>{1, 3, 0.5});
  EXPECT_EQ(m.count(1, 0), 3);
  EXPECT_EQ(m.count(1, 1), 0.5);
  EXPECT_DOUBLE_EQ(m.Accuracy(), 1.5 / 4.5);
}

TEST(ConfusionMatrixTest, Errors) {
  EXPECT_THROW(ConfusionMatrix(std::vector<double>{0.5}, std::vector<double>{0}), DataError);
  EXPECT_THROW(ConfusionMatrix(std::vector<int>{-1}, std::vector<int>{0}), DataError);
  EXPECT_THROW(ConfusionMatrix(std::vector<int>{0, 1}, std::vector<int>{0}), DataError);
  EXPECT_THROW(ConfusionMatrix(std::vector<int>{}, std::vector<int>{}), DataError);
  EXPECT_THROW(ConfusionMatrix(std::vector<int>{0}, std::vector<int>{0}, -2), ConfigError);
  try {
    ConfusionMatrix(std::vector<int>{0, 3}, std::vector<int>{0, 1}, 3);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(),
                 "DataError: confusion matrix: predicted[1] = 3 but num_classes is 3; raise num_classes or pass 0 to "
                 "infer it.");
  }
}

TEST(ArgMaxRowsTest, FirstOfTiesWins) {
  Tensor scores(3, 3);
  scores << 0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0.0f, 0.0f, 0.1f, 0.9f;
  EXPECT_EQ(ArgMaxRows(scores), (std::vector<int64_t>{1, 0, 2}));
  const TensorD doubles = scores.cast<double>();
  EXPECT_EQ(ArgMaxRows(doubles), (std::vector<int64_t>{1, 0, 2}));
}

}  // namespace
}  // namespace lever
