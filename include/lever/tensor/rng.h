#pragma once
// Deterministic random numbers, identical on every platform (no std:: distributions, whose
// algorithms differ between standard libraries).
#include <cmath>
#include <cstdint>

namespace lever {

/// SplitMix64 finalizer: a strong 64-bit mix, used to derive independent streams from (seed, counters).
inline constexpr uint64_t Mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna, 2018), seeded through SplitMix64.
/// The whole state is four words, so it can be saved in a checkpoint and restored exactly.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { Seed(seed); }
  /// An independent stream derived from a seed and up to two counters (for example op id and step).
  static Rng Stream(uint64_t seed, uint64_t a, uint64_t b = 0) {
    return Rng(Mix64(seed ^ Mix64(a ^ Mix64(b + 0x632BE59BD9B4E019ULL))));
  }

  void Seed(uint64_t seed) {
    uint64_t z = seed;
    for (auto& word : s_) {
      z += 0x9E3779B97F4A7C15ULL;
      word = Mix64(z);
    }
  }

  uint64_t NextU64() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  /// Uniform float in [0, 1) with 24 random bits (fast path for dropout masks).
  float UniformFloat() { return static_cast<float>(NextU64() >> 40) * 0x1.0p-24f; }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
  uint64_t UniformInt(uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<U128>(NextU64()) * n) >> 64);
  }
  /// Standard normal (Box-Muller, both values used).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 0.0;
    do {
      u1 = Uniform();
    } while (u1 <= 0.0);
    const double u2 = Uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * 3.14159265358979323846 * u2;
    spare_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
  }
  double Normal(double mean, double stddev) { return mean + stddev * Normal(); }

  /// State for checkpoints: the four words plus the cached normal.
  struct State {
    uint64_t s[4];
    double spare;
    bool has_spare;
  };
  State GetState() const { return {{s_[0], s_[1], s_[2], s_[3]}, spare_, has_spare_}; }
  void SetState(const State& st) {
    for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
    spare_ = st.spare;
    has_spare_ = st.has_spare;
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4] = {0, 0, 0, 0};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace lever
