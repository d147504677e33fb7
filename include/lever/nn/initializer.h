#pragma once
// Weight initializers, all drawn from an explicit Rng so that the same seed gives the same model.
#include <string>
#include <vector>

#include "lever/registry.h"
#include "lever/tensor/rng.h"
#include "lever/tensor/tensor.h"

namespace lever {

/// Fills a (fan_in, fan_out) kernel:
///   glorot_uniform (Glorot and Bengio 2010): U(-l, l), l = sqrt(6 / (fan_in + fan_out))   [Keras' default]
///   glorot_normal:  truncated normal, stddev sqrt(2 / (fan_in + fan_out))
///   he_normal (He et al. 2015): truncated normal, stddev sqrt(2 / fan_in)   [suits ReLU]
///   he_uniform:     U(-l, l), l = sqrt(6 / fan_in)
///   lecun_normal:   truncated normal, stddev sqrt(1 / fan_in)
///   embedding:      truncated normal, stddev 1 / sqrt(fan_out): a (vocabulary, dimension) table, as
///                   TensorFlow's embedding_column initializes it
///   zeros, ones
/// Truncated normals are cut at two standard deviations and rescaled to keep the stated stddev, as Keras
/// does. Throws ConfigError for an unknown name, listing the valid ones.
void Initialize(const std::string& initializer, Tensor& kernel, Rng& rng);

/// Every registered initializer name, in table order (src/nn/initializer.cpp).
std::vector<std::string> InitializerNames();

/// Every initializer with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> InitializerEntries();

/// Throws ConfigError for an unknown initializer, listing the valid ones.
void CheckInitializer(const std::string& initializer);

}  // namespace lever
