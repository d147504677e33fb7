// A run checkpointed at step k, restored into fresh objects and continued, ends bit-identical to a run
// that was never interrupted: parameters (with batch-norm moving statistics), every optimizer slot and
// the step count, the data sampler's random generator and its epoch position all come back.
#include <gtest/gtest.h>

#include <filesystem>

#include "lever/autodiff/graph.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/nn/sequential.h"
#include "lever/optim/registry.h"
#include "testing/files.h"

namespace lever {
namespace {

constexpr Index kRows = 40;
constexpr Index kBatch = 8;

// A small fixed dataset: two features, a label from a nonlinear rule.
void MakeData(Tensor& x, Tensor& y) {
  x.resize(kRows, 2);
  y.resize(kRows, 1);
  for (Index i = 0; i < kRows; ++i) {
    x(i, 0) = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
    x(i, 1) = static_cast<float>(std::cos(0.91 * static_cast<double>(i)));
    y(i, 0) = x(i, 0) * x(i, 1) > 0.0f ? 1.0f : 0.0f;
  }
}

// A hand-written training loop whose every piece of state is something a checkpoint must carry: weights,
// batch-norm statistics, Adam's slots and step count (under a decaying rate), dropout masks drawn per
// (seed, step), and batches sampled with replacement by a generator that counts epochs as it goes.
class TrainingRun {
 public:
  explicit TrainingRun(uint64_t seed) : data_rng_(seed + 100), graph_(/*seed=*/5) {
    MakeData(x_, y_);
    model_.Add(layers::Dense(8, "tanh")).Add(layers::Dropout(0.25)).Add(layers::BatchNorm()).Add(layers::Dense(1));
    model_.Build(2, seed);
    OptimizerSpec spec;
    spec.name = "adam";
    spec.schedule = ExponentialDecaySchedule(0.05, 5, 0.7);
    optimizer_ = MakeOptimizer(spec);
    graph_.set_training(true);
    input_ = graph_.Input("features", {kBatch, 2});
    labels_ = graph_.Input("labels", {kBatch, 1});
    loss_ = MakeLoss("sigmoid_cross_entropy", model_.Apply(input_, LayerContext{true, nullptr}), labels_);
  }

  void TrainUntil(int64_t last_step) {
    while (step_ < last_step) {
      auto x = graph_.FeedBuffer(input_, kBatch);
      auto y = graph_.FeedBuffer(labels_, kBatch);
      for (Index r = 0; r < kBatch; ++r) {
        const auto row = static_cast<Index>(data_rng_.UniformInt(kRows));
        x.row(r) = x_.row(row);
        y.row(r) = y_.row(row);
        if (++examples_in_epoch_ == kRows) {
          examples_in_epoch_ = 0;
          ++epoch_;
        }
      }
      graph_.set_step(static_cast<uint64_t>(step_));
      graph_.Forward(loss_);
      graph_.Backward(loss_);
      optimizer_->Step(model_.parameters().Trainable());
      ++step_;
    }
  }

  CheckpointContents Checkpoint() const {
    CheckpointContents c;
    c.step = step_;
    c.config = {{"layers", {"dense(8, tanh)", "dropout(0.25)", "batch_norm", "dense(1)"}}, {"optimizer", "adam"}};
    c.AddParameters(model_.parameters().All());
    c.AddOptimizer(*optimizer_);
    c.AddRng("data", data_rng_);
    c.Add("data/position", RawTensor::FromI64({epoch_, examples_in_epoch_}));
    c.extra = {{"data", {{"epoch", epoch_}}}};
    return c;
  }

  void Restore(const CheckpointContents& c, bool with_data_state = true) {
    c.RestoreParameters(model_.parameters().All());
    c.RestoreOptimizer(*optimizer_, model_.parameters().Trainable());
    if (with_data_state) {
      c.RestoreRng("data", data_rng_);
      const std::vector<int64_t> position = c.Get("data/position").ToI64("data/position");
      epoch_ = position.at(0);
      examples_in_epoch_ = position.at(1);
    }
    step_ = c.step;
  }

  std::vector<Tensor> Weights() const {
    std::vector<Tensor> weights;
    for (const Parameter* p : model_.parameters().All()) weights.push_back(p->value);
    return weights;
  }
  int64_t epoch() const { return epoch_; }
  const Optimizer& optimizer() const { return *optimizer_; }

 private:
  Tensor x_, y_;
  Sequential model_;
  std::unique_ptr<Optimizer> optimizer_;
  Rng data_rng_;
  int64_t step_ = 0;
  int64_t epoch_ = 0;
  int64_t examples_in_epoch_ = 0;
  Graph graph_;
  Var input_, labels_, loss_;
};

void ExpectSameWeights(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].rows(), b[i].rows());
    ASSERT_EQ(a[i].cols(), b[i].cols());
    for (Index j = 0; j < a[i].size(); ++j)
      EXPECT_EQ(a[i].data()[j], b[i].data()[j]) << "tensor " << i << "[" << j << "]";
  }
}

std::string ModelDir() {
  const std::string dir = testing::TempPath("model_dir");
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(CheckpointResumeTest, ResumedRunIsBitIdenticalToAnUninterruptedOne) {
  constexpr int64_t kSteps = 30;
  constexpr int64_t kCheckpointStep = 13;
  TrainingRun uninterrupted(1);
  uninterrupted.TrainUntil(kSteps);
  ASSERT_GE(uninterrupted.epoch(), 2) << "the data position should cross epochs for the test to mean much";

  const std::string dir = ModelDir();
  {
    TrainingRun first(1);
    first.TrainUntil(kCheckpointStep);
    CheckpointManager(dir, 3).Save(first.Checkpoint());
    first.TrainUntil(kCheckpointStep + 4);  // work after the checkpoint is lost in the "crash"
  }

  // Fresh objects built from another seed: everything that matters must come from the checkpoint.
  TrainingRun resumed(99);
  const LatestCheckpoint latest = CheckpointManager(dir, 3).LatestGood();
  ASSERT_TRUE(latest.checkpoint.has_value());
  EXPECT_TRUE(latest.problems.empty());
  EXPECT_EQ(latest.checkpoint->step, kCheckpointStep);
  EXPECT_EQ(latest.checkpoint->extra["data"]["epoch"], latest.checkpoint->Get("data/position").ToI64("p")[0]);
  resumed.Restore(*latest.checkpoint);
  EXPECT_EQ(resumed.optimizer().iterations(), kCheckpointStep);
  resumed.TrainUntil(kSteps);
  ExpectSameWeights(resumed.Weights(), uninterrupted.Weights());

  // The data generator's state matters: restoring all else but it gives other weights.
  TrainingRun without_data_state(99);
  without_data_state.Restore(*latest.checkpoint, /*with_data_state=*/false);
  without_data_state.TrainUntil(kSteps);
  bool differs = false;
  const auto a = without_data_state.Weights(), b = uninterrupted.Weights();
  for (size_t i = 0; i < a.size(); ++i) differs |= a[i] != b[i];
  EXPECT_TRUE(differs) << "the test would pass without restoring the random generator";
}

TEST(CheckpointResumeTest, RestoringIntoAnotherModelNamesEveryMismatch) {
  TrainingRun run(1);
  run.TrainUntil(2);
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 2);
  manager.Save(run.Checkpoint());
  const CheckpointContents loaded = manager.Load(2);

  Sequential other;
  other.Add(layers::Dense(4, "tanh")).Add(layers::Dense(4, "tanh")).Add(layers::Dense(1));
  other.Build(2, 1);
  const Tensor before = other.parameters().All()[0]->value;
  const std::string message = testing::ErrorOf<IoError>([&] { loaded.RestoreParameters(other.parameters().All()); });
  EXPECT_TRUE(testing::Contains(message, manager.TensorsPath(2) + ": the checkpoint does not fit the model"));
  EXPECT_TRUE(
      testing::Contains(message, "'model/dense/kernel' is F32[2, 8] in the checkpoint but the model's is F32[2, 4]"));
  EXPECT_TRUE(
      testing::Contains(message, "'model/dense_1/kernel' is F32[8, 1] in the checkpoint but the model's is F32[4, 4]"));
  EXPECT_TRUE(
      testing::Contains(message, "'model/dense_2/kernel' is missing from the checkpoint (the model's is F32[4, 1])"));
  EXPECT_TRUE(
      testing::Contains(message, "'model/batch_norm/gamma' (F32[1, 8]) is in the checkpoint but not in the model"));
  EXPECT_EQ(other.parameters().All()[0]->value, before) << "a failed restore must change nothing";
}

TEST(CheckpointResumeTest, RestoringIntoAnotherOptimizerNamesTheUnusedSlots) {
  TrainingRun run(1);
  run.TrainUntil(2);
  const CheckpointContents c = run.Checkpoint();
  Sequential model;
  model.Add(layers::Dense(8, "tanh")).Add(layers::Dropout(0.25)).Add(layers::BatchNorm()).Add(layers::Dense(1));
  model.Build(2, 1);
  OptimizerSpec spec;
  spec.name = "adagrad";
  auto adagrad = MakeOptimizer(spec);
  const std::string message =
      testing::ErrorOf<IoError>([&] { c.RestoreOptimizer(*adagrad, model.parameters().Trainable()); });
  EXPECT_TRUE(testing::Contains(message, "checkpoint: the checkpoint holds optimizer state that Adagrad("));
  EXPECT_TRUE(testing::Contains(message, "'optimizer/dense/kernel/m'"));
  EXPECT_TRUE(testing::Contains(message, "'optimizer/dense_1/bias/v'"));

  auto adam = MakeOptimizer(OptimizerSpec{.name = "adam"});
  EXPECT_NO_THROW(c.RestoreOptimizer(*adam, model.parameters().Trainable()));
  EXPECT_EQ(adam->iterations(), 2);
}

TEST(CheckpointResumeTest, RngStateRoundTripsIncludingTheCachedNormal) {
  Rng rng(3);
  rng.Normal();  // leaves the second Box-Muller value cached
  CheckpointContents c;
  c.AddRng("noise", rng);
  Rng restored(0);
  c.RestoreRng("noise", restored);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(restored.Normal(), rng.Normal());
  EXPECT_TRUE(testing::Contains(testing::ErrorOf<IoError>([&] { c.RestoreRng("other", restored); }),
                                "has no tensor 'rng/other'"));
}

TEST(CheckpointResumeTest, NamesAreUniqueAndGlobalStepIsReserved) {
  CheckpointContents c;
  c.Add("a", RawTensor::FromScalar(1.0));
  EXPECT_TRUE(testing::Contains(testing::ErrorOf<IoError>([&] { c.Add("a", RawTensor::FromScalar(2.0)); }),
                                "two tensors are named 'a'"));
  EXPECT_TRUE(
      testing::Contains(testing::ErrorOf<IoError>([&] { c.Add("global_step", RawTensor::FromI64({1})); }), "reserved"));
}

}  // namespace
}  // namespace lever
