#include "lever/nn/regularizer.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {

void Regularizer::Validate() const {
  for (const auto& [name, v] : {std::pair<const char*, double>{"l1", l1}, {"l2", l2}}) {
    if (!(v >= 0.0) || !std::isfinite(v)) {
      std::ostringstream msg;
      msg << name << " regularization strength must be a finite number >= 0, got " << v
          << ". Typical values: 0.0001 to 0.1.";
      throw ConfigError(msg.str());
    }
  }
}

std::string Regularizer::ToString() const {
  std::ostringstream out;
  if (l1 != 0.0 && l2 != 0.0) {
    out << "elastic_net(l1=" << l1 << ", l2=" << l2 << ")";
  } else if (l1 != 0.0) {
    out << "l1(" << l1 << ")";
  } else if (l2 != 0.0) {
    out << "l2(" << l2 << ")";
  } else {
    out << "none";
  }
  return out.str();
}

}  // namespace lever
