#include "lever/data/csv_dataset.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;
using testing::WriteFile;

TEST(CsvDatasetTest, EveryColumnButTheLabelIsAFeatureInFileOrder) {
  const std::string path = WriteFile("t.csv", "a,label,b\n1,0,2.5\n3,1,-4\n");
  const CsvDataset d = ReadCsvDataset(path, "label");
  ASSERT_EQ(d.data.size(), 2);
  ASSERT_EQ(d.data.num_features(), 2);
  EXPECT_EQ(d.data.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.data.features(0, 1), 2.5f);
  EXPECT_EQ(d.data.features(1, 0), 3.0f);
  EXPECT_EQ(d.data.labels(1, 0), 1.0f);
}

TEST(CsvDatasetTest, TheTestFileIsReadUnderTheTrainingSchemaByColumnName) {
  const std::string train = WriteFile("train.csv", "a,b,label\n1,2,0\n3,4,1\n");
  const std::string test = WriteFile("test.csv", "label,b,a\n1,20,10\n");
  const CsvDataset t = ReadCsvDataset(train, "label");
  const CsvDataset d = ReadCsvDataset(test, t);
  EXPECT_EQ(d.data.features(0, 0), 10.0f);
  EXPECT_EQ(d.data.features(0, 1), 20.0f);
}

TEST(CsvDatasetTest, ATextColumnIsOneInputPerTrainingValueAndUnseenOrMissingValuesAreZeros) {
  const std::string train = WriteFile("t.csv", "city,x,label\nRome,1,0\nParis,2,1\n,3,1\nRome,4,0\n");
  const CsvDataset t = ReadCsvDataset(train, "label");
  EXPECT_EQ(t.data.feature_names, (std::vector<std::string>{"city=Paris", "city=Rome", "x"}));
  ASSERT_EQ(t.data.features.cols(), 3);
  const float want[4][3] = {{0, 1, 1}, {1, 0, 2}, {0, 0, 3}, {0, 1, 4}};  // row 3: missing city
  for (Index r = 0; r < 4; ++r) {
    for (Index c = 0; c < 3; ++c) EXPECT_EQ(t.data.features(r, c), want[r][c]) << r << "," << c;
  }
  const CsvDataset test = ReadCsvDataset(WriteFile("u.csv", "city,x,label\nOslo,5,0\nParis,6,1\n"), t);
  EXPECT_EQ(test.data.features(0, 0) + test.data.features(0, 1), 0.0f);  // a city the training file lacks
  EXPECT_EQ(test.data.features(1, 0), 1.0f);
  EXPECT_EQ(test.data.features(1, 2), 6.0f);
  const std::string label = ErrorOf<ConfigError>([&] { ReadCsvDataset(train, "y"); });
  EXPECT_TRUE(Contains(label, "'y'")) << label;
}

TEST(CsvDatasetTest, NumbersWithAFewTextsAreAnErrorSayingHowToDeclareThem) {
  const std::string path = WriteFile("t.csv", "age,label\n31,0\n42,1\nn/a,1\n27,0\n");
  const std::string text = ErrorOf<ConfigError>([&] { ReadCsvDataset(path, "label"); });
  EXPECT_TRUE(Contains(text, ":4: column 'age' holds numbers in 3 rows and texts in 1, the first 'n/a'")) << text;
  EXPECT_TRUE(Contains(text, "--na-values")) << text;
  EXPECT_TRUE(Contains(text, "--column-type age=string")) << text;
  // Declared text, the column is categories.
  const CsvDataset d = ReadCsvDataset(path, "label", nullptr, {}, {}, {}, DefaultMissingValues(),
                                      ColumnTypes{{"age", ColumnType::kString}});
  EXPECT_EQ(d.data.features.cols(), 4);
}

TEST(CsvDatasetTest, TooManyDistinctTextsToOneHotEncodeIsAConfigError) {
  std::string csv = "id,label\n";
  for (size_t i = 0; i <= kMaxOneHotValues; ++i) csv += "u" + std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  const std::string text = ErrorOf<ConfigError>([&] { ReadCsvDataset(WriteFile("t.csv", csv), "label"); });
  EXPECT_TRUE(Contains(text, "column 'id' holds 1001 distinct texts")) << text;
  EXPECT_TRUE(Contains(text, "lever train --config")) << text;
}

TEST(CsvDatasetTest, TheSchemaIsInferredFromEveryRowNotASample) {
  // A column of whole numbers for 1500 rows, then a fraction: a 1000-row sample would call it integer and
  // then fail on row 1502.
  std::string csv = "x,label\n";
  for (int i = 0; i < 1500; ++i) csv += std::to_string(i) + ",0\n";
  csv += "2.5,1\n";
  const CsvDataset d = ReadCsvDataset(WriteFile("t.csv", csv), "label");
  EXPECT_EQ(d.data.features(1500, 0), 2.5f);
}

TEST(CsvDatasetTest, TextLabelsAreClassesAndTheTestFileUsesTheTrainingOnes) {
  const std::string train = WriteFile("train.csv", "x,label\n1,yes\n2,no\n3,yes\n");
  const CsvDataset t = ReadCsvDataset(train, "label");
  EXPECT_EQ(t.labels.task, Task::kBinary);
  EXPECT_EQ(t.labels.classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(t.data.labels(0, 0), 1.0f);
  EXPECT_EQ(t.data.labels(1, 0), 0.0f);
  const CsvDataset d = ReadCsvDataset(WriteFile("test.csv", "x,label\n4,no\n"), t);
  EXPECT_EQ(d.data.labels(0, 0), 0.0f);
  const std::string unseen =
      ErrorOf<DataError>([&] { ReadCsvDataset(WriteFile("bad.csv", "x,label\n4,no\n5,maybe\n"), t); });
  EXPECT_TRUE(Contains(unseen, "bad.csv:3: label 'label' is \"maybe\"")) << unseen;
}

TEST(CsvDatasetTest, AFeatureThatWasWholeInTrainingIsANumberInTheTestFile) {
  // The repro: px142 is 0 in every training row and 0.298 in a test row.
  const std::string train = WriteFile("px_train.csv", "px142,y\n0,1\n0,0\n0,1\n");
  const std::string test = WriteFile("px_test.csv", "px142,y\n0,1\n0.298,0\n");
  const CsvDataset tr = ReadCsvDataset(train, "y");
  const CsvDataset te = ReadCsvDataset(test, tr);
  ASSERT_EQ(te.data.features.rows(), 2);
  EXPECT_FLOAT_EQ(te.data.features(1, 0), 0.298f);
}

TEST(CsvDatasetTest, MissingFeaturesAreImputedWithTheTrainingMeanInEveryFile) {
  const std::string train = WriteFile("na_train.csv", "a,b,y\n1,10,0\nNA,20,1\n3,,0\n?,30,1\n");
  const std::string test = WriteFile("na_test.csv", "a,b,y\nnull,N/A,1\n5,NaN,0\n");
  CsvDataset tr = ReadCsvDataset(train, "y");
  CsvDataset te = ReadCsvDataset(test, tr);
  EXPECT_TRUE(std::isnan(tr.data.features(1, 0)));
  const Imputer imputer = Imputer::Fit(tr.data);
  EXPECT_EQ(imputer.fill, (std::vector<float>{2.0f, 20.0f}));  // the means of the values in training
  EXPECT_EQ(imputer.missing, (std::vector<int64_t>{2, 1}));
  imputer.Apply(tr.data.features);
  imputer.Apply(te.data.features);
  EXPECT_EQ(tr.data.features(3, 0), 2.0f);
  EXPECT_EQ(te.data.features(0, 0), 2.0f);
  EXPECT_EQ(te.data.features(0, 1), 20.0f);
  EXPECT_EQ(te.data.features(1, 0), 5.0f);
  imputer.Describe(tr.summary);
  EXPECT_EQ(tr.summary.Lines()[1], "  a: number, 50.0% missing, imputed 2");
  // Configurable tokens: with only "" meaning missing, "NA" is text in a number column.
  const std::string other = WriteFile("na_other.csv", "a,y\n1,0\n-,1\n2,0\n");
  const CsvDataset dashes = ReadCsvDataset(other, "y", nullptr, {}, {}, {}, {"", "-"});
  EXPECT_TRUE(std::isnan(dashes.data.features(1, 0)));
}

TEST(CsvDatasetTest, AColumnMissingInEveryTrainingRowIsAnErrorNamingIt) {
  const std::string path = WriteFile("empty_col.csv", "a,b,y\n1,,0\n2,NA,1\n");
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { ReadCsvDataset(path, "y"); }),
                       "column 'b' has no value in any of the 2 training rows"));
}

TEST(StandardizerTest, UsesTheFittedDataStatisticsAndLeavesConstantColumnsAtZero) {
  Tensor train(4, 2), test(1, 2);
  train << 1, 5, 2, 5, 3, 5, 4, 5;
  test << 2.5, 7;
  const Standardizer z = Standardizer::Fit(train);
  z.Apply(train);
  z.Apply(test);
  EXPECT_NEAR(train.col(0).mean(), 0.0, 1e-6);
  EXPECT_NEAR(train.col(0).squaredNorm() / 4.0, 1.0, 1e-6);  // population variance 1
  EXPECT_EQ(train(2, 1), 0.0f);
  EXPECT_NEAR(test(0, 0), 0.0, 1e-6);  // the training mean
  EXPECT_EQ(test(0, 1), 2.0f);         // a constant column keeps scale 1
  Tensor wrong(1, 3);
  EXPECT_THROW(z.Apply(wrong), DataError);
}

}  // namespace
}  // namespace lever
