// The day x hour demo end to end (bench/embeddings/day_hour.h): a crossed column embedded in two
// dimensions through a lazy table learns a plane where weekday office hours and nights lie apart, and the
// CSV written for plotting holds the 168 cells.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../bench/embeddings/day_hour.h"

namespace lever {
namespace {

struct CsvCell {
  int day, hour;
  float e1, e2;
  double click_rate;
};

std::vector<CsvCell> ReadCsv(const std::string& path, std::string* header) {
  std::ifstream in(path);
  std::getline(in, *header);
  std::vector<CsvCell> cells;
  std::string line;
  while (std::getline(in, line)) {
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    CsvCell c{};
    fields >> c.day >> c.hour >> c.e1 >> c.e2 >> c.click_rate;
    EXPECT_TRUE(fields && fields.eof()) << "malformed line: " << line;
    cells.push_back(c);
  }
  return cells;
}

class DayHourEmbeddingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo::DayHourOptions options;  // the demo's defaults: 336k examples, 2^20 buckets, 4000 steps
    const demo::DayHourData data = demo::GenerateDayHourClicks(options.examples, options.seed);
    result_ = new demo::DayHourResult(demo::TrainDayHourEmbedding(data, options));
  }
  static void TearDownTestSuite() { delete result_; }
  static demo::DayHourResult* result_;
};
demo::DayHourResult* DayHourEmbeddingTest::result_ = nullptr;

TEST_F(DayHourEmbeddingTest, CrossFitsTheHashBucketsWithoutCollisions) {
  // 168 values in 2^20 buckets: a collision would have probability about 1.3% for a random hash; this hash
  // has none, and the lazy table holds just the 168 rows seen.
  EXPECT_EQ(result_->distinct_buckets, 168);
  EXPECT_EQ(result_->collisions, 0);
  EXPECT_EQ(result_->rows_allocated, 168);
}

TEST_F(DayHourEmbeddingTest, CsvHasOneLinePerCellAndSeparatesWeekdayDaytimeFromNight) {
  const std::string path = ::testing::TempDir() + "day_hour_embedding_test.csv";
  demo::WriteDayHourCsv(*result_, path);
  std::string header;
  const std::vector<CsvCell> csv = ReadCsv(path, &header);
  EXPECT_EQ(header, "day,hour,e1,e2,click_rate");
  ASSERT_EQ(csv.size(), 168u);
  std::set<std::pair<int, int>> seen;
  std::vector<demo::DayHourCell> cells;
  for (const CsvCell& c : csv) {
    EXPECT_TRUE(c.day >= 0 && c.day < 7 && c.hour >= 0 && c.hour < 24) << c.day << " " << c.hour;
    EXPECT_TRUE(c.click_rate > 0.0 && c.click_rate < 1.0);
    seen.emplace(c.day, c.hour);
    demo::DayHourCell cell;
    cell.day = c.day;
    cell.hour = c.hour;
    cell.e1 = c.e1;
    cell.e2 = c.e2;
    cells.push_back(cell);
  }
  EXPECT_EQ(seen.size(), 168u);

  // From the CSV's numbers: weekday 9-17h (45 cells) and night 0-5h (42 cells) lie apart in the plane:
  // every cell's nearest neighbour among the 87 is of its own group. (The head is nonlinear, so the groups
  // need not lie on either side of a line; nearest neighbours do not assume they do.)
  const demo::Separation trained = demo::WeekdayDaytimeVersusNight(cells);
  EXPECT_GE(trained.nearest_neighbour, 0.95);
  // The same rows before training (random by bucket id) do not: the assertion above can fail.
  const demo::Separation untrained = demo::WeekdayDaytimeVersusNight(result_->cells, /*initial=*/true);
  EXPECT_LT(untrained.nearest_neighbour, 0.7);
}

TEST_F(DayHourEmbeddingTest, ModelLearnsTheWeeklyPattern) {
  // Log loss close to the planted rates' and well below a constant rate's; predicted rates track the
  // observed ones cell by cell.
  EXPECT_LT(result_->log_loss, result_->planted_log_loss + 0.002);
  EXPECT_LT(result_->log_loss, result_->constant_log_loss - 0.02);
  double worst = 0.0;
  for (const demo::DayHourCell& c : result_->cells)
    worst = std::max(worst, std::abs(c.predicted_rate - c.planted_rate));
  EXPECT_LT(worst, 0.05);  // sampling noise alone is up to about 0.03 at 2000 examples a cell
}

TEST_F(DayHourEmbeddingTest, SvgHasAPointPerCell) {
  const std::string path = ::testing::TempDir() + "day_hour_embedding_test.svg";
  demo::WriteDayHourSvg(*result_, path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string svg = text.str();
  size_t points = 0;
  for (size_t at = svg.find("<title>"); at != std::string::npos; at = svg.find("<title>", at + 1)) ++points;
  EXPECT_EQ(points, 168u);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_THROW(demo::WriteDayHourCsv(*result_, "/nonexistent-dir/x.csv"), IoError);
}

}  // namespace
}  // namespace lever
