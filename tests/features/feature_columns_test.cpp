#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "lever/error.h"
#include "lever/features/column_table.h"
#include "lever/features/feature_column.h"
#include "lever/features/feature_set.h"
#include "lever/features/hash.h"

namespace lever {
namespace {

ColumnTable Table() {
  ColumnTable t;
  t.AddNumbers("age", {20, 30, 40, 50});
  t.AddTexts("city", {"Paris", "Lyon", "Paris", "Nice"});
  t.AddNumbers("day", {0, 3, 6, 3});
  t.AddNumbers("hour", {0, 17, 23, 17});
  return t;
}

template <class F>
std::string testing_ErrorOf(F f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no DataError)";
}

std::vector<int64_t> IdsOf(const CategoricalFeatureColumn& c, const ColumnSource& s, Index row) {
  std::vector<int64_t> ids;
  c.Ids(s, row, ids);
  return ids;
}

TEST(HashTest, MatchesTheDocumentedAlgorithm) {
  // Values computed independently (Python) from the description in lever/features/hash.h.
  EXPECT_EQ(HashString("Paris"), 6296793518602303193ULL);
  EXPECT_EQ(HashString(""), 17665956581633026203ULL);
  EXPECT_EQ(HashString("a"), 198367012849983736ULL);
  EXPECT_EQ(CombineHash(CombineHash(kCrossSeed, 3), 17), 3559587746133766030ULL);
}

TEST(NumericColumnTest, StandardizesWithTrainingStatistics) {
  ColumnTable t = Table();
  auto age = NumericColumn("age");
  age->Bind(t);
  age->Fit(t);
  float v = 0;
  age->Values(t, 0, &v);
  // mean 35, population stddev sqrt(125) = 11.1803
  EXPECT_NEAR(v, (20 - 35) / std::sqrt(125.0), 1e-6);
  MemoryState state;
  age->SaveState(state);
  auto restored = NumericColumn("age");
  restored->Bind(t);
  restored->LoadState(state);
  float w = 0;
  restored->Values(t, 3, &w);
  EXPECT_NEAR(w, (50 - 35) / std::sqrt(125.0), 1e-6);
  auto raw = NumericColumn("age", false);
  raw->Bind(t);
  raw->Values(t, 1, &w);
  EXPECT_EQ(w, 30.0f);
  EXPECT_THROW(NumericColumn("city")->Bind(t), ConfigError);  // text
}

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

TEST(NumericColumnTest, ImputesMissingValuesWithTheTrainingMeanFittedOnTrainAndAppliedToTest) {
  ColumnTable train;
  train.AddNumbers("age", {20, kMissing, 40, 60});  // mean of the values: 40
  ColumnTable test;
  test.AddNumbers("age", {kMissing, 10});
  auto raw = NumericColumn("age", false);
  raw->Bind(train);
  raw->Fit(train);
  raw->Bind(test);
  float v = 0;
  raw->Values(test, 0, &v);
  EXPECT_EQ(v, 40.0f);  // the training mean, not the test file's
  raw->Values(test, 1, &v);
  EXPECT_EQ(v, 10.0f);
  ASSERT_TRUE(raw->imputation());
  EXPECT_EQ(raw->imputation()->key, "age");
  EXPECT_EQ(raw->imputation()->value, 40.0);

  // Standardized: the statistics are those of the filled column (20, 40, 40, 60): mean 40, stddev sqrt(200).
  auto age = NumericColumn("age");
  age->Bind(train);
  age->Fit(train);
  age->Values(train, 1, &v);
  EXPECT_EQ(v, 0.0f);
  age->Values(train, 3, &v);
  EXPECT_NEAR(v, 20 / std::sqrt(200.0), 1e-6);
}

TEST(NumericColumnTest, TheImputedValueIsSavedAndLoadedWithTheState) {
  ColumnTable train;
  train.AddNumbers("x", {1, 2, kMissing, 6});  // mean 3
  auto x = NumericColumn("x", false);
  x->Bind(train);
  x->Fit(train);
  MemoryState state;
  x->SaveState(state);
  EXPECT_EQ(state.ReadScalar("features/x/missing_fill"), 3.0);
  ColumnTable serving;
  serving.AddNumbers("x", {kMissing});
  auto restored = NumericColumn("x", false);
  restored->Bind(serving);
  restored->LoadState(state);  // no training data where it serves
  float v = 0;
  restored->Values(serving, 0, &v);
  EXPECT_EQ(v, 3.0f);
}

TEST(NumericColumnTest, DefaultMissingErrorAndMissingIndicator) {
  ColumnTable t;
  t.AddNumbers("x", {1, kMissing, 5});
  auto constant = NumericColumn("x", NumericOptions{.standardize = false, .default_value = -1.0});
  constant->Bind(t);
  constant->Fit(t);
  float v = 0;
  constant->Values(t, 1, &v);
  EXPECT_EQ(v, -1.0f);

  auto strict = NumericColumn("x", NumericOptions{.standardize = false, .missing = MissingPolicy::kError});
  strict->Bind(t);
  strict->Fit(t);
  strict->Values(t, 0, &v);
  EXPECT_EQ(v, 1.0f);
  const std::string error = testing_ErrorOf([&] { strict->Values(t, 1, &v); });
  EXPECT_NE(error.find("row 1: column 'x' is missing, and its feature column says missing: error"), std::string::npos)
      << error;
  EXPECT_FALSE(strict->imputation());

  auto indicated = NumericColumn("x", NumericOptions{.standardize = false, .missing_indicator = true});
  indicated->Bind(t);
  indicated->Fit(t);
  ASSERT_EQ(indicated->dimension(), 2);
  float pair[2] = {0, 0};
  indicated->Values(t, 1, pair);
  EXPECT_EQ(pair[0], 3.0f);
  EXPECT_EQ(pair[1], 1.0f);
  indicated->Values(t, 2, pair);
  EXPECT_EQ(pair[0], 5.0f);
  EXPECT_EQ(pair[1], 0.0f);
}

TEST(NumericColumnTest, AColumnMissingInEveryTrainingRowIsAnErrorNamingIt) {
  ColumnTable t;
  t.AddNumbers("x", {kMissing, kMissing});
  auto x = NumericColumn("x");
  x->Bind(t);
  const std::string error = testing_ErrorOf([&] { x->Fit(t); });
  EXPECT_NE(error.find("column 'x' has no value in any of the 2 training rows"), std::string::npos) << error;
  auto with_default = NumericColumn("x", NumericOptions{.default_value = 0.0});
  with_default->Bind(t);
  EXPECT_NO_THROW(with_default->Fit(t));
}

TEST(BucketizedColumnTest, BoundariesStartTheNextBucket) {
  ColumnTable t = Table();
  auto b = BucketizedColumn("age", {25, 40});
  b->Bind(t);
  EXPECT_EQ(b->num_buckets(), 3);
  EXPECT_EQ(IdsOf(*b, t, 0), std::vector<int64_t>{0});  // 20 < 25
  EXPECT_EQ(IdsOf(*b, t, 1), std::vector<int64_t>{1});  // 25 <= 30 < 40
  EXPECT_EQ(IdsOf(*b, t, 2), std::vector<int64_t>{2});  // 40 >= 40
  EXPECT_EQ(b->BucketName(1), "25 <= age < 40");
  EXPECT_THROW(BucketizedColumn("age", {3, 3}), ConfigError);
  EXPECT_THROW(BucketizedColumn("age", {}), ConfigError);
}

TEST(VocabularyColumnTest, KnownUnknownAndOutOfVocabularyBuckets) {
  ColumnTable t = Table();
  auto strict = CategoricalColumnWithVocabularyList("city", {"Paris", "Lyon"});
  strict->Bind(t);
  EXPECT_EQ(IdsOf(*strict, t, 0), std::vector<int64_t>{0});
  EXPECT_EQ(IdsOf(*strict, t, 1), std::vector<int64_t>{1});
  try {
    IdsOf(*strict, t, 3);
    FAIL();
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("row 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("unknown category \"Nice\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("num_oov_buckets"), std::string::npos) << msg;
  }
  auto lenient = CategoricalColumnWithVocabularyList("city", {"Paris", "Lyon"}, 5);
  lenient->Bind(t);
  EXPECT_EQ(lenient->num_buckets(), 7);
  const int64_t oov = IdsOf(*lenient, t, 3)[0];
  EXPECT_EQ(oov, 2 + static_cast<int64_t>(HashString("Nice") % 5));
  EXPECT_THROW(CategoricalColumnWithVocabularyList("city", {"a", "a"}), ConfigError);
  EXPECT_THROW(CategoricalColumnWithVocabularyList("nowhere", {"a"})->Bind(t), ConfigError);
}

TEST(VocabularyColumnTest, ReadsAFileAndRejectsBlankLines) {
  const std::string path = ::testing::TempDir() + "/lever_vocab.txt";
  {
    std::ofstream out(path);
    out << "Paris\nLyon\nNice\n";
  }
  ColumnTable t = Table();
  auto c = CategoricalColumnWithVocabularyFile("city", path);
  c->Bind(t);
  EXPECT_EQ(c->num_buckets(), 3);
  EXPECT_EQ(IdsOf(*c, t, 3), std::vector<int64_t>{2});
  {
    std::ofstream out(path);
    out << "Paris\n\nNice\n";
  }
  try {
    CategoricalColumnWithVocabularyFile("city", path);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(":2: empty vocabulary entry"), std::string::npos) << e.what();
  }
  EXPECT_THROW(CategoricalColumnWithVocabularyFile("city", path + ".missing"), IoError);
  std::remove(path.c_str());
}

TEST(HashBucketColumnTest, UsesTheDocumentedHash) {
  ColumnTable t = Table();
  auto c = CategoricalColumnWithHashBucket("city", 1000);
  c->Bind(t);
  EXPECT_EQ(IdsOf(*c, t, 0), std::vector<int64_t>{193});  // HashString("Paris") % 1000
  auto n = CategoricalColumnWithHashBucket("day", 1000);  // numbers hash as their decimal text
  n->Bind(t);
  EXPECT_EQ(IdsOf(*n, t, 1)[0], static_cast<int64_t>(HashString("3") % 1000));
}

TEST(IdentityColumnTest, RangeAndDefault) {
  ColumnTable t = Table();
  auto c = CategoricalColumnWithIdentity("hour", 24);
  c->Bind(t);
  EXPECT_EQ(IdsOf(*c, t, 1), std::vector<int64_t>{17});
  auto small = CategoricalColumnWithIdentity("hour", 10);
  small->Bind(t);
  EXPECT_THROW(IdsOf(*small, t, 1), DataError);
  auto with_default = CategoricalColumnWithIdentity("hour", 10, 0);
  with_default->Bind(t);
  EXPECT_EQ(IdsOf(*with_default, t, 1), std::vector<int64_t>{0});
}

TEST(CrossedColumnTest, DayByHourIsStableAndSpreads) {
  ColumnTable t = Table();
  auto cross = CrossedColumn({"day", "hour"}, 1000);
  cross->Bind(t);
  EXPECT_EQ(IdsOf(*cross, t, 1), std::vector<int64_t>{30});  // CombineHash(CombineHash(seed, 3), 17) % 1000
  EXPECT_EQ(IdsOf(*cross, t, 1), IdsOf(*cross, t, 3));       // same (day, hour)
  // All 168 (day, hour) pairs land in mostly distinct buckets of 1000.
  std::vector<float> days, hours;
  for (int d = 0; d < 7; ++d) {
    for (int h = 0; h < 24; ++h) {
      days.push_back(static_cast<float>(d));
      hours.push_back(static_cast<float>(h));
    }
  }
  ColumnTable week;
  week.AddNumbers("day", days).AddNumbers("hour", hours);
  cross->Bind(week);
  std::vector<int64_t> all;
  for (Index r = 0; r < 168; ++r) cross->Ids(week, r, all);
  std::sort(all.begin(), all.end());
  const auto distinct = std::unique(all.begin(), all.end()) - all.begin();
  EXPECT_GT(distinct, 150);
  // Crossing a categorical column uses its ids.
  auto with_column = CrossedColumn({BucketizedColumn("age", {35}), "city"}, 100);
  with_column->Bind(t);
  EXPECT_EQ(with_column->num_buckets(), 100);
  EXPECT_THROW(CrossedColumn({"day"}, 10), ConfigError);
  // Limits: nesting and inputs in all, nested crosses counted.
  CategoricalColumnPtr wide = CrossedColumn(std::vector<CrossInput>(kMaxCrossInputs, CrossInput("k")), 10);
  EXPECT_THROW(CrossedColumn({wide, "day"}, 10), ConfigError);
  CategoricalColumnPtr deep = CrossedColumn({"a", "b"}, 10);
  for (int level = 2; level <= kMaxCrossDepth; ++level) deep = CrossedColumn({deep, "c"}, 10);
  EXPECT_THROW(CrossedColumn({deep, "c"}, 10), ConfigError);
}

TEST(EmbeddingColumnTest, DefaultDimensionIsTheFourthRoot) {
  EXPECT_EQ(DefaultEmbeddingDimension(10000), 10);
  EXPECT_EQ(DefaultEmbeddingDimension(168), 4);  // 168^0.25 = 3.6
  EXPECT_EQ(DefaultEmbeddingDimension(1), 1);
  auto e = MakeEmbeddingColumn(CategoricalColumnWithHashBucket("city", 10000));
  EXPECT_EQ(e->dimension(), 10);
  EXPECT_TRUE(e->default_dimension());
  EXPECT_NE(e->Describe().find("round(10000 ^ 0.25)"), std::string::npos) << e->Describe();
  EXPECT_EQ(MakeEmbeddingColumn(CategoricalColumnWithHashBucket("city", 10000), 3, "sqrtn")->dimension(), 3);
  EXPECT_THROW(MakeEmbeddingColumn(CategoricalColumnWithHashBucket("city", 10), 2, "max"), ConfigError);
}

TEST(FeatureSetTest, LinearRowsPutEveryColumnInOneSparseSpace) {
  ColumnTable t = Table();
  FeatureSet set({NumericColumn("age", false), CategoricalColumnWithVocabularyList("city", {"Paris", "Lyon", "Nice"}),
                  MakeIndicatorColumn(CategoricalColumnWithIdentity("day", 7))});
  set.Fit(t);
  EXPECT_EQ(set.linear_dimension(), 1 + 3 + 7);
  SparseRows rows;
  set.AppendLinearRows(t, 0, 2, rows);
  ASSERT_EQ(rows.rows(), 2);
  // Row 0: age 20 at id 0, Paris at 1 + 0, day 0 at 4 + 0.
  EXPECT_EQ(std::vector<int32_t>(rows.ids.begin(), rows.ids.begin() + 3), (std::vector<int32_t>{0, 1, 4}));
  EXPECT_EQ(rows.values[0], 20.0f);
  EXPECT_EQ(rows.values[1], 1.0f);
  EXPECT_EQ(set.LinearFeatureName(2), "city=Lyon");
  EXPECT_EQ(set.LinearFeatureName(7), "day=3");
  EXPECT_EQ(set.dense_dimension(), 1);
  FeatureSet with_embedding({MakeEmbeddingColumn(CategoricalColumnWithHashBucket("city", 16), 2)});
  with_embedding.Fit(t);
  EXPECT_THROW(with_embedding.linear_dimension(), ConfigError);
  EXPECT_THROW(FeatureSet({NumericColumn("age"), NumericColumn("age")}), ConfigError);
}

}  // namespace
}  // namespace lever
