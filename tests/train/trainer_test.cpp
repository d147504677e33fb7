#include "lever/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

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
  c.optimizer.name = "adamw";
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

class Recorder : public TrainingCallback {
 public:
  void OnStepEnd(const StepInfo& s) override { steps.push_back(s.step); }
  void OnStatistics(const TrainingStatistics& s) override { stats.push_back(s); }
  bool OnEvaluation(const EvalInfo& e) override {
    evals.push_back(e);
    return stop_at > 0 && e.step >= stop_at;
  }
  std::vector<int64_t> steps;
  std::vector<TrainingStatistics> stats;
  std::vector<EvalInfo> evals;
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
  trainer.AddCallback(&rec);
  trainer.Train(data.train, &data.test);
  ASSERT_EQ(rec.steps.size(), 100u);
  ASSERT_EQ(rec.stats.size(), 4u);
  EXPECT_EQ(rec.stats[0].step, 25);
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
  EXPECT_TRUE(rec.evals[0].validation.has_value());
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
  trainer.AddCallback(&rec);
  trainer.Train(d);
  ASSERT_FALSE(rec.stats.empty());
  EXPECT_GT(rec.stats[0].activations[0].saturated_fraction, 0.99);
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
  trainer.AddCallback(&rec);
  const TrainResult r = trainer.Train(data.train, &data.test);
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.steps, 300);
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
