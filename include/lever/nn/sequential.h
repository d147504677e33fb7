#pragma once
// A Keras-like model: a stack of layers, built once for a number of inputs from an explicit seed.
//
//   Sequential model;
//   model.Add(layers::Dense(8, "tanh")).Add(layers::Dropout(0.1)).Add(layers::Dense(1));
//   model.Build(/*input_units=*/2, /*seed=*/1);
//   std::cout << model.Summary();
#include <memory>
#include <string>
#include <vector>

#include "lever/nn/batch_norm_layer.h"
#include "lever/nn/dense.h"
#include "lever/nn/dropout_layer.h"
#include "lever/nn/layer.h"

namespace lever {

class Sequential {
 public:
  explicit Sequential(std::string name = "sequential") : name_(std::move(name)) {}
  Sequential(const Sequential&) = delete;
  Sequential& operator=(const Sequential&) = delete;
  Sequential(Sequential&&) = default;
  Sequential& operator=(Sequential&&) = default;

  /// Appends a layer. Throws ConfigError once the model is built.
  Sequential& Add(std::unique_ptr<Layer> layer);
  /// Names the layers (dense, dense_1, ...), creates every parameter and initializes it from `seed`.
  void Build(Index input_units, uint64_t seed);
  bool built() const { return built_; }

  /// Adds the whole model after `input` in its graph and returns the output (logits when the last
  /// layer is linear).
  Var Apply(const Var& input, const LayerContext& context) const;

  /// The layer table Keras prints: name (type), output shape, parameter count, and totals.
  std::string Summary() const;

  const std::string& name() const { return name_; }
  Index input_units() const { return input_units_; }
  Index output_units() const;
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  ParameterStore& parameters() { return store_; }
  const ParameterStore& parameters() const { return store_; }
  /// Weights (kernels) that are not exactly zero, and how many kernel weights there are in all.
  Index CountNonzeroWeights() const;
  Index CountKernelWeights() const;

 private:
  std::string name_;
  std::vector<std::unique_ptr<Layer>> layers_;
  ParameterStore store_;
  Index input_units_ = 0;
  bool built_ = false;
};

/// Keras-style layer constructors.
namespace layers {
std::unique_ptr<Layer> Dense(Index units, const std::string& activation = "linear",
                             const std::string& initializer = "glorot_uniform", Regularizer regularizer = {});
std::unique_ptr<Layer> Dropout(double rate);
std::unique_ptr<Layer> BatchNorm(BatchNormOptions options = {});
}  // namespace layers

}  // namespace lever
