#pragma once
#include <string>

namespace lever {

/// Weight penalties for a layer's kernel (Keras' convention): l1 * sum |w| + l2 * sum w^2.
/// Both set is the elastic net. L1 is applied as a proximal step by the optimizer, so weights become
/// exactly zero and the model's nonzero count is a real feature-selection result.
struct Regularizer {
  double l1 = 0.0;
  double l2 = 0.0;

  static Regularizer L1(double strength) { return {strength, 0.0}; }
  static Regularizer L2(double strength) { return {0.0, strength}; }
  static Regularizer ElasticNet(double l1, double l2) { return {l1, l2}; }
  bool active() const { return l1 != 0.0 || l2 != 0.0; }
  /// Throws ConfigError for negative or non-finite strengths.
  void Validate() const;
  std::string ToString() const;
};

}  // namespace lever
