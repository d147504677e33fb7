#include "lever/data/schema.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

std::string SchemaError(const std::string& yaml) {
  return ErrorOf<ConfigError>([&] { ParseSchema(yaml, "s.yaml"); });
}

TEST(SchemaTest, ParsesEveryKey) {
  const Schema schema = ParseSchema(
      "label: income_bracket\n"
      "missing_values: [\"\", \"?\"]\n"
      "columns:\n"
      "  - {name: age, type: number, default: 0}\n"
      "  - {name: workclass, type: string, default: \"\"}\n"
      "  - name: children\n"
      "    type: integer\n"
      "  - {name: income_bracket, type: categorical}\n");
  EXPECT_EQ(schema.label, "income_bracket");
  EXPECT_EQ(schema.missing_values, (std::vector<std::string>{"", "?"}));
  ASSERT_EQ(schema.columns.size(), 4u);
  EXPECT_EQ(schema.columns[0], (ColumnSchema{"age", ColumnType::kNumber, "0"}));
  EXPECT_EQ(schema.columns[1], (ColumnSchema{"workclass", ColumnType::kString, ""}));
  EXPECT_EQ(schema.columns[2], (ColumnSchema{"children", ColumnType::kInteger, std::nullopt}));
  EXPECT_EQ(schema.columns[3].type, ColumnType::kString);  // categorical is string
  EXPECT_TRUE(schema.IsMissing(" ? "));
  EXPECT_FALSE(schema.IsMissing("NA"));
}

TEST(SchemaTest, DefaultsWhenKeysAreLeftOut) {
  const Schema schema = ParseSchema("columns: [{name: x, type: number}]");
  EXPECT_TRUE(schema.label.empty());
  EXPECT_EQ(schema.missing_values, DefaultMissingValues());
  EXPECT_TRUE(schema.IsMissing("NaN"));  // NaN written in a cell means missing by default
  EXPECT_TRUE(schema.IsMissing(""));
}

TEST(SchemaTest, YamlRoundTrip) {
  Schema schema;
  schema.label = "class";
  schema.missing_values = {"", "null", "?", "-", "n/a", "#"};
  schema.columns = {{"age", ColumnType::kNumber, "-1.5"},       {"class", ColumnType::kString, std::nullopt},
                    {"city name", ColumnType::kString, "null"}, {"note: x", ColumnType::kString, ""},
                    {"123", ColumnType::kInteger, "7"},         {"true", ColumnType::kString, "#none"}};
  const std::string yaml = schema.ToYaml();
  EXPECT_EQ(ParseSchema(yaml), schema) << yaml;
  const std::string path = WriteFile("schema.yaml", yaml);
  EXPECT_EQ(LoadSchema(path), schema);
}

TEST(SchemaTest, WrittenYamlIsTheDocumentedFormat) {
  Schema schema;
  schema.label = "y";
  schema.missing_values = {"", "?"};
  schema.columns = {{"age", ColumnType::kNumber, "0"}, {"y", ColumnType::kString, std::nullopt}};
  EXPECT_EQ(schema.ToYaml(),
            "label: y\n"
            "missing_values: [\"\", \"?\"]\n"
            "columns:\n"
            "  - {name: age, type: number, default: 0}\n"
            "  - {name: y, type: string}\n");
}

TEST(SchemaTest, UnknownTypeNamesLineKeyPathValueAndChoices) {
  const std::string message = SchemaError(
      "columns:\n"
      "  - {name: a, type: number}\n"
      "  - {name: b, type: number}\n"
      "  - {name: c, type: number}\n"
      "  - {name: d, type: float}\n");
  EXPECT_TRUE(Contains(message,
                       "ConfigError: s.yaml:5: columns[3].type: unknown type \"float\"; "
                       "valid types: number, integer, string"));
}

TEST(SchemaTest, UnknownKeysAreErrorsWithTheClosestValidKey) {
  EXPECT_TRUE(Contains(SchemaError("colums: []\n"),
                       "s.yaml:1: colums: unknown key (did you mean columns?); valid "
                       "keys here: label, missing_values, columns"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: a, type: number, defualt: 0}\n"),
                       "s.yaml:2: columns[0].defualt: unknown key (did you mean default?); valid keys here: name, "
                       "type, default"));
}

TEST(SchemaTest, DuplicateKeysNameBothLines) {
  EXPECT_TRUE(Contains(SchemaError("label: y\ncolumns: [{name: y, type: number}]\nlabel: x\n"),
                       "s.yaml:3: label: appears twice (first on line 1); keep one"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - name: a\n    type: number\n    type: string\n"),
                       "s.yaml:4: columns[0].type: appears twice (first on line 3); keep one"));
}

TEST(SchemaTest, MissingNameOrTypeIsAnError) {
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {type: number}\n"), "s.yaml:2: columns[0]: the column has no name"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: a, type: number}\n  - {name: age}\n"),
                       "s.yaml:3: columns[1]: column 'age' has no type; add type: with one of number, integer, "
                       "string"));
  EXPECT_TRUE(Contains(SchemaError("label: y\n"), "s.yaml: the schema has no 'columns' key"));
  EXPECT_TRUE(Contains(SchemaError("columns: []\n"), "s.yaml:1: columns: the schema has no columns"));
}

TEST(SchemaTest, BadDefaultNamesTheValueAndType) {
  const std::string message = SchemaError(
      "columns:\n"
      "  - {name: a, type: string}\n"
      "  - {name: age, type: number,\n"
      "     default: unknown}\n");
  EXPECT_TRUE(Contains(message,
                       "s.yaml:4: columns[1].default: \"unknown\" is not a finite number, but column 'age' "
                       "has type number"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: n, type: integer, default: 2.5}\n"),
                       "s.yaml:2: columns[0].default: \"2.5\" is not an integer"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: n, type: number, default: .nan}\n"), "columns[0].default"));
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: n, type: string, default: }\n"),
                       "s.yaml:2: columns[0].default: the default is null"));
}

TEST(SchemaTest, DuplicateNamesAreErrors) {
  EXPECT_TRUE(Contains(SchemaError("columns:\n  - {name: a, type: number}\n  - {name: b, type: number}\n"
                                   "  - {name: a, type: string}\n"),
                       "s.yaml:4: columns[2].name: 'a' is also the name of columns[0]; column names must be unique"));
}

TEST(SchemaTest, LabelMustBeAColumnWithoutDefault) {
  EXPECT_TRUE(Contains(SchemaError("label: y\ncolumns:\n  - {name: a, type: number}\n  - {name: b, type: string}\n"),
                       "s.yaml:1: label: 'y' is not one of the columns (a, b)"));
  EXPECT_TRUE(Contains(SchemaError("label: y\ncolumns:\n  - {name: x, type: number}\n  - {name: y, type: integer, "
                                   "default: 0}\n"),
                       "s.yaml:4: columns[1].default: the label column 'y' cannot have a default"));
}

TEST(SchemaTest, MissingValuesMustBeTexts) {
  EXPECT_TRUE(Contains(SchemaError("missing_values: NA\ncolumns: [{name: a, type: number}]\n"),
                       "s.yaml:1: missing_values: expected a list of texts"));
  EXPECT_TRUE(Contains(SchemaError("missing_values:\n  - \"\"\n  - null\ncolumns: [{name: a, type: number}]\n"),
                       "s.yaml:3: missing_values[1]: the entry is null; write the text in quotes (\"null\")"));
}

TEST(SchemaTest, InvalidYamlNamesTheLine) {
  const std::string message = SchemaError(
      "label: y\n"
      "columns:\n"
      "  - {name: a, type: number\n"
      "  - {name: b, type: number}\n");
  EXPECT_TRUE(Contains(message, "ConfigError: s.yaml:4: not valid YAML:"));
  EXPECT_TRUE(Contains(SchemaError("- a\n- b\n"), "s.yaml: a schema is a YAML map"));
}

TEST(SchemaTest, LoadSchemaNamesTheFile) {
  const std::string path = WriteFile("bad.yaml", "columns:\n  - {name: a, type: text}\n");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { LoadSchema(path); }), path + ":2: columns[0].type"));
  const std::string absent = TempPath("absent.yaml");
  const std::string message = ErrorOf<IoError>([&] { LoadSchema(absent); });
  EXPECT_TRUE(Contains(message, absent));
  EXPECT_TRUE(Contains(message, "No such file or directory"));
}

TEST(SchemaTest, ValidateChecksProgrammaticSchemas) {
  Schema schema;
  schema.columns = {{"a", ColumnType::kInteger, "x"}};
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { schema.Validate(); }),
                       "schema: columns[0].default: \"x\" is not an integer"));
  schema.columns = {{"", ColumnType::kNumber, std::nullopt}};
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { schema.Validate(); }), "schema: columns[0].name: the name is empty"));
}

// ---- cells ----

TEST(SchemaTest, ParseFloatCellIsStrict) {
  float value = 0;
  EXPECT_EQ(ParseFloatCell("1.5", &value), CellParse::kOk);
  EXPECT_EQ(value, 1.5f);
  EXPECT_EQ(ParseFloatCell("  -2e3 \t", &value), CellParse::kOk);
  EXPECT_EQ(value, -2000.0f);
  EXPECT_EQ(ParseFloatCell("+.25", &value), CellParse::kOk);
  EXPECT_EQ(value, 0.25f);
  EXPECT_EQ(ParseFloatCell("0.1", &value), CellParse::kOk);
  EXPECT_EQ(value, 0.1f);  // correctly rounded
  EXPECT_EQ(ParseFloatCell("1e-50", &value), CellParse::kOk);
  EXPECT_EQ(value, 0.0f);
  for (const char* bad : {"12abc", "", " ", "1,5", "0x10", "+-1", "1e", "abc", "1 2"}) {
    EXPECT_EQ(ParseFloatCell(bad, &value), CellParse::kInvalid) << bad;
  }
  for (const char* not_finite : {"NaN", "nan", "-nan", "inf", "-Infinity"}) {
    EXPECT_EQ(ParseFloatCell(not_finite, &value), CellParse::kNotFinite) << not_finite;
  }
  EXPECT_EQ(ParseFloatCell("1e39", &value), CellParse::kOutOfRange);
  EXPECT_EQ(ParseFloatCell("-1e400", &value), CellParse::kOutOfRange);
}

TEST(SchemaTest, ParseIntegerCellIsStrict) {
  int64_t value = 0;
  EXPECT_EQ(ParseIntegerCell(" 42 ", &value), CellParse::kOk);
  EXPECT_EQ(value, 42);
  EXPECT_EQ(ParseIntegerCell("+7", &value), CellParse::kOk);
  EXPECT_EQ(value, 7);
  EXPECT_EQ(ParseIntegerCell("-9007199254740993", &value), CellParse::kOk);
  EXPECT_EQ(value, -9007199254740993);  // exact beyond float and double
  for (const char* bad : {"2.5", "1e3", "3.0", "12abc", "", "x"}) {
    EXPECT_EQ(ParseIntegerCell(bad, &value), CellParse::kInvalid) << bad;
  }
  EXPECT_EQ(ParseIntegerCell("99999999999999999999", &value), CellParse::kOutOfRange);
}

// ---- inference ----

TEST(SchemaTest, InfersIntegerNumberAndStringColumns) {
  const std::string path = WriteFile("mixed.csv",
                                     "id,height,city,code,empty,y\n"
                                     "1,1.75,Paris,007,,0\n"
                                     "2,NA,Lyon,12,NA,1\n"
                                     "3,1.6e0,?,x1,,1\n"
                                     "4,2,Nice,5,?,0\n");
  InferOptions options;
  options.label = "y";
  const InferredSchema inferred = InferSchema(path, {}, options);
  const Schema& schema = inferred.schema;
  ASSERT_EQ(schema.columns.size(), 6u);
  EXPECT_EQ(schema.columns[0].type, ColumnType::kInteger);
  EXPECT_EQ(schema.columns[1].type, ColumnType::kNumber);
  EXPECT_EQ(schema.columns[2].type, ColumnType::kString);
  EXPECT_EQ(schema.columns[3].type, ColumnType::kString);
  EXPECT_EQ(schema.columns[4].type, ColumnType::kString);  // nothing but missing values
  EXPECT_EQ(schema.columns[5].type, ColumnType::kInteger);
  EXPECT_EQ(schema.label, "y");
  EXPECT_EQ(inferred.rows_sampled, 4);
  EXPECT_EQ(inferred.missing_counts, (std::vector<int64_t>{0, 1, 1, 0, 4, 0}));
  for (const ColumnSchema& column : schema.columns) EXPECT_FALSE(column.default_value) << column.name;

  const std::string yaml = inferred.ToYaml();
  EXPECT_TRUE(Contains(yaml, "- {name: height, type: number}  # 1 of 4 sampled values missing: set a default"));
  EXPECT_TRUE(Contains(yaml, "- {name: empty, type: string}  # all 4 sampled values missing"));
  EXPECT_EQ(ParseSchema(yaml), schema) << yaml;  // the comments do not get in the way
}

TEST(SchemaTest, NanThatIsNotAMissingValueKeepsTheColumnANumberForReadingToReject) {
  const std::string path = WriteFile("nan.csv", "x,z\n1.5,1\nNaN,2\n");
  InferOptions options;
  options.missing_values = {""};
  EXPECT_EQ(InferSchema(path, {}, options).schema.columns[0].type, ColumnType::kNumber);
  EXPECT_EQ(InferSchema(path).schema.columns[0].type, ColumnType::kNumber);  // by default NaN is missing
}

TEST(SchemaTest, UnusableNumbersInTheFirstRowsDoNotTurnAColumnIntoText) {
  // inf, 1e39 and a decimal comma are number-like: the column stays a number column, so reading the file
  // stops at the cell (file:line, column) instead of training on a vocabulary of numbers.
  for (const std::string cell : {"inf", "-Infinity", "1e39", "0,5", "-12,75"}) {
    const std::string path = WriteFile("early.csv", "x,y\n\"" + cell + "\",1\n0.5,0\n2,1\n");
    const Schema schema = InferSchema(path).schema;
    EXPECT_EQ(schema.columns[0].type, ColumnType::kNumber) << cell;
  }
  EXPECT_TRUE(LooksLikeDecimalComma("0,5"));
  EXPECT_TRUE(LooksLikeDecimalComma(" -3,25 "));
  EXPECT_FALSE(LooksLikeDecimalComma("1,2,3"));
  EXPECT_FALSE(LooksLikeDecimalComma(",5"));
  EXPECT_FALSE(LooksLikeDecimalComma("a,b"));
  const std::string text = WriteFile("text.csv", "x,y\nParis,1\n0.5,0\n");
  EXPECT_EQ(InferSchema(text).schema.columns[0].type, ColumnType::kString);
}

TEST(SchemaTest, InferenceLooksOnlyAtTheSample) {
  std::string text = "n\n";
  for (int i = 0; i < 10; ++i) text += std::to_string(i) + "\n";
  text += "text\n";
  const std::string path = WriteFile("late_text.csv", text);
  InferOptions options;
  options.sample_rows = 10;
  EXPECT_EQ(InferSchema(path, {}, options).schema.columns[0].type, ColumnType::kInteger);
  options.sample_rows = 0;  // all rows
  EXPECT_EQ(InferSchema(path, {}, options).schema.columns[0].type, ColumnType::kString);
}

TEST(SchemaTest, InferenceWithoutHeaderNamesColumns) {
  CsvOptions csv;
  csv.header = false;
  const InferredSchema inferred = InferSchema(WriteFile("no_header.csv", "1,a\n2,b\n"), csv);
  ASSERT_EQ(inferred.schema.columns.size(), 2u);
  EXPECT_EQ(inferred.schema.columns[0].name, "column_1");
  EXPECT_EQ(inferred.schema.columns[1].name, "column_2");
}

TEST(SchemaTest, InferenceErrors) {
  const std::string header_only = WriteFile("header_only.csv", "a,b\n");
  EXPECT_TRUE(
      Contains(ErrorOf<DataError>([&] { InferSchema(header_only); }), header_only + " has a header but no data rows"));
  const std::string path = WriteFile("data.csv", "a,b\n1,2\n");
  InferOptions options;
  options.label = "target";
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { InferSchema(path, {}, options); }),
                       "the label column 'target' is not in the file; its columns are a, b"));
}

}  // namespace
}  // namespace lever
