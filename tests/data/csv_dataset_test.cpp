#include "lever/data/csv_dataset.h"

#include <gtest/gtest.h>

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

TEST(CsvDatasetTest, ATextColumnOrAMissingLabelIsAConfigErrorThatSaysWhatToDo) {
  const std::string path = WriteFile("t.csv", "city,x,label\nParis,1,0\nRome,2,1\n");
  const std::string text = ErrorOf<ConfigError>([&] { ReadCsvDataset(path, "label"); });
  EXPECT_TRUE(Contains(text, "column 'city' holds text")) << text;
  EXPECT_TRUE(Contains(text, "feature columns")) << text;
  const std::string label = ErrorOf<ConfigError>([&] { ReadCsvDataset(path, "y"); });
  EXPECT_TRUE(Contains(label, "'y'")) << label;
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
  const std::string unseen = ErrorOf<DataError>([&] { ReadCsvDataset(WriteFile("bad.csv", "x,label\n4,no\n5,maybe\n"), t); });
  EXPECT_TRUE(Contains(unseen, "bad.csv:3: label 'label' is \"maybe\"")) << unseen;
}

}  // namespace
}  // namespace lever
