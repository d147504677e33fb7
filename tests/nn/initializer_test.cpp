#include "lever/nn/initializer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"

namespace lever {
namespace {

double Stddev(const Tensor& t) {
  const double mean = t.mean();
  return std::sqrt((t.array() - static_cast<float>(mean)).square().mean());
}

TEST(InitializerTest, GlorotUniformStaysWithinItsLimitAndFillsIt) {
  Rng rng(1);
  Tensor w(300, 200);
  Initialize("glorot_uniform", w, rng);
  const double limit = std::sqrt(6.0 / 500.0);
  EXPECT_LE(w.cwiseAbs().maxCoeff(), limit);
  EXPECT_GT(w.cwiseAbs().maxCoeff(), 0.99 * limit);
  EXPECT_NEAR(Stddev(w), limit / std::sqrt(3.0), 0.01 * limit);  // uniform: limit / sqrt(3)
  EXPECT_NEAR(w.mean(), 0.0, 0.01 * limit);
}

TEST(InitializerTest, HeNormalHasStddevSqrtTwoOverFanIn) {
  Rng rng(2);
  Tensor w(400, 300);
  Initialize("he_normal", w, rng);
  const double stddev = std::sqrt(2.0 / 400.0);
  EXPECT_NEAR(Stddev(w), stddev, 0.02 * stddev);
  // Truncated at two (rescaled) standard deviations.
  EXPECT_LE(w.cwiseAbs().maxCoeff(), 2.0 * stddev / 0.87962566103423978 + 1e-6);
}

TEST(InitializerTest, ZerosOnesAndUnknown) {
  Rng rng(3);
  Tensor w(3, 4);
  Initialize("zeros", w, rng);
  EXPECT_TRUE(w.isZero());
  Initialize("ones", w, rng);
  EXPECT_TRUE(w.isOnes());
  try {
    Initialize("xavier", w, rng);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("glorot_uniform, glorot_normal, he_normal"), std::string::npos);
  }
}

TEST(InitializerTest, SameSeedSameWeights) {
  Tensor a(5, 5), b(5, 5);
  Rng r1(7), r2(7);
  Initialize("glorot_normal", a, r1);
  Initialize("glorot_normal", b, r2);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace lever
