#include "lever/features/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "lever/error.h"
#include "lever/features/column_table.h"

namespace lever {
namespace {

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseFeatureColumns(yaml, "model.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(FeatureConfigTest, ParsesEveryKind) {
  const FeatureSet set = ParseFeatureColumns(R"(
feature_columns:
  - numeric: age
  - numeric: {key: hours, standardize: false}
  - bucketized: {key: age, boundaries: [18, 25, 35]}
  - categorical: {key: city, vocabulary: [Paris, Lyon], oov_buckets: 2}
  - categorical: {key: country, hash_buckets: 1000}
  - categorical: {key: hour, identity_buckets: 24, default: 0}
  - crossed: {keys: [day, hour], hash_buckets: 168}
  - crossed: {keys: [city, {bucketized: {key: age, boundaries: [30]}}], hash_buckets: 50}
  - indicator: {categorical: {key: day, identity_buckets: 7}}
  - embedding: {categorical: {key: country, hash_buckets: 10000}, combiner: sqrtn}
)");
  ASSERT_EQ(set.columns().size(), 10u);
  EXPECT_EQ(set.columns()[0]->Kind(), "numeric");
  EXPECT_EQ(set.columns()[2]->Kind(), "bucketized");
  EXPECT_EQ(set.columns()[6]->Kind(), "crossed");
  EXPECT_EQ(set.columns()[8]->Kind(), "indicator");
  ASSERT_EQ(set.embeddings().size(), 1u);
  EXPECT_EQ(set.embeddings()[0]->dimension(), 10);  // round(10000 ^ 0.25)
  EXPECT_EQ(set.embeddings()[0]->combiner(), "sqrtn");
  ColumnTable t;
  t.AddNumbers("age", {30}).AddNumbers("hours", {40}).AddTexts("city", {"Paris"}).AddTexts("country", {"FR"});
  t.AddNumbers("hour", {9}).AddNumbers("day", {2});
  FeatureSet copy = set;
  copy.Fit(t);
  EXPECT_EQ(copy.dense_dimension(), 2);
}

TEST(FeatureConfigTest, ErrorsNameTheLineTheKeyPathAndWhatIsValid) {
  std::string e = ErrorOf("feature_columns:\n  - numeric: age\n  - categorical: {key: city, hash_buckets: 0}\n");
  EXPECT_NE(e.find("model.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("feature_columns[1].categorical.hash_buckets"), std::string::npos) << e;
  EXPECT_NE(e.find("at least 1"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - numerical: age\n");
  EXPECT_NE(e.find("valid: numeric, bucketized, categorical, crossed, indicator, embedding"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - categorical: {key: city, hash_bucket: 10}\n");
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
  EXPECT_NE(e.find("hash_buckets"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - categorical: {key: city, hash_buckets: 10, vocabulary: [a]}\n");
  EXPECT_NE(e.find("exactly one of"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - bucketized: {key: age, boundaries: [3, 2]}\n");
  EXPECT_NE(e.find("strictly increasing"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - embedding: {categorical: {key: c, hash_buckets: 9}, combiner: max}\n");
  EXPECT_NE(e.find("Valid combiners: sum, mean, sqrtn"), std::string::npos) << e;

  e = ErrorOf("feature_columns: [\n");
  EXPECT_NE(e.find("not valid YAML"), std::string::npos) << e;

  e = ErrorOf("feature_columns:\n  - numeric: age\n  - numeric: age\n");
  EXPECT_NE(e.find("defined twice"), std::string::npos) << e;
}

TEST(FeatureConfigTest, VocabularyFilesAreRelativeToTheConfig) {
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream(dir + "/lever_cities.txt") << "Paris\nLyon\n";
    std::ofstream(dir + "/lever_model.yaml") << "feature_columns:\n  - categorical: {key: city, vocabulary_file: lever_cities.txt}\n";
  }
  const FeatureSet set = LoadFeatureColumns(dir + "/lever_model.yaml");
  ASSERT_EQ(set.columns().size(), 1u);
  EXPECT_NE(set.columns()[0]->Describe().find("2 entries"), std::string::npos);
  EXPECT_THROW(LoadFeatureColumns(dir + "/missing.yaml"), IoError);
}

}  // namespace
}  // namespace lever
