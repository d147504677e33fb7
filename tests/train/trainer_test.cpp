#include "lever/train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/nn/mlp.h"

namespace lever {
namespace {

PlaygroundData Spiral() {
  PlaygroundSpec spec;
  spec.dataset = "spiral";
  spec.noise = 0.1;
  return MakePlaygroundData(spec);
}

TrainConfig Config(int64_t steps, uint64_t seed = 3) {
  TrainConfig c;
  c.batch_size = 10;
  c.max_steps = steps;
  c.seed = seed;
  c.eval_every = 0;
  c.optimizer.name = "adam";
  c.optimizer.learning_rate = 0.01;
  return c;
}

MlpSpec Net() {
  MlpSpec mlp;
  mlp.hidden = {8, 8};
  mlp.activation = "relu";
  mlp.dropout = 0.1;  // exercises the per-step dropout masks
  return mlp;
}

std::vector<Tensor> Weights(const Sequential& model) {
  std::vector<Tensor> out;
  for (const Parameter* p : model.parameters().All()) out.push_back(p->value);
  return out;
}

bool BitIdentical(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size() || std::memcmp(a[i].data(), b[i].data(), sizeof(float) * a[i].size()) != 0) {
      return false;
    }
  }
  return true;
}

std::vector<Tensor> TrainWeights(const PlaygroundData& data, uint64_t seed, int64_t steps) {
  Sequential model = MakeMlp(Net());
  model.Build(data.train.num_features(), seed);
  Trainer trainer(model, Config(steps, seed));
  trainer.Train(data.train, &data.test);
  return Weights(model);
}

TEST(TrainerTest, SameSeedGivesBitIdenticalWeights) {
  const PlaygroundData data = Spiral();
  EXPECT_TRUE(BitIdentical(TrainWeights(data, 5, 700), TrainWeights(data, 5, 700)));
  EXPECT_FALSE(BitIdentical(TrainWeights(data, 5, 700), TrainWeights(data, 6, 700)));
}

TEST(TrainerTest, ContinuingTrainingEndsWhereAnUninterruptedRunDoes) {
  // Batches depend only on (seed, step) and dropout masks on (seed, node, step): stopping at step 300
  // and continuing to 700 must match 700 steps straight (Adam's slots carry over in the optimizer).
  const PlaygroundData data = Spiral();
  Sequential model = MakeMlp(Net());
  model.Build(data.train.num_features(), 5);
  Trainer trainer(model, Config(300, 5));
  trainer.Train(data.train);
  trainer.set_max_steps(700);
  trainer.Train(data.train);
  EXPECT_EQ(trainer.step(), 700);
  EXPECT_TRUE(BitIdentical(Weights(model), TrainWeights(data, 5, 700)));
}

TEST(TrainerTest, DivergenceStopsWithTheStepAndTheLikelyCause) {
  PlaygroundSpec spec;
  spec.dataset = "plane";
  const PlaygroundData data = MakePlaygroundData(spec);
  MlpSpec mlp;
  mlp.hidden = {8};
  mlp.activation = "relu";
  Sequential model = MakeMlp(mlp);
  model.Build(2, 1);
  TrainConfig c = Config(1000);
  c.loss = "mean_squared_error";
  c.optimizer.name = "sgd";
  c.optimizer.learning_rate = 10.0;
  Trainer trainer(model, c);
  try {
    trainer.Train(data.train);
    FAIL() << "expected DivergenceError";
  } catch (const DivergenceError& e) {
    const std::string msg = e.what();
    EXPECT_GT(e.step(), 0);
    EXPECT_LT(e.step(), 1000);
    EXPECT_NE(msg.find("at step " + std::to_string(e.step())), std::string::npos) << msg;
    EXPECT_NE(msg.find("learning rate"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no gradient clipping"), std::string::npos) << msg;
  }
}

TEST(TrainerTest, ClippingByGlobalNormTamesTheSameRun) {
  PlaygroundSpec spec;
  spec.dataset = "plane";
  const PlaygroundData data = MakePlaygroundData(spec);
  MlpSpec mlp;
  mlp.hidden = {8};
  mlp.activation = "relu";
  Sequential model = MakeMlp(mlp);
  model.Build(2, 1);
  TrainConfig c = Config(1000);
  c.loss = "mean_squared_error";
  c.optimizer.name = "sgd";
  c.optimizer.learning_rate = 0.05;
  c.clip_norm = 1.0;
  Trainer trainer(model, c);
  const TrainResult r = trainer.Train(data.train, &data.test);
  EXPECT_TRUE(std::isfinite(r.validation->loss));
  EXPECT_LT(r.validation->loss, 0.01);
}

TEST(TrainerTest, RejectsDataThatDoesNotFitTheModel) {
  const PlaygroundData data = Spiral();
  Sequential model = MakeMlp(Net());
  model.Build(3, 1);  // three inputs, the data has two
  Trainer trainer(model, Config(10));
  EXPECT_THROW(trainer.Train(data.train), DataError);

  Sequential ok = MakeMlp(Net());
  ok.Build(2, 1);
  Trainer t2(ok, Config(10));
  Dataset bad = data.train;
  bad.features(3, 1) = std::nanf("");
  try {
    t2.Train(bad);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("training set example 3, feature"), std::string::npos) << e.what();
  }
}

TEST(TrainerTest, RejectsSquashedOutputWithLogitLoss) {
  Sequential model;
  model.Add(layers::Dense(4, "tanh")).Add(layers::Dense(1, "sigmoid"));
  model.Build(2, 1);
  EXPECT_THROW(Trainer(model, Config(10)), ConfigError);
}

TEST(TrainerTest, InvalidKnobsAreRejectedWithWhatIsValid) {
  Sequential model = MakeMlp(Net());
  model.Build(2, 1);
  TrainConfig c = Config(10);
  c.batch_size = 0;
  EXPECT_THROW(Trainer(model, c), ConfigError);
  c = Config(10);
  c.optimizer.name = "adamax";
  try {
    Trainer t(model, c);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("adagrad"), std::string::npos) << e.what();
  }
  c = Config(10);
  c.optimizer.learning_rate = -1;
  EXPECT_THROW(Trainer(model, c), ConfigError);
  c = Config(10);
  c.loss = "hinge";
  EXPECT_THROW(Trainer(model, c), ConfigError);
}

class Recorder : public Hook {
 public:
  bool AfterStep(Learner& /*learner*/, const StepReport& s) override {
    steps.push_back(s.step);
    return false;
  }
  void AfterStatistics(Learner& /*learner*/, const TrainingStatistics& s) override { stats.push_back(s); }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& e) override {
    evals.push_back(e);
    return stop_at > 0 && e.step >= stop_at;
  }
  std::vector<int64_t> steps;
  std::vector<TrainingStatistics> stats;
  std::vector<EvalReport> evals;
  int64_t stop_at = 0;
};

TEST(TrainerTest, ReportsStatisticsEveryNSteps) {
  const PlaygroundData data = Spiral();
  MlpSpec mlp;
  mlp.hidden = {8, 8};
  mlp.activation = "relu";
  mlp.regularizer = Regularizer::L2(0.001);
  Sequential model = MakeMlp(mlp);
  model.Build(2, 1);
  TrainConfig c = Config(100);
  c.statistics_every = 25;
  c.eval_every = 50;
  Recorder rec;
  Trainer trainer(model, c);
  trainer.AddHook(&rec);
  trainer.Train(data.train, &data.test);
  ASSERT_EQ(rec.steps.size(), 100u);
  ASSERT_EQ(rec.stats.size(), 5u);  // the first step, then every 25th
  EXPECT_EQ(rec.stats[0].step, 1);
  EXPECT_EQ(rec.stats[1].step, 25);
  EXPECT_EQ(rec.stats[4].step, 100);
  const TrainingStatistics& s = rec.stats.back();
  EXPECT_GT(s.regularization_loss, 0.0);
  EXPECT_NEAR(s.regularization_loss, trainer.RegularizationLoss(), 1e-6);
  EXPECT_GT(s.gradient_global_norm, 0.0);
  ASSERT_EQ(s.parameters.size(), 6u);  // 3 kernels + 3 biases
  for (const auto& p : s.parameters) {
    EXPECT_GT(p.weight_norm, 0.0) << p.name;
    EXPECT_GT(p.update_ratio, 0.0) << p.name;
    EXPECT_LT(p.update_ratio, 1.0) << p.name;
  }
  ASSERT_EQ(s.activations.size(), 2u);
  EXPECT_EQ(s.activations[0].activation, "relu");
  EXPECT_GT(s.activations[0].zero_fraction, 0.0);
  EXPECT_LT(s.activations[0].zero_fraction, 1.0);
  ASSERT_EQ(rec.evals.size(), 2u);  // step 50 and the final one
  EXPECT_TRUE(rec.evals[0].metrics.count("validation_loss") > 0);
}

TEST(TrainerTest, SaturatedTanhIsReported) {
  // Huge inputs into a tanh layer initialized with ones: nearly every unit is saturated.
  Dataset d;
  d.features = Tensor::Constant(40, 2, 50.0f);
  d.labels = Tensor::Ones(40, 1);
  Sequential model;
  model.Add(layers::Dense(4, "tanh", "ones")).Add(layers::Dense(1));
  model.Build(2, 1);
  TrainConfig c = Config(4);
  c.statistics_every = 1;
  c.optimizer.name = "sgd";
  c.optimizer.learning_rate = 1e-6;
  Recorder rec;
  Trainer trainer(model, c);
  trainer.AddHook(&rec);
  trainer.Train(d);
  ASSERT_FALSE(rec.stats.empty());
  EXPECT_GT(rec.stats[0].activations[0].saturated_fraction, 0.99);
}

TEST(TrainerTest, StatisticsOfOneSgdStepMatchAHandComputedBackwardPass) {
  // A 2-2-2-1 net with fixed weights: relu, sigmoid, linear; mean squared error; plain SGD, lr 0.1; one
  // step on the whole 4-row set (the shuffle only reorders the rows of the batch). L2 0.01 on the last
  // kernel. The forward and backward passes are recomputed below in double precision, by the chain rule,
  // without lever's graph, and every statistic is checked against them.
  //   relu unit 0: pre-activations -0.4, 0.6, 0.1, 1.1 (one zero); relu unit 1: x . (-1, 0) - 0.5 < 0 for
  //     every row, so it is dead: zero fraction 5/8, dead fraction 1/2.
  //   sigmoid unit 0: 20 h - 6 = -6, 6, -4, 16 -> 0.0025, 0.9975, 0.018, 1.0: 3 saturated; sigmoid unit 1:
  //     h - 0.5 in (-0.5, 0.6), none saturated: saturated fraction 3/8.
  //   The dead unit's kernel column and the sigmoid kernel's row fed by it get no gradient, so their exact
  //   zeros (dense/kernel(1, 1), dense_1/kernel(1, 0)) stay: 8 of 10 kernel weights nonzero.
  constexpr double kLearningRate = 0.1, kL2 = 0.01;
  Dataset d;
  d.features.resize(4, 2);
  d.features << 1, 2, 2, 1, 0.5, 0.5, 3, 1;
  d.labels.resize(4, 1);
  d.labels << 1, 0, 0.5, 2;
  Sequential model;
  model.Add(layers::Dense(2, "relu"))
      .Add(layers::Dense(2, "sigmoid"))
      .Add(layers::Dense(1, "linear", "glorot_uniform", Regularizer::L2(kL2)));
  model.Build(2, 1);
  const char* const names[] = {"dense/kernel", "dense/bias",     "dense_1/kernel",
                               "dense_1/bias", "dense_2/kernel", "dense_2/bias"};
  std::vector<TensorD> before(6);
  before[0].resize(2, 2);
  before[0] << 0.5, -1, -0.5, 0;
  before[1].resize(1, 2);
  before[1] << 0.1, -0.5;
  before[2].resize(2, 2);
  before[2] << 20, 1, 0, 0.5;
  before[3].resize(1, 2);
  before[3] << -6, -0.5;
  before[4].resize(2, 1);
  before[4] << 1, -1;
  before[5].resize(1, 1);
  before[5] << 0.2;
  for (int k = 0; k < 6; ++k) {
    Parameter* p = model.parameters().Find(names[k]);
    ASSERT_NE(p, nullptr) << names[k];
    p->value = before[k].cast<float>();
  }

  TrainConfig c = Config(1);
  c.batch_size = 4;
  c.loss = "mean_squared_error";
  c.standardize_targets = false;  // the passes by hand below are on the raw targets
  c.optimizer.name = "sgd";
  c.optimizer.learning_rate = kLearningRate;
  c.statistics_every = 1;
  Recorder rec;
  Trainer trainer(model, c);
  trainer.AddHook(&rec);
  trainer.Train(d);
  ASSERT_EQ(rec.stats.size(), 1u);
  const TrainingStatistics& s = rec.stats[0];

  // The passes by hand.
  const TensorD x = d.features.cast<double>(), t = d.labels.cast<double>();
  const TensorD z1 = (x * before[0]).rowwise() + before[1].row(0);
  const TensorD h1 = z1.cwiseMax(0.0);
  const TensorD z2 = (h1 * before[2]).rowwise() + before[3].row(0);
  const TensorD h2 = ((-z2.array()).exp() + 1.0).inverse().matrix();
  const TensorD out = (h2 * before[4]).rowwise() + before[5].row(0);
  const double loss = (out - t).squaredNorm() / 4.0;
  const TensorD dout = 2.0 * (out - t) / 4.0;
  const TensorD dz2 = ((dout * before[4].transpose()).array() * h2.array() * (1.0 - h2.array())).matrix();
  const TensorD dz1 = ((dz2 * before[2].transpose()).array() * (z1.array() > 0.0).cast<double>()).matrix();
  const std::vector<TensorD> grad = {x.transpose() * dz1, dz1.colwise().sum(),   h1.transpose() * dz2,
                                     dz2.colwise().sum(), h2.transpose() * dout, dout.colwise().sum()};
  std::vector<TensorD> after(6);
  double sum_squared_gradients = 0.0;
  for (int k = 0; k < 6; ++k) {
    const double l2 = k == 4 ? kL2 : 0.0;  // SGD descends on g + 2 l2 w
    after[k] = before[k] - kLearningRate * (grad[k] + 2.0 * l2 * before[k]);
    sum_squared_gradients += grad[k].squaredNorm();
  }
  // The hand-set zeros get no gradient and the loss is not trivially small: the case is what it claims.
  ASSERT_EQ(grad[0](1, 1), 0.0);
  ASSERT_EQ(grad[2](1, 0), 0.0);
  ASSERT_GT(loss, 0.1);

  auto near = [](double actual, double expected) {
    return std::abs(actual - expected) <= 1e-5 * std::max(1.0, std::abs(expected));
  };
  EXPECT_EQ(s.step, 1);
  EXPECT_PRED2(near, s.data_loss, loss);
  EXPECT_PRED2(near, s.regularization_loss, kL2 * after[4].squaredNorm());
  EXPECT_PRED2(near, s.gradient_global_norm, std::sqrt(sum_squared_gradients));
  EXPECT_FALSE(s.clipped);
  EXPECT_DOUBLE_EQ(s.learning_rate, kLearningRate);
  EXPECT_EQ(s.nonzero_weights, 8);
  EXPECT_EQ(s.kernel_weights, 10);
  ASSERT_EQ(s.parameters.size(), 6u);
  for (int k = 0; k < 6; ++k) {
    const ParameterStatistics& ps = s.parameters[static_cast<size_t>(k)];
    ASSERT_EQ(ps.name, names[k]);
    SCOPED_TRACE(ps.name);
    EXPECT_PRED2(near, ps.weight_norm, after[k].norm());
    EXPECT_PRED2(near, ps.gradient_norm, grad[k].norm());
    EXPECT_PRED2(near, ps.update_norm, (after[k] - before[k]).norm());
    EXPECT_PRED2(near, ps.update_ratio, (after[k] - before[k]).norm() / before[k].norm());
    EXPECT_EQ(ps.nonzero, (after[k].array() != 0.0).count());
    EXPECT_EQ(ps.size, after[k].size());
  }
  ASSERT_EQ(s.activations.size(), 2u);  // the linear output layer has no tap
  const ActivationStatistics& relu = s.activations[0];
  EXPECT_EQ(relu.layer, "dense");
  EXPECT_EQ(relu.activation, "relu");
  EXPECT_PRED2(near, relu.mean, h1.mean());
  EXPECT_PRED2(near, relu.stddev, std::sqrt(h1.squaredNorm() / 8.0 - h1.mean() * h1.mean()));
  EXPECT_EQ(relu.zero_fraction, 5.0 / 8.0);
  EXPECT_EQ(relu.dead_fraction, 0.5);
  EXPECT_EQ(relu.saturated_fraction, 0.0);
  const ActivationStatistics& sigmoid = s.activations[1];
  EXPECT_EQ(sigmoid.layer, "dense_1");
  EXPECT_EQ(sigmoid.activation, "sigmoid");
  EXPECT_PRED2(near, sigmoid.mean, h2.mean());
  EXPECT_PRED2(near, sigmoid.stddev, std::sqrt(h2.squaredNorm() / 8.0 - h2.mean() * h2.mean()));
  EXPECT_EQ(sigmoid.saturated_fraction, 3.0 / 8.0);
  EXPECT_EQ(sigmoid.zero_fraction, 0.0);
  EXPECT_EQ(sigmoid.dead_fraction, 0.0);
  // SGD's update is -lr g where there is no L2: the reported gradient and update norms agree with each other.
  EXPECT_PRED2(near, s.parameters[2].update_norm, kLearningRate * s.parameters[2].gradient_norm);
}

TEST(TrainerTest, EarlyStopFromACallback) {
  const PlaygroundData data = Spiral();
  Sequential model = MakeMlp(Net());
  model.Build(2, 1);
  TrainConfig c = Config(1000);
  c.eval_every = 100;
  Recorder rec;
  rec.stop_at = 300;
  Trainer trainer(model, c);
  trainer.AddHook(&rec);
  const TrainResult r = trainer.Train(data.train, &data.test);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.steps, 300);
}

// A net far larger than 60 noisy points need overfits them: the holdout's loss turns up, training stops
// `patience` checks after its best, and the model ends with the best check's parameters.
TEST(TrainerTest, EarlyStoppingOnAHoldoutRestoresTheBestCheck) {
  PlaygroundSpec spec;
  spec.dataset = "gauss";
  spec.noise = 0.5;
  spec.num_samples = 120;
  spec.seed = 4;
  const PlaygroundData data = MakePlaygroundData(spec);
  const auto [train, holdout] = SplitHoldout(data.train, 0.25, 1);
  ASSERT_EQ(holdout.size(), 15);
  ASSERT_EQ(train.size() + holdout.size(), data.train.size());
  MlpSpec mlp;
  mlp.hidden = {32, 32};
  mlp.activation = "relu";
  Sequential model = MakeMlp(mlp);
  model.Build(2, 1);
  TrainConfig c = Config(4000);
  c.batch_size = 8;
  c.optimizer.learning_rate = 0.03;
  Trainer trainer(model, c);
  trainer.SetEarlyStopping(holdout, {.check_every = 20, .patience = 10});
  const TrainResult r = trainer.Train(train, &data.test);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_LT(r.steps, 4000);
  EXPECT_EQ(r.steps - r.best_step, 10 * 20);  // the best check, then 10 checks without a better one
  EXPECT_EQ(r.best_step % 20, 0);
  EXPECT_NEAR(trainer.Evaluate(holdout).loss, r.holdout_loss, 1e-6);  // the best check's parameters are back
  EXPECT_TRUE(r.convergence.converged);

  // Without restoring, the model keeps the last step's parameters: a higher holdout loss.
  Sequential last = MakeMlp(mlp);
  last.Build(2, 1);
  Trainer kept(last, c);
  kept.SetEarlyStopping(holdout, {.check_every = 20, .patience = 10, .restore_best = false});
  const TrainResult k = kept.Train(train, &data.test);
  EXPECT_EQ(k.best_step, k.steps);
  EXPECT_GT(k.holdout_loss, r.holdout_loss);

  EXPECT_THROW(trainer.SetEarlyStopping(holdout, {.patience = 0}), ConfigError);
  EXPECT_THROW(trainer.SetEarlyStopping(holdout, {.check_every = -1}), ConfigError);
  EXPECT_THROW(SplitHoldout(train, 1.0, 1), ConfigError);
  EXPECT_THROW(SplitHoldout(train, 0.0, 1), ConfigError);
}

TEST(TrainerTest, AHoldoutIsItsShareOfTheRowsUpToItsCap) {
  auto held = [](Index rows, double fraction) {
    const std::vector<bool> mask = HoldoutMask(rows, fraction, 1);
    return std::count(mask.begin(), mask.end(), true);
  };
  EXPECT_EQ(held(1000, 0.1), 100);
  EXPECT_EQ(held(3, 0.1), 1);  // at least one row, and at most all but one
  EXPECT_EQ(held(3, 0.9), 2);
  EXPECT_EQ(held(200000, 0.1), kMaxHoldoutRows);  // every check reads them all: 5,000 are enough
}

TEST(TrainerTest, PredictGivesProbabilities) {
  const PlaygroundData data = Spiral();
  Sequential model = MakeMlp(Net());
  model.Build(2, 1);
  Trainer trainer(model, Config(200));
  trainer.Train(data.train);
  const Tensor p = trainer.Predict(data.test.features);
  ASSERT_EQ(p.rows(), data.test.size());
  EXPECT_TRUE((p.array() >= 0.0f).all() && (p.array() <= 1.0f).all());
}

}  // namespace
}  // namespace lever
