#include "lever/nn/initializer.h"

#include <cmath>

#include "lever/error.h"
#include "lever/registry.h"

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

struct InitializerKind {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  void (*fill)(Tensor& kernel, Rng& rng, double fan_in, double fan_out);
};

// One line per initializer.
// clang-format off
const std::vector<InitializerKind>& Registry() {
  static const std::vector<InitializerKind> table = {
      {"glorot_uniform", {}, "U(-l, l), l = sqrt(6 / (fan_in + fan_out))",
       [](Tensor& t, Rng& rng, double in, double out) { Uniform(t, rng, std::sqrt(6.0 / (in + out))); }},
      {"glorot_normal", {}, "truncated normal, stddev sqrt(2 / (fan_in + fan_out))",
       [](Tensor& t, Rng& rng, double in, double out) { TruncatedNormal(t, rng, std::sqrt(2.0 / (in + out))); }},
      {"he_normal", {}, "truncated normal, stddev sqrt(2 / fan_in); suits ReLU",
       [](Tensor& t, Rng& rng, double in, double) { TruncatedNormal(t, rng, std::sqrt(2.0 / in)); }},
      {"he_uniform", {}, "U(-l, l), l = sqrt(6 / fan_in)",
       [](Tensor& t, Rng& rng, double in, double) { Uniform(t, rng, std::sqrt(6.0 / in)); }},
      {"lecun_normal", {}, "truncated normal, stddev sqrt(1 / fan_in)",
       [](Tensor& t, Rng& rng, double in, double) { TruncatedNormal(t, rng, std::sqrt(1.0 / in)); }},
      {"embedding", {}, "truncated normal, stddev 1 / sqrt(columns), for embedding tables",
       [](Tensor& t, Rng& rng, double, double out) { TruncatedNormal(t, rng, 1.0 / std::sqrt(out)); }},
      {"zeros", {}, "all 0", [](Tensor& t, Rng&, double, double) { t.setZero(); }},
      {"ones", {}, "all 1", [](Tensor& t, Rng&, double, double) { t.setOnes(); }},
  };
  return table;
}
// clang-format on

const InitializerKind& Find(const std::string& name) { return internal::LookUp(Registry(), name, "initializer"); }

}  // namespace

std::vector<std::string> InitializerNames() { return internal::EntryNames(Registry()); }

std::vector<NameEntry> InitializerEntries() { return internal::Describe(Registry()); }

void CheckInitializer(const std::string& initializer) { Find(initializer); }

void Initialize(const std::string& initializer, Tensor& kernel, Rng& rng) {
  Find(initializer).fill(kernel, rng, static_cast<double>(kernel.rows()), static_cast<double>(kernel.cols()));
}

}  // namespace lever
