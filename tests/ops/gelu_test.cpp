// GELU (tanh approximation): values and the backward pass against central finite differences.
#include <gtest/gtest.h>

#include <algorithm>

#include "lever/error.h"
#include "lever/nn/activation.h"
#include "lever/ops/activations.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

TEST(GeluTest, BackwardMatchesFiniteDifferences) {
  Rng rng(8);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Gelu(v[0]); }, {RandomTensor(4, 5, rng, -4, 4)}));
}

TEST(GeluTest, ForwardValues) {
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in double precision (Python's math module); the same
  // numbers as torch.nn.functional.gelu(x, approximate="tanh"), e.g. 0.8411919906 at x = 1.
  Graph g;
  Var x = g.Input("x", {1, 5});
  Tensor in(1, 5);
  in << -2.0f, -0.5f, 0.5f, 1.0f, 3.0f;
  g.Feed(x, in);
  Var y = Gelu(x);
  g.Forward();
  const double expected[] = {-0.04540230591, -0.15428599017, 0.34571400983, 0.84119199061, 2.99636260792};
  for (Index j = 0; j < 5; ++j) EXPECT_NEAR(y.value()(0, j), expected[j], 1e-6);
}

TEST(GeluTest, RegisteredByName) {
  const Activation gelu = Activation::Parse("GELU");
  EXPECT_EQ(gelu.name, "gelu");
  EXPECT_THROW(Activation::Parse("gelu:0.1"), ConfigError);
  const auto names = ActivationNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "gelu"), names.end());
}

}  // namespace
}  // namespace lever
