#pragma once
// Layers: the building blocks of a Sequential model. A layer creates its parameters once (Build) and
// adds its ops to any number of graphs (Apply): one for training, one for inference.
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "lever/tensor/rng.h"

namespace lever {

struct ActivationKind;

/// A layer's post-activation output in a graph, recorded so training can summarize activations
/// (fraction of ReLU units at zero, of sigmoid/tanh units saturated).
struct ActivationTap {
  std::string layer;       // "dense_1"
  std::string activation;  // "relu"
  Var output;
  const ActivationKind* kind = nullptr;  // what the statistics look for
};

/// How a layer is being added to a graph.
struct LayerContext {
  bool with_gradients = true;                  // bind parameter gradients (training graphs)
  std::vector<ActivationTap>* taps = nullptr;  // where to record activations, if anywhere
};

class Layer {
 public:
  virtual ~Layer() = default;
  /// "Dense", "Dropout", "BatchNorm" (the type column of a model summary).
  virtual std::string TypeName() const = 0;
  /// Default name stem ("dense"); Sequential numbers repeats ("dense_1").
  virtual std::string DefaultName() const = 0;
  const std::string& name() const { return name_; }
  void set_name(const std::string& name) { name_ = name; }

  /// Creates the layer's parameters in `store` for inputs of `input_units` columns.
  virtual void Build(Index input_units, ParameterStore& store, Rng& rng) = 0;
  virtual Index OutputUnits(Index input_units) const = 0;
  /// Adds the layer's ops after x in x's graph and returns the output.
  virtual Var Apply(const Var& x, const LayerContext& context) = 0;
  /// Parameters this layer created, trainable or not.
  virtual std::vector<Parameter*> Parameters() const { return {}; }
  /// A one-line description of the layer's settings for logs ("units=8, activation=tanh, l2=0.001").
  virtual std::string Describe() const = 0;

 protected:
  /// Binds a parameter into x's graph, with its gradient when the context asks for one.
  static Var BindParameter(Graph& graph, Parameter& p, const LayerContext& context) {
    return graph.Bind(p.name, &p.value, context.with_gradients && p.trainable ? &p.grad : nullptr);
  }

 private:
  std::string name_;
};

}  // namespace lever
