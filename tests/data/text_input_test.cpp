#include "lever/data/text_input.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <string>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using lever::testing::Contains;
using lever::testing::ErrorOf;
using lever::testing::TempPath;
using lever::testing::WriteFile;
using lever::testing::WriteGzip;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Numbered lines, "row 0,0.5,abc\n", about 3.4 MB: more than three of TextInput's 1 MiB buffers.
std::string ManyLines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "row " + std::to_string(i) + "," + std::to_string(i * 0.5) + ",abcdefgh\n";
  return text;
}

TEST(TextInputTest, ReadsLinesAndCountsThem) {
  const std::string path = WriteFile("lines.txt", "first\nsecond\r\n\nlast");
  TextInput input(path);
  EXPECT_FALSE(input.is_gzip());
  std::string_view line;
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line, "first");
  EXPECT_EQ(input.line_number(), 1);
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line, "second");  // CRLF: the CR goes too
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line, "last");  // no newline at the end
  EXPECT_EQ(input.line_number(), 4);
  EXPECT_FALSE(input.ReadLine(&line));
  EXPECT_EQ(input.offset(), 19);  // every byte, line ends included
}

TEST(TextInputTest, TrailingNewlineGivesNoEmptyLastLine) {
  TextInput input(WriteFile("trailing.txt", "a\nb\n"));
  std::string_view line;
  int lines = 0;
  while (input.ReadLine(&line)) ++lines;
  EXPECT_EQ(lines, 2);
}

TEST(TextInputTest, EmptyFileHasNothing) {
  TextInput input(WriteFile("empty.txt", ""));
  std::string_view line;
  EXPECT_FALSE(input.ReadLine(&line));
  EXPECT_TRUE(input.NextChunk().empty());
  char buffer[4];
  EXPECT_EQ(input.Read(buffer, 4), 0u);
}

TEST(TextInputTest, MissingFileIsIoErrorWithPathAndReason) {
  const std::string path = TempPath("does_not_exist.csv");
  const std::string message = ErrorOf<IoError>([&] { TextInput input(path); });
  EXPECT_TRUE(Contains(message, "IoError: " + path));
  EXPECT_TRUE(Contains(message, "No such file or directory"));
}

TEST(TextInputTest, DirectoryIsIoError) {
  const std::string message = ErrorOf<IoError>([] { TextInput input(::testing::TempDir()); });
  EXPECT_TRUE(Contains(message, ::testing::TempDir()));
}

TEST(TextInputTest, ChunksAndReadsGiveBackTheBytes) {
  const std::string text = ManyLines(20000);
  const std::string path = WriteFile("chunks.txt", text);
  {
    TextInput input(path);
    std::string joined;
    for (std::string_view chunk = input.NextChunk(); !chunk.empty(); chunk = input.NextChunk()) {
      EXPECT_LE(chunk.size(), TextInput::kBufferSize);
      joined += chunk;
    }
    EXPECT_EQ(joined, text);
  }
  {
    // Odd sizes, then one read larger than the buffer (which bypasses it).
    TextInput input(path);
    std::string joined(text.size() + 10, '\0');
    size_t at = input.Read(joined.data(), 7);
    at += input.Read(joined.data() + at, 1000);
    std::string_view line;
    ASSERT_TRUE(input.ReadLine(&line));  // mixing: the rest of the line the reads stopped in
    joined.replace(at, line.size() + 1, std::string(line) + "\n");
    at += line.size() + 1;
    at += input.Read(joined.data() + at, joined.size() - at);
    joined.resize(at);
    EXPECT_EQ(joined, text);
    EXPECT_EQ(input.offset(), static_cast<int64_t>(text.size()));
  }
}

TEST(TextInputTest, LineLongerThanTheBufferIsWhole) {
  const std::string long_line(3 * TextInput::kBufferSize + 17, 'x');
  TextInput input(WriteFile("long.txt", "short\n" + long_line + "\nend\n"));
  std::string_view line;
  ASSERT_TRUE(input.ReadLine(&line));
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line.size(), long_line.size());
  EXPECT_EQ(line, long_line);
  ASSERT_TRUE(input.ReadLine(&line));
  EXPECT_EQ(line, "end");
  EXPECT_EQ(input.line_number(), 3);
}

TEST(TextInputTest, GzipRoundTripSpansSeveralBuffers) {
  const std::string text = ManyLines(120000);
  ASSERT_GT(text.size(), 3 * TextInput::kBufferSize);
  TextInput input(WriteGzip("data.csv.gz", text));
  EXPECT_TRUE(input.is_gzip());
  std::string_view line;
  int64_t count = 0;
  while (input.ReadLine(&line)) {
    const std::string expected = "row " + std::to_string(count) + "," + std::to_string(count * 0.5) + ",abcdefgh";
    if (line != expected) {
      ADD_FAILURE() << "line " << count + 1 << ": " << line << " != " << expected;
      break;
    }
    ++count;
  }
  EXPECT_EQ(count, 120000);
  EXPECT_EQ(input.line_number(), 120000);
  EXPECT_EQ(input.offset(), static_cast<int64_t>(text.size()));
}

TEST(TextInputTest, GzipIsDetectedByMagicBytesNotByName) {
  const std::string gz = WriteGzip("looks_plain.csv", "a,b\n1,2\n");
  TextInput compressed(gz);
  EXPECT_TRUE(compressed.is_gzip());
  std::string_view line;
  ASSERT_TRUE(compressed.ReadLine(&line));
  EXPECT_EQ(line, "a,b");

  TextInput plain(WriteFile("looks_compressed.gz", "a,b\n"));
  EXPECT_FALSE(plain.is_gzip());
  ASSERT_TRUE(plain.ReadLine(&line));
  EXPECT_EQ(line, "a,b");
}

TEST(TextInputTest, ConcatenatedGzipMembersReadAsOneStream) {
  const std::string first = ReadAll(WriteGzip("first.gz", "one\ntwo\n"));
  const std::string second = ReadAll(WriteGzip("second.gz", "three\n"));
  TextInput input(WriteFile("both.gz", first + second));
  std::string_view line;
  std::string joined;
  while (input.ReadLine(&line)) joined += std::string(line) + ";";
  EXPECT_EQ(joined, "one;two;three;");
}

TEST(TextInputTest, TruncatedGzipIsIoError) {
  const std::string whole = ReadAll(WriteGzip("whole.gz", ManyLines(120000)));
  const std::string path = WriteFile("cut.csv.gz", whole.substr(0, whole.size() / 2));
  TextInput input(path);
  const std::string message = ErrorOf<IoError>([&] {
    std::string_view line;
    while (input.ReadLine(&line)) {
    }
  });
  EXPECT_TRUE(Contains(message, "IoError: " + path + ": gzip stream is truncated after "));
  EXPECT_TRUE(Contains(message, "uncompressed bytes"));
  EXPECT_GT(input.line_number(), 1000);  // the lines before the cut were read
}

TEST(TextInputTest, CorruptGzipIsIoError) {
  std::string bytes = ReadAll(WriteGzip("whole.gz", ManyLines(1000)));
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  const std::string path = WriteFile("damaged.gz", bytes);
  const std::string message = ErrorOf<IoError>([&] {
    TextInput input(path);
    std::string_view line;
    while (input.ReadLine(&line)) {
    }
  });
  EXPECT_TRUE(Contains(message, "IoError: " + path + ": gzip data is corrupt at uncompressed byte offset "));
}

TEST(TextInputTest, GzipMagicAloneIsTruncated) {
  const std::string path = WriteFile("magic_only.gz", "\x1f\x8b");
  TextInput input(path);
  std::string_view line;
  const std::string message = ErrorOf<IoError>([&] { input.ReadLine(&line); });
  EXPECT_TRUE(Contains(message, "gzip stream is truncated after 0 uncompressed bytes"));
}

}  // namespace
}  // namespace lever
