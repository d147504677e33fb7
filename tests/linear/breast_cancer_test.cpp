// Real data: scikit-learn's breast-cancer table (569 x 30, from Debian's python3-sklearn), rows whose
// index is a multiple of 5 held out. The accuracy bounds come from scikit-learn's LogisticRegression
// (C = 1, standardized features) on the same split: L2 0.9649 (lbfgs), L1 0.9561 with 14 nonzero
// weights (liblinear). lever minimizes the mean loss, so C = 1 over n = 455 rows is l2 = 1 / (2 n) and
// l1 = 1 / n.
#include <gtest/gtest.h>

#include <filesystem>

#include "lever/data/table.h"
#include "lever/features/feature_set.h"
#include "lever/features/table_source.h"
#include "lever/linear/training.h"

namespace lever {
namespace {

constexpr const char* kPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

struct Split {
  SparseRows train_x, test_x;
  std::vector<float> train_y, test_y;
};

Split Load() {
  Schema schema;
  for (int i = 0; i < 30; ++i) schema.columns.push_back({"f" + std::to_string(i), ColumnType::kNumber, std::nullopt});
  schema.columns.push_back({"label", ColumnType::kInteger, std::nullopt});
  schema.label = "label";
  CsvOptions csv;
  csv.header = false;
  csv.skip_lines = 1;  // "569,30,malignant,benign"
  const Table all = ReadTable(kPath, schema, csv);
  EXPECT_EQ(all.num_rows, 569);
  // Two tables by row index; the feature set is fitted on the training part only.
  Table train{{}, 0, "label"}, test{{}, 0, "label"};
  for (const TableColumn& c : all.columns) {
    TableColumn a{c.name, c.type, {}, {}, {}, {}}, b = a;
    for (int64_t r = 0; r < all.num_rows; ++r) {
      TableColumn& dst = r % 5 == 0 ? b : a;
      if (c.type == ColumnType::kNumber)
        dst.numbers.push_back(c.numbers[static_cast<size_t>(r)]);
      else
        dst.integers.push_back(c.integers[static_cast<size_t>(r)]);
    }
    train.columns.push_back(a);
    test.columns.push_back(b);
  }
  train.num_rows = static_cast<int64_t>(train.columns[0].numbers.size());
  test.num_rows = static_cast<int64_t>(test.columns[0].numbers.size());
  FeatureSet features;
  for (int i = 0; i < 30; ++i) features.Add(NumericColumn("f" + std::to_string(i)));
  Split s;
  TableSource train_source(train), test_source(test);
  features.Fit(train_source);
  features.AppendLinearRows(train_source, 0, train.num_rows, s.train_x);
  features.Bind(test_source);
  features.AppendLinearRows(test_source, 0, test.num_rows, s.test_x);
  for (int64_t v : train.Column("label").integers) s.train_y.push_back(static_cast<float>(v));
  for (int64_t v : test.Column("label").integers) s.test_y.push_back(static_cast<float>(v));
  return s;
}

struct Fitted {
  LinearEvaluation test;
  Index nonzero;
};

Fitted Fit(const Split& s, Regularizer regularizer) {
  LinearModelConfig config;
  config.optimizer = {.name = "sgd", .learning_rate = 0.5};  // full-batch proximal gradient descent
  config.regularizer = regularizer;
  LinearModel model(30, config);
  LinearTrainOptions options;
  options.batch_size = static_cast<Index>(s.train_y.size());
  options.steps = 3000;
  TrainLinear(model, s.train_x, s.train_y, options);
  return {EvaluateLinear(model, s.test_x, s.test_y), model.CountNonzeroWeights()};
}

TEST(BreastCancerTest, LogisticRegressionMatchesScikitLearn) {
  if (!std::filesystem::exists(kPath)) GTEST_SKIP() << kPath << " not installed (apt-get install python3-sklearn)";
  const Split s = Load();
  ASSERT_EQ(s.train_y.size(), 455u);
  const double n = 455.0;
  const Fitted l2 = Fit(s, Regularizer::L2(1.0 / (2 * n)));
  EXPECT_GE(l2.test.accuracy, 0.9649 - 0.01);
  EXPECT_GT(l2.test.auc, 0.99);
  const Fitted l1 = Fit(s, Regularizer::L1(1.0 / n));
  EXPECT_GE(l1.test.accuracy, 0.9561 - 0.01);
  // L1 selects features: exact zeros, a count near scikit-learn's 14 of 30.
  EXPECT_LE(l1.nonzero, 22);
  EXPECT_GE(l1.nonzero, 8);
}

}  // namespace
}  // namespace lever
