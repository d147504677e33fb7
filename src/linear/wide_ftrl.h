#pragma once
// The fused FTRL kernel behind LinearModel for one-output logistic and linear regression (internal).
//
// Wide models touch a few rows of a huge table per example, so memory latency, not arithmetic, sets the
// speed. Here each feature's weight, FTRL accumulator and linear term live side by side in one 16-byte
// cell (a single cache line serves the forward pass, the gradient and the update), and one pass over a
// batch computes the predictions, accumulates each touched feature's gradient and applies the update.
// The arithmetic is the Ftrl optimizer's (FtrlCoordinateSqrt: it keeps sqrt(n), saving a square root).
#include <cstdint>
#include <memory>
#include <vector>

#include "lever/optim/ftrl.h"
#include "lever/tensor/memory.h"
#include "lever/tensor/sparse.h"

namespace lever::internal {

class WideFtrl {
 public:
  /// `l1`/`l2` are the optimizer's (TensorFlow's); `param_l1`/`param_l2` are mean-loss penalties on the
  /// weights (scaled by the step count, as Ftrl does for parameters).
  /// With `l1_by_std`, feature j's mean-loss L1 is param_l1 times its standard deviation over the examples
  /// seen so far (the online form of L1Scale::kStd; counts kept beside the cells).
  WideFtrl(Index features, const FtrlOptions& options, double param_l1, double param_l2, bool l1_by_std = false);

  /// One step on a batch; returns its mean data loss. labels: 0/1 (logistic) or targets.
  double Step(const SparseRows& x, const float* labels, bool logistic, float learning_rate, int64_t t);
  /// Probabilities (logistic) or values into out[rows].
  void Predict(const SparseRows& x, bool logistic, float* out) const;

  Index features() const { return features_; }
  float weight(Index feature) const { return cells_[static_cast<size_t>(feature)].w; }
  float bias() const { return bias_.w; }
  Index CountNonzero() const;

 private:
  struct Cell {
    float w = 0.0f;
    float s = 0.0f;  // sqrt of FTRL's accumulator n
    float z = 0.0f;
    float g = 0.0f;  // this step's gradient; zero between steps
  };
  float Logit(const SparseRows& x, Index row) const;
  /// Applies FTRL to every feature in touched_ (L1: `l1`, or base_l1 + step_l1 * std with moments).
  void UpdateTouched(float inv_lr, float l1, float two_l2, float two_shrinkage, float base_l1, float step_l1);

  Index features_;
  FtrlOptions options_;
  double param_l1_, param_l2_;
  HugePageArray<Cell> cells_;
  struct Moments {
    float sum = 0.0f;     // of the feature's values so far
    float sum_sq = 0.0f;  // of their squares
  };
  HugePageArray<Moments> moments_;  // with l1_by_std only
  double examples_ = 0.0;           // seen so far
  Cell bias_;
  std::vector<int32_t> touched_;  // features whose gradient this step made nonzero (a repeat is harmless:
                                  // its second update sees g = 0, which changes nothing)
};

}  // namespace lever::internal
