#include "lever/estimator/canned.h"

#include <algorithm>
#include <cmath>

#include "lever/error.h"
#include "lever/ops/concat.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "lever/registry.h"

namespace lever {
namespace {

// TensorFlow's linear default when the spec leaves the learning rate at 0: min(0.2, 1 / sqrt(columns)).
OptimizerSpec WithLinearDefault(OptimizerSpec spec, Index columns) {
  if (spec.learning_rate == 0.0) {
    spec.learning_rate = std::min(0.2, 1.0 / std::sqrt(static_cast<double>(std::max<Index>(1, columns))));
  }
  return spec;
}

// The DNN of the canned estimators: hidden layers as `options` says, then the head's logits.
std::shared_ptr<Sequential> MakeDnn(const DnnOptions& options, Index outputs) {
  MlpSpec mlp;
  mlp.hidden = options.hidden_units;
  mlp.activation = options.activation;
  mlp.initializer = options.initializer;
  mlp.regularizer = options.regularizer;
  mlp.dropout = options.dropout;
  mlp.batch_norm = options.batch_norm;
  mlp.outputs = outputs;
  return std::make_shared<Sequential>(MakeMlp(mlp));
}

}  // namespace

ModelFn LinearModelFn(HeadPtr head, LinearOptions options) {
  if (!head) throw ConfigError("a linear estimator needs a head");
  return [head, options](ModelFnContext& ctx) {
    const Index features = ctx.features.dense.cols();
    Var w = ctx.Variable("linear/weights", features, head->LogitsDimension(), "zeros", options.regularizer);
    Var b = ctx.Variable("linear/bias", 1, head->LogitsDimension(), "zeros");
    Var logits = BiasAdd(MatMul(ctx.features.dense, w), b);
    return head->CreateSpec(ctx, logits, {TrainOp{WithLinearDefault(options.optimizer, features), {}}});
  };
}

ModelFn DnnModelFn(HeadPtr head, DnnOptions options) {
  if (!head) throw ConfigError("a DNN estimator needs a head");
  return SequentialModelFn(MakeDnn(options, head->LogitsDimension()), head, options.optimizer);
}

ModelFn SequentialModelFn(std::shared_ptr<Sequential> model, HeadPtr head, OptimizerSpec optimizer) {
  if (!model) throw ConfigError("model_to_estimator needs a model");
  if (!head) throw ConfigError("model_to_estimator needs a head");
  return [model, head, optimizer](ModelFnContext& ctx) {
    Var logits = ctx.Apply(*model, ctx.features.dense);
    return head->CreateSpec(ctx, logits, {TrainOp{optimizer, {}}});
  };
}

WideDeepInputs WideDeepInputs::FromFeatureSets(const FeatureSet* wide, const FeatureSet* deep) {
  WideDeepInputs in;
  if (wide) {
    in.wide_dimension = wide->linear_dimension();
    in.wide_columns = static_cast<Index>(wide->columns().size());
  }
  if (deep) {
    for (const auto& e : deep->embeddings()) {
      in.embeddings.push_back(
          {e->name(), e->categorical()->num_buckets(), e->dimension(), ParseCombiner(e->combiner())});
    }
  }
  return in;
}

ModelFn WideDeepModelFn(HeadPtr head, WideDeepInputs inputs, WideDeepOptions options) {
  if (!head) throw ConfigError("a wide-and-deep estimator needs a head");
  if (!options.use_wide && !options.use_deep)
    throw ConfigError("wide-and-deep: use the wide part, the deep part or both");
  if (options.use_wide && inputs.wide_dimension <= 0) throw ConfigError("wide-and-deep: the wide part has no columns");
  std::shared_ptr<Sequential> dnn;
  if (options.use_deep) {
    dnn = MakeDnn({.hidden_units = options.hidden_units, .activation = options.activation, .dropout = options.dropout},
                  head->LogitsDimension());
  }
  return [head, inputs, options, dnn](ModelFnContext& ctx) {
    const Index k = head->LogitsDimension();
    std::vector<TrainOp> ops;
    Var logits;
    if (options.use_wide) {
      const auto wide = ctx.features.sparse.find("wide");
      if (wide == ctx.features.sparse.end()) throw ConfigError("wide-and-deep: the examples have no \"wide\" input");
      Var w = ctx.SparseVariable("linear/weights", inputs.wide_dimension, k, "zeros", options.linear_regularizer);
      Var b = ctx.Variable("linear/bias", 1, k, "zeros");
      logits = BiasAdd(SparseMatMul(wide->second, w), b);
      ops.push_back({WithLinearDefault(options.linear_optimizer, inputs.wide_columns), {"linear/"}});
    }
    if (options.use_deep) {
      std::vector<Var> parts;
      if (ctx.features.dense.valid()) parts.push_back(ctx.features.dense);
      for (const auto& e : inputs.embeddings) {
        const auto ids = ctx.features.sparse.find("embedding:" + e.name);
        if (ids == ctx.features.sparse.end()) {
          throw ConfigError("wide-and-deep: the examples have no input \"embedding:" + e.name + "\"");
        }
        Var table = ctx.SparseVariable("dnn/embedding/" + e.name, e.buckets, e.dimension, "embedding");
        parts.push_back(SparseMatMul(ids->second, table, e.combiner));
      }
      if (parts.empty()) throw ConfigError("wide-and-deep: the deep part has no numeric or embedding columns");
      Var x = parts.size() == 1 ? parts[0] : Concat(parts);
      Var deep = ctx.Apply(*dnn, x);
      logits = logits.valid() ? Add(logits, deep) : deep;
      ops.push_back({options.dnn_optimizer, {}});
    }
    return head->CreateSpec(ctx, logits, ops);
  };
}

std::unique_ptr<Estimator> MakeWideDeepEstimator(HeadPtr head, const FeatureSet* wide, const FeatureSet* deep,
                                                 WideDeepOptions options, RunConfig config) {
  if (!options.use_wide) wide = nullptr;
  if (!options.use_deep) deep = nullptr;
  return std::make_unique<Estimator>(
      WideDeepModelFn(std::move(head), WideDeepInputs::FromFeatureSets(wide, deep), std::move(options)),
      std::move(config));
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

namespace {

// One line per model type.
// clang-format off
const std::vector<ModelType>& ModelTypeRegistry() {
  static const std::vector<ModelType> table = {
      {"linear", {}, "a linear model over feature_columns", true, false},
      {"dnn", {}, "a feed-forward network over feature_columns", false, true},
      {"wide_and_deep", {}, "a linear part over wide_columns plus a network over deep_columns", true, true},
  };
  return table;
}
// clang-format on

}  // namespace

const ModelType& FindModelType(const std::string& name) {
  return internal::LookUp(ModelTypeRegistry(), name, "model type");
}

bool IsModelTypeName(const std::string& name) { return internal::FindEntry(ModelTypeRegistry(), name) != nullptr; }

std::vector<std::string> ModelTypeNames() { return internal::EntryNames(ModelTypeRegistry()); }

std::vector<NameEntry> ModelTypeEntries() { return internal::Describe(ModelTypeRegistry()); }

}  // namespace lever
