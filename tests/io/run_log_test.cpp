// RunLog writes the same scalars to events.jsonl and to the TensorBoard event file, and a resumed one
// drops what the stopped run logged after its checkpoint.
#include "lever/io/run_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <utility>
#include <vector>

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

TEST(RunLogTest, AResumedLogHoldsEachStepOnceAndTellsTensorBoardWhereItRestarted) {
  const std::string dir = testing::TempPath("resumed_run");
  std::filesystem::remove_all(dir);
  std::string first_file;
  {
    RunLog log(dir, 0);  // a fresh run: killed after logging step 40, its last checkpoint at 25
    for (int64_t step = 10; step <= 40; step += 10) log.Log(step, {{"loss", 1.0}}, 100.0 + static_cast<double>(step));
    first_file = log.tfevents_path();
  }
  std::string second_file;
  {
    RunLog log(dir, 25);
    for (int64_t step = 30; step <= 50; step += 10) log.Log(step, {{"loss", 2.0}}, 200.0 + static_cast<double>(step));
    second_file = log.tfevents_path();
  }
  const EventsJsonl jsonl = ReadEventsJsonl(dir + "/events.jsonl");
  std::vector<std::pair<int64_t, double>> lines;
  for (const ScalarEvent& e : jsonl.events) lines.emplace_back(e.step, e.values.at("loss"));
  EXPECT_EQ(lines, (std::vector<std::pair<int64_t, double>>{{10, 1.0}, {20, 1.0}, {30, 2.0}, {40, 2.0}, {50, 2.0}}));

  // Each event file: file_version, SessionLog START at the first step this run logs (TensorBoard drops
  // earlier files' events of that step and later ones), then the scalars. START's wall time is "now".
  const std::string start_of_fresh = ReadTfRecords(first_file)[1];
  const std::string start_of_resumed = ReadTfRecords(second_file)[1];
  ASSERT_EQ(start_of_resumed.size(), 15u);
  EXPECT_EQ(start_of_fresh.substr(9), EncodeSessionStartEvent(0.0, 1).substr(9));
  EXPECT_EQ(start_of_resumed.substr(9), EncodeSessionStartEvent(0.0, 26).substr(9));
  EXPECT_EQ(ReadTfRecords(second_file)[2], EncodeScalarEvent(230.0, 30, {{"loss", 2.0f}}));
  // Without a start step, RunLog only appends.
  {
    RunLog log(dir);
    log.Log(20, {{"loss", 3.0}}, 300.0);
    EXPECT_EQ(ReadTfRecords(log.tfevents_path()).size(), 2u);
  }
  EXPECT_EQ(ReadEventsJsonl(dir + "/events.jsonl").events.size(), 6u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lever
