#include "lever/data/labels.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;
using Names = std::vector<std::string>;

TableColumn TextColumn(const std::string& name, const Names& values) {
  TableColumn c{.name = name, .type = ColumnType::kString};
  for (const std::string& v : values) {
    auto found = std::find(c.dictionary.begin(), c.dictionary.end(), v);
    if (found == c.dictionary.end()) found = c.dictionary.insert(c.dictionary.end(), v);
    c.codes.push_back(static_cast<int32_t>(found - c.dictionary.begin()));
  }
  return c;
}

TableColumn IntegerColumn(const std::string& name, const std::vector<int64_t>& values) {
  return {.name = name, .type = ColumnType::kInteger, .integers = values};
}

TableColumn NumberColumn(const std::string& name, const std::vector<float>& values) {
  return {.name = name, .type = ColumnType::kNumber, .numbers = values};
}

Table TableOf(TableColumn column, std::vector<int64_t> lines = {}) {
  Table t;
  t.num_rows = static_cast<int64_t>(column.type == ColumnType::kString    ? column.codes.size()
                                    : column.type == ColumnType::kInteger ? column.integers.size()
                                                                          : column.numbers.size());
  t.columns.push_back(std::move(column));
  t.lines = std::move(lines);
  return t;
}

TEST(LabelsTest, TwoTextValuesAreBinaryWithTheSecondSortedOnePositive) {
  const TableColumn c = TextColumn("income", {">50K", "<=50K", "<=50K", ">50K"});
  const LabelEncoding e = DecideLabels(c);
  EXPECT_EQ(e.task, Task::kBinary);
  EXPECT_EQ(e.classes, (Names{"<=50K", ">50K"}));
  EXPECT_FALSE(e.numeric);
  EXPECT_EQ(e.Outputs(), 1);
  EXPECT_EQ(e.DefaultLoss(), "sigmoid_cross_entropy");
  EXPECT_EQ(e.explanation, "label 'income': 2 text values '<=50K', '>50K' -> binary, positive class '>50K'");
  const Tensor y = e.Encode(TableOf(c), "train.csv");
  EXPECT_EQ(y(0, 0), 1.0f);
  EXPECT_EQ(y(1, 0), 0.0f);
  EXPECT_EQ(y(3, 0), 1.0f);
}

TEST(LabelsTest, MoreTextValuesAreSortedClasses) {
  const TableColumn c = TextColumn("species", {"virginica", "setosa", "versicolor", "setosa"});
  const LabelEncoding e = DecideLabels(c);
  EXPECT_EQ(e.task, Task::kMultiClass);
  EXPECT_EQ(e.classes, (Names{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(e.Outputs(), 3);
  EXPECT_EQ(e.DefaultLoss(), "sparse_softmax_cross_entropy");
  const Tensor y = e.Encode(TableOf(c), "iris.csv");
  EXPECT_EQ(y(0, 0), 2.0f);
  EXPECT_EQ(y(1, 0), 0.0f);
  EXPECT_EQ(y(2, 0), 1.0f);
}

TEST(LabelsTest, WholeNumbersZeroToKMinusOneAreClassIds) {
  const TableColumn c = IntegerColumn("digit", {0, 9, 3, 1, 2, 4, 5, 6, 7, 8, 3});
  const LabelEncoding e = DecideLabels(c);
  EXPECT_EQ(e.task, Task::kMultiClass);
  ASSERT_EQ(e.classes.size(), 10u);
  EXPECT_EQ(e.classes[9], "9");
  EXPECT_TRUE(Contains(e.explanation, "-> multi_class, 10 classes (pass --task regression to override)"))
      << e.explanation;
  EXPECT_EQ(e.Encode(TableOf(c), "d.csv")(1, 0), 9.0f);
  // 0/1 are binary; an id missing from a few rows makes them numbers, not classes.
  EXPECT_EQ(DecideLabels(IntegerColumn("y", {0, 1, 1})).task, Task::kBinary);
  EXPECT_EQ(DecideLabels(IntegerColumn("y", {0, 2, 3, 1, 5})).task, Task::kRegression);
}

TEST(LabelsTest, AnyTwoNumbersAreBinaryWithTheLargerPositive) {
  const TableColumn c = IntegerColumn("y", {-1, 1, 1, -1});
  const LabelEncoding e = DecideLabels(c);
  EXPECT_EQ(e.task, Task::kBinary);
  EXPECT_EQ(e.classes, (Names{"-1", "1"}));
  EXPECT_EQ(
      e.explanation,
      "label 'y': 2 distinct numbers '-1', '1' -> binary, positive class '1' (pass --task regression to override)");
  const Tensor y = e.Encode(TableOf(c), "t.csv");
  EXPECT_EQ(y(0, 0), 0.0f);
  EXPECT_EQ(y(1, 0), 1.0f);
  EXPECT_EQ(DecideLabels(NumberColumn("y", {1.0f, 2.0f})).classes, (Names{"1", "2"}));
}

TEST(LabelsTest, WholeNumbers25To346AreRegression) {
  std::vector<int64_t> values;
  for (int64_t v = 25; v <= 346; v += 3) values.push_back(v);
  values.push_back(25);
  const TableColumn c = IntegerColumn("y", values);
  const LabelEncoding e = DecideLabels(c);
  EXPECT_EQ(e.task, Task::kRegression);
  EXPECT_TRUE(e.classes.empty());
  EXPECT_EQ(e.Outputs(), 1);
  EXPECT_EQ(e.DefaultLoss(), "mean_squared_error");
  EXPECT_EQ(e.explanation,
            "label 'y': 108 distinct whole numbers 25..346 -> regression (pass --task multi_class to override)");
  EXPECT_EQ(e.Encode(TableOf(c), "t.csv")(1, 0), 28.0f);
  // Fractions too.
  EXPECT_EQ(DecideLabels(NumberColumn("y", {0.5f, 1.0f, 2.25f})).task, Task::kRegression);
}

TEST(LabelsTest, OverridesReplaceTheGuess) {
  const TableColumn numbers = IntegerColumn("y", {25, 40, 346, 40});
  LabelOptions multi;
  multi.task = "multi_class";
  const LabelEncoding m = DecideLabels(numbers, multi);
  EXPECT_EQ(m.task, Task::kMultiClass);
  EXPECT_EQ(m.classes, (Names{"25", "40", "346"}));  // the values seen, not 347 ids
  EXPECT_TRUE(Contains(m.explanation, "(as the task override says)")) << m.explanation;
  EXPECT_EQ(m.Encode(TableOf(numbers), "t.csv")(2, 0), 2.0f);

  LabelOptions binary;
  binary.task = "binary";
  binary.override_hint = [](Task t) {
    return std::string("--loss ") + (t == Task::kRegression ? "squared" : "softmax");
  };
  const std::string too_many = ErrorOf<ConfigError>([&] { DecideLabels(numbers, binary); });
  EXPECT_TRUE(Contains(too_many,
                       "3 distinct whole numbers 25..346: a binary task needs exactly two values. Pass --loss squared"))
      << too_many;

  LabelOptions regression;
  regression.task = "regression";
  const TableColumn text = TextColumn("label", {"yes", "no"});
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DecideLabels(text, regression); }), "regression needs numbers"));

  LabelOptions positive;
  positive.positive_class = "no";
  const LabelEncoding p = DecideLabels(text, positive);
  EXPECT_EQ(p.classes, (Names{"yes", "no"}));
  EXPECT_TRUE(Contains(p.explanation, "positive class 'no'")) << p.explanation;
  EXPECT_EQ(p.Encode(TableOf(text), "t.csv")(0, 0), 0.0f);
  positive.positive_class = "maybe";
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DecideLabels(text, positive); }), "'maybe' is not one of"));

  LabelOptions vocabulary;
  vocabulary.vocabulary = {"yes", "no", "maybe"};
  const LabelEncoding v = DecideLabels(text, vocabulary);
  EXPECT_EQ(v.task, Task::kMultiClass);
  EXPECT_EQ(v.classes, vocabulary.vocabulary);
  EXPECT_EQ(v.Encode(TableOf(text), "t.csv")(1, 0), 1.0f);
  vocabulary.vocabulary = {"yes", "maybe"};
  const std::string missing = ErrorOf<DataError>([&] { DecideLabels(text, vocabulary, "train.csv", {2, 3}); });
  EXPECT_TRUE(Contains(missing, "train.csv:3: label 'label' is \"no\", which the label vocabulary")) << missing;
  EXPECT_THROW(ParseTask("classes"), ConfigError);
}

TEST(LabelsTest, AnUnseenValueIsADataErrorNamingFileLineAndValue) {
  const LabelEncoding e = DecideLabels(TextColumn("label", {"yes", "no"}));
  const Table test = TableOf(TextColumn("label", {"no", "yes", "maybe"}), {2, 3, 5});
  const std::string text = ErrorOf<DataError>([&] { e.Encode(test, "test.csv"); });
  EXPECT_TRUE(Contains(text,
                       "test.csv:5: label 'label' is \"maybe\", a value the training labels do not have (classes: "
                       "'no', 'yes')"))
      << text;
  const LabelEncoding ids = DecideLabels(IntegerColumn("y", {0, 1, 2, 2}));
  const std::string number = ErrorOf<DataError>([&] {
    ids.Encode(TableOf(IntegerColumn("y", {1, 7}), {2, 3}), "t.csv");
  });
  EXPECT_TRUE(Contains(number, "t.csv:3: label 'y' is \"7\"")) << number;
}

TEST(LabelsTest, OneTextValueIsNotAClassifier) {
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] {
                         DecideLabels(TextColumn("label", {"yes", "yes"}));
                       }),
                       "at least two classes"));
}

// Several 0/1 (or two-valued text) columns: one yes/no output each, encoded side by side.
TEST(LabelsTest, SeveralColumnsAreMultiLabel) {
  Table t = TableOf(IntegerColumn("sports", {1, 0, 1, 0}), {2, 3, 4, 5});
  t.columns.push_back(TextColumn("politics", {"no", "yes", "yes", "no"}));
  t.columns.push_back(IntegerColumn("x", {5, 6, 7, 8}));
  const LabelEncoding e = DecideMultiLabels(t, {"sports", "politics"}, "news.csv");
  EXPECT_EQ(e.task, Task::kMultiLabel);
  EXPECT_EQ(e.Outputs(), 2);
  EXPECT_EQ(e.classes, (Names{"sports", "politics"}));
  EXPECT_EQ(e.DefaultLoss(), "sigmoid_cross_entropy");
  EXPECT_EQ(e.explanation,
            "labels 'sports', 'politics': 2 yes/no columns -> multi_label, one sigmoid output each "
            "(yes: 'sports' = '1', 'politics' = 'yes')");
  const Tensor y = e.Encode(t, "news.csv");
  ASSERT_EQ(y.rows(), 4);
  ASSERT_EQ(y.cols(), 2);
  EXPECT_EQ(y(0, 0), 1.0f);
  EXPECT_EQ(y(0, 1), 0.0f);
  EXPECT_EQ(y(1, 1), 1.0f);
  EXPECT_EQ(y(2, 0), 1.0f);
  EXPECT_EQ(y(3, 1), 0.0f);
  EXPECT_EQ(ParseTask("multi_label"), Task::kMultiLabel);

  // A column of more than two values, a missing column, one column, the same column twice.
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([&] {
                 DecideMultiLabels(t, {"sports", "x"}, "news.csv");
               }),
               "multi-label: label 'x': 4 distinct whole numbers 5..8: a binary task needs exactly two values"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] {
                         DecideMultiLabels(t, {"sports", "arts"}, "news.csv");
                       }),
                       "news.csv: no label column 'arts'"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DecideMultiLabels(t, {"sports"}); }), "at least two label columns"));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DecideMultiLabels(t, {"sports", "sports"}); }), "twice"));
  // A test file with a third value in a label column: file and line.
  Table test = TableOf(IntegerColumn("sports", {0, 2}), {2, 3});
  test.columns.push_back(TextColumn("politics", {"no", "no"}));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { e.Encode(test, "test.csv"); }), "test.csv:3: label 'sports' is \"2\""));
  // multi_label asked of one column.
  LabelOptions one;
  one.task = "multi_label";
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DecideLabels(t.columns[0], one); }), "several label columns"));
}

TEST(LabelsTest, LabelColumnsSplitsOnCommasUnlessTheNameIsAColumn) {
  EXPECT_EQ(LabelColumns("a,b,c", {"x", "a", "b", "c"}), (Names{"a", "b", "c"}));
  EXPECT_EQ(LabelColumns("a,b", {"a,b", "a", "b"}), (Names{"a,b"}));
  EXPECT_EQ(LabelColumns("y", {"y"}), (Names{"y"}));
}

}  // namespace
}  // namespace lever
