// TensorBoard event files: protobuf bytes worked out by hand from event.proto's field numbers, TFRecord
// framing, TensorBoard's file naming, and damaged files named in errors.
// tests/checkpoint/independent_decoder.py decodes the same files with python3-protobuf.
#include "lever/io/tfevents.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/io/crc32c.h"
#include "lever/io/text_file.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

std::string Bytes(std::initializer_list<int> values) {
  std::string bytes;
  for (int v : values) bytes += static_cast<char>(v);
  return bytes;
}

template <class T>
std::string Raw(T value) {
  return std::string(reinterpret_cast<const char*>(&value), sizeof(value));
}

TEST(TfEventsTest, ScalarEventMatchesTheProtobufWorkedByHand) {
  // Event: wall_time (1, fixed64) = 1.5, step (2, varint) = 3, summary (5, bytes) =
  //   Summary: value (1, bytes) = Value: tag (1, bytes) = "loss", simple_value (2, fixed32) = 0.5f
  const std::string value = Bytes({0x0A, 4}) + "loss" + Bytes({0x15}) + Raw(0.5f);
  ASSERT_EQ(value.size(), 11u);
  const std::string summary = Bytes({0x0A, 11}) + value;
  const std::string expected = Bytes({0x09}) + Raw(1.5) + Bytes({0x10, 3, 0x2A, 13}) + summary;
  EXPECT_EQ(EncodeScalarEvent(1.5, 3, {{"loss", 0.5f}}), expected);
}

TEST(TfEventsTest, FileVersionEventAndLargeAndNegativeSteps) {
  EXPECT_EQ(EncodeFileVersionEvent(2.0), Bytes({0x09}) + Raw(2.0) + Bytes({0x1A, 13}) + "brain.Event:2");
  // 300 = 0b10'0101100: low seven bits first with the continuation bit, then 2.
  EXPECT_EQ(EncodeScalarEvent(0.0, 300, {}).substr(9, 3), Bytes({0x10, 0xAC, 0x02}));
  // int64 -1 is ten bytes: nine 0xFF and a final 0x01.
  EXPECT_EQ(EncodeScalarEvent(0.0, -1, {}).substr(9, 11),
            Bytes({0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
}

TEST(TfEventsTest, SessionStartEventMatchesTheProtobufWorkedByHand) {
  // Event: wall_time (1, fixed64) = 1.5, step (2, varint) = 7, session_log (6, bytes) =
  //   SessionLog: status (1, varint) = START (1)
  EXPECT_EQ(EncodeSessionStartEvent(1.5, 7), Bytes({0x09}) + Raw(1.5) + Bytes({0x10, 7, 0x32, 2, 0x08, 1}));
}

TEST(TfEventsTest, RecordFramingHasMaskedCrcsOfLengthAndData) {
  const std::string data = "event bytes";
  const std::string record = EncodeTfRecord(data);
  ASSERT_EQ(record.size(), 8 + 4 + data.size() + 4);
  EXPECT_EQ(record.substr(0, 8), Raw(uint64_t{11}));
  const uint32_t length_crc = Crc32cBitwise(record.data(), 8);
  EXPECT_EQ(record.substr(8, 4), Raw(((length_crc >> 15) | (length_crc << 17)) + 0xa282ead8u));
  EXPECT_EQ(record.substr(12, data.size()), data);
  const uint32_t data_crc = Crc32cBitwise(data.data(), data.size());
  EXPECT_EQ(record.substr(12 + data.size()), Raw(((data_crc >> 15) | (data_crc << 17)) + 0xa282ead8u));
}

std::string RunDir() {
  const std::string dir = testing::TempPath("run");
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(TfEventsTest, WriterNamesTheFileLikeTensorBoardAndWritesEveryEvent) {
  const std::string dir = RunDir();
  std::string first_path;
  {
    TfEventsWriter writer(dir, 1767225600.75);
    first_path = writer.path();
    writer.AddScalars(10, {{"loss", 0.25}, {"accuracy", 0.875}}, 1767225601.0);
    writer.AddScalar(20, "loss", 0.125, 1767225602.0);
    writer.AddSessionStart(21, 1767225603.0);
    writer.Sync();
  }
  const std::string name = std::filesystem::path(first_path).filename().string();
  EXPECT_EQ(name.rfind("events.out.tfevents.1767225600.", 0), 0u) << name;
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_EQ(name, std::string("events.out.tfevents.1767225600.") + host);

  const std::vector<std::string> records = ReadTfRecords(first_path);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0], EncodeFileVersionEvent(1767225600.75));
  EXPECT_EQ(records[1], EncodeScalarEvent(1767225601.0, 10, {{"accuracy", 0.875f}, {"loss", 0.25f}}));
  EXPECT_EQ(records[2], EncodeScalarEvent(1767225602.0, 20, {{"loss", 0.125f}}));
  EXPECT_EQ(records[3], EncodeSessionStartEvent(1767225603.0, 21));

  // A second writer in the same second gets its own file.
  TfEventsWriter second(dir, 1767225600.0);
  EXPECT_EQ(second.path(), first_path + ".1");
}

TEST(TfEventsTest, TruncatedOrCorruptFilesAreNamedWithTheRecord) {
  const std::string dir = RunDir();
  std::string path;
  {
    TfEventsWriter writer(dir, 1.0);
    writer.AddScalar(1, "loss", 1.0, 2.0);
    path = writer.path();
  }
  const std::string bytes = ReadTextFile(path, "events");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 2);
  const std::string truncated = ErrorOf<IoError>([&] { ReadTfRecords(path); });
  EXPECT_TRUE(Contains(truncated, path + ": record 2 at byte "));
  EXPECT_TRUE(Contains(truncated, "is truncated"));

  std::string flipped = bytes;
  flipped[bytes.size() - 8] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { ReadTfRecords(path); }), "record 2 at byte"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { ReadTfRecords(path); }), "the data's CRC does not match"));
}

}  // namespace
}  // namespace lever
