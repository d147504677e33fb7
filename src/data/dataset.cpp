#include "lever/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "lever/error.h"
#include "lever/tensor/rng.h"

namespace lever {

void CheckFiniteFeatures(const Tensor& features, const std::vector<std::string>& names, const std::string& what) {
  if (features.size() == 0 || features.allFinite()) return;
  for (Index i = 0; i < features.rows(); ++i) {
    for (Index j = 0; j < features.cols(); ++j) {
      if (!std::isfinite(features(i, j))) {
        std::ostringstream msg;
        msg << what << " set example " << i << ", feature "
            << (static_cast<size_t>(j) < names.size() ? names[static_cast<size_t>(j)] : std::to_string(j)) << " is "
            << features(i, j) << "; fill or drop missing values first";
        throw DataError(msg.str());
      }
    }
  }
}

namespace {

std::vector<bool> DrawRows(Index n, Index held, uint64_t seed, uint64_t stream) {
  std::vector<Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng = Rng::Stream(seed, stream, 0);
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.UniformInt(i + 1)]);
  std::vector<bool> is_held(static_cast<size_t>(n), false);
  for (Index i = 0; i < held; ++i) is_held[static_cast<size_t>(order[static_cast<size_t>(i)])] = true;
  return is_held;
}

Index HeldRows(Index n, double fraction, Index max_rows) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    throw ConfigError("a holdout fraction is in (0, 1), got " + std::to_string(fraction));
  }
  if (n < 2) throw DataError("holding out rows for validation needs at least 2 examples, got " + std::to_string(n));
  return std::clamp<Index>(std::min(static_cast<Index>(std::llround(fraction * static_cast<double>(n))), max_rows), 1,
                           n - 1);
}

}  // namespace

std::vector<bool> HoldoutMask(Index n, double fraction, uint64_t seed) {
  return DrawRows(n, HeldRows(n, fraction, kMaxHoldoutRows), seed, 0x401D0075ULL);
}

std::vector<bool> RowSplitMask(Index n, double fraction, uint64_t seed, uint64_t stream) {
  return DrawRows(n, HeldRows(n, fraction, n), seed, stream);
}

std::pair<Dataset, Dataset> SplitHoldout(const Dataset& data, double fraction, uint64_t seed) {
  const Index n = data.size();
  const std::vector<bool> is_held = HoldoutMask(n, fraction, seed);
  const auto held = static_cast<Index>(std::count(is_held.begin(), is_held.end(), true));
  std::pair<Dataset, Dataset> out;
  for (Dataset* d : {&out.first, &out.second}) {
    d->feature_names = data.feature_names;
    const Index rows = d == &out.second ? held : n - held;
    d->features.resize(rows, data.features.cols());
    d->labels.resize(rows, data.labels.cols());
  }
  Index rest = 0, hold = 0;
  for (Index r = 0; r < n; ++r) {
    Dataset& d = is_held[static_cast<size_t>(r)] ? out.second : out.first;
    Index& at = is_held[static_cast<size_t>(r)] ? hold : rest;
    d.features.row(at) = data.features.row(r);
    d.labels.row(at) = data.labels.row(r);
    ++at;
  }
  return out;
}

}  // namespace lever
