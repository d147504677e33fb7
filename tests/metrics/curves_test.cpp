#include "lever/metrics/curves.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "lever/error.h"
#include "lever/metrics/binary.h"

namespace lever {
namespace {

using Doubles = std::vector<double>;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Five examples, two tied at 0.5 (one of each class). P = 3, N = 2. Worked out by hand:
//   threshold  TP FP TN FN   FPR  TPR  precision
//   +inf        0  0  2  3   0    0    (1 by convention)
//   0.9         1  0  2  2   0    1/3  1
//   0.5         2  1  1  1   1/2  2/3  2/3
//   0.3         3  1  1  0   1/2  1    3/4
//   0.1         3  2  0  0   1    1    3/5
const Doubles kScores{0.5, 0.1, 0.9, 0.3, 0.5};
const Doubles kLabels{0, 0, 1, 1, 1};

TEST(ThresholdTableTest, OneRowPerDistinctScoreHighestFirst) {
  const ThresholdTable table(kScores, kLabels);
  ASSERT_EQ(table.rows().size(), 5u);
  EXPECT_EQ(table.positives(), 3);
  EXPECT_EQ(table.negatives(), 2);
  const double expected[5][5] = {
      {kInf, 0, 0, 2, 3}, {0.9, 1, 0, 2, 2}, {0.5, 2, 1, 1, 1}, {0.3, 3, 1, 1, 0}, {0.1, 3, 2, 0, 0}};
  for (size_t k = 0; k < 5; ++k) {
    const ThresholdRow& row = table.rows()[k];
    EXPECT_EQ(row.threshold, expected[k][0]) << k;
    EXPECT_EQ(row.confusion.true_positives, expected[k][1]) << k;
    EXPECT_EQ(row.confusion.false_positives, expected[k][2]) << k;
    EXPECT_EQ(row.confusion.true_negatives, expected[k][3]) << k;
    EXPECT_EQ(row.confusion.false_negatives, expected[k][4]) << k;
  }
  // Trapezoids: 1/2 * (1/3 + 2/3) / 2 + 1/2 * 1 = 3/4 = the Mann-Whitney count 4.5 / 6.
  EXPECT_DOUBLE_EQ(table.AucRoc(), 0.75);
  // Steps: 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/4 + 0 * 3/5 = 29/36.
  EXPECT_DOUBLE_EQ(table.AucPr(), 29.0 / 36.0);
  EXPECT_DOUBLE_EQ(AucPr(kScores, kLabels), 29.0 / 36.0);
}

TEST(RocCurveTest, PointsAndCsv) {
  const std::vector<RocPoint> curve = RocCurve(kScores, kLabels);
  ASSERT_EQ(curve.size(), 5u);
  EXPECT_EQ(curve[2].threshold, 0.5);
  EXPECT_EQ(curve[2].false_positive_rate, 0.5);
  EXPECT_EQ(curve[2].true_positive_rate, 2.0 / 3.0);
  std::ostringstream csv;
  WriteCsv(csv, curve);
  EXPECT_EQ(csv.str(),
            "threshold,false_positive_rate,true_positive_rate\n"
            "inf,0,0\n"
            "0.9,0,0.3333333333333333\n"
            "0.5,0.5,0.6666666666666666\n"
            "0.3,0.5,1\n"
            "0.1,1,1\n");
}

TEST(PrCurveTest, PointsAndCsv) {
  std::ostringstream csv;
  WriteCsv(csv, PrCurve(kScores, kLabels));
  EXPECT_EQ(csv.str(),
            "threshold,recall,precision\n"
            "inf,0,1\n"
            "0.9,0.3333333333333333,1\n"
            "0.5,0.6666666666666666,0.6666666666666666\n"
            "0.3,1,0.75\n"
            "0.1,1,0.6\n");
}

TEST(ThresholdTableTest, Csv) {
  std::ostringstream csv;
  WriteCsv(csv, ThresholdTable(kScores, kLabels));
  const std::string text = csv.str();
  EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1) + 1),
            "threshold,true_positives,false_positives,true_negatives,false_negatives,precision,recall,"
            "false_positive_rate,f1,youden_j\n"
            "inf,0,0,2,3,0,0,0,0,0\n");
  EXPECT_NE(text.find("\n0.3,3,1,1,0,0.75,1,0.5,0.8571428571428571,0.5\n"), std::string::npos) << text;
}

TEST(CurvesTest, MissingClassGivesNanRates) {
  // scikit-learn returns NaN (with a warning) for a rate over an absent class.
  const std::vector<RocPoint> roc = RocCurve(Doubles{0.2, 0.7}, Doubles{1, 1});
  EXPECT_TRUE(std::isnan(roc[1].false_positive_rate));
  EXPECT_EQ(roc[1].true_positive_rate, 0.5);
  const std::vector<PrPoint> pr = PrCurve(Doubles{0.2, 0.7}, Doubles{0, 0});
  EXPECT_TRUE(std::isnan(pr[1].recall));
  EXPECT_EQ(pr[1].precision, 0.0);
}

TEST(CurvesTest, WeightsAndZeroWeightExamples) {
  // The example of weight 0 at 0.4 adds no threshold (scikit-learn drops it too).
  const ThresholdTable table(Doubles{0.9, 0.4, 0.2}, Doubles{1, 0, 0}, Doubles{2, 0, 0.5});
  ASSERT_EQ(table.rows().size(), 3u);
  EXPECT_EQ(table.rows()[1].threshold, 0.9);
  EXPECT_EQ(table.rows()[1].confusion.true_positives, 2);
  EXPECT_EQ(table.rows()[2].threshold, 0.2);
  EXPECT_EQ(table.rows()[2].confusion.false_positives, 0.5);
  EXPECT_EQ(table.negatives(), 0.5);
}

TEST(CurvesTest, ErrorsNameTheCurve) {
  try {
    RocCurve(Doubles{0.1}, Doubles{3});
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 34), "DataError: ROC curve: labels[0] = ");
  }
  EXPECT_THROW(PrCurve(Doubles{}, Doubles{}), DataError);
}

TEST(CurvesTest, FailedStreamIsAnIoError) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_THROW(WriteCsv(out, RocCurve(kScores, kLabels)), IoError);
}

}  // namespace
}  // namespace lever
