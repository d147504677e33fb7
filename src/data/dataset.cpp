#include "lever/data/dataset.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

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

}  // namespace lever
