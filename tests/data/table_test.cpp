#include "lever/data/table.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
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

// age: number, children: integer, city: string.
Schema PeopleSchema() {
  Schema schema;
  schema.columns = {{"age", ColumnType::kNumber, std::nullopt},
                    {"children", ColumnType::kInteger, std::nullopt},
                    {"city", ColumnType::kString, std::nullopt}};
  return schema;
}

std::string ReadError(const std::string& path, const Schema& schema) {
  return ErrorOf<DataError>([&] { ReadTable(path, schema); });
}

TEST(TableTest, ReadsColumnsByTypeInSchemaOrder) {
  const std::string path = WriteFile("people.csv",
                                     "id,city,children,age\n"
                                     "a,Paris,0,39.5\n"
                                     "b,Lyon,2,41\n"
                                     "c,Paris,-1, 7e1 \n");
  const Table table = ReadTable(path, PeopleSchema());
  EXPECT_EQ(table.num_rows, 3);
  ASSERT_EQ(table.columns.size(), 3u);  // the file's id column is not in the schema: ignored
  const TableColumn& age = table.columns[0];
  EXPECT_EQ(age.name, "age");
  EXPECT_EQ(age.numbers, (std::vector<float>{39.5f, 41.0f, 70.0f}));  // spaces around numbers are fine
  EXPECT_TRUE(age.integers.empty());
  EXPECT_EQ(table.Column("children").integers, (std::vector<int64_t>{0, 2, -1}));
  const TableColumn& city = table.Column("city");
  EXPECT_EQ(city.dictionary, (std::vector<std::string>{"Paris", "Lyon"}));
  EXPECT_EQ(city.codes, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(city.StringAt(2), "Paris");
  EXPECT_EQ(table.FindColumn("id"), nullptr);
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { table.Column("id"); }), "its columns are age, children, city"));
}

TEST(TableTest, MissingValuesTakeTheDefault) {
  Schema schema = PeopleSchema();
  schema.columns[0].default_value = "-1";
  schema.columns[1].default_value = "0";
  schema.columns[2].default_value = "";
  const std::string path = WriteFile("defaults.csv", "age,children,city\nNA,?,null\n,N/A, NaN \n30,1,Nice\n");
  const Table table = ReadTable(path, schema);
  EXPECT_EQ(table.columns[0].numbers, (std::vector<float>{-1, -1, 30}));
  EXPECT_EQ(table.columns[1].integers, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(table.columns[2].dictionary, (std::vector<std::string>{"", "Nice"}));
  EXPECT_EQ(table.columns[2].codes, (std::vector<int32_t>{0, 0, 1}));
}

TEST(TableTest, MissingValueWithoutDefaultIsKeptAsMissingAndCounted) {
  const std::string path = WriteFile("missing.csv", "age,children,city\n30,1,Nice\n,NA,?\nnull,2, N/A \n");
  const Table table = ReadTable(path, PeopleSchema());
  ASSERT_EQ(table.num_rows, 3);
  const TableColumn& age = table.Column("age");
  EXPECT_EQ(age.missing, 2);
  EXPECT_EQ(age.numbers[0], 30.0f);
  EXPECT_TRUE(std::isnan(age.numbers[1]));
  EXPECT_TRUE(std::isnan(age.numbers[2]));
  // An integer feature column with a missing value is read as numbers, its earlier values kept.
  const TableColumn& children = table.Column("children");
  EXPECT_EQ(children.type, ColumnType::kNumber);
  EXPECT_EQ(children.missing, 1);
  EXPECT_TRUE(children.integers.empty());
  ASSERT_EQ(children.numbers.size(), 3u);
  EXPECT_EQ(children.numbers[0], 1.0f);
  EXPECT_TRUE(std::isnan(children.numbers[1]));
  EXPECT_EQ(children.numbers[2], 2.0f);
  // A missing text is the empty text: a category of its own.
  const TableColumn& city = table.Column("city");
  EXPECT_EQ(city.missing, 2);
  EXPECT_EQ(city.dictionary, (std::vector<std::string>{"Nice", ""}));
  EXPECT_EQ(city.codes, (std::vector<int32_t>{0, 1, 1}));
}

TEST(TableTest, MissingLabelIsABadCell) {
  Schema schema = PeopleSchema();
  schema.label = "children";
  const std::string path = WriteFile("missing_label.csv", "age,children,city\n30,1,Nice\n31,NA,Nice\n");
  EXPECT_TRUE(Contains(ReadError(path, schema), path + ":3: the label column 'children' is missing (\"NA\")"));
}

TEST(TableTest, IntegerFeatureMeetingAFractionInAnotherFileIsReadAsNumbers) {
  // The pixel column: 0 in every training row, 0.298 in a test row.
  Schema schema = PeopleSchema();
  const std::string train = WriteFile("px_train.csv", "age,children,city\n30,0,Nice\n31,0,Nice\n");
  const std::string test = WriteFile("px_test.csv", "age,children,city\n30,0,Nice\n31,0.298,Nice\n32,3,Nice\n");
  EXPECT_EQ(ReadTable(train, schema).Column("children").type, ColumnType::kInteger);
  const Table table = ReadTable(test, schema);
  const TableColumn& children = table.Column("children");
  EXPECT_EQ(children.type, ColumnType::kNumber);
  EXPECT_EQ(children.numbers, (std::vector<float>{0.0f, 0.298f, 3.0f}));
  EXPECT_EQ(children.missing, 0);
}

TEST(TableTest, NonFiniteAndDecimalCommaAreErrorsWithFileLineAndColumnInIntegerColumnsToo) {
  for (const auto& [cell, message] : std::vector<std::pair<std::string, std::string>>{
           {"inf", "column 'children' holds \"inf\": infinity is not a number"},
           {"1e39", "column 'children' holds \"1e39\", beyond the range of a 32-bit float"},
           {"0,5", "column 'children' holds \"0,5\", a number with a decimal comma; write it with a point (0.5)"}}) {
    const std::string path = WriteFile("bad_cell.csv", "age,children,city\n30,1,Nice\n31,\"" + cell + "\",Nice\n");
    EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()), path + ":3: " + message)) << cell;
  }
}

TEST(TableTest, SummaryCountsRowsMissingSharesAndDistinctTexts) {
  const std::string path = WriteFile("summary.csv", "age,children,city\n30,1,Nice\n,2,?\n20,3,Lyon\n40,4,Nice\n");
  TableSummary summary = SummarizeTable(ReadTable(path, PeopleSchema()));
  EXPECT_EQ(summary.rows, 4);
  ASSERT_EQ(summary.columns.size(), 3u);
  EXPECT_EQ(summary.columns[0].missing, 1);
  EXPECT_EQ(summary.columns[2].distinct, 3);  // Nice, "", Lyon
  summary.Find("age")->imputed = 30.0;
  EXPECT_EQ(summary.Lines(), (std::vector<std::string>{"4 rows, 3 columns", "  age: number, 25.0% missing, imputed 30",
                                                       "  city: string, 3 distinct, 25.0% missing",
                                                       "  1 numeric columns without missing values"}));
}

TEST(TableTest, TextInNumericColumn) {
  Schema schema = PeopleSchema();
  const std::string path = WriteFile("train.csv", "age,children,city\n30,1,Nice\n31,0,Nice\nn/a,0,Nice\n");
  EXPECT_EQ(ReadError(path, schema), "DataError: " + path +
                                         ":4: column 'age' expects a number, got \"n/a\". Declare missing values "
                                         "(missing_values in the schema) or fix the row.");
}

TEST(TableTest, TrailingGarbageIsRejected) {
  const std::string path = WriteFile("garbage.csv", "age,children,city\n12abc,1,Nice\n");
  EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()), path + ":2: column 'age' expects a number, got \"12abc\""));
  const std::string integer = WriteFile("garbage_int.csv", "age,children,city\n12,1x,Nice\n");
  EXPECT_TRUE(
      Contains(ReadError(integer, PeopleSchema()), integer + ":2: column 'children' expects a number, got \"1x\""));
  Schema labeled = PeopleSchema();
  labeled.label = "children";
  EXPECT_TRUE(Contains(ReadError(integer, labeled), integer + ":2: column 'children' expects an integer, got \"1x\""));
}

TEST(TableTest, NanAndInfinityLiteralsAreRejected) {
  Schema schema = PeopleSchema();
  schema.missing_values = {""};  // so NaN is not a missing value here
  const std::string path = WriteFile("nan.csv", "age,children,city\n30,1,Nice\nNaN,1,Nice\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadTable(path, schema); }),
                       path + ":3: column 'age' holds \"NaN\": NaN is not a number lever can train on; list it in "
                              "missing_values to treat it as missing, or fix the row."));
  const std::string inf = WriteFile("inf.csv", "age,children,city\n-inf,1,Nice\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadTable(inf, schema); }),
                       inf + ":2: column 'age' holds \"-inf\": infinity is not a number lever can train on"));
  const std::string huge = WriteFile("huge.csv", "age,children,city\n1e39,1,Nice\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadTable(huge, schema); }),
                       huge + ":2: column 'age' holds \"1e39\", beyond the range of a 32-bit float"));
}

TEST(TableTest, IntegerLabelColumnWithFraction) {
  const std::string path = WriteFile("fraction.csv", "age,children,city\n30,2.5,Nice\n");
  Schema schema = PeopleSchema();
  schema.label = "children";
  EXPECT_TRUE(Contains(ReadError(path, schema),
                       path + ":2: column 'children' expects an integer, got \"2.5\". Declare the column as type "
                              "number, or fix the row."));
}

TEST(TableTest, RaggedRow) {
  const std::string path = WriteFile("ragged.csv", "age,children,city\n30,1,Nice\n31,1\n");
  EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()),
                       path + ":3: the record has 2 fields but the header has 3 (age, children, city)"));
}

TEST(TableTest, EmptyFile) {
  const std::string path = WriteFile("empty.csv", "");
  EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()), path + ": file is empty: expected a header row"));
}

TEST(TableTest, HeaderOnly) {
  const std::string path = WriteFile("header_only.csv", "age,children,city\n");
  EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()), path + " has a header but no data rows"));
}

TEST(TableTest, SchemaColumnMissingFromHeaderListsTheHeader) {
  const std::string path = WriteFile("renamed.csv", "Age,children,town\n30,1,Nice\n");
  EXPECT_TRUE(Contains(ReadError(path, PeopleSchema()),
                       path + ": the schema's column 'age', 'city' is not in the header; the header has Age, "
                              "children, town"));
}

TEST(TableTest, MissingLabelIsAnError) {
  Schema schema = PeopleSchema();
  schema.columns.push_back({"y", ColumnType::kInteger, std::nullopt});
  schema.label = "y";
  const std::string path = WriteFile("label.csv", "age,children,city,y\n30,1,Nice,1\n30,1,Nice,?\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadTable(path, schema); }),
                       path + ":3: the label column 'y' is missing (\"?\"); a row without a label cannot be used"));
}

TEST(TableTest, InvalidSchemaIsConfigError) {
  Schema schema = PeopleSchema();
  schema.label = "income";
  const std::string path = WriteFile("any.csv", "age,children,city\n30,1,Nice\n");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ReadTable(path, schema); }), "'income' is not one of the columns"));
}

TEST(TableTest, SkipPolicyCountsSkippedRows) {
  const std::string path = WriteFile("some_bad.csv",
                                     "age,children,city\n"
                                     "30,1,Nice\n"
                                     "abc,1,Nice\n"    // text in a number column
                                     "31,1.5x,Lyon\n"  // not a number in an integer column
                                     "32,1\n"          // ragged
                                     "33,3,Paris\n");
  BadRowPolicy policy;
  policy.skip = true;
  BadRowReport report;
  const Table table = ReadTable(path, PeopleSchema(), {}, policy, &report);
  EXPECT_EQ(table.num_rows, 2);
  EXPECT_EQ(table.columns[0].numbers, (std::vector<float>{30, 33}));
  EXPECT_EQ(table.columns[2].dictionary, (std::vector<std::string>{"Nice", "Paris"}));  // skipped rows add nothing
  EXPECT_EQ(report.skipped(), 3);
  ASSERT_EQ(report.messages().size(), 3u);
  EXPECT_TRUE(Contains(report.messages()[0], path + ":3: column 'age' expects a number"));
  EXPECT_TRUE(Contains(report.messages()[1], path + ":4: column 'children' expects a number"));
  EXPECT_TRUE(Contains(report.messages()[2], path + ":5: the record has 2 fields"));
}

TEST(TableTest, SkipPolicyFailsPastMaxSkipped) {
  std::string text = "age,children,city\n";
  for (int i = 0; i < 5; ++i) text += "x,1,Nice\n";
  const std::string path = WriteFile("many_bad.csv", text);
  BadRowPolicy policy;
  policy.skip = true;
  policy.max_skipped = 3;
  BadRowReport report;
  const std::string message = ErrorOf<DataError>([&] { ReadTable(path, PeopleSchema(), {}, policy, &report); });
  EXPECT_TRUE(Contains(message, "more than 3 malformed rows skipped; the last one: " + path + ":5:"));
  EXPECT_EQ(report.skipped(), 4);
}

TEST(TableTest, AllRowsBad) {
  const std::string path = WriteFile("all_bad.csv", "age,children,city\nx,1,a\ny,1,b\n");
  BadRowPolicy policy;
  policy.skip = true;
  const std::string message = ErrorOf<DataError>([&] { ReadTable(path, PeopleSchema(), {}, policy); });
  EXPECT_TRUE(Contains(message, path + ": all 2 data rows were bad and skipped; the first: " + path + ":2:"));
}

TEST(TableTest, WithoutHeaderColumnsArePositional) {
  CsvOptions csv;
  csv.header = false;
  const Table table = ReadTable(WriteFile("positional.csv", "30,1,Nice\n40,2,Lyon\n"), PeopleSchema(), csv);
  EXPECT_EQ(table.num_rows, 2);
  EXPECT_EQ(table.columns[1].integers, (std::vector<int64_t>{1, 2}));
  const std::string narrow = WriteFile("narrow.csv", "30,1\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadTable(narrow, PeopleSchema(), csv); }),
                       narrow + ":1: the file has 2 columns but the schema lists 3"));
  const std::string empty = WriteFile("empty.csv", "");
  EXPECT_TRUE(
      Contains(ErrorOf<DataError>([&] { ReadTable(empty, PeopleSchema(), csv); }), empty + " has no data rows"));
}

TEST(TableTest, GzipTable) {
  const std::string path = TempPath("people.csv.gz");
  std::string text = "age,children,city\n";
  for (int i = 0; i < 100000; ++i)
    text += std::to_string(i) + ".5," + std::to_string(i % 4) + ",city" + std::to_string(i % 7) + "\n";
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  gzclose(file);
  const Table table = ReadTable(path, PeopleSchema());
  ASSERT_EQ(table.num_rows, 100000);
  EXPECT_EQ(table.columns[0].numbers[99999], 99999.5f);
  EXPECT_EQ(table.columns[1].integers[99999], 3);
  EXPECT_EQ(table.columns[2].dictionary.size(), 7u);
}

// scikit-learn's copy of the Wisconsin breast cancer data: a first line "569,30,malignant,benign" (rows,
// features, class names), then 569 rows of 30 measurements and the class (0 malignant, 1 benign).
TEST(TableTest, BreastCancerFromScikitLearn) {
  const std::string path = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent (scikit-learn not installed)";
  CsvOptions csv;
  csv.header = false;
  csv.skip_lines = 1;
  InferOptions options;
  options.label = "column_31";
  options.sample_rows = 0;
  const InferredSchema inferred = InferSchema(path, csv, options);
  ASSERT_EQ(inferred.schema.columns.size(), 31u);
  for (size_t i = 0; i < 30; ++i) EXPECT_EQ(inferred.schema.columns[i].type, ColumnType::kNumber) << i;
  EXPECT_EQ(inferred.schema.columns[30].type, ColumnType::kInteger);
  EXPECT_EQ(inferred.rows_sampled, 569);

  const Table table = ReadTable(path, inferred.schema, csv);
  EXPECT_EQ(table.num_rows, 569);
  EXPECT_EQ(table.label, "column_31");
  EXPECT_EQ(table.columns[0].numbers[0], 17.99f);  // mean radius of the first tumour
  EXPECT_EQ(table.columns[3].numbers[0], 1001.0f);
  int64_t benign = 0;
  for (const int64_t label : table.Column("column_31").integers) benign += label;
  EXPECT_EQ(benign, 357);  // and 212 malignant, as scikit-learn documents
}

}  // namespace
}  // namespace lever
