#include "lever/nn/initializer.h"

#include <cmath>

#include "lever/error.h"

namespace lever {
namespace {

// stddev of a standard normal truncated to [-2, 2]; dividing by it restores the requested stddev.
constexpr double kTruncatedStddev = 0.87962566103423978;

void Uniform(Tensor& t, Rng& rng, double limit) {
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<float>(rng.Uniform(-limit, limit));
}

void TruncatedNormal(Tensor& t, Rng& rng, double stddev) {
  const double s = stddev / kTruncatedStddev;
  for (Index i = 0; i < t.size(); ++i) {
    double z = 0;
    do {
      z = rng.Normal();
    } while (std::abs(z) > 2.0);
    t.data()[i] = static_cast<float>(z * s);
  }
}

}  // namespace

std::vector<std::string> InitializerNames() {
  return {"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal", "embedding", "zeros", "ones"};
}

void Initialize(const std::string& initializer, Tensor& kernel, Rng& rng) {
  const double fan_in = static_cast<double>(kernel.rows());
  const double fan_out = static_cast<double>(kernel.cols());
  if (initializer == "glorot_uniform") {
    Uniform(kernel, rng, std::sqrt(6.0 / (fan_in + fan_out)));
  } else if (initializer == "glorot_normal") {
    TruncatedNormal(kernel, rng, std::sqrt(2.0 / (fan_in + fan_out)));
  } else if (initializer == "he_normal") {
    TruncatedNormal(kernel, rng, std::sqrt(2.0 / fan_in));
  } else if (initializer == "he_uniform") {
    Uniform(kernel, rng, std::sqrt(6.0 / fan_in));
  } else if (initializer == "lecun_normal") {
    TruncatedNormal(kernel, rng, std::sqrt(1.0 / fan_in));
  } else if (initializer == "embedding") {
    TruncatedNormal(kernel, rng, 1.0 / std::sqrt(fan_out));
  } else if (initializer == "zeros") {
    kernel.setZero();
  } else if (initializer == "ones") {
    kernel.setOnes();
  } else {
    std::string valid;
    for (const auto& n : InitializerNames()) valid += (valid.empty() ? "" : ", ") + n;
    throw ConfigError("unknown initializer '" + initializer + "'. Valid initializers: " + valid + ".");
  }
}

}  // namespace lever
