// The cloudml-hypertune metric file: string and number values, rewrites of the whole file, unfinished
// lines, and the final value at the largest step.
#include "lever/tune/metric_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "lever/error.h"
#include "testing/files.h"

namespace lever::tune {
namespace {

using testing::Contains;
using testing::ErrorOf;

TEST(MetricFileTest, ParsesCloudMlHypertuneLinesWithStringsOrNumbers) {
  // As cloudml-hypertune writes it (json.dumps with sort_keys, every value but timestamp a string).
  std::optional<MetricPoint> p = ParseMetricLine(
      R"({"global_step": "100", "rmse": "0.42", "timestamp": 1525851440.123456, "trial": "3"})", "rmse");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, 100);
  EXPECT_EQ(p->value, 0.42);
  p = ParseMetricLine(R"({"global_step": 7, "training/hptuning/metric": 1e-3})", "training/hptuning/metric");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, 7);
  EXPECT_EQ(p->value, 1e-3);
  p = ParseMetricLine(R"({"rmse": "nan"})", "rmse");  // Python's str(float('nan')); no step means 0
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, 0);
  EXPECT_TRUE(std::isnan(p->value));
  EXPECT_FALSE(ParseMetricLine(R"({"global_step": "1", "accuracy": "0.9"})", "rmse").has_value());
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseMetricLine(R"({"rmse": "n/a"})", "rmse"); }),
                       "'rmse' is \"n/a\", not a number"));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseMetricLine(R"({"rmse": 1, "global_step": "1.5"})", "rmse"); }),
                       "not a whole number"));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseMetricLine("rmse=0.4", "rmse"); }), "not a JSON object"));
}

// Found by tests/fuzz/metric_file_fuzz.cpp: a whole-number step beyond int64_t was converted anyway
// (undefined behavior). It is a DataError; the largest steps that fit still read.
TEST(MetricFileTest, StepsBeyondInt64AreDataErrors) {
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseMetricLine(R"({"global_step": 1e30, "rmse": 1})", "rmse"); }),
                       "'global_step' is 1e+30, beyond a 64-bit step count"));
  EXPECT_TRUE(Contains(
      ErrorOf<DataError>([] { ParseMetricLine(R"({"global_step": "9223372036854775808", "rmse": 1})", "rmse"); }),
      "beyond a 64-bit step count"));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseMetricLine(R"({"global_step": -1e19, "rmse": 1})", "rmse"); }),
                       "beyond a 64-bit step count"));
  std::optional<MetricPoint> p = ParseMetricLine(R"({"global_step": "9223372036854774784", "rmse": 1})", "rmse");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, int64_t{9223372036854774784});
  p = ParseMetricLine(R"({"global_step": "-9223372036854775808", "rmse": 1})", "rmse");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->step, std::numeric_limits<int64_t>::min());
}

TEST(MetricFileTest, ReaderReturnsEachReportOnceAcrossRewritesAndWaitsForUnfinishedLines) {
  const std::string path = testing::TempPath("metrics.jsonl");
  MetricFileReader reader(path, "loss");
  EXPECT_TRUE(reader.Poll().empty());  // no file yet
  EXPECT_FALSE(reader.Final().has_value());
  const std::string one = R"({"global_step": "1", "loss": "3.0", "timestamp": 1.0})";
  const std::string two = R"({"global_step": "2", "loss": "2.0", "timestamp": 2.0})";
  const std::string three = R"({"global_step": "3", "loss": "1.5", "timestamp": 3.0})";
  std::ofstream(path) << one << "\n" << two.substr(0, 20);  // the second line is being written
  std::vector<MetricPoint> fresh = reader.Poll();
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].value, 3.0);
  // cloudml-hypertune rewrites the whole file each time.
  std::ofstream(path) << one << "\n"
                      << two << "\n"
                      << "not json\n"
                      << three << "\n";
  fresh = reader.Poll();
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0].step, 2);
  EXPECT_EQ(fresh[1].step, 3);
  EXPECT_TRUE(Contains(reader.problem(), path + ":3: not a JSON object"));
  EXPECT_TRUE(reader.Poll().empty());
  EXPECT_EQ(reader.reports().size(), 3u);
  EXPECT_EQ(reader.Final(), 1.5);
}

TEST(MetricFileTest, FinalValueIsAtTheLargestStepAndTheLatestAmongEqualSteps) {
  EXPECT_EQ(FinalValue({{10, 1.0}, {30, 3.0}, {20, 2.0}}), 3.0);
  EXPECT_EQ(FinalValue({{0, 1.0}, {0, 2.0}}), 2.0);
  EXPECT_FALSE(FinalValue({}).has_value());
}

}  // namespace
}  // namespace lever::tune
