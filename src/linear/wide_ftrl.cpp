#include "linear/wide_ftrl.h"

#include <algorithm>
#include <cmath>

#include "lever/tensor/memory.h"

namespace lever::internal {
namespace {
constexpr int64_t kAhead = 40;  // entries to prefetch ahead: cells are scattered over a large table
}  // namespace

WideFtrl::WideFtrl(Index features, const FtrlOptions& options, double param_l1, double param_l2, bool l1_by_std)
    : features_(features),
      options_(options),
      param_l1_(param_l1),
      param_l2_(param_l2),
      cells_(static_cast<size_t>(features),
             Cell{0.0f, static_cast<float>(std::sqrt(options.initial_accumulator_value)), 0.0f, 0.0f}),
      moments_(l1_by_std ? HugePageArray<Moments>(static_cast<size_t>(features), Moments{})
                         : HugePageArray<Moments>()) {
  bias_ = cells_[0];
}

float WideFtrl::Logit(const SparseRows& x, Index row) const {
  float logit = bias_.w;
  const int64_t end = x.row_ptr[static_cast<size_t>(row) + 1];
  const int64_t nnz = static_cast<int64_t>(x.ids.size());
  for (int64_t k = x.row_ptr[static_cast<size_t>(row)]; k < end; ++k) {
    if (k + kAhead < nnz) {
      const auto ahead = static_cast<size_t>(x.ids[static_cast<size_t>(k + kAhead)]);
      __builtin_prefetch(&cells_[ahead], 1);
      if (moments_) __builtin_prefetch(&moments_[ahead], 1);
    }
    logit += x.values[static_cast<size_t>(k)] * cells_[static_cast<size_t>(x.ids[static_cast<size_t>(k)])].w;
  }
  return logit;
}

double WideFtrl::Step(const SparseRows& x, const float* labels, bool logistic, float learning_rate, int64_t t) {
  const Index rows = x.rows();
  if (rows == 0) return 0.0;
  const float inv_rows = 1.0f / static_cast<float>(rows);
  touched_.clear();
  double loss = 0.0;
  float bias_gradient = 0.0f;
  for (Index i = 0; i < rows; ++i) {
    const float logit = Logit(x, i);
    const float y = labels[i];
    float d = 0.0f;
    if (logistic) {
      // Stable log loss from the logit: max(x, 0) - x y + log(1 + exp(-|x|)).
      loss += std::max(logit, 0.0f) - logit * y + std::log1p(std::exp(-std::fabs(logit)));
      d = (1.0f / (1.0f + std::exp(-logit)) - y) * inv_rows;
    } else {
      const float r = logit - y;
      loss += static_cast<double>(r) * r;
      d = 2.0f * r * inv_rows;
    }
    bias_gradient += d;
    // The cells were just read for the logit: accumulating here hits the cache.
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      const int32_t id = x.ids[static_cast<size_t>(k)];
      Cell& c = cells_[static_cast<size_t>(id)];
      if (c.g == 0.0f) touched_.push_back(id);
      const float v = x.values[static_cast<size_t>(k)];
      c.g += v * d;
      if (moments_) {
        Moments& m = moments_[static_cast<size_t>(id)];
        m.sum += v;
        m.sum_sq += v * v;
      }
    }
  }
  // Penalties on the mean loss weigh t times as much in FTRL's sum of t losses (see Ftrl).
  const double td = static_cast<double>(t);
  const float l1 = static_cast<float>(options_.l1 + td * param_l1_);
  const float two_l2 = static_cast<float>(2.0 * (options_.l2 + td * param_l2_));
  const float two_shrinkage = static_cast<float>(2.0 * options_.l2_shrinkage);
  const float inv_lr = 1.0f / learning_rate;
  if (moments_) examples_ += static_cast<double>(rows);
  UpdateTouched(inv_lr, l1, two_l2, two_shrinkage, static_cast<float>(options_.l1), static_cast<float>(td * param_l1_));
  FtrlCoordinateSqrt(bias_.w, bias_gradient, bias_.s, bias_.z, inv_lr, static_cast<float>(options_.l1),
                     static_cast<float>(2.0 * options_.l2), two_shrinkage);
  return loss / static_cast<double>(rows);
}

void WideFtrl::UpdateTouched(float inv_lr, float l1, float two_l2, float two_shrinkage, float base_l1, float step_l1) {
  // Blocks of touched features are copied into columns (structure of arrays), updated by a loop the
  // compiler vectorizes (square roots and divisions eight at a time) and copied back. The arithmetic per
  // feature is FtrlCoordinateSqrt's, in the same order.
  constexpr size_t kBlock = 64;
  alignas(32) float w[kBlock], g[kBlock], s[kBlock], z[kBlock], l1s[kBlock];
  const float inv_examples = moments_ ? static_cast<float>(1.0 / examples_) : 0.0f;
  for (size_t begin = 0; begin < touched_.size(); begin += kBlock) {
    const size_t n = std::min(kBlock, touched_.size() - begin);
    const int32_t* ids = touched_.data() + begin;
    // The next block's cells (read this step, but not necessarily still in the nearest caches).
    const size_t next = std::min(kBlock, touched_.size() - std::min(touched_.size(), begin + kBlock));
    for (size_t j = 0; j < next; ++j) {
      __builtin_prefetch(&cells_[static_cast<size_t>(ids[kBlock + j])], 1);
      if (moments_) __builtin_prefetch(&moments_[static_cast<size_t>(ids[kBlock + j])]);
    }
    for (size_t j = 0; j < n; ++j) {
      const Cell& c = cells_[static_cast<size_t>(ids[j])];
      w[j] = c.w;
      g[j] = c.g;
      s[j] = c.s;
      z[j] = c.z;
    }
    if (moments_) {
      // Feature j's L1 is param_l1 * std_j: its standard deviation over the examples so far.
      float sum[kBlock], sum_sq[kBlock];
      for (size_t j = 0; j < n; ++j) {
        const Moments& m = moments_[static_cast<size_t>(ids[j])];
        sum[j] = m.sum;
        sum_sq[j] = m.sum_sq;
      }
      for (size_t j = 0; j < n; ++j) {
        const float mean = sum[j] * inv_examples;
        const float std = std::sqrt(std::max(0.0f, sum_sq[j] * inv_examples - mean * mean));
        l1s[j] = base_l1 + step_l1 * std;
      }
    } else {
      for (size_t j = 0; j < n; ++j) l1s[j] = l1;
    }
    for (size_t j = 0; j < n; ++j) FtrlCoordinateSqrt(w[j], g[j], s[j], z[j], inv_lr, l1s[j], two_l2, two_shrinkage);
    for (size_t j = 0; j < n; ++j) {
      Cell& c = cells_[static_cast<size_t>(ids[j])];
      c.w = w[j];
      c.s = s[j];
      c.z = z[j];
      c.g = 0.0f;
    }
  }
}

void WideFtrl::Predict(const SparseRows& x, bool logistic, float* out) const {
  for (Index i = 0; i < x.rows(); ++i) {
    const float logit = Logit(x, i);
    out[i] = logistic ? 1.0f / (1.0f + std::exp(-logit)) : logit;
  }
}

Index WideFtrl::CountNonzero() const {
  Index n = 0;
  for (Index i = 0; i < features_; ++i) n += cells_[static_cast<size_t>(i)].w != 0.0f;
  return n;
}

}  // namespace lever::internal
