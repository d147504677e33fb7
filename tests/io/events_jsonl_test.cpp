// events.jsonl: the documented line format, non-finite values, and a crash's truncated last line
// (tolerated when reading, cut off when appending).
#include "lever/io/events_jsonl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/io/text_file.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

TEST(EventsJsonlTest, WritesOneObjectPerLineWithStepAndWallTimeFirst) {
  const std::string path = testing::TempPath("events.jsonl");
  {
    EventsJsonlWriter writer(path);
    writer.Write(100, {{"loss", 0.5}, {"accuracy", 0.75}}, 1767225600.25);
    // Flushed per line: readable before the writer closes.
    EXPECT_EQ(ReadTextFile(path, "log"),
              "{\"step\": 100, \"wall_time\": 1767225600.25, \"accuracy\": 0.75, \"loss\": 0.5}\n");
    writer.Write(200, {{"loss", std::nan("")}, {"grad_norm", HUGE_VAL}, {"low", -HUGE_VAL}}, 1767225601.5);
  }
  const EventsJsonl read = ReadEventsJsonl(path);
  EXPECT_FALSE(read.truncated_last_line);
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].step, 100);
  EXPECT_EQ(read.events[0].wall_time, 1767225600.25);
  EXPECT_EQ(read.events[0].values, (std::map<std::string, double>{{"accuracy", 0.75}, {"loss", 0.5}}));
  EXPECT_TRUE(std::isnan(read.events[1].values.at("loss")));
  EXPECT_EQ(read.events[1].values.at("grad_norm"), HUGE_VAL);
  EXPECT_EQ(read.events[1].values.at("low"), -HUGE_VAL);
  EXPECT_TRUE(Contains(ReadTextFile(path, "log"), "\"loss\": \"nan\""));
}

TEST(EventsJsonlTest, ReaderToleratesATruncatedLastLineAndTheWriterCutsItOff) {
  const std::string path = testing::TempPath("events.jsonl");
  {
    EventsJsonlWriter writer(path);
    for (int step = 1; step <= 3; ++step) writer.Write(step, {{"loss", 1.0 / step}}, 10.0 + step);
  }
  const std::string text = ReadTextFile(path, "log");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 7);  // a crash mid-line
  EventsJsonl read = ReadEventsJsonl(path);
  EXPECT_TRUE(read.truncated_last_line);
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[1].step, 2);

  {
    EventsJsonlWriter resumed(path);
    resumed.Write(3, {{"loss", 0.25}}, 20.0);
  }
  read = ReadEventsJsonl(path);
  EXPECT_FALSE(read.truncated_last_line);
  ASSERT_EQ(read.events.size(), 3u);
  EXPECT_EQ(read.events[2].values.at("loss"), 0.25);
}

TEST(EventsJsonlTest, DropEventsAfterStepKeepsEachEarlierLineAsItWas) {
  const std::string path = testing::TempPath("events.jsonl");
  {
    EventsJsonlWriter writer(path);
    for (int step = 10; step <= 50; step += 10) writer.Write(step, {{"loss", 1.0 / step}}, 100.0 + step);
    writer.Write(20, {{"loss", 0.5}}, 200.0);  // an earlier step after later ones: dropped by step, not position
  }
  const std::string before = ReadTextFile(path, "log");
  // Not a run's line: kept as it is. Then a line a crash cut off: dropped.
  std::ofstream(path, std::ios::binary | std::ios::app) << "{\"note\": \"x\"}\n{\"step\": 60, \"wall";
  EXPECT_EQ(DropEventsAfterStep(path, 30), 3);  // 40, 50 and the cut-off line
  const std::string after = ReadTextFile(path, "log");
  size_t end = 0;
  for (int line = 0; line < 3; ++line) end = before.find('\n', end) + 1;
  const size_t fifth = before.find('\n', before.find('\n', end) + 1) + 1;
  EXPECT_EQ(after, before.substr(0, end) + before.substr(fifth) + "{\"note\": \"x\"}\n");
  EXPECT_EQ(DropEventsAfterStep(path, 30), 0);
  EXPECT_EQ(ReadTextFile(path, "log"), after);
  EXPECT_EQ(DropEventsAfterStep(testing::TempPath("missing.jsonl"), 0), 0);
}

TEST(EventsJsonlTest, MalformedLineBeforeTheLastIsNamedByFileAndLine) {
  const std::string path = testing::WriteFile(
      "events.jsonl",
      "{\"step\": 1, \"wall_time\": 2.0, \"loss\": 1}\n{\"step\": 2, \"loss\": 1}\n{\"step\": 3, \"wall_time\": 4}\n");
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { ReadEventsJsonl(path); }), path + ":2: no integer \"step\""));
  const std::string bad_value =
      testing::WriteFile("bad.jsonl", "{\"step\": 1, \"wall_time\": 2.0, \"loss\": \"high\"}\n");
  EXPECT_TRUE(
      Contains(ErrorOf<IoError>([&] { ReadEventsJsonl(bad_value); }), ":1: \"loss\" is \"high\", not a number"));
}

TEST(EventsJsonlTest, ReservedTagsAreAConfigError) {
  EventsJsonlWriter writer(testing::TempPath("events.jsonl"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { writer.Write(1, {{"step", 1.0}}); }), "cannot be tagged 'step'"));
  EXPECT_THROW(writer.Write(1, {{"", 1.0}}), ConfigError);
}

TEST(EventsJsonlTest, ALogThatIsASymbolicLinkIsNotAppendedTo) {
  const std::string outside = testing::WriteFile("outside.txt", "keep me\n");
  const std::string path = testing::TempPath("events.jsonl");
  std::filesystem::create_symlink(outside, path);
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { EventsJsonlWriter writer(path); }), "it is a symbolic link"));
  EXPECT_EQ(ReadTextFile(outside, "outside"), "keep me\n");
}

}  // namespace
}  // namespace lever
