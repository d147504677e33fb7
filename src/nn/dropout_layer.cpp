#include "lever/nn/dropout_layer.h"

#include <sstream>

#include "lever/error.h"
#include "lever/ops/dropout.h"

namespace lever {

DropoutLayer::DropoutLayer(double rate) : rate_(rate) {
  if (!(rate >= 0.0 && rate < 1.0)) {
    std::ostringstream msg;
    msg << "Dropout rate must be in [0, 1), got " << rate
        << ". It is the fraction of units dropped while training, e.g. 0.1 to 0.5.";
    throw ConfigError(msg.str());
  }
}

Var DropoutLayer::Apply(const Var& x, const LayerContext&) { return Dropout(x, rate_); }

std::string DropoutLayer::Describe() const {
  std::ostringstream out;
  out << "rate=" << rate_;
  return out.str();
}

}  // namespace lever
