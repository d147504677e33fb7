// RunLog writes the same scalars to events.jsonl and to the TensorBoard event file.
#include "lever/io/run_log.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/files.h"

namespace lever {
namespace {

TEST(RunLogTest, LogsTheSameScalarsToBothFiles) {
  const std::string dir = testing::TempPath("run");
  std::filesystem::remove_all(dir);
  std::string tfevents;
  {
    RunLog log(dir);
    log.Log(5, {{"loss", 0.5}}, 100.0);
    log.Log(6, {{"loss", 0.25}}, 101.0);
    tfevents = log.tfevents_path();
    EXPECT_EQ(log.jsonl_path(), dir + "/events.jsonl");
  }
  const EventsJsonl jsonl = ReadEventsJsonl(dir + "/events.jsonl");
  ASSERT_EQ(jsonl.events.size(), 2u);
  EXPECT_EQ(jsonl.events[1].step, 6);
  const std::vector<std::string> records = ReadTfRecords(tfevents);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2], EncodeScalarEvent(101.0, 6, {{"loss", 0.25f}}));
}

}  // namespace
}  // namespace lever
