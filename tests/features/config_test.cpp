#include "lever/features/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>

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

TEST(FeatureConfigTest, MisspelledAndDuplicateKeysNameTheLine) {
  std::string e = ErrorOf("feature_columns:\n  - numeric: age\n  - categorical: {key: city, hash_bucket: 10}\n");
  EXPECT_NE(e.find("model.yaml:3: feature_columns[1].categorical.hash_bucket: unknown key (did you mean "
                   "hash_buckets?)"),
            std::string::npos)
      << e;
  e = ErrorOf("feature_columns:\n  - categorical:\n      key: city\n      hash_buckets: 10\n      key: town\n");
  EXPECT_NE(e.find("model.yaml:5: feature_columns[0].categorical.key: appears twice (first on line 3); keep one"),
            std::string::npos)
      << e;
}

// Crossed columns `levels` deep, each level crossing the one below with itself through YAML aliases: 2^levels
// inputs (and a name of as many parts) from a few hundred bytes.
std::string DoublingCrosses(int levels) {
  std::string yaml = "base: &c0 {crossed: {keys: [a, b], hash_buckets: 10}}\n";
  for (int k = 1; k <= levels; ++k) {
    const std::string below = "*c" + std::to_string(k - 1);
    yaml += "l" + std::to_string(k) + ": &c" + std::to_string(k) + " {crossed: {keys: [" + below + ", " + below +
            "], hash_buckets: 10}}\n";
  }
  return yaml + "feature_columns:\n  - indicator: *c" + std::to_string(levels) + "\n";
}

TEST(FeatureConfigTest, CrossesNestedThroughAnchorsAreRefusedBeforeTheyGrow) {
  std::string e = ErrorOf(DoublingCrosses(12));
  EXPECT_NE(e.find("ConfigError: model.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("a crossed column of 128 inputs in all (its nested crosses' inputs counted); lever allows at most "
                   "64: cross fewer columns"),
            std::string::npos)
      << e;
  // 20 levels (1.2 KB) once grew without end; the YAML reader refuses them before any column is built.
  e = ErrorOf(DoublingCrosses(20));
  EXPECT_NE(e.find("ConfigError: model.yaml: nests 66 levels deep"), std::string::npos) << e;

  // Nesting: a cross of a raw key and the cross below, 9 levels.
  std::string deep = "c1: &c1 {crossed: {keys: [a, b], hash_buckets: 10}}\n";
  for (int k = 2; k <= 9; ++k) {
    deep += "c" + std::to_string(k) + ": &c" + std::to_string(k) + " {crossed: {keys: [k" + std::to_string(k) + ", *c" +
            std::to_string(k - 1) + "], hash_buckets: 10}}\n";
  }
  EXPECT_NO_THROW(ParseFeatureColumns(deep + "feature_columns:\n  - indicator: *c8\n", "model.yaml"));
  const std::string d = ErrorOf(deep + "feature_columns:\n  - indicator: *c9\n");
  EXPECT_NE(d.find("crossed columns nest 9 levels deep here (a cross of a cross is 2); lever allows at most 8"),
            std::string::npos)
      << d;
}

TEST(FeatureConfigTest, OovBucketsAndDefaultOnlyWhereTheyApply) {
  std::string e = ErrorOf("feature_columns:\n  - categorical: {key: city, hash_buckets: 10, oov_buckets: 2}\n");
  EXPECT_NE(e.find("model.yaml:2: feature_columns[0].categorical.oov_buckets: applies only to categorical columns "
                   "with vocabulary or vocabulary_file"),
            std::string::npos)
      << e;
  e = ErrorOf("feature_columns:\n  - numeric: x\n  - categorical: {key: hour, identity_buckets: 24, oov_buckets: 1}\n");
  EXPECT_NE(e.find("feature_columns[1].categorical.oov_buckets: applies only"), std::string::npos) << e;
  e = ErrorOf("feature_columns:\n  - categorical: {key: city, vocabulary: [a, b], default: 0}\n");
  EXPECT_NE(e.find("feature_columns[0].categorical.default: applies only to categorical columns with "
                   "identity_buckets"),
            std::string::npos)
      << e;
  e = ErrorOf(
      "feature_columns:\n  - crossed: {keys: [a, {categorical: {key: b, hash_buckets: 4, default: 1}}], "
      "hash_buckets: 8}\n");
  EXPECT_NE(e.find("feature_columns[0].crossed.keys[1].categorical.default: applies only"), std::string::npos) << e;
  // Where they apply they are fine, and a default must be one of the identity ids.
  EXPECT_EQ(ErrorOf("feature_columns:\n  - categorical: {key: c, vocabulary: [a], oov_buckets: 2}\n"
                    "  - categorical: {key: h, identity_buckets: 24, default: 23}\n"),
            "(no error)");
  e = ErrorOf("feature_columns:\n  - categorical: {key: hour, identity_buckets: 24, default: 24}\n");
  EXPECT_NE(e.find("feature_columns[0].categorical.default: must be below identity_buckets (24), got 24"),
            std::string::npos)
      << e;
  EXPECT_EQ(e.find("num_buckets"), std::string::npos) << e;
}

// The errors a column raises when it meets the data, for a column declared in YAML: its YAML keys, and
// where it was declared.
TEST(FeatureConfigTest, NumericMissingValueKeys) {
  FeatureSet fitted = ParseFeatureColumns(R"(feature_columns:
  - numeric: {key: a, default: 2.5, standardize: false}
  - numeric: {key: b, missing: error}
  - numeric: {key: c, missing_indicator: true}
)",
                                          "model.yaml");
  ColumnTable t;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  t.AddNumbers("a", {nan, 1}).AddNumbers("b", {1, 2}).AddNumbers("c", {4, nan});
  fitted.Fit(t);
  ASSERT_EQ(fitted.columns().size(), 3u);
  EXPECT_EQ(fitted.columns()[0]->imputation()->value, 2.5);
  EXPECT_FALSE(fitted.columns()[1]->imputation());
  EXPECT_EQ(std::dynamic_pointer_cast<DenseFeatureColumn>(fitted.columns()[2])->dimension(), 2);
  auto error = [](const std::string& yaml) {
    try {
      ParseFeatureColumns(yaml, "model.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("feature_columns:\n  - numeric: {key: a, missing: skip}\n")
                .find("unknown value 'skip'; valid: impute, error"),
            std::string::npos);
  EXPECT_NE(error("feature_columns:\n  - numeric: {key: a, missing: error, default: 1}\n").find("keep one"),
            std::string::npos);
}

TEST(FeatureConfigTest, DataErrorsUseTheYamlKeysAndNameTheDeclaration) {
  const std::string yaml = R"(feature_columns:
  - numeric: x
  - categorical: {key: city, vocabulary: [Paris, Lyon]}
  - crossed: {keys: [city, {categorical: {key: hour, identity_buckets: 12}}], hash_buckets: 8}
)";
  ColumnTable t;
  t.AddNumbers("x", {1, 2}).AddTexts("city", {"Paris", "Nice"}).AddNumbers("hour", {3, 17});
  FeatureSet set = ParseFeatureColumns(yaml, "model.yaml");
  set.Fit(t);
  SparseRows rows;
  set.AppendLinearRows(t, 0, 1, rows);  // the first row maps
  const auto data_error = [&](Index row) {
    try {
      set.AppendLinearRows(t, row, row + 1, rows);
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string e = data_error(1);  // "Nice" is not in the vocabulary
  EXPECT_NE(e.find("unknown category \"Nice\""), std::string::npos) << e;
  EXPECT_NE(e.find("Add out-of-vocabulary buckets (oov_buckets)"), std::string::npos) << e;
  EXPECT_NE(e.find("(feature column declared at model.yaml:3: feature_columns[1].categorical)"), std::string::npos)
      << e;

  // The nested identity column of the cross: hour 17 is not below 12.
  FeatureSet cross = ParseFeatureColumns(
      "feature_columns:\n  - crossed: {keys: [city, {categorical: {key: hour, identity_buckets: 12}}], "
      "hash_buckets: 8}\n",
      "model.yaml");
  cross.Fit(t);
  try {
    cross.AppendLinearRows(t, 1, 2, rows);
    ADD_FAILURE() << "hour 17 was accepted by identity_buckets 12";
  } catch (const DataError& error) {
    const std::string m = error.what();
    EXPECT_NE(m.find("Raise identity_buckets, give a default, or fix the value"), std::string::npos) << m;
    EXPECT_EQ(m.find("num_buckets"), std::string::npos) << m;
    EXPECT_EQ(m.find("default_value"), std::string::npos) << m;
    EXPECT_NE(m.find("declared at model.yaml:2: feature_columns[0].crossed.keys[1].categorical)"), std::string::npos)
        << m;
  }

  // A column the data does not have: the error starts with the declaration, like the file's own errors.
  FeatureSet missing = ParseFeatureColumns("feature_columns:\n  - numeric: x\n  - numeric: {key: y}\n", "model.yaml");
  try {
    missing.Fit(t);
    ADD_FAILURE() << "column y was found";
  } catch (const ConfigError& error) {
    const std::string m = error.message();
    EXPECT_EQ(m.rfind("model.yaml:3: feature_columns[1].numeric: feature column 'y' reads column 'y'", 0), 0u) << m;
  }
  ASSERT_TRUE(missing.columns()[0]->origin().has_value());
  EXPECT_EQ(missing.columns()[0]->origin()->ToString(), "model.yaml:2: feature_columns[0].numeric");
}

TEST(FeatureConfigTest, VocabularyFilesAreRelativeToTheConfig) {
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream(dir + "/lever_cities.txt") << "Paris\nLyon\n";
    std::ofstream(dir + "/lever_model.yaml")
        << "feature_columns:\n  - categorical: {key: city, vocabulary_file: lever_cities.txt}\n";
  }
  const FeatureSet set = LoadFeatureColumns(dir + "/lever_model.yaml");
  ASSERT_EQ(set.columns().size(), 1u);
  EXPECT_NE(set.columns()[0]->Describe().find("2 entries"), std::string::npos);
  EXPECT_THROW(LoadFeatureColumns(dir + "/missing.yaml"), IoError);
}

}  // namespace
}  // namespace lever
