// L1 as feature selection: with inputs that carry no signal planted among informative ones, the
// proximal L1 step drives exactly the irrelevant weights to zero (not to tiny values).
#include <gtest/gtest.h>

#include "lever/nn/mlp.h"
#include "lever/tensor/rng.h"
#include "lever/train/trainer.h"

namespace lever {
namespace {

constexpr Index kRelevant = 3;
constexpr Index kIrrelevant = 7;

// y ~ Bernoulli(sigmoid(2 x0 - 3 x1 + 1.5 x2)); inputs 3..9 are independent noise.
Dataset Planted(Index n, uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.features.resize(n, kRelevant + kIrrelevant);
  d.labels.resize(n, 1);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < d.features.cols(); ++j) d.features(i, j) = static_cast<float>(rng.Normal());
    const double z = 2.0 * d.features(i, 0) - 3.0 * d.features(i, 1) + 1.5 * d.features(i, 2);
    d.labels(i, 0) = rng.Uniform() < 1.0 / (1.0 + std::exp(-z)) ? 1.0f : 0.0f;
  }
  return d;
}

struct Case {
  const char* optimizer;
  double learning_rate;
  double l1;
};

class L1FeatureSelectionTest : public ::testing::TestWithParam<Case> {};

TEST_P(L1FeatureSelectionTest, LinearModelZeroesExactlyTheIrrelevantInputs) {
  const Case c = GetParam();
  const Dataset train = Planted(2000, 11);
  MlpSpec mlp;  // no hidden layer: logistic regression
  mlp.regularizer = Regularizer::L1(c.l1);
  Sequential model = MakeMlp(mlp);
  model.Build(train.num_features(), 1);
  TrainConfig config;
  // A minibatch gradient of an irrelevant input is noise with stddev ~0.4 / sqrt(batch); a stochastic
  // proximal step keeps the weight at zero only while that noise stays below l1 (here ~4 stddevs).
  config.batch_size = 256;
  config.max_steps = 3000;
  config.eval_every = 0;
  config.optimizer.name = c.optimizer;
  config.optimizer.learning_rate = c.learning_rate;
  Trainer trainer(model, config);
  const TrainResult r = trainer.Train(train);
  const Tensor& w = model.parameters().Find("dense/kernel")->value;
  for (Index j = 0; j < kRelevant; ++j) EXPECT_NE(w(j, 0), 0.0f) << "relevant input " << j;
  for (Index j = kRelevant; j < w.rows(); ++j) EXPECT_EQ(w(j, 0), 0.0f) << "irrelevant input " << j;
  EXPECT_EQ(r.nonzero_weights, kRelevant);
  EXPECT_EQ(r.kernel_weights, kRelevant + kIrrelevant);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, L1FeatureSelectionTest,
                         ::testing::Values(Case{"sgd", 0.1, 0.1}, Case{"adagrad", 0.2, 0.1}, Case{"adam", 0.01, 0.1},
                                           Case{"ftrl", 0.2, 0.1}),
                         [](const auto& test_info) { return std::string(test_info.param.optimizer); });

TEST(L1FeatureSelectionTest, HiddenLayerDropsWholeRowsOfIrrelevantInputs) {
  const Dataset train = Planted(2000, 12);
  MlpSpec mlp;
  mlp.hidden = {4};
  mlp.activation = "tanh";
  mlp.regularizer = Regularizer::ElasticNet(0.05, 0.0001);
  Sequential model = MakeMlp(mlp);
  model.Build(train.num_features(), 2);
  TrainConfig config;
  config.batch_size = 256;
  config.max_steps = 4000;
  config.eval_every = 0;
  config.optimizer.name = "adam";
  config.optimizer.learning_rate = 0.01;
  Trainer trainer(model, config);
  trainer.Train(train);
  const Tensor& w = model.parameters().Find("dense/kernel")->value;  // (inputs, 4)
  for (Index j = kRelevant; j < w.rows(); ++j) {
    EXPECT_EQ((w.row(j).array() != 0.0f).count(), 0) << "irrelevant input " << j << ": " << w.row(j);
  }
  for (Index j = 0; j < kRelevant; ++j) EXPECT_GT((w.row(j).array() != 0.0f).count(), 0) << "input " << j;
}

}  // namespace
}  // namespace lever
