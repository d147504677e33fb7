#include "lever/data/bad_rows.h"

#include <gtest/gtest.h>

namespace lever {
namespace {

BadRowReport Skipped(const std::vector<std::string>& messages) {
  BadRowReport report;
  for (const std::string& m : messages) report.Record(m, BadRowPolicy{true, 0});
  return report;
}

TEST(BadRowReportTest, MergeAddsCountsAndKeepsTheFirstMessages) {
  BadRowReport total = Skipped({"a:1", "a:2"});
  total.Merge(Skipped({"a:7"}), BadRowPolicy{true, 3});
  EXPECT_EQ(total.skipped(), 3);
  EXPECT_EQ(total.messages(), (std::vector<std::string>{"a:1", "a:2", "a:7"}));
}

TEST(BadRowReportTest, MergePastTheLimitNamesTheRowThatPassedIt) {
  BadRowReport total = Skipped({"a:1", "a:2"});
  try {
    total.Merge(Skipped({"a:5", "a:9"}), BadRowPolicy{true, 3});  // a:9 is the 4th bad row
    FAIL() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("more than 3 malformed rows skipped; the last one: a:9"), std::string::npos)
        << e.what();
  }
  BadRowReport unlimited = Skipped({"a:1", "a:2"});
  unlimited.Merge(Skipped({"a:5", "a:9"}), BadRowPolicy{true, 0});
  EXPECT_EQ(unlimited.skipped(), 4);
}

}  // namespace
}  // namespace lever
