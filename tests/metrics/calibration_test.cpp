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
