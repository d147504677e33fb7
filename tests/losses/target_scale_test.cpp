#include "lever/losses/target_scale.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/nn/mlp.h"
#include "lever/train/trainer.h"

namespace lever {
namespace {

TEST(TargetScaleTest, FitsMeanAndPopulationStddevOfOneColumn) {
  Tensor y(4, 1);
  y << 2, 4, 4, 6;
  const TargetScale s = TargetScale::Fit(y);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.0));  // squares 4, 0, 0, 4 over 4 rows
  EXPECT_FALSE(s.identity());
  // Constant: centred, unscaled. Empty, non-finite or several columns: the identity.
  const TargetScale constant = TargetScale::Fit(Tensor::Constant(3, 1, 7.0f));
  EXPECT_DOUBLE_EQ(constant.mean, 7.0);
  EXPECT_DOUBLE_EQ(constant.stddev, 1.0);
  EXPECT_TRUE(TargetScale::Fit(Tensor(0, 1)).identity());
  y(1, 0) = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(TargetScale::Fit(y).identity());
  EXPECT_TRUE(TargetScale::Fit(Tensor::Ones(3, 2)).identity());
}

// p = mean + stddev z; L = mean((p - y)^2) / stddev^2 = mean((z - (y - mean) / stddev)^2), so
// dL/dz = 2 (z - (y - mean) / stddev) / n: the gradient of the standardized problem.
TEST(TargetScaleTest, PredictsInTargetUnitsAndTrainsInStandardizedOnes) {
  const TargetScale s{100.0, 20.0};
  Graph g;
  Var z = g.Input("z", {2, 1}, /*requires_grad=*/true);
  Var y = g.Input("y", {2, 1});
  Tensor zv(2, 1), yv(2, 1);
  zv << 0.5f, -1.0f;
  yv << 120.0f, 70.0f;
  g.Feed(z, zv);
  g.Feed(y, yv);
  Var p = ScaleOutput(z, s);
  Var loss = StandardizedSquaredError(p, y, s);
  g.Forward();
  EXPECT_FLOAT_EQ(p.value()(0, 0), 110.0f);
  EXPECT_FLOAT_EQ(p.value()(1, 0), 80.0f);
  // Standardized targets 1 and -1.5: differences -0.5 and 0.5, mean square 0.25.
  EXPECT_FLOAT_EQ(loss.scalar(), 0.25f);
  g.Backward(loss);
  EXPECT_FLOAT_EQ(z.grad()(0, 0), -0.5f);  // 2 (-0.5) / 2
  EXPECT_FLOAT_EQ(z.grad()(1, 0), 0.5f);
  // The identity adds nothing to the graph.
  EXPECT_EQ(ScaleOutput(z, TargetScale{}).id(), z.id());
}

// Targets around 5000 with a spread of 300: with the defaults (Adam at 0.01, 300 steps) a network on the
// raw targets cannot even move its output bias there; on standardized targets it fits the line.
TEST(TargetScaleTest, TrainerFitsRawTargetsOfAnyScale) {
  Dataset d;
  Rng rng(3);
  d.features.resize(200, 1);
  d.labels.resize(200, 1);
  for (Index i = 0; i < 200; ++i) {
    d.features(i, 0) = static_cast<float>(rng.Uniform() * 2.0 - 1.0);
    d.labels(i, 0) = 5000.0f + 500.0f * d.features(i, 0);
  }
  auto fit = [&d](bool standardize) {
    MlpSpec spec;
    spec.hidden = {8};
    spec.activation = "tanh";
    Sequential model = MakeMlp(spec);
    model.Build(1, 1);
    TrainConfig c;
    c.loss = "mean_squared_error";
    c.max_steps = 300;
    c.batch_size = 10;
    c.optimizer.name = "adam";
    c.optimizer.learning_rate = 0.01;
    c.standardize_targets = standardize;
    Trainer trainer(model, c);
    const TrainResult r = trainer.Train(d, &d);
    // Evaluation losses are in the targets' units: the mean squared error of the predictions.
    const Tensor p = trainer.Predict(d.features);
    EXPECT_NEAR(r.validation->loss, (p - d.labels).squaredNorm() / 200.0, 1e-3 * (1.0 + r.validation->loss));
    return std::sqrt(r.validation->loss);
  };
  EXPECT_LT(fit(true), 30.0);     // a tenth of the targets' spread
  EXPECT_GT(fit(false), 4000.0);  // still near the raw targets' mean distance from 0
}

}  // namespace
}  // namespace lever
