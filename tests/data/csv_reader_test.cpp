#include "lever/data/csv_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using lever::testing::Contains;
using lever::testing::ErrorOf;
using lever::testing::TempPath;
using lever::testing::WriteFile;

std::vector<std::string> Fields(const CsvRecord& record) {
  std::vector<std::string> out;
  for (size_t i = 0; i < record.size(); ++i) out.emplace_back(record[i]);
  return out;
}

// Every record of the file, as (line, fields).
std::vector<std::pair<int64_t, std::vector<std::string>>> ReadAll(const std::string& path,
                                                                  const CsvOptions& options = {}) {
  CsvReader reader(path, options);
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  CsvRecord record;
  while (reader.Next(record)) out.emplace_back(record.line(), Fields(record));
  return out;
}

using Row = std::vector<std::string>;

TEST(CsvReaderTest, ReadsHeaderAndRecords) {
  const std::string path = WriteFile("simple.csv", "age,city,income\n39,Paris,1.5\n41,Lyon,2\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.header(), (Row{"age", "city", "income"}));
  EXPECT_EQ(reader.num_columns(), 3u);
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(Fields(record), (Row{"39", "Paris", "1.5"}));
  EXPECT_EQ(record.line(), 2);
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(Fields(record), (Row{"41", "Lyon", "2"}));
  EXPECT_EQ(record.line(), 3);
  EXPECT_FALSE(reader.Next(record));
}

TEST(CsvReaderTest, QuotedFieldsHoldDelimitersNewlinesAndDoubledQuotes) {
  const std::string path = WriteFile("quoted.csv",
                                     "id,text\n"
                                     "1,\"a, b\"\n"
                                     "2,\"she said \"\"hi\"\"\"\n"
                                     "3,\"two\nlines\"\n"
                                     "4,\"\"\n"
                                     "5,plain\n");
  const auto records = ReadAll(path);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].second, (Row{"1", "a, b"}));
  EXPECT_EQ(records[1].second, (Row{"2", "she said \"hi\""}));
  EXPECT_EQ(records[2].second, (Row{"3", "two\nlines"}));
  EXPECT_EQ(records[2].first, 4);  // the record starts on line 4 and ends on line 5
  EXPECT_EQ(records[3].second, (Row{"4", ""}));
  EXPECT_EQ(records[3].first, 6);
  EXPECT_EQ(records[4].second, (Row{"5", "plain"}));
  EXPECT_EQ(records[4].first, 7);
}

TEST(CsvReaderTest, CrlfLineEnds) {
  const auto records = ReadAll(WriteFile("crlf.csv", "a,b\r\n1,2\r\n\"x\r\ny\",3\r\n"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].second, (Row{"1", "2"}));
  EXPECT_EQ(records[1].second, (Row{"x\ny", "3"}));  // a quoted line break reads as "\n"
}

TEST(CsvReaderTest, ByteOrderMarkIsSkipped) {
  CsvReader reader(WriteFile("bom.csv", "\xEF\xBB\xBFname,value\nx,1\n"));
  EXPECT_EQ(reader.header(), (Row{"name", "value"}));
}

TEST(CsvReaderTest, LastRecordWithoutNewline) {
  const auto records = ReadAll(WriteFile("no_newline.csv", "a,b\n1,2\n3,4"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].second, (Row{"3", "4"}));
  const auto quoted = ReadAll(WriteFile("no_newline_quoted.csv", "a,b\n1,\"2\""));
  ASSERT_EQ(quoted.size(), 1u);
  EXPECT_EQ(quoted[0].second, (Row{"1", "2"}));
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingDelimiter) {
  const auto records = ReadAll(WriteFile("empty_fields.csv", "a,b,c\n,,\n1,,3\n1,2,\n"));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].second, (Row{"", "", ""}));
  EXPECT_EQ(records[1].second, (Row{"1", "", "3"}));
  EXPECT_EQ(records[2].second, (Row{"1", "2", ""}));
}

TEST(CsvReaderTest, EmptyLinesAreSkipped) {
  const auto records = ReadAll(WriteFile("blank.csv", "a,b\n\n1,2\n\n\n3,4\n\n"));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].first, 6);  // line numbers still count the empty lines
}

TEST(CsvReaderTest, SpacesAroundFieldsAreTrimmedUnlessTurnedOff) {
  const std::string path = WriteFile("spaces.csv", "a , b\n 1 , \" x \" \n");
  const auto trimmed = ReadAll(path);
  ASSERT_EQ(trimmed.size(), 1u);
  EXPECT_EQ(trimmed[0].second, (Row{"1", " x "}));  // inside quotes spaces stay
  CsvOptions options;
  options.trim_spaces = false;
  CsvReader reader(path, options);
  EXPECT_EQ(reader.header(), (Row{"a ", " b"}));
}

TEST(CsvReaderTest, OtherDelimiters) {
  CsvOptions semicolon;
  semicolon.delimiter = ';';
  const auto records = ReadAll(WriteFile("semicolon.csv", "a;b\n1,5;\"x;y\"\n"), semicolon);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].second, (Row{"1,5", "x;y"}));

  CsvOptions tab;
  tab.delimiter = '\t';
  const auto tsv = ReadAll(WriteFile("tabs.tsv", "a\tb\tc\n1\t\t3\n"), tab);
  ASSERT_EQ(tsv.size(), 1u);
  EXPECT_EQ(tsv[0].second, (Row{"1", "", "3"}));  // a tab delimiter is never trimmed away
}

TEST(CsvReaderTest, QuoteAsDelimiterIsConfigError) {
  CsvOptions options;
  options.delimiter = '"';
  const std::string path = WriteFile("any.csv", "a\n");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { CsvReader reader(path, options); }), "cannot separate fields"));
}

TEST(CsvReaderTest, SkipLinesBeforeTheHeader) {
  CsvOptions options;
  options.skip_lines = 2;
  CsvReader reader(WriteFile("title.csv", "My data\n# exported 2024\nx,y\n1,2\n"), options);
  EXPECT_EQ(reader.header(), (Row{"x", "y"}));
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(record.line(), 4);
}

TEST(CsvReaderTest, WithoutHeaderTheFirstRecordSetsTheWidth) {
  CsvOptions options;
  options.header = false;
  const std::string path = WriteFile("no_header.csv", "1,2,3\n4,5,6\n7,8\n");
  CsvReader reader(path, options);
  EXPECT_TRUE(reader.header().empty());
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(record.line(), 1);
  EXPECT_EQ(reader.num_columns(), 3u);
  ASSERT_TRUE(reader.Next(record));
  const std::string message = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(message, path + ":3: the record has 2 fields but the first record has 3"));
}

TEST(CsvReaderTest, GzipFileReadsLikePlain) {
  const std::string path = TempPath("data.csv.gz");
  gzFile file = gzopen(path.c_str(), "wb");
  const std::string text = "a,b\n1,\"x\ny\"\n";
  gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  gzclose(file);
  const auto records = ReadAll(path);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].second, (Row{"1", "x\ny"}));
}

TEST(CsvReaderTest, RecordReusesItsBuffer) {
  std::string text = "a,b,c\n";
  for (int i = 0; i < 1000; ++i) text += "1.5,xyz,42\n";
  CsvReader reader(WriteFile("reuse.csv", text));
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  const char* storage = record[0].data();
  int records = 1;
  while (reader.Next(record)) {
    ASSERT_EQ(record[0].data(), storage) << "record " << records;  // no reallocation for same-size rows
    ++records;
  }
  EXPECT_EQ(records, 1000);
}

// ---- errors ----

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineWhereItOpened) {
  const std::string path = WriteFile("open_quote.csv", "a,b\n1,2\n3,\"never closed\n4,5\n6,7\n");
  CsvReader reader(path);
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  const std::string message = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(message, "DataError: " + path + ":3: column 2 ('b'): the quote opened here is never closed"));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsAnError) {
  const std::string path = WriteFile("stray_quote.csv", "a,b,c\n1,2,3\n4,5 \"inch\",6\n");
  CsvReader reader(path);
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  const std::string message = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(message, path + ":3: column 2 ('b'): a quote (\") inside the unquoted field \"5 \"inch\"\""));
  EXPECT_TRUE(Contains(message, "Quote the whole field"));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  const std::string path = WriteFile("after_quote.csv", "a,b\n\"x\"y,2\n");
  CsvReader reader(path);
  CsvRecord record;
  const std::string message = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(message, path + ":2: column 1 ('a'): unexpected 'y' after the closing quote"));
}

TEST(CsvReaderTest, RaggedRecordsAreErrors) {
  const std::string path = WriteFile("ragged.csv", "a,b,c\n1,2,3\n4,5,6,7\n8,9\n");
  CsvReader reader(path);
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  const std::string more = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(more, path + ":3: the record has 4 fields but the header has 3 (a, b, c)"));
  EXPECT_TRUE(Contains(more, "the extra field 4 is \"7\""));
  const std::string fewer = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(fewer, path + ":4: the record has 2 fields but the header has 3"));
  EXPECT_TRUE(Contains(fewer, "column 3 ('c') onwards is missing"));
}

TEST(CsvReaderTest, EmptyFileIsAnError) {
  const std::string path = WriteFile("empty.csv", "");
  const std::string message = ErrorOf<DataError>([&] { CsvReader reader(path); });
  EXPECT_TRUE(Contains(message, "DataError: " + path + ": file is empty: expected a header row"));
  const std::string blank = WriteFile("blank.csv", "\n\r\n\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { CsvReader reader(blank); }), "file is empty"));
}

TEST(CsvReaderTest, EmptyFileWithoutHeaderHasNoRecords) {
  CsvOptions options;
  options.header = false;
  CsvReader reader(WriteFile("empty.csv", ""), options);
  CsvRecord record;
  EXPECT_FALSE(reader.Next(record));
}

TEST(CsvReaderTest, HeaderOnlyFileHasNoRecords) {
  CsvReader reader(WriteFile("header_only.csv", "a,b\n"));
  CsvRecord record;
  EXPECT_FALSE(reader.Next(record));  // whoever needs data reports it
}

TEST(CsvReaderTest, EmptyHeaderNameIsAnError) {
  const std::string path = WriteFile("unnamed.csv", "a,,c\n1,2,3\n");
  const std::string message = ErrorOf<DataError>([&] { CsvReader reader(path); });
  EXPECT_TRUE(Contains(message, path + ":1: column 2: the header name is empty"));
}

TEST(CsvReaderTest, DuplicateHeaderNameIsAnError) {
  const std::string path = WriteFile("twice.csv", "x,age,y,age\n1,2,3,4\n");
  const std::string message = ErrorOf<DataError>([&] { CsvReader reader(path); });
  EXPECT_TRUE(Contains(message, path + ":1: the header names column 'age' twice (columns 2 and 4)"));
}

TEST(CsvReaderTest, SkipPolicyCountsMalformedRecords) {
  const std::string path = WriteFile("some_bad.csv", "a,b\n1,2\n3\n4,5\"\n6,7\n8,9,10\n11,12\n");
  BadRowPolicy policy;
  policy.skip = true;
  BadRowReport report;
  CsvReader reader(path, {}, policy, &report);
  CsvRecord record;
  std::vector<int64_t> lines;
  while (reader.Next(record)) lines.push_back(record.line());
  EXPECT_EQ(lines, (std::vector<int64_t>{2, 5, 7}));
  EXPECT_EQ(report.skipped(), 3);
  ASSERT_EQ(report.messages().size(), 3u);
  EXPECT_TRUE(Contains(report.messages()[0], path + ":3: the record has 1 fields"));
  EXPECT_TRUE(Contains(report.messages()[1], path + ":4: column 2 ('b'): a quote"));
}

TEST(CsvReaderTest, SkipPolicyFailsPastTheLimit) {
  const std::string path = WriteFile("many_bad.csv", "a,b\n1\n2\n3\n4,5\n");
  BadRowPolicy policy;
  policy.skip = true;
  policy.max_skipped = 2;
  BadRowReport report;
  CsvReader reader(path, {}, policy, &report);
  CsvRecord record;
  const std::string message = ErrorOf<DataError>([&] { reader.Next(record); });
  EXPECT_TRUE(Contains(message, "more than 2 malformed rows skipped; the last one: " + path + ":4:"));
}

}  // namespace
}  // namespace lever
