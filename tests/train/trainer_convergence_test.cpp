// Convergence on the TensorFlow Playground datasets: the accuracy bounds the engine issue sets
// (spiral >= 0.95 from x1, x2 alone within 10,000 steps; circle and xor >= 0.97; plane regression near
// its noise level).
#include <gtest/gtest.h>

#include "lever/data/playground.h"
#include "lever/nn/mlp.h"
#include "lever/train/trainer.h"

namespace lever {
namespace {

TrainResult TrainOn(const PlaygroundData& data, MlpSpec mlp, TrainConfig config) {
  Sequential model = MakeMlp(mlp);
  model.Build(data.train.num_features(), config.seed);
  Trainer trainer(model, config);
  return trainer.Train(data.train, &data.test);
}

TrainConfig AdamConfig(double lr, int64_t steps, const std::string& loss = "sigmoid_cross_entropy") {
  TrainConfig c;
  c.loss = loss;
  c.batch_size = 10;
  c.max_steps = steps;
  c.seed = 1;
  c.eval_every = 0;
  c.optimizer.name = "adam";
  c.optimizer.learning_rate = lr;
  return c;
}

TEST(TrainerConvergenceTest, SpiralFromRawCoordinatesTanh) {
  PlaygroundSpec spec;
  spec.dataset = "spiral";
  const PlaygroundData data = MakePlaygroundData(spec);
  MlpSpec mlp;
  mlp.hidden = {16, 16};
  mlp.activation = "tanh";
  const TrainResult r = TrainOn(data, mlp, AdamConfig(0.01, 10000));
  EXPECT_GE(r.validation->accuracy, 0.95);
}

TEST(TrainerConvergenceTest, SpiralFromRawCoordinatesRelu) {
  PlaygroundSpec spec;
  spec.dataset = "spiral";
  const PlaygroundData data = MakePlaygroundData(spec);
  MlpSpec mlp;
  mlp.hidden = {8, 8, 8};
  mlp.activation = "relu";
  mlp.initializer = "he_normal";
  const TrainResult r = TrainOn(data, mlp, AdamConfig(0.01, 10000));
  EXPECT_GE(r.validation->accuracy, 0.95);
}

TEST(TrainerConvergenceTest, CircleAndXor) {
  for (const std::string name : {"circle", "xor"}) {
    PlaygroundSpec spec;
    spec.dataset = name;
    const PlaygroundData data = MakePlaygroundData(spec);
    MlpSpec mlp;
    mlp.hidden = {8, 8};
    mlp.activation = "tanh";
    const TrainResult r = TrainOn(data, mlp, AdamConfig(0.01, 3000));
    EXPECT_GE(r.validation->accuracy, 0.97) << name;
  }
}

TEST(TrainerConvergenceTest, PlaneRegressionReachesItsNoiseLevel) {
  PlaygroundSpec spec;
  spec.dataset = "plane";
  spec.noise = 0.1;
  const PlaygroundData data = MakePlaygroundData(spec);
  // label = (x1 + n1 + x2 + n2) / 10 with n ~ U(-6 noise, 6 noise): the irreducible error is
  // Var(n1 + n2) / 100 = 2 (12 noise)^2 / 12 / 100.
  const double noise_mse = 2.0 * std::pow(12.0 * spec.noise, 2) / 12.0 / 100.0;
  MlpSpec mlp;  // a linear model suits a plane
  const TrainResult r = TrainOn(data, mlp, AdamConfig(0.01, 3000, "mean_squared_error"));
  EXPECT_LE(r.validation->loss, 1.25 * noise_mse);
  EXPECT_GE(r.validation->loss, 0.75 * noise_mse);  // below the noise level would mean a leak
}

TEST(TrainerConvergenceTest, SgdOnGaussWithPlaygroundDefaults) {
  PlaygroundSpec spec;
  spec.dataset = "gauss";
  const PlaygroundData data = MakePlaygroundData(spec);
  MlpSpec mlp;
  mlp.hidden = {4, 2};  // the Playground's default network
  TrainConfig c = AdamConfig(0.03, 2000);
  c.optimizer.name = "sgd";
  const TrainResult r = TrainOn(data, mlp, c);
  EXPECT_GE(r.validation->accuracy, 0.97);
}

}  // namespace
}  // namespace lever
