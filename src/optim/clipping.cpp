#include "lever/optim/clipping.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

// Calls fn(grad, n) for each run of gradient the optimizer will use: whole tensors, or the touched rows of
// row-sparse parameters. Rows are de-duplicated so that a row listed twice is scaled once.
template <class Fn>
void ForEachGradientSpan(const ParameterList& params, Fn&& fn) {
  for (Parameter* p : params) {
    if (!p->trainable) continue;
    if (!p->sparse_grad) {
      fn(p->grad.data(), p->grad.size());
      continue;
    }
    const Index cols = p->grad.cols();
    for (Index row : p->touched.rows()) {  // distinct by construction
      assert(row >= 0 && row < p->grad.rows());
      fn(p->grad.data() + row * cols, cols);
    }
  }
}

void CheckPositive(const char* where, const char* what, double value) {
  if (!(value > 0.0)) {
    std::ostringstream msg;
    msg << where << ": " << what << " must be a positive number, got " << value;
    throw ConfigError(msg.str());
  }
}

}  // namespace

double GlobalGradientNorm(const ParameterList& params) {
  double sum_squares = 0.0;
  ForEachGradientSpan(params, [&](const float* g, Index n) {
    for (Index i = 0; i < n; ++i) sum_squares += static_cast<double>(g[i]) * static_cast<double>(g[i]);
  });
  return std::sqrt(sum_squares);
}

double ClipByGlobalNorm(const ParameterList& params, double clip_norm) {
  CheckPositive("clip_by_global_norm", "clip_norm", clip_norm);
  const double norm = GlobalGradientNorm(params);
  // A non-finite norm is left for the caller to report as divergence; scaling by 0 would hide it.
  if (!(norm > clip_norm) || !std::isfinite(norm)) return norm;
  const float scale = static_cast<float>(clip_norm / norm);
  ForEachGradientSpan(params, [scale](float* g, Index n) {
    for (Index i = 0; i < n; ++i) g[i] *= scale;
  });
  return norm;
}

Index ClipByValue(const ParameterList& params, double clip_value) {
  CheckPositive("clip_by_value", "clip_value", clip_value);
  const float limit = static_cast<float>(clip_value);
  Index clipped = 0;
  ForEachGradientSpan(params, [&](float* g, Index n) {
    for (Index i = 0; i < n; ++i) {
      clipped += (g[i] > limit || g[i] < -limit) ? 1 : 0;
      g[i] = std::clamp(g[i], -limit, limit);
    }
  });
  return clipped;
}

}  // namespace lever
