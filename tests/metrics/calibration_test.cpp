#include "lever/metrics/calibration.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

using Doubles = std::vector<double>;

// Ten bins with numpy.linspace's edges 0, 0.1, 0.2, 0.30000000000000004, 0.4, ..., 1; a bin holds
// lower < p <= upper, bin 0 also p = 0. Worked out by hand:
//   p      0   0.05  0.1   0.2   0.3   0.35  0.8   1
//   label  0   0     1     0     1     0     1     1
//   bin    0   0     0     1     2     3     7     9      (0.1 and 0.2 sit on an upper edge; 0.3 < e3)
const Doubles kProbabilities{0.0, 0.05, 0.1, 0.2, 0.3, 0.35, 0.8, 1.0};
const Doubles kLabels{0, 0, 1, 0, 1, 0, 1, 1};

TEST(CalibrationTest, UniformBinsLikeScikitLearn) {
  const Calibration c = MeasureCalibration(kProbabilities, kLabels);
  ASSERT_EQ(c.bins.size(), 6u);
  const int index[] = {0, 1, 2, 3, 7, 9};
  const double count[] = {3, 1, 1, 1, 1, 1};
  const double mean_prediction[] = {0.05, 0.2, 0.3, 0.35, 0.8, 1.0};
  const double fraction_positive[] = {1.0 / 3.0, 0, 1, 0, 1, 1};
  for (size_t b = 0; b < 6; ++b) {
    EXPECT_EQ(c.bins[b].index, index[b]) << b;
    EXPECT_EQ(c.bins[b].count, count[b]) << b;
    EXPECT_NEAR(c.bins[b].mean_prediction, mean_prediction[b], 1e-15) << b;
    EXPECT_DOUBLE_EQ(c.bins[b].fraction_positive, fraction_positive[b]) << b;
  }
  EXPECT_EQ(c.bins[2].lower, 0.2);
  EXPECT_EQ(c.bins[2].upper, 3 * 0.1);  // 0.30000000000000004
  EXPECT_EQ(c.bins[5].upper, 1.0);
  // Gaps |fraction - mean|: 17/60, 0.2, 0.7, 0.35, 0.2, 0. ECE = (3 * 17/60 + 1.45) / 8 = 2.3 / 8.
  EXPECT_NEAR(c.expected_calibration_error, 2.3 / 8, 1e-15);
  EXPECT_NEAR(c.maximum_calibration_error, 0.7, 1e-15);
  EXPECT_NEAR(c.mean_prediction, 2.8 / 8, 1e-15);
  EXPECT_EQ(c.mean_label, 0.5);
  EXPECT_NEAR(ExpectedCalibrationError(kProbabilities, kLabels), 2.3 / 8, 1e-15);
}

TEST(CalibrationTest, OneBinIsCalibrationInTheLarge) {
  const Calibration c = MeasureCalibration(kProbabilities, kLabels, 1);
  ASSERT_EQ(c.bins.size(), 1u);
  EXPECT_EQ(c.bins[0].count, 8);
  EXPECT_NEAR(c.expected_calibration_error, 0.5 - 0.35, 1e-15);
}

TEST(CalibrationTest, Weights) {
  // Weight 0 removes the example at 1.0; weight 2 doubles the one at 0.2.
  const Calibration c = MeasureCalibration(kProbabilities, kLabels, 10, Doubles{1, 1, 1, 2, 1, 1, 1, 0});
  ASSERT_EQ(c.bins.size(), 5u);
  EXPECT_EQ(c.bins[1].count, 2);
  EXPECT_NEAR(c.mean_prediction, (1.8 + 0.2) / 8, 1e-15);
  EXPECT_EQ(c.mean_label, 3.0 / 8.0);
}

TEST(CalibrationTest, WeightedBinsDifferFromUnweightedOnes) {
  // Two bins, (0, 0.5] and (0.5, 1], three examples each with unequal weights. By hand:
  //   bin 0: p 0.1, 0.3, 0.4; label 0, 1, 1; weight 3, 1, 4
  //     count 8 (unweighted 3); mean prediction (0.3 + 0.3 + 1.6) / 8 = 0.275 (unweighted 0.8 / 3);
  //     fraction positive (1 + 4) / 8 = 0.625 (unweighted 2 / 3)
  //   bin 1: p 0.6, 0.9, 0.7; label 1, 0, 1; weight 2, 1, 1
  //     count 4 (unweighted 3); mean prediction (1.2 + 0.9 + 0.7) / 4 = 0.7 (unweighted 2.2 / 3);
  //     fraction positive 3 / 4 = 0.75 (unweighted 2 / 3)
  //   gaps 0.35 and 0.05; ECE = (8 * 0.35 + 4 * 0.05) / 12 = 0.25 (unweighted (0.4 + 0.0667) / 2); MCE 0.35
  //   mean prediction 5 / 12, mean label 8 / 12.
  const Doubles p{0.1, 0.3, 0.4, 0.6, 0.9, 0.7};
  const Doubles y{0, 1, 1, 1, 0, 1};
  const Doubles w{3, 1, 4, 2, 1, 1};
  const Calibration c = MeasureCalibration(p, y, 2, w);
  ASSERT_EQ(c.bins.size(), 2u);
  EXPECT_EQ(c.bins[0].index, 0);
  EXPECT_EQ(c.bins[0].count, 8.0);
  EXPECT_NEAR(c.bins[0].mean_prediction, 0.275, 1e-15);
  EXPECT_DOUBLE_EQ(c.bins[0].fraction_positive, 0.625);
  EXPECT_EQ(c.bins[1].index, 1);
  EXPECT_EQ(c.bins[1].count, 4.0);
  EXPECT_NEAR(c.bins[1].mean_prediction, 0.7, 1e-15);
  EXPECT_DOUBLE_EQ(c.bins[1].fraction_positive, 0.75);
  EXPECT_NEAR(c.expected_calibration_error, 0.25, 1e-15);
  EXPECT_NEAR(c.maximum_calibration_error, 0.35, 1e-15);
  EXPECT_NEAR(c.mean_prediction, 5.0 / 12.0, 1e-15);
  EXPECT_NEAR(c.mean_label, 8.0 / 12.0, 1e-15);
  EXPECT_NEAR(ExpectedCalibrationError(p, y, 2, w), 0.25, 1e-15);

  // Unit weights give the unweighted bins: the weights above are what moves them.
  const Calibration u = MeasureCalibration(p, y, 2, Doubles(6, 1.0));
  ASSERT_EQ(u.bins.size(), 2u);
  EXPECT_EQ(u.bins[0].count, 3.0);
  EXPECT_NEAR(u.bins[0].mean_prediction, 0.8 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(u.bins[0].fraction_positive, 2.0 / 3.0);
  EXPECT_NEAR(u.bins[1].mean_prediction, 2.2 / 3.0, 1e-15);
}

TEST(CalibrationTest, Csv) {
  std::ostringstream csv;
  WriteCsv(csv, MeasureCalibration(Doubles{0.1, 0.3, 0.9}, Doubles{0, 1, 1}, 2));
  EXPECT_EQ(csv.str(),
            "bin,lower,upper,count,mean_prediction,fraction_positive\n"
            "0,0,0.5,2,0.2,0.5\n"
            "1,0.5,1,1,0.9,1\n");
}

TEST(CalibrationTest, Errors) {
  EXPECT_THROW(MeasureCalibration(kProbabilities, kLabels, 0), ConfigError);
  EXPECT_THROW(MeasureCalibration(Doubles{1.2}, Doubles{1}), DataError);
  EXPECT_THROW(MeasureCalibration(Doubles{-0.1}, Doubles{1}), DataError);
  EXPECT_THROW(MeasureCalibration(Doubles{0.5}, Doubles{0.5}), DataError);
  EXPECT_THROW(MeasureCalibration(Doubles{}, Doubles{}), DataError);
  EXPECT_THROW(MeasureCalibration(Doubles{0.5, 0.5}, Doubles{1}), DataError);
}

}  // namespace
}  // namespace lever
