// A custom estimator: a model function that builds its own network (a small MLP with a skip
// connection from the inputs to the logits) and returns a spec through a head; train_and_evaluate with
// early stopping and a logging hook; then prediction. The library never prints; this program does.
#include <cstdio>
#include <memory>

#include "lever/data/playground.h"
#include "lever/estimator/estimator.h"
#include "lever/estimator/head.h"
#include "lever/ops/activations.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"

namespace {

// logits = relu(x W1 + b1) W2 + x V + b2: a hidden layer plus a linear shortcut.
lever::EstimatorSpec SkipNet(lever::ModelFnContext& ctx) {
  const lever::Index inputs = ctx.features.dense.cols();
  const auto hidden = ctx.params().GetInt("hidden_units", 8);
  const double learning_rate = ctx.params().GetDouble("learning_rate", 0.03);
  lever::Var w1 = ctx.Variable("skipnet/w1", inputs, hidden, "he_normal");
  lever::Var b1 = ctx.Variable("skipnet/b1", 1, hidden, "zeros");
  lever::Var w2 = ctx.Variable("skipnet/w2", hidden, 1, "glorot_uniform");
  lever::Var v = ctx.Variable("skipnet/shortcut", inputs, 1, "zeros");
  lever::Var b2 = ctx.Variable("skipnet/b2", 1, 1, "zeros");
  lever::Var h = lever::Relu(lever::BiasAdd(lever::MatMul(ctx.features.dense, w1), b1));
  lever::Var logits = lever::BiasAdd(lever::Add(lever::MatMul(h, w2), lever::MatMul(ctx.features.dense, v)), b2);
  return lever::MakeBinaryClassHead()->CreateSpec(
      ctx, logits, {lever::TrainOp{{.name = "adam", .learning_rate = learning_rate}, {}}});
}

}  // namespace

int main() {
  lever::PlaygroundSpec spec;
  spec.dataset = "circle";
  spec.noise = 0.1;
  const lever::PlaygroundData data = lever::MakePlaygroundData(spec);

  lever::Params params;
  params.Set("hidden_units", "8");
  lever::Estimator estimator(SkipNet, lever::RunConfig{.seed = 7}, params);

  auto logger = std::make_shared<lever::LoggingHook>(
      500,
      [](const lever::StepReport& r) {
        std::printf("step %5lld  loss %.4f\n", static_cast<long long>(r.step), r.loss);
      },
      [](const lever::EvalReport& r) {
        std::printf("  eval at %lld: accuracy %.3f  auc %.3f\n", static_cast<long long>(r.step),
                    r.metrics.at("accuracy"), r.metrics.at("auc"));
      });
  auto early = std::make_shared<lever::EarlyStoppingHook>("loss", lever::EarlyStoppingHook::Goal::kMinimize, 1000);
  const auto result = lever::TrainAndEvaluate(
      estimator, data.train, data.test, lever::TrainSpec{.max_steps = 3000, .batch_size = 10, .hooks = {logger, early}},
      lever::EvalSpec{.every_steps = 500});
  const auto& final_metrics = result.final_evaluation().metrics;
  std::printf("final: step %lld  accuracy %.4f  auc %.4f  log loss %.4f\n",
              static_cast<long long>(result.train.global_step), final_metrics.at("accuracy"), final_metrics.at("auc"),
              final_metrics.at("loss"));
  const lever::Tensor p = estimator.Predict(data.test.features.topRows(3));
  for (lever::Index i = 0; i < p.rows(); ++i)
    std::printf("P(y=1 | example %lld) = %.3f\n", static_cast<long long>(i), p(i, 0));
  return final_metrics.at("accuracy") > 0.9 ? 0 : 1;
}
