#pragma once
// Coordinate descent for L1/L2-regularized logistic and linear regression on sparse rows in memory: the
// batch solver of LIBLINEAR's and glmnet's family, for when the data fits in memory and the best
// regularized model (not the fastest single pass) is wanted.
//
// Objective (lever's penalties are on the mean loss):
//   mean_i loss(y_i, b + w . x_i) + sum_j l1 * c_j * |w_j| + l2 * sum_j w_j^2
// with c_j = 1 (L1Scale::kNone) or c_j = the standard deviation of feature j over the rows
// (L1Scale::kStd: the L1 penalty of standardized features, glmnet's default). With kStd a weight is
// selected when its gradient at zero is a fixed number of standard errors away from zero, whether the
// feature is common or rare; with kNone rare features need far stronger evidence than common ones.
// The bias b is not penalized.
//
// Each sweep visits every feature once, in index order, and takes the exact minimizer of the penalized
// second-order model of the loss along that coordinate (a soft-thresholded Newton step, capped at
// `max_step` in the margin); the rows' margins, kept with their exp(-margin), are updated at once, so the
// next coordinate sees the current model. The bias takes a Newton step before every sweep. Features
// never present stay zero. The data are transposed once (per-feature lists of rows), on `threads`
// threads. Row state is single precision (8 bytes a row, so a million rows stay in cache); the weights
// and the sums are double.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lever/optim/convergence.h"
#include "lever/tensor/sparse.h"

namespace lever {

enum class L1Scale { kNone, kStd };

/// "none" or "std"; throws ConfigError naming the valid values otherwise.
L1Scale ParseL1Scale(const std::string& text);

struct CoordinateDescentOptions {
  /// sigmoid_cross_entropy (labels 0/1) or mean_squared_error.
  std::string loss = "sigmoid_cross_entropy";
  double l1 = 0.0;
  double l2 = 0.0;
  L1Scale l1_scale = L1Scale::kNone;
  int max_sweeps = 20;
  /// Stops when a sweep lowers the objective by less than this fraction of it.
  double tolerance = 1e-4;
  /// Largest change of one weight in one coordinate step (a trust region for the logistic loss's Newton
  /// step). The squared loss's coordinate step is exact and is not capped, so that targets and weights
  /// of any scale (targets around 150 need weights in the hundreds) are reached in a few sweeps.
  double max_step = 2.0;
  /// Threads for the transpose (0 = one per core). Sweeps run on one thread unless threads >= 2 is given:
  /// then the long features (4096 rows or more) are summed and updated in two halves on two threads.
  /// The result does not depend on it.
  int threads = 0;
};

struct CoordinateDescentProgress {
  int sweep = 0;
  double objective = 0.0;  // mean loss + penalties
  double loss = 0.0;       // mean training loss
  int64_t nonzero = 0;     // nonzero weights
  int64_t changed = 0;     // weights this sweep changed
  double seconds = 0.0;    // since the solver started
};
using CoordinateDescentProgressFn = std::function<void(const CoordinateDescentProgress&)>;

struct CoordinateDescentResult {
  std::vector<float> weights;  // one per feature (x.cols)
  float bias = 0.0f;
  int sweeps = 0;
  double objective = 0.0;
  double loss = 0.0;
  bool converged = false;  // the tolerance was met within max_sweeps
  /// The same with the figures: the sweeps, the last sweep's relative change of the objective, and (when
  /// not converged) a reason naming max_sweeps and tolerance.
  Convergence convergence;
};

/// Fits the model. `labels` are 0/1 for the logistic loss, targets for the squared loss. Throws
/// ConfigError for an unsupported loss or a negative penalty and DataError for bad labels or no rows.
CoordinateDescentResult FitCoordinateDescent(const SparseRows& x, const std::vector<float>& labels,
                                             const CoordinateDescentOptions& options,
                                             const CoordinateDescentProgressFn& progress = {});

}  // namespace lever
