#include "lever/estimator/examples.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/estimator/model_fn.h"
#include "lever/features/table_source.h"
#include "testing/files.h"

namespace lever {
namespace {

Table SmallTable() {
  Table t;
  t.num_rows = 3;
  t.columns.resize(2);
  t.columns[0].name = "city";
  t.columns[0].type = ColumnType::kInteger;
  t.columns[0].integers = {2, 0, 2};
  t.columns[1].name = "price";
  t.columns[1].type = ColumnType::kNumber;
  t.columns[1].numbers = {1.0f, 2.0f, 3.0f};
  return t;
}

TEST(ExamplesTest, FeatureSetsBecomeAWideInputEmbeddingIdsAndADenseBlock) {
  const Table table = SmallTable();
  const TableSource source(table);
  auto city = CategoricalColumnWithIdentity("city", 4);
  FeatureSet wide({city, NumericColumn("price", false)});
  FeatureSet deep({NumericColumn("price"), MakeEmbeddingColumn(city, 3)});
  wide.Fit(source);
  deep.Fit(source);
  const Examples e = MakeExamples(&wide, &deep, source, Tensor::Zero(3, 1));
  ASSERT_EQ(e.sparse.size(), 2u);
  const SparseRows& w = e.sparse.at("wide");
  EXPECT_EQ(w.cols, wide.linear_dimension());
  EXPECT_EQ(w.rows(), 3);
  const SparseRows& ids = e.sparse.at("embedding:city_embedding");
  EXPECT_EQ(ids.cols, 4);
  EXPECT_EQ(ids.ids, (std::vector<int32_t>{2, 0, 2}));
  ASSERT_EQ(e.dense.cols(), 1);
  EXPECT_NEAR(e.dense.col(0).mean(), 0.0, 1e-6);  // standardized with the table's statistics
  EXPECT_EQ(e.dense_names, (std::vector<std::string>{"price"}));

  Examples slice;
  e.Slice(1, 3, slice);
  EXPECT_EQ(slice.rows(), 2);
  EXPECT_EQ(slice.sparse.at("embedding:city_embedding").ids, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(slice.dense(0, 0), e.dense(1, 0));
}

TEST(ExamplesTest, ADeepIndicatorColumnOrMismatchedRowsAreClearErrors) {
  const Table table = SmallTable();
  const TableSource source(table);
  FeatureSet deep({MakeIndicatorColumn(CategoricalColumnWithIdentity("city", 4))});
  deep.Fit(source);
  const std::string message =
      testing::ErrorOf<ConfigError>([&] { MakeExamples(nullptr, &deep, source, Tensor::Zero(3, 1)); });
  EXPECT_TRUE(testing::Contains(message, "embedding column")) << message;
  EXPECT_THROW(MakeExamples(nullptr, &deep, source, Tensor::Zero(2, 1)), DataError);
  Examples e;
  e.dense = Tensor::Zero(3, 1);
  e.labels = Tensor::Zero(2, 1);
  EXPECT_THROW(e.Validate("training"), DataError);
  e.labels = Tensor::Zero(3, 1);
  e.dense(1, 0) = std::nanf("");
  e.dense_names = {"price"};
  const std::string nan = testing::ErrorOf<DataError>([&] { e.Validate("training"); });
  EXPECT_TRUE(testing::Contains(nan, "example 1, feature price")) << nan;
}

TEST(ParamsTest, TypedReadsWithFallbacksAndErrorsNamingTheParameter) {
  Params p{{"units", "16"}, {"rate", "0.25"}, {"name", "adam"}};
  p.Set("decay", 1e-4);
  EXPECT_EQ(p.GetInt("units", 0), 16);
  EXPECT_EQ(p.GetDouble("rate", 0.0), 0.25);
  EXPECT_EQ(p.GetDouble("decay", 0.0), 1e-4);
  EXPECT_EQ(p.GetString("name", ""), "adam");
  EXPECT_EQ(p.GetInt("missing", 7), 7);
  const std::string message = testing::ErrorOf<ConfigError>([&] { p.GetInt("rate", 0); });
  EXPECT_TRUE(testing::Contains(message, "'rate'")) << message;
  EXPECT_THROW(p.GetDouble("name", 0.0), ConfigError);
}

}  // namespace
}  // namespace lever
