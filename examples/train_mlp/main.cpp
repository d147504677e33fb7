// lever as a library: build a Keras-like model, train it by steps on a Playground dataset with a
// progress callback, and read the result. The library never prints; this program does.
#include <cstdio>

#include "lever/data/playground.h"
#include "lever/nn/sequential.h"
#include "lever/train/trainer.h"

namespace {

class Progress : public lever::Hook {
 public:
  bool AfterEvaluation(lever::Learner& /*learner*/, const lever::EvalReport& info) override {
    if (info.name != "evaluation") return false;  // early stopping's holdout checks
    std::printf("step %5lld  train loss %.4f  test accuracy %.3f\n", static_cast<long long>(info.step),
                info.Get("train_loss"), info.Get("validation_accuracy"));
    return false;  // true would stop training early
  }
};

}  // namespace

int main() {
  lever::PlaygroundSpec spec;
  spec.dataset = "xor";
  spec.noise = 0.05;
  const lever::PlaygroundData data = lever::MakePlaygroundData(spec);

  lever::Sequential model;
  model.Add(lever::layers::Dense(8, "relu", "he_normal"))
      .Add(lever::layers::Dense(8, "relu", "he_normal", lever::Regularizer::L2(1e-4)))
      .Add(lever::layers::Dense(1));  // logits: the loss applies the sigmoid
  model.Build(data.train.num_features(), /*seed=*/42);
  std::printf("%s", model.Summary().c_str());

  lever::TrainConfig config;
  config.loss = "sigmoid_cross_entropy";
  config.batch_size = 16;
  config.max_steps = 2000;
  config.eval_every = 500;
  config.optimizer.name = "adam";
  config.optimizer.learning_rate = 0.01;
  lever::Trainer trainer(model, config);
  Progress progress;
  trainer.AddHook(&progress);
  const lever::TrainResult result = trainer.Train(data.train, &data.test);
  std::printf("test accuracy %.4f after %lld steps\n", result.validation->accuracy,
              static_cast<long long>(result.steps));
  return result.validation->accuracy >= 0.9 ? 0 : 1;
}
