#include "lever/estimator/canned.h"

#include <algorithm>
#include <cmath>

#include "lever/error.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"

namespace lever {

ModelFn LinearModelFn(HeadPtr head, LinearOptions options) {
  if (!head) throw ConfigError("a linear estimator needs a head");
  return [head, options](ModelFnContext& ctx) {
    const Index features = ctx.features.dense.cols();
    Var w = ctx.Variable("linear/weights", features, head->LogitsDimension(), "zeros", options.regularizer);
    Var b = ctx.Variable("linear/bias", 1, head->LogitsDimension(), "zeros");
    Var logits = BiasAdd(MatMul(ctx.features.dense, w), b);
    OptimizerSpec optimizer = options.optimizer;
    if (optimizer.learning_rate == 0.0) {
      optimizer.learning_rate = std::min(0.2, 1.0 / std::sqrt(static_cast<double>(std::max<Index>(1, features))));
    }
    return head->CreateSpec(ctx, logits, {TrainOp{optimizer, {}}});
  };
}

ModelFn DnnModelFn(HeadPtr head, DnnOptions options) {
  if (!head) throw ConfigError("a DNN estimator needs a head");
  MlpSpec mlp;
  mlp.hidden = options.hidden_units;
  mlp.activation = options.activation;
  mlp.initializer = options.initializer;
  mlp.regularizer = options.regularizer;
  mlp.dropout = options.dropout;
  mlp.batch_norm = options.batch_norm;
  mlp.outputs = head->LogitsDimension();
  auto model = std::make_shared<Sequential>(MakeMlp(mlp));
  return SequentialModelFn(model, head, options.optimizer);
}

ModelFn SequentialModelFn(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer) {
  if (!model) throw ConfigError("model_to_estimator needs a model");
  if (!head) throw ConfigError("model_to_estimator needs a head");
  return [model, head, optimizer](ModelFnContext& ctx) {
    Var logits = ctx.Apply(*model, ctx.features.dense);
    return head->CreateSpec(ctx, logits, {TrainOp{optimizer, {}}});
  };
}

std::unique_ptr<Estimator> MakeLinearEstimator(HeadPtr head, LinearOptions options, RunConfig config) {
  return std::make_unique<Estimator>(LinearModelFn(std::move(head), std::move(options)), std::move(config));
}

std::unique_ptr<Estimator> MakeDnnEstimator(HeadPtr head, DnnOptions options, RunConfig config) {
  return std::make_unique<Estimator>(DnnModelFn(std::move(head), std::move(options)), std::move(config));
}

std::unique_ptr<Estimator> ModelToEstimator(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer,
                                            RunConfig config) {
  return std::make_unique<Estimator>(SequentialModelFn(std::move(model), std::move(head), std::move(optimizer)),
                                     std::move(config));
}

}  // namespace lever
