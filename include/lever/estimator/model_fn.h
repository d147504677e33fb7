#pragma once
// The model function: the one piece of code a custom estimator supplies (TensorFlow's model_fn).
//
// The estimator calls it once per graph it builds (training, evaluation, prediction) with the graph's
// feature inputs, labels and mode; the function adds its ops and returns an EstimatorSpec saying which
// node is the loss, which the predictions, and how to train. Variables are created on the first call and
// shared by every later graph (ModelFnContext::Variable and ::Apply are get-or-create), so the same
// weights are trained, evaluated and used for prediction.
//
//   EstimatorSpec MyModel(ModelFnContext& ctx) {
//     Var w = ctx.Variable("linear/weights", ctx.features.dense.cols(), 1, "glorot_uniform");
//     Var b = ctx.Variable("linear/bias", 1, 1, "zeros");
//     Var logits = BiasAdd(MatMul(ctx.features.dense, w), b);
//     return MakeBinaryClassHead()->CreateSpec(ctx, logits, {.name = "adam", .learning_rate = 0.01});
//   }
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/nn/parameter.h"
#include "lever/nn/regularizer.h"
#include "lever/nn/sequential.h"
#include "lever/optim/registry.h"

namespace lever {

enum class Mode { kTrain, kEval, kPredict };
/// "train", "eval", "predict".
const char* ModeName(Mode mode);

/// Hyperparameters handed to the model function (TensorFlow's `params`), by name, as text or numbers.
class Params {
 public:
  Params() = default;
  Params(std::initializer_list<std::pair<const std::string, std::string>> values) : values_(values) {}
  void Set(const std::string& name, const std::string& value) { values_[name] = value; }
  void Set(const std::string& name, double value);
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  /// The value or `fallback` when absent. Throws ConfigError naming the parameter when it does not parse.
  std::string GetString(const std::string& name, const std::string& fallback) const;
  double GetDouble(const std::string& name, double fallback) const;
  int64_t GetInt(const std::string& name, int64_t fallback) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// A graph's feature inputs.
struct FeatureInputs {
  Var dense;                          // (batch, dense features); invalid when the input has none
  std::map<std::string, Var> sparse;  // named sparse inputs (CSR rows), e.g. "wide"
};

/// How one optimizer trains a group of variables: those whose names start with one of `prefixes` (all
/// variables not claimed by an earlier train op when empty). Wide-and-deep uses two: FTRL on "linear/",
/// AdaGrad on the rest.
struct TrainOp {
  OptimizerSpec optimizer;
  std::vector<std::string> prefixes;
};

/// What the model function returns.
struct EstimatorSpec {
  Var predictions;                 // (batch, k): probabilities for classification heads, values for regression
  Var loss;                        // 1 x 1 mean data loss (train and eval; invalid in predict)
  std::vector<TrainOp> train_ops;  // train: at least one
  /// Evaluation metrics from all of an evaluation's predictions and labels (the head's, plus the model
  /// function's own): name -> value.
  std::function<std::map<std::string, double>(const Tensor& predictions, const Tensor& labels)> eval_metrics;
};

class ModelFnContext {
 public:
  ModelFnContext(Mode mode, Graph& graph, FeatureInputs features, Var labels, const Params& params,
                 ParameterStore& store, uint64_t seed, std::vector<Sequential*>* models);

  Mode mode() const { return mode_; }
  bool training() const { return mode_ == Mode::kTrain; }
  Graph& graph() const { return graph_; }
  const Params& params() const { return params_; }
  uint64_t seed() const { return seed_; }

  FeatureInputs features;
  Var labels;  // invalid in predict mode

  /// A (rows, cols) variable bound into this graph. The first call creates and initializes it (seeded from
  /// the estimator's seed and the name); later calls, from this graph or another, bind the same storage
  /// and must give the same shape. Gradients are bound in training graphs only.
  Var Variable(const std::string& name, Index rows, Index cols, const std::string& initializer = "glorot_uniform",
               Regularizer regularizer = {});
  /// The same for a large table that sparse inputs index (embedding tables, wide linear weights): its
  /// gradient is row-sparse, so a step touches and updates only the rows present in the batch (exact for
  /// SGD, AdaGrad and FTRL; Adam's lazy variant).
  Var SparseVariable(const std::string& name, Index rows, Index cols, const std::string& initializer = "zeros",
                     Regularizer regularizer = {});
  /// Applies a Keras-like model to `input`, building it (for input.cols() inputs, from the estimator's seed)
  /// on first use; its variables join the estimator's (trained, checkpointed).
  Var Apply(Sequential& model, const Var& input);
  /// Records the activations of the models Apply adds into `taps` (the training graph's, for the
  /// statistics the training doctor reads; null: none).
  void RecordActivations(std::vector<ActivationTap>* taps) { taps_ = taps; }

 private:
  Parameter& GetOrCreate(const std::string& name, Index rows, Index cols, const std::string& initializer,
                         Regularizer regularizer, bool sparse);

  Mode mode_;
  Graph& graph_;
  const Params& params_;
  ParameterStore& store_;
  uint64_t seed_;
  std::vector<Sequential*>* models_;
  std::vector<ActivationTap>* taps_ = nullptr;
};

using ModelFn = std::function<EstimatorSpec(ModelFnContext&)>;

}  // namespace lever
