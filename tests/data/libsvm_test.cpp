#include "lever/data/libsvm.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

std::vector<int32_t> RowIds(const SparseRows& rows, Index row) {
  return {rows.ids.begin() + rows.row_ptr[static_cast<size_t>(row)],
          rows.ids.begin() + rows.row_ptr[static_cast<size_t>(row) + 1]};
}

std::vector<float> RowValues(const SparseRows& rows, Index row) {
  return {rows.values.begin() + rows.row_ptr[static_cast<size_t>(row)],
          rows.values.begin() + rows.row_ptr[static_cast<size_t>(row) + 1]};
}

// Parses `text` expecting a DataError whose message holds every one of `parts`; returns the message.
std::string ExpectDataError(const std::string& text, std::initializer_list<std::string> parts,
                            const LibsvmOptions& options = {}) {
  try {
    ReadLibsvmBuffer(text, "train.svm", options);
  } catch (const DataError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << "missing \"" << part << "\" in: " << message;
    return message;
  }
  ADD_FAILURE() << "no DataError for: " << text;
  return {};
}

TEST(LibsvmTest, ParsesLabelsIdsAndValues) {
  const LibsvmData d = ReadLibsvmBuffer("1 1:0.5 3:2 10:-1.25\n-1 2:1\n+1\n0 4:1e-3 5:.5 6:+2\n");
  EXPECT_EQ(d.lines, 4);
  ASSERT_EQ(d.features.rows(), 4);
  EXPECT_EQ(d.labels, (std::vector<float>{1, -1, 1, 0}));
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0, 2, 9}));
  EXPECT_EQ(RowValues(d.features, 0), (std::vector<float>{0.5f, 2.0f, -1.25f}));
  EXPECT_EQ(RowIds(d.features, 1), (std::vector<int32_t>{1}));
  EXPECT_TRUE(RowIds(d.features, 2).empty());
  EXPECT_EQ(RowValues(d.features, 3), (std::vector<float>{1e-3f, 0.5f, 2.0f}));
  EXPECT_EQ(d.features.cols, 10);  // max id 9, plus one
  EXPECT_EQ(d.features.nnz(), 7);
  EXPECT_EQ(d.bad_rows.skipped(), 0);
}

TEST(LibsvmTest, ValuesThatNeedTheGeneralPath) {
  const LibsvmData d = ReadLibsvmBuffer("2.5 1:12345678 2:-0 3:1e-50 4:3.4e38 5:0.1 6:1E2\n");
  EXPECT_EQ(d.labels[0], 2.5f);
  EXPECT_EQ(RowValues(d.features, 0), (std::vector<float>{12345678.0f, -0.0f, 0.0f, 3.4e38f, 0.1f, 100.0f}));
}

// The fast path for plain decimals (Clinger's) and std::from_chars, its naive twin, give the same floats.
TEST(LibsvmTest, FastDecimalPathAgreesWithFromChars) {
  uint64_t state = 7;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 20;
  };
  std::vector<std::string> numbers = {"16777216",     "16777217",  "0.1",         "0.3",        "9.999999",
                                      "0.0000000001", "1677721.6", "123456789.5", "0.16777216", "3.4028234"};
  for (int i = 0; i < 20000; ++i) {
    const uint64_t mantissa = next() % (i % 2 ? 100000000 : 20000000);
    std::string digits = std::to_string(mantissa);
    const size_t fraction = next() % 12;
    if (fraction > 0) {
      if (digits.size() <= fraction) digits.insert(0, fraction - digits.size() + 1, '0');
      digits.insert(digits.size() - fraction, ".");
    }
    numbers.push_back((next() % 3 == 0 ? "-" : "") + digits);
  }
  std::string text;
  for (const std::string& number : numbers) text += "0 1:" + number + "\n";
  const LibsvmData d = ReadLibsvmBuffer(text);
  ASSERT_EQ(d.features.nnz(), static_cast<Index>(numbers.size()));
  for (size_t i = 0; i < numbers.size(); ++i) {
    float expected = 0;
    std::from_chars(numbers[i].data(), numbers[i].data() + numbers[i].size(), expected);
    ASSERT_EQ(d.features.values[i], expected) << numbers[i];
  }
}

TEST(LibsvmTest, QidIsIgnored) {
  const LibsvmData d = ReadLibsvmBuffer("3 qid:1 1:1 2:0.5\n2 qid:17 3:1\n");
  ASSERT_EQ(d.features.rows(), 2);
  EXPECT_EQ(d.labels, (std::vector<float>{3, 2}));
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(RowIds(d.features, 1), (std::vector<int32_t>{2}));
}

TEST(LibsvmTest, CommentsAreSkipped) {
  const LibsvmData d =
      ReadLibsvmBuffer("# a header\n  # indented comment\n1 1:1 # trailing comment 9:9\n-1 2:1#tight\n");
  EXPECT_EQ(d.lines, 4);
  ASSERT_EQ(d.features.rows(), 2);
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0}));
  EXPECT_EQ(RowIds(d.features, 1), (std::vector<int32_t>{1}));
  EXPECT_EQ(d.features.cols, 2);
}

TEST(LibsvmTest, CrlfLineEndsAreAccepted) {
  const LibsvmData d = ReadLibsvmBuffer("1 1:1 2:0.5\r\n-1 3:2\r\n\r\n");
  ASSERT_EQ(d.features.rows(), 2);
  EXPECT_EQ(RowValues(d.features, 0), (std::vector<float>{1.0f, 0.5f}));
  EXPECT_EQ(RowValues(d.features, 1), (std::vector<float>{2.0f}));
  EXPECT_EQ(d.lines, 3);
}

TEST(LibsvmTest, BlankLinesAndTabsAndTheLastLineWithoutNewline) {
  const LibsvmData d = ReadLibsvmBuffer("\n   \n1\t1:1 \t 2:1  \n\t\n-1 3:1");
  EXPECT_EQ(d.lines, 5);
  ASSERT_EQ(d.features.rows(), 2);
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(RowIds(d.features, 1), (std::vector<int32_t>{2}));
  EXPECT_EQ(ReadLibsvmBuffer("").features.rows(), 0);
}

TEST(LibsvmTest, ZeroBasedIndices) {
  const LibsvmData d = ReadLibsvmBuffer("1 0:1 4:2\n", "z.svm", {.zero_based = true});
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0, 4}));
  EXPECT_EQ(d.features.cols, 5);
}

TEST(LibsvmTest, ByteOrderMarkAtTheStartIsSkipped) {
  // As Windows tools write UTF-8: the mark is not part of the first label, and columns count after it.
  const LibsvmData d = ReadLibsvmBuffer("\xEF\xBB\xBF+1 1:1\n0 2:1\n");
  EXPECT_EQ(d.labels, (std::vector<float>{1, 0}));
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0}));
  ExpectDataError(
      "\xEF\xBB\xBF"
      "1 0:1\n",
      {"train.svm:1:3:", "\"0:1\""});
  // Only at the start of the input: elsewhere it is a malformed label.
  ExpectDataError(
      "1 1:1\n\xEF\xBB\xBF"
      "1 1:1\n",
      {"train.svm:2:1:", "the label expects a number"});
}

TEST(LibsvmTest, LargestIndexIsAccepted) {
  const LibsvmData d = ReadLibsvmBuffer("1 2147483647:1\n");
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{2147483646}));
  EXPECT_EQ(d.features.cols, 2147483647);
}

TEST(LibsvmTest, LeadingZerosInIndices) {
  const LibsvmData d = ReadLibsvmBuffer("1 007:1 000000000000000012:1\n");
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{6, 11}));
}

TEST(LibsvmTest, ChunksAppendAndKeepLineNumbersAndWiderCols) {
  std::vector<float> labels;
  SparseRows rows;
  rows.cols = 100;  // a caller that knows the feature space
  BadRowReport report;
  const std::string first = "1 1:1\n\n";
  const std::string second = "0 2:1\n1 1:1 1:1\n";
  EXPECT_EQ(ParseLibsvmChunk(first.data(), first.data() + first.size(), "f.svm", 1, {}, {}, report, labels, rows), 2);
  try {
    ParseLibsvmChunk(second.data(), second.data() + second.size(), "f.svm", 3, {}, {}, report, labels, rows);
    FAIL() << "the duplicate index on line 4 was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("f.svm:4:7"), std::string::npos) << e.what();
  }
  EXPECT_EQ(rows.rows(), 2);  // the bad row left nothing behind
  EXPECT_EQ(rows.nnz(), 2);
  EXPECT_EQ(rows.cols, 100);
}

// One test per kind of bad row; each message names file, line, column and token.

TEST(LibsvmErrorTest, IndexZeroWithOneBasedIndices) {
  ExpectDataError("1 1:1\n-1 0:1 2:1\n",
                  {"train.svm:2:4:", "\"0:1\"",
                   "index 0 is not valid: LIBSVM indices start at 1; if your file counts from 0, read it zero-based "
                   "(lever linear --zero-based; LibsvmOptions::zero_based in the library)"});
}

TEST(LibsvmErrorTest, LabelOutsideTheClassesWithNumClasses) {
  const LibsvmOptions three_classes{.num_classes = 3};
  const LibsvmData d = ReadLibsvmBuffer("0 1:1\n2 1:1\n1 2:1\n", "train.svm", three_classes);
  EXPECT_EQ(d.labels, (std::vector<float>{0, 2, 1}));
  for (const char* text : {"0 1:1\n3 1:1\n", "0 1:1\n-1 1:1\n", "0 1:1\n1.5 1:1\n"}) {
    ExpectDataError(text,
                    {"train.svm:2:1:", "the label is not a class id", "with 3 classes", "whole numbers from 0 to 2"},
                    three_classes);
  }
  EXPECT_EQ(ReadLibsvmBuffer("-1 1:1\n7 1:1\n").labels.size(), 2u);  // without num_classes any label goes
  // A bad row like any other: skipped and counted under the skip policy.
  BadRowPolicy skip;
  skip.skip = true;
  const LibsvmData skipped = ReadLibsvmBuffer("0 1:1\n5 1:1\n1 1:1\n", "train.svm", three_classes, skip);
  EXPECT_EQ(skipped.labels, (std::vector<float>{0, 1}));
  EXPECT_EQ(skipped.bad_rows.skipped(), 1);
}

TEST(LibsvmErrorTest, NegativeIndex) {
  ExpectDataError("1 -3:1\n", {"train.svm:1:3:", "\"-3:1\"", "index -3 is negative"});
  ExpectDataError("1 -3:1\n", {"index -3 is negative"}, {.zero_based = true});
}

TEST(LibsvmErrorTest, UnsortedIndices) {
  ExpectDataError("1 2:1 7:1 5:1\n",
                  {"train.svm:1:11:", "\"5:1\"", "index 5 follows index 7 (unsorted)", "strictly increasing"});
}

TEST(LibsvmErrorTest, DuplicateIndex) {
  ExpectDataError("1 2:1 7:1 7:0.5\n",
                  {"train.svm:1:11:", "\"7:0.5\"", "index 7 repeats the previous index (duplicate)"});
}

TEST(LibsvmErrorTest, MissingColon) {
  ExpectDataError("1 2:1 17 3:1\n", {"train.svm:1:7:", "\"17\"", "the ':' is missing"});
}

TEST(LibsvmErrorTest, EmptyValue) {
  ExpectDataError("1 2:1 17: 20:1\n", {"train.svm:1:7:", "\"17:\"", "the value of index 17 is empty"});
}

TEST(LibsvmErrorTest, EmptyIndex) {
  ExpectDataError("1 :1\n", {"train.svm:1:3:", "\":1\"", "the index before ':' is missing"});
}

TEST(LibsvmErrorTest, NonIntegerIndex) {
  ExpectDataError("1 1.5:1\n", {"train.svm:1:3:", "\"1.5:1\"", "the index \"1.5\" is not an integer"});
  ExpectDataError("1 1:1 qid:3\n", {"train.svm:1:7:", "\"qid:3\"", "qid must come right after the label"});
}

TEST(LibsvmErrorTest, NonNumericLabel) {
  ExpectDataError("1 1:1\n\nyes 1:1\n", {"train.svm:3:1:", "\"yes\"", "the label expects a number"});
  ExpectDataError("1:1 2:1\n", {"train.svm:1:1:", "\"1:1\"", "the label expects a number"});
}

TEST(LibsvmErrorTest, NonNumericValue) {
  ExpectDataError("1 4:abc\n", {"train.svm:1:3:", "\"4:abc\"", "the value of index 4 expects a number"});
  ExpectDataError("1 4:1.5x\n", {"\"4:1.5x\"", "expects a number"});
  ExpectDataError("1 4:+-1\n", {"\"4:+-1\"", "expects a number"});
  ExpectDataError("1 4:1,5\n", {"\"4:1,5\"", "expects a number"});
}

TEST(LibsvmErrorTest, NanOrInfValue) {
  ExpectDataError("1 4:nan\n", {"train.svm:1:3:", "\"4:nan\"", "the value of index 4 is not finite"});
  ExpectDataError("1 4:-inf\n", {"\"4:-inf\"", "is not finite"});
  ExpectDataError("1 4:1e39\n", {"\"4:1e39\"", "outside the range of a float"});
}

TEST(LibsvmErrorTest, NanOrInfLabel) {
  ExpectDataError("NaN 4:1\n", {"train.svm:1:1:", "\"NaN\"", "the label is not finite"});
  ExpectDataError("1 2:1\ninf 4:1\n", {"train.svm:2:1:", "\"inf\"", "the label is not finite"});
}

TEST(LibsvmErrorTest, IndexBeyondInt32) {
  ExpectDataError("1 2147483648:1\n",
                  {"train.svm:1:3:", "\"2147483648:1\"", "exceeds the largest supported index 2147483647"});
  ExpectDataError("1 99999999999999999999999999:1\n", {"exceeds the largest supported index"});
}

TEST(LibsvmErrorTest, BadQid) {
  ExpectDataError("1 qid:x 1:1\n", {"train.svm:1:3:", "\"qid:x\"", "qid expects a non-negative integer"});
}

// A binary file read as LIBSVM: its control bytes and stray high bytes are shown escaped, never written to the
// terminal as they are (the excerpt rules of lever/io/excerpt.h, shared with CSV: valid UTF-8 shows as written).
TEST(LibsvmErrorTest, ControlAndNonAsciiBytesAreEscaped) {
  const std::string message =
      ExpectDataError("\x1b[2J\x7f\xc3\xa9\xb3\x01 1:1\n",
                      {"train.svm:1:1:", "\"\\x1b[2J\\x7f\xc3\xa9\\xb3\\x01\"", "the label expects"});
  for (const char c : message) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) << message;
}

TEST(LibsvmErrorTest, LongTokensAreShortened) {
  const std::string message = ExpectDataError("1 1:" + std::string(500, 'x') + "\n", {"...\"", "expects a number"});
  EXPECT_LT(message.size(), 300u);
}

TEST(LibsvmSkipTest, SkipPolicyCountsBadLinesAndKeepsTheGoodOnes) {
  const std::string text = "1 1:1\nbad 1:1\n-1 2:1\n1 3:1 2:1\n1 0:1\n0 5:1\n";
  const LibsvmData d = ReadLibsvmBuffer(text, "s.svm", {}, {.skip = true, .max_skipped = 3});
  EXPECT_EQ(d.bad_rows.skipped(), 3);
  ASSERT_EQ(d.bad_rows.messages().size(), 3u);
  EXPECT_NE(d.bad_rows.messages()[0].find("s.svm:2:1:"), std::string::npos);
  EXPECT_NE(d.bad_rows.messages()[1].find("s.svm:4:7:"), std::string::npos);
  EXPECT_NE(d.bad_rows.messages()[2].find("s.svm:5:3:"), std::string::npos);
  ASSERT_EQ(d.features.rows(), 3);
  EXPECT_EQ(d.labels, (std::vector<float>{1, -1, 0}));
  EXPECT_EQ(d.features.ids, (std::vector<int32_t>{0, 1, 4}));
  EXPECT_EQ(d.features.row_ptr, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(d.features.cols, 5);
  EXPECT_EQ(d.lines, 6);
}

TEST(LibsvmSkipTest, FailsPastMaxSkipped) {
  const std::string text = "1 1:1\nbad\n1 2:x\n1 3:1\n1 -1:1\n";
  try {
    ReadLibsvmBuffer(text, "s.svm", {}, {.skip = true, .max_skipped = 2});
    FAIL() << "three bad rows passed a limit of two";
  } catch (const DataError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("more than 2 malformed rows"), std::string::npos) << message;
    EXPECT_NE(message.find("s.svm:5:3:"), std::string::npos) << message;
  }
}

TEST(LibsvmFormatTest, FormatRoundTrips) {
  const std::vector<int32_t> ids = {0, 16, 2048};
  const std::vector<float> values = {1.0f, 0.1f, -2.5e-7f};
  const std::string line = FormatLibsvmRow(-1.0f, ids, values);
  EXPECT_EQ(line, "-1 1:1 17:0.1 2049:-2.5e-07");
  const LibsvmData d = ReadLibsvmBuffer(line + "\n0\n");
  EXPECT_EQ(RowIds(d.features, 0), ids);
  EXPECT_EQ(RowValues(d.features, 0), values);
  EXPECT_EQ(d.labels, (std::vector<float>{-1, 0}));
  const std::string zero_based = FormatLibsvmRow(3.0f, ids, values, true);
  EXPECT_EQ(zero_based, "3 0:1 16:0.1 2048:-2.5e-07");
  EXPECT_EQ(RowIds(ReadLibsvmBuffer(zero_based, "z.svm", {.zero_based = true}).features, 0), ids);
  EXPECT_THROW(FormatLibsvmRow(1.0f, ids, std::vector<float>{1.0f}), ShapeError);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(LibsvmRealDataTest, HeartScaleFromLiblinearTools) {
  // Debian 12's liblinear-tools ships it uncompressed.
  const std::string path = "/usr/share/doc/liblinear-tools/examples/heart_scale";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found: apt-get install liblinear-tools";
  const LibsvmData d = ReadLibsvmBuffer(ReadFile(path), path);
  EXPECT_EQ(d.lines, 270);
  ASSERT_EQ(d.features.rows(), 270);
  EXPECT_EQ(d.features.cols, 13);
  int positives = 0;
  for (const float label : d.labels) {
    EXPECT_TRUE(label == 1.0f || label == -1.0f) << label;
    positives += label == 1.0f;
  }
  EXPECT_EQ(positives, 120);
  // The first line: "+1 1:0.708333 2:1 3:1 4:-0.320755 ... 12:1 13:-1".
  EXPECT_EQ(d.labels[0], 1.0f);
  EXPECT_EQ(RowIds(d.features, 0), (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12}));
  EXPECT_FLOAT_EQ(d.features.values[0], 0.708333f);
  EXPECT_FLOAT_EQ(d.features.values[3], -0.320755f);
  for (const float v : d.features.values) EXPECT_LE(std::abs(v), 1.0f);  // scaled to [-1, 1]
}

TEST(LibsvmRealDataTest, SyntheticBufferOf200000Rows) {
  // Rows of 30 increasing ids (gaps 1..4096) with value 1 or a decimal, every 1000th a comment line.
  constexpr int kRows = 200000;
  constexpr int kNnz = 30;
  std::string text;
  text.reserve(static_cast<size_t>(kRows) * 260);
  uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  int64_t id_sum = 0;
  int64_t max_index = 0;
  int positives = 0;
  double value_sum = 0;
  for (int r = 0; r < kRows; ++r) {
    if (r % 1000 == 0) text += "# block " + std::to_string(r / 1000) + "\n";
    const bool positive = next() % 2 == 0;
    positives += positive;
    text += positive ? "1" : "-1";
    int64_t index = 0;
    for (int k = 0; k < kNnz; ++k) {
      index += 1 + next() % 4096;
      id_sum += index - 1;
      max_index = std::max(max_index, index);
      text += ' ';
      text += std::to_string(index);
      if (r % 2 == 0) {
        text += ":1";
        value_sum += 1.0;
      } else {
        const int hundredths = static_cast<int>(next() % 1000);
        text += ":" + std::to_string(hundredths / 100) + "." + std::to_string(hundredths % 100 / 10) +
                std::to_string(hundredths % 10);
        value_sum += hundredths / 100.0;
      }
    }
    text += '\n';
  }
  const LibsvmData d = ReadLibsvmBuffer(text, "synthetic.svm");
  EXPECT_EQ(d.lines, kRows + kRows / 1000);
  ASSERT_EQ(d.features.rows(), kRows);
  EXPECT_EQ(d.features.nnz(), static_cast<Index>(kRows) * kNnz);
  EXPECT_EQ(d.features.cols, max_index);
  int64_t parsed_id_sum = 0;
  for (const int32_t id : d.features.ids) parsed_id_sum += id;
  EXPECT_EQ(parsed_id_sum, id_sum);
  double parsed_value_sum = 0;
  for (const float v : d.features.values) parsed_value_sum += v;
  EXPECT_NEAR(parsed_value_sum, value_sum, 1e-6 * value_sum);
  int parsed_positives = 0;
  for (const float label : d.labels) parsed_positives += label == 1.0f;
  EXPECT_EQ(parsed_positives, positives);
  for (Index r = 0; r < d.features.rows(); ++r) {
    ASSERT_EQ(d.features.row_ptr[static_cast<size_t>(r) + 1] - d.features.row_ptr[static_cast<size_t>(r)], kNnz);
  }
}

}  // namespace
}  // namespace lever
