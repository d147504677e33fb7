#include "lever/data/libsvm_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using lever::testing::ErrorOf;
using lever::testing::TempPath;
using lever::testing::WriteFile;
using lever::testing::WriteGzip;

// The ids of row i of the test files: three features derived from i, so a row can be recognised.
std::vector<int32_t> IdsOfRow(int64_t i) {
  return {static_cast<int32_t>(i % 50), static_cast<int32_t>(50 + i % 31), static_cast<int32_t>(100 + i % 7)};
}

// `rows` examples whose label is the row number (exact in a float below 2^24), with ids from IdsOfRow.
// Every `long_every`-th row (0 = none) gets 1000 extra entries: a line far longer than a 4096-byte block.
// `padding` appends a comment of that many bytes to each line (to make big files cheaply).
std::string NumberedRows(int64_t rows, int64_t long_every = 0, size_t padding = 0) {
  std::string text;
  const std::string comment = padding > 0 ? " # " + std::string(padding, 'x') : "";
  for (int64_t i = 0; i < rows; ++i) {
    text += std::to_string(i);
    const std::vector<int32_t> ids = IdsOfRow(i);
    for (size_t k = 0; k < ids.size(); ++k) {
      text += " " + std::to_string(ids[k] + 1) + ":" + std::to_string(static_cast<int>(k) + 1) + ".5";
    }
    if (long_every > 0 && i % long_every == long_every - 1) {
      for (int j = 0; j < 1000; ++j) text += " " + std::to_string(1000 + j) + ":0.25";
    }
    text += comment + "\n";
    if (i % 97 == 5) text += "# a comment line\n\n";  // counted in line numbers, no example
  }
  return text;
}

// A whole file read block by block, the blocks' rows appended.
struct Collected {
  LibsvmData data;
  std::vector<SparseBlock> blocks;
};

Collected ReadBlocks(LibsvmFileReader& reader) {
  Collected out;
  SparseBlock block;
  while (reader.Next(block)) {
    const auto base = static_cast<int64_t>(out.data.features.ids.size());
    out.data.features.ids.insert(out.data.features.ids.end(), block.features.ids.begin(), block.features.ids.end());
    out.data.features.values.insert(out.data.features.values.end(), block.features.values.begin(),
                                    block.features.values.end());
    for (size_t r = 1; r < block.features.row_ptr.size(); ++r) {
      out.data.features.row_ptr.push_back(base + block.features.row_ptr[r]);
    }
    out.data.labels.insert(out.data.labels.end(), block.labels.begin(), block.labels.end());
    out.data.features.cols = std::max(out.data.features.cols, block.features.cols);
    out.blocks.push_back(block);
  }
  out.data.lines = reader.lines();
  return out;
}

void ExpectSameRows(const LibsvmData& actual, const LibsvmData& expected) {
  EXPECT_EQ(actual.labels, expected.labels);
  EXPECT_EQ(actual.features.row_ptr, expected.features.row_ptr);
  EXPECT_EQ(actual.features.ids, expected.features.ids);
  EXPECT_EQ(actual.features.values, expected.features.values);
  EXPECT_EQ(actual.features.cols, expected.features.cols);
}

// ---- LibsvmFileReader --------------------------------------------------------------------------------

TEST(LibsvmFileReaderTest, BlocksCutAtLineEndsGiveTheSameRowsAsTheBuffer) {
  const std::string text = NumberedRows(3000, /*long_every=*/700);
  const std::string path = WriteFile("train.svm", text);
  LibsvmFileReader reader(path, {}, {}, 4096);
  const Collected got = ReadBlocks(reader);
  const LibsvmData want = ReadLibsvmBuffer(text, path);
  ASSERT_EQ(want.features.rows(), 3000);
  ExpectSameRows(got.data, want);
  EXPECT_EQ(got.data.lines, want.lines);
  EXPECT_GT(got.blocks.size(), 20u);  // ~90 KB of text in ~4 KB blocks
  // Blocks tile the file's lines, each holding whole lines and at least one example.
  int64_t line = 1;
  for (const SparseBlock& block : got.blocks) {
    EXPECT_EQ(block.first_line, line);
    EXPECT_GT(block.end_line, block.first_line);
    EXPECT_GT(block.features.rows(), 0);
    EXPECT_EQ(static_cast<Index>(block.labels.size()), block.features.rows());
    EXPECT_FALSE(block.end_of_pass);
    line = block.end_line;
  }
  EXPECT_EQ(line - 1, want.lines);
  // A line longer than a block (about 12 KB) arrives whole.
  const auto longest = std::max_element(got.blocks.begin(), got.blocks.end(), [](const auto& a, const auto& b) {
    return a.features.nnz() < b.features.nnz();
  });
  EXPECT_GE(longest->features.nnz(), 1003);
  EXPECT_EQ(reader.bad_rows().skipped(), 0);
  EXPECT_EQ(reader.path(), path);
}

TEST(LibsvmFileReaderTest, LastLineWithoutNewline) {
  {
    const std::string path = WriteFile("short.svm", "1 1:1\n-1 2:3 5:1");
    LibsvmFileReader reader(path);
    const Collected got = ReadBlocks(reader);
    ASSERT_EQ(got.data.features.rows(), 2);
    EXPECT_EQ(got.data.labels, (std::vector<float>{1, -1}));
    EXPECT_EQ(got.data.features.ids, (std::vector<int32_t>{0, 1, 4}));
    EXPECT_EQ(got.data.features.values, (std::vector<float>{1, 3, 1}));
    EXPECT_EQ(reader.lines(), 2);
  }
  {  // The same across many blocks: the unterminated last line is carried over and parsed at the end.
    std::string text = NumberedRows(2000, 500);
    text.pop_back();
    const std::string path = WriteFile("long.svm", text);
    LibsvmFileReader reader(path, {}, {}, 4096);
    const Collected got = ReadBlocks(reader);
    ExpectSameRows(got.data, ReadLibsvmBuffer(text, path));
    ASSERT_EQ(got.data.labels.size(), 2000u);
    EXPECT_EQ(got.data.labels.back(), 1999.0f);
  }
}

TEST(LibsvmFileReaderTest, GzipGivesIdenticalRows) {
  const std::string text = NumberedRows(3000, 700);
  const std::string plain = WriteFile("train.svm", text);
  const std::string gz = WriteGzip("train.svm.gz", text);
  LibsvmFileReader plain_reader(plain, {}, {}, 4096);
  LibsvmFileReader gz_reader(gz, {}, {}, 4096);
  const Collected a = ReadBlocks(plain_reader);
  const Collected b = ReadBlocks(gz_reader);
  ExpectSameRows(b.data, a.data);
  EXPECT_EQ(b.data.lines, a.data.lines);
  // And whole-file reading agrees.
  ExpectSameRows(ReadLibsvmFile(gz), a.data);
}

TEST(LibsvmFileReaderTest, ReadLibsvmFileWidensToNumFeatures) {
  const std::string path = WriteFile("small.svm", "1 3:1 10:2\n0 1:1\n");
  const LibsvmData natural = ReadLibsvmFile(path);
  EXPECT_EQ(natural.features.cols, 10);  // max id 9, plus one
  EXPECT_EQ(natural.features.rows(), 2);
  EXPECT_EQ(natural.lines, 2);
  EXPECT_EQ(ReadLibsvmFile(path, {}, {}, 100).features.cols, 100);
  EXPECT_EQ(ReadLibsvmFile(path, {}, {}, 4).features.cols, 10);  // never narrower than the data
  LibsvmOptions zero_based;
  zero_based.zero_based = true;
  EXPECT_EQ(ReadLibsvmFile(path, zero_based).features.cols, 11);
}

TEST(LibsvmFileReaderTest, ByteOrderMarkIsSkippedPlainAndGzipped) {
  const std::string text = "\xEF\xBB\xBF+1 1:1 3:2\n-1 2:1\n";
  for (const std::string& path : {WriteFile("bom.svm", text), WriteGzip("bom.svm.gz", text)}) {
    LibsvmFileReader reader(path);
    const Collected c = ReadBlocks(reader);
    EXPECT_EQ(c.data.labels, (std::vector<float>{1, -1})) << path;
    EXPECT_EQ(c.data.features.ids, (std::vector<int32_t>{0, 2, 1})) << path;
    EXPECT_EQ(ReadLibsvmFile(path).labels, (std::vector<float>{1, -1})) << path;
  }
}

TEST(LibsvmFileReaderTest, MissingFileIsIoError) {
  const std::string path = TempPath("absent.svm");
  const std::string message = ErrorOf<IoError>([&] { LibsvmFileReader reader(path); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

// ---- LibsvmStream ------------------------------------------------------------------------------------

StreamOptions InOrder(bool repeat) {
  StreamOptions o;
  o.shuffle_buffer = 0;
  o.repeat = repeat;
  return o;
}

StreamOptions Shuffled(int64_t buffer, uint64_t seed, bool repeat = false) {
  StreamOptions o;
  o.shuffle_buffer = buffer;
  o.seed = seed;
  o.repeat = repeat;
  return o;
}

// Every label the stream hands out in batches of `batch` (until it ends or `max_batches`), checking
// that each row's features are the ones written with its label and that batches are full but the last.
std::vector<int64_t> Drain(LibsvmStream& stream, Index batch, int64_t max_batches = -1) {
  std::vector<int64_t> labels;
  SparseRows x;
  std::vector<float> y;
  bool short_batch_seen = false;
  for (int64_t b = 0; max_batches < 0 || b < max_batches; ++b) {
    if (!stream.Next(batch, x, y)) break;
    EXPECT_FALSE(short_batch_seen) << "a short batch before the end";
    EXPECT_EQ(x.rows(), static_cast<Index>(y.size()));
    EXPECT_LE(x.rows(), batch);
    short_batch_seen = x.rows() < batch;
    for (Index r = 0; r < x.rows(); ++r) {
      const auto label = static_cast<int64_t>(y[static_cast<size_t>(r)]);
      const std::vector<int32_t> ids(x.ids.begin() + x.row_ptr[static_cast<size_t>(r)],
                                     x.ids.begin() + x.row_ptr[static_cast<size_t>(r) + 1]);
      EXPECT_EQ(ids, IdsOfRow(label)) << "row with label " << label;
      labels.push_back(label);
    }
  }
  return labels;
}

std::vector<int64_t> Iota(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), int64_t{0});
  return v;
}

TEST(LibsvmStreamTest, InFileOrderOnceAcrossBatchesAndBlocks) {
  // ~9 MB with padding comments: several of the stream's 4 MiB blocks.
  const int64_t rows = 60000;
  const std::string path = WriteFile("big.svm", NumberedRows(rows, 0, 140));
  LibsvmStream stream(path, 1000, {}, {}, InOrder(false));
  SparseRows x;
  std::vector<float> y;
  ASSERT_TRUE(stream.Next(7, x, y));
  EXPECT_EQ(x.cols, 1000);
  EXPECT_EQ(y, (std::vector<float>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(stream.examples(), 7);
  EXPECT_EQ(stream.passes(), 0);
  std::vector<int64_t> labels = {0, 1, 2, 3, 4, 5, 6};
  const std::vector<int64_t> rest = Drain(stream, 1001);  // 1001 divides neither 60000 nor 59993
  labels.insert(labels.end(), rest.begin(), rest.end());
  EXPECT_EQ(labels, Iota(rows));
  EXPECT_EQ(stream.examples(), rows);
  EXPECT_EQ(stream.passes(), 1);
  EXPECT_EQ(stream.skipped_rows(), 0);
  EXPECT_FALSE(stream.Next(7, x, y));  // stays at the end
  EXPECT_EQ(x.rows(), 0);
  EXPECT_TRUE(y.empty());
}

TEST(LibsvmStreamTest, RepeatWrapsAroundAndCountsPasses) {
  const int64_t rows = 100;
  const std::string path = WriteFile("small.svm", NumberedRows(rows));
  LibsvmStream stream(path, 1000, {}, {}, InOrder(true));
  // 11 batches of 30: 330 examples, the last batch crossing from the 4th pass's rows.
  const std::vector<int64_t> labels = Drain(stream, 30, 11);
  ASSERT_EQ(labels.size(), 330u);
  for (size_t k = 0; k < labels.size(); ++k) EXPECT_EQ(labels[k], static_cast<int64_t>(k) % rows) << k;
  EXPECT_EQ(stream.examples(), 330);
  EXPECT_EQ(stream.passes(), 3);
}

TEST(LibsvmStreamTest, ShuffleBufferPermutesEachRowOncePerPass) {
  const int64_t rows = 2500;
  const std::string path = WriteFile("rows.svm", NumberedRows(rows));
  const auto run = [&](uint64_t seed) {
    LibsvmStream stream(path, 1000, {}, {}, Shuffled(64, seed));
    std::vector<int64_t> labels = Drain(stream, 7);
    EXPECT_EQ(stream.examples(), rows);
    EXPECT_EQ(stream.passes(), 1);
    return labels;
  };
  const std::vector<int64_t> a = run(7);
  const std::vector<int64_t> b = run(7);
  const std::vector<int64_t> c = run(8);
  EXPECT_EQ(a, b);  // same seed, same order
  EXPECT_NE(a, c);  // another seed, another order
  for (const auto* order : {&a, &c}) {
    std::vector<int64_t> sorted = *order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, Iota(rows));  // every row exactly once
  }
  // Actually shuffled: few rows stay in place, yet each moves at most about the buffer's reach forward
  // (a row can wait in the buffer arbitrarily long, but cannot come out before it was read).
  int64_t in_place = 0;
  for (int64_t k = 0; k < rows; ++k) {
    in_place += a[static_cast<size_t>(k)] == k;
    EXPECT_LE(a[static_cast<size_t>(k)], k + 64) << "position " << k;
  }
  EXPECT_LT(in_place, rows / 10);
}

TEST(LibsvmStreamTest, ShuffleWithRepeatKeepsGoing) {
  const int64_t rows = 50;
  const std::string path = WriteFile("tiny.svm", NumberedRows(rows));
  LibsvmStream stream(path, 1000, {}, {}, Shuffled(200, 3, /*repeat=*/true));  // buffer larger than the file
  const std::vector<int64_t> labels = Drain(stream, 16, 50);
  EXPECT_EQ(labels.size(), 800u);
  EXPECT_EQ(stream.examples(), 800);
  EXPECT_GE(stream.passes(), 15);
  // Over many passes every row comes about equally often.
  std::vector<int> count(static_cast<size_t>(rows), 0);
  for (int64_t label : labels) ++count[static_cast<size_t>(label)];
  EXPECT_GT(*std::min_element(count.begin(), count.end()), 5);
}

TEST(LibsvmStreamTest, IdBeyondNumFeaturesNamesFileAndLines) {
  const std::string path = WriteFile("wide.svm", "1 1:1\n0 2:1\n1 5:1 2000:1\n0 3:1\n");
  LibsvmStream stream(path, 1000, {}, {}, InOrder(false));
  SparseRows x;
  std::vector<float> y;
  const std::string message = ErrorOf<DataError>([&] { stream.Next(2, x, y); });
  EXPECT_NE(message.find(path + ":1-4"), std::string::npos) << message;
  EXPECT_NE(message.find("2000"), std::string::npos) << message;
  EXPECT_NE(message.find("1000"), std::string::npos) << message;
}

TEST(LibsvmStreamTest, MalformedLineIsDataErrorFromNext) {
  const std::string path = WriteFile("bad.svm", "1 1:1\n0 2:1\n1 3:1\n0 abc\n1 4:1\n");
  LibsvmStream stream(path, 1000, {}, {}, InOrder(false));  // the constructor only opens the file
  SparseRows x;
  std::vector<float> y;
  const std::string message = ErrorOf<DataError>([&] { stream.Next(2, x, y); });
  EXPECT_NE(message.find(path + ":4:"), std::string::npos) << message;
  EXPECT_NE(message.find("abc"), std::string::npos) << message;
}

TEST(LibsvmStreamTest, SkipPolicyDropsAndCountsBadLines) {
  const std::string path = WriteFile("bad.svm", "0 1:1\n1 2:1\n2 3:1\n3 0:1\n4 4:1\n5 x:1\n6 5:1\n");
  BadRowPolicy skip;
  skip.skip = true;
  LibsvmStream stream(path, 1000, {}, skip, InOrder(false));
  SparseRows x;
  std::vector<float> y;
  std::vector<float> labels;
  while (stream.Next(3, x, y)) labels.insert(labels.end(), y.begin(), y.end());
  EXPECT_EQ(labels, (std::vector<float>{0, 1, 2, 4, 6}));
  EXPECT_EQ(stream.skipped_rows(), 2);
  EXPECT_EQ(stream.examples(), 5);
}

// Runs `action` on another thread; fails (and ends the process, since a hung thread cannot be joined)
// when it takes longer than `seconds`.
template <typename F>
void ExpectFinishesWithin(double seconds, F action) {
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::thread worker([&] {
    action();
    done.set_value();
  });
  if (finished.wait_for(std::chrono::duration<double>(seconds)) != std::future_status::ready) {
    ADD_FAILURE() << "did not finish within " << seconds << " s";
    std::fprintf(stderr, "LibsvmStream hangs\n");
    std::_Exit(1);
  }
  worker.join();
}

TEST(LibsvmStreamTest, SkippedRowsAndTheLimitCoverTheWholeRunWithRepeat) {
  // Two bad lines in a file of seven, read for ten passes under a limit of two: each bad line counts
  // once, so the limit is never passed and the count stays 2.
  const std::string path = WriteFile("bad.svm", "0 1:1\n1 2:1\n2 3:1\n3 0:1\n4 4:1\n5 x:1\n6 5:1\n");
  BadRowPolicy skip;
  skip.skip = true;
  skip.max_skipped = 2;
  LibsvmStream stream(path, 1000, {}, skip, InOrder(true));
  SparseRows x;
  std::vector<float> y;
  for (int batch = 0; batch < 10; ++batch) {
    ASSERT_TRUE(stream.Next(5, x, y));
    EXPECT_EQ(stream.skipped_rows(), 2) << "batch " << batch;
  }
  EXPECT_EQ(stream.passes(), 10);
  EXPECT_EQ(stream.examples_per_pass(), 5);
  const BadRowReport report = stream.bad_rows();
  EXPECT_EQ(report.skipped(), 2);
  ASSERT_EQ(report.messages().size(), 2u);
  EXPECT_NE(report.messages()[0].find(path + ":4:"), std::string::npos) << report.messages()[0];
  EXPECT_NE(report.messages()[1].find(path + ":6:"), std::string::npos) << report.messages()[1];

  // A third bad line passes the limit in the first pass.
  const std::string worse = WriteFile("worse.svm", "0 1:1\n1 0:1\n2 x:1\n3 y:1\n4 4:1\n");
  ExpectFinishesWithin(20.0, [&] {
    LibsvmStream failing(worse, 1000, {}, skip, InOrder(true));
    const std::string message = ErrorOf<DataError>([&] {
      while (failing.Next(2, x, y)) {
      }
    });
    EXPECT_NE(message.find("more than 2 malformed rows skipped"), std::string::npos) << message;
  });
}

TEST(LibsvmStreamTest, AFileWithoutExamplesIsADataErrorNotAHang) {
  BadRowPolicy skip;
  skip.skip = true;
  struct Case {
    std::string name, text, expected;
    BadRowPolicy policy;
  };
  const std::vector<Case> cases = {
      {"empty.svm", "", "the file holds no data lines", {}},
      {"comments.svm", "# only a comment\n\n", "the file holds no data lines", {}},
      {"all_bad.svm", "1 0:1\n0 x:1\n", "all 2 of its data lines are malformed and were skipped; the first: ", skip},
  };
  for (const Case& c : cases) {
    const std::string path = WriteFile(c.name, c.text);
    for (bool repeat : {true, false}) {
      ExpectFinishesWithin(20.0, [&] {
        LibsvmStream stream(path, 1000, {}, c.policy, InOrder(repeat));
        SparseRows x;
        std::vector<float> y;
        const std::string message = ErrorOf<DataError>([&] { stream.Next(4, x, y); });
        EXPECT_NE(message.find("no examples in " + path + ": " + c.expected), std::string::npos) << message;
      });
    }
  }
}

TEST(LibsvmStreamTest, MissingFileIsIoErrorFromTheConstructor) {
  const std::string path = TempPath("absent.svm");
  const std::string message = ErrorOf<IoError>([&] { LibsvmStream stream(path, 10); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST(LibsvmStreamTest, InvalidOptionsAreConfigErrors) {
  const std::string path = WriteFile("ok.svm", "1 1:1\n");
  EXPECT_THROW(LibsvmStream(path, 0), ConfigError);
  EXPECT_THROW(LibsvmStream(path, 10, {}, {}, Shuffled(-1, 1)), ConfigError);
}

TEST(LibsvmStreamTest, DestroyingMidFileDoesNotHang) {
  // Repeat on a small file: the producer fills the queue at once and waits for space.
  const std::string small = WriteFile("small.svm", NumberedRows(100));
  ExpectFinishesWithin(20.0, [&] {
    auto stream = std::make_unique<LibsvmStream>(small, 1000, LibsvmOptions{}, BadRowPolicy{}, InOrder(true));
    SparseRows x;
    std::vector<float> y;
    EXPECT_TRUE(stream->Next(10, x, y));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the producer block on the full queue
    stream.reset();
  });
  // One block of read-ahead on a file of several blocks.
  const std::string big = WriteFile("big.svm", NumberedRows(60000, 0, 140));
  ExpectFinishesWithin(20.0, [&] {
    StreamOptions options = InOrder(false);
    options.prefetch_blocks = 1;
    auto stream = std::make_unique<LibsvmStream>(big, 1000, LibsvmOptions{}, BadRowPolicy{}, options);
    SparseRows x;
    std::vector<float> y;
    EXPECT_TRUE(stream->Next(10, x, y));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stream.reset();
  });
  // Destroyed before anything was read.
  ExpectFinishesWithin(20.0, [&] { LibsvmStream stream(big, 1000); });
}

}  // namespace
}  // namespace lever
