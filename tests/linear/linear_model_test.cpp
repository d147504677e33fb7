#include "lever/linear/linear_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/metrics/binary.h"
#include "lever/tensor/rng.h"

namespace lever {
namespace {

// A planted sparse logistic model: 2000 features, 200 of them carry weight, 12 active features per row.
struct Planted {
  SparseRows x;
  Tensor y;
  std::vector<float> truth;  // planted probabilities
};

Planted Make(Index rows, uint64_t seed, const std::vector<double>& w) {
  Rng rng(seed);
  Planted p;
  p.x.cols = static_cast<Index>(w.size());
  p.y.resize(rows, 1);
  for (Index i = 0; i < rows; ++i) {
    double z = -0.5;
    std::vector<int32_t> ids;
    while (ids.size() < 12) {
      const auto id = static_cast<int32_t>(rng.UniformInt(w.size()));
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    for (int32_t id : ids) {
      p.x.Add(id, 1.0f);
      z += w[static_cast<size_t>(id)];
    }
    p.x.EndRow();
    const double prob = 1.0 / (1.0 + std::exp(-z));
    p.truth.push_back(static_cast<float>(prob));
    p.y(i, 0) = rng.Uniform() < prob ? 1.0f : 0.0f;
  }
  return p;
}

std::vector<double> PlantedWeights() {
  Rng rng(99);
  std::vector<double> w(2000, 0.0);
  for (int k = 0; k < 200; ++k) w[static_cast<size_t>(k * 10)] = rng.Normal(0.0, 1.5);
  return w;
}

SparseRows Slice(const SparseRows& s, Index begin, Index end) {
  SparseRows out;
  out.cols = s.cols;
  for (Index i = begin; i < end; ++i) {
    for (int64_t k = s.row_ptr[static_cast<size_t>(i)]; k < s.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      out.Add(s.ids[static_cast<size_t>(k)], s.values[static_cast<size_t>(k)]);
    }
    out.EndRow();
  }
  return out;
}

TEST(LinearModelTest, FtrlWithL1RecoversAPlantedSparseModel) {
  const auto w = PlantedWeights();
  const Planted train = Make(40000, 1, w), test = Make(10000, 2, w);
  LinearModelConfig config;
  config.optimizer = {.name = "ftrl", .learning_rate = 1.0};
  config.regularizer = Regularizer::L1(3e-4);
  LinearModel model(2000, config);
  const Index batch = 100;
  for (int pass = 0; pass < 3; ++pass) {
    for (Index b = 0; b < train.x.rows(); b += batch) {
      model.TrainStep(Slice(train.x, b, b + batch), train.y.middleRows(b, batch));
    }
  }
  const Tensor p = model.Predict(test.x);
  const std::vector<float> probs(p.data(), p.data() + p.size());
  const std::vector<float> labels(test.y.data(), test.y.data() + test.y.size());
  const double loss = LogLoss(probs, labels), planted_loss = LogLoss(test.truth, labels);
  const double auc = AucRoc(probs, labels), planted_auc = AucRoc(test.truth, labels);
  // 40,000 examples for 2,000 features (each seen ~240 times) leave an estimation gap of ~0.015 to the
  // planted model itself.
  EXPECT_LT(loss, planted_loss + 0.025) << "planted " << planted_loss;
  EXPECT_GT(auc, planted_auc - 0.01) << "planted " << planted_auc;
  // Sparsity: most of the 1800 weightless features end exactly at zero.
  EXPECT_LT(model.CountNonzeroWeights(), 600);
  EXPECT_GE(model.CountNonzeroWeights(), 150);
  const auto nonzero = model.NonzeroWeights();
  ASSERT_FALSE(nonzero.empty());
  EXPECT_EQ(nonzero.front().first % 10, 0);  // the largest weight is a planted one
}

TEST(LinearModelTest, FusedFtrlKernelMatchesTheGenericPath) {
  const auto w = PlantedWeights();
  const Planted train = Make(3000, 5, w);
  for (const char* loss : {"sigmoid_cross_entropy", "mean_squared_error"}) {
    LinearModelConfig config;
    config.loss = loss;
    config.optimizer = {.name = "ftrl", .learning_rate = 0.5, .options = {{"l1", 0.01}, {"l2", 0.001}}};
    config.regularizer = Regularizer::ElasticNet(1e-4, 1e-4);
    LinearModel fused(2000, config);
    config.allow_fused = false;
    LinearModel generic(2000, config);
    ASSERT_TRUE(fused.fused());
    ASSERT_FALSE(generic.fused());
    for (Index b = 0; b < train.x.rows(); b += 50) {
      const SparseRows x = Slice(train.x, b, b + 50);
      EXPECT_NEAR(fused.TrainStep(x, train.y.middleRows(b, 50)), generic.TrainStep(x, train.y.middleRows(b, 50)), 1e-5);
    }
    EXPECT_EQ(fused.CountNonzeroWeights(), generic.CountNonzeroWeights()) << loss;
    for (Index i = 0; i < 2000; ++i) ASSERT_NEAR(fused.Weight(i), generic.Weight(i), 1e-5) << loss << " weight " << i;
    EXPECT_NEAR(fused.Bias(), generic.Bias(), 1e-5);
    const Tensor a = fused.Predict(train.x), b = generic.Predict(train.x);
    EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-5);
  }
}

TEST(LinearModelTest, OnlyTheBatchRowsChange) {
  LinearModelConfig config;
  config.optimizer = {.name = "adagrad", .learning_rate = 0.1};
  LinearModel model(1000, config);
  SparseRows x;
  x.cols = 1000;
  x.Add(3, 1.0f);
  x.Add(700, 2.0f);
  x.EndRow();
  Tensor y(1, 1);
  y << 1.0f;
  model.TrainStep(x, y);
  EXPECT_EQ(model.CountNonzeroWeights(), 2);
  EXPECT_GT(model.Weight(3), 0.0f);
  EXPECT_GT(model.Weight(700), model.Weight(3));
  EXPECT_EQ(model.steps(), 1);
}

TEST(LinearModelTest, DefaultLearningRateFollowsTensorFlow) {
  LinearModelConfig config;
  config.feature_columns = 100;
  LinearModel model(10, config);
  EXPECT_NEAR(model.optimizer().current_learning_rate(), 0.1, 1e-12);  // min(0.2, 1/sqrt(100))
  config.feature_columns = 4;
  LinearModel few(10, config);
  EXPECT_NEAR(few.optimizer().current_learning_rate(), 0.2, 1e-12);
}

TEST(LinearModelTest, MultinomialAndRegression) {
  // Class = which of three features is present.
  SparseRows x;
  x.cols = 3;
  Tensor ids(300, 1), targets(300, 1);
  for (Index i = 0; i < 300; ++i) {
    x.Add(static_cast<int32_t>(i % 3), 1.0f);
    x.EndRow();
    ids(i, 0) = static_cast<float>(i % 3);
    targets(i, 0) = static_cast<float>(2 * (i % 3) - 1);
  }
  LinearModelConfig softmax;
  softmax.loss = "sparse_softmax_cross_entropy";
  softmax.outputs = 3;
  softmax.optimizer = {.name = "adam", .learning_rate = 0.1};
  LinearModel classes(3, softmax);
  for (int s = 0; s < 200; ++s) classes.TrainStep(x, ids);
  const Tensor p = classes.Predict(x);
  for (Index i = 0; i < 3; ++i) {
    Index best = 0;
    p.row(i).maxCoeff(&best);
    EXPECT_EQ(best, i);
  }
  LinearModelConfig regression;
  regression.loss = "mean_squared_error";
  regression.optimizer = {.name = "sgd", .learning_rate = 0.5};
  LinearModel line(3, regression);
  double loss = 1.0;
  for (int s = 0; s < 300; ++s) loss = line.TrainStep(x, targets);
  EXPECT_LT(loss, 1e-6);
  EXPECT_THROW(LinearModel(3, softmax).TrainStep(x, targets.leftCols(1) * 0 + Tensor::Constant(300, 1, 5.0f)),
               DataError);
}

TEST(LinearModelTest, RejectsMismatchedInputs) {
  LinearModel model(10, {});
  SparseRows x;
  x.cols = 11;
  x.EndRow();
  EXPECT_THROW(model.TrainStep(x, Tensor::Zero(1, 1)), DataError);
  x.cols = 10;
  EXPECT_THROW(model.TrainStep(x, Tensor::Zero(2, 1)), DataError);
  LinearModelConfig bad;
  bad.loss = "sparse_softmax_cross_entropy";
  EXPECT_THROW(LinearModel(10, bad), ConfigError);
}

// One FTRL step worked by hand: rows {0:1} and {0:1, 1:1}, labels 1 and 1, weights at zero, so each
// row's gradient is (0.5 - 1) / 2 and the features' gradients are -0.5 and -0.25. Feature 0 is in every
// row (standard deviation 0: no L1 at all with l1_by_std), feature 1 in half (standard deviation 0.5).
TEST(LinearModelTest, L1ScaledByStdInTheFusedFtrlKernel) {
  SparseRows x;
  x.cols = 2;
  x.Add(0, 1.0f);
  x.EndRow();
  x.Add(0, 1.0f);
  x.Add(1, 1.0f);
  x.EndRow();
  Tensor y(2, 1);
  y << 1.0f, 1.0f;
  const double lr = 0.5, n0 = 0.1, l1 = 0.05;
  // FTRL from zero, z = g < 0: w = (sign(z) l1_j - z) / (sqrt(n0 + g^2) / lr) = (|g| - l1_j) / ... .
  for (bool by_std : {false, true}) {
    LinearModelConfig config;
    config.optimizer.learning_rate = lr;
    config.optimizer.options["initial_accumulator_value"] = n0;
    config.regularizer.l1 = l1;
    config.l1_by_std = by_std;
    LinearModel model(2, config);
    ASSERT_TRUE(model.fused());
    model.TrainStep(x, y);
    const double l1_0 = by_std ? 0.0 : l1, l1_1 = by_std ? l1 * 0.5 : l1;  // t = 1
    EXPECT_NEAR(model.Weight(0), (0.5 - l1_0) / (std::sqrt(n0 + 0.25) / lr), 1e-6) << "by_std " << by_std;
    EXPECT_NEAR(model.Weight(1), (0.25 - l1_1) / (std::sqrt(n0 + 0.0625) / lr), 1e-6) << "by_std " << by_std;
  }
  LinearModelConfig generic;
  generic.optimizer.name = "adagrad";
  generic.l1_by_std = true;
  EXPECT_THROW(LinearModel(2, generic), ConfigError);
}

TEST(LinearModelTest, SetWeightsPredictsWithThem) {
  const Planted data = Make(50, 7, PlantedWeights());
  LinearModelConfig config;
  config.allow_fused = false;
  LinearModel model(2000, config);
  std::vector<float> w(2000, 0.0f);
  for (size_t j = 0; j < w.size(); j += 3) w[j] = 0.01f * static_cast<float>(j % 17) - 0.05f;
  model.SetWeights(w, 0.25f);
  const Tensor p = model.Predict(data.x);
  for (Index i = 0; i < data.x.rows(); ++i) {
    double z = 0.25;
    for (int64_t k = data.x.row_ptr[static_cast<size_t>(i)]; k < data.x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      z += w[static_cast<size_t>(data.x.ids[static_cast<size_t>(k)])];
    }
    EXPECT_NEAR(p(i, 0), 1.0 / (1.0 + std::exp(-z)), 1e-6);
  }
  EXPECT_EQ(model.Weight(3), w[3]);
  EXPECT_EQ(model.Bias(), 0.25f);
  EXPECT_THROW(model.SetWeights(std::vector<float>(5), 0.0f), ConfigError);
  LinearModel fused(2000, {});
  EXPECT_THROW(fused.SetWeights(w, 0.0f), ConfigError);
}

}  // namespace
}  // namespace lever
