#include "testing/gradcheck.h"

#include <gtest/gtest.h>

#include "lever/ops/elementwise.h"

namespace lever {
namespace {

using testing::GradCheckOptions;
using testing::GradientsMatch;
using testing::RandomTensor;

// y = x^2 elementwise, built directly on Graph::AddOp; `backward_factor` is what multiplies x dy in
// the backward pass (2 is right).
VarD CustomSquare(const VarD& x, double backward_factor) {
  return x.graph()->AddOp(
      "custom_square", {x}, [](const std::vector<Shape>& in) { return in[0]; },
      [](OpContext<double>& c) { c.y().array() = c.x(0).array().square(); },
      [backward_factor](OpContext<double>& c) {
        c.dx(0).array() += backward_factor * c.x(0).array() * c.dy().array();
      });
}

TEST(GradCheckTest, PassesACorrectCustomOp) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return CustomSquare(v[0], 2.0); }, {RandomTensor(3, 4, rng)}));
}

TEST(GradCheckTest, FailsACustomOpMissingAFactorOfTwo) {
  Rng rng(2);
  const ::testing::AssertionResult result =
      GradientsMatch([](const auto& v) { return CustomSquare(v[0], 1.0); }, {RandomTensor(3, 4, rng)});
  EXPECT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("gradient mismatch"), std::string::npos) << result.message();
}

// An error on one element only, behind a reduction to a scalar: the check covers every element.
TEST(GradCheckTest, FailsAWrongGradientOnASingleElement) {
  Rng rng(3);
  auto f = [](const std::vector<VarD>& v) {
    VarD y = v[0].graph()->AddOp(
        "almost_identity", {v[0]}, [](const std::vector<Shape>& in) { return in[0]; },
        [](OpContext<double>& c) { c.y() = c.x(0); },
        [](OpContext<double>& c) {
          c.dx(0) += c.dy();
          c.dx(0)(1, 2) += 0.01 * c.dy()(1, 2);
        });
    return Sum(y);
  };
  const ::testing::AssertionResult result = GradientsMatch(f, {RandomTensor(3, 4, rng)});
  EXPECT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("element (1, 2)"), std::string::npos) << result.message();
}

// A wrong gradient for the second input only is caught too.
TEST(GradCheckTest, FailsAWrongGradientForTheSecondInput) {
  Rng rng(4);
  auto f = [](const std::vector<VarD>& v) {
    return v[0].graph()->AddOp(
        "bad_mul", {v[0], v[1]}, [](const std::vector<Shape>& in) { return in[0]; },
        [](OpContext<double>& c) { c.y().array() = c.x(0).array() * c.x(1).array(); },
        [](OpContext<double>& c) {
          c.dx(0).array() += c.dy().array() * c.x(1).array();
          c.dx(1).array() += c.dy().array() * c.x(1).array();  // should be x(0)
        });
  };
  const ::testing::AssertionResult result = GradientsMatch(f, {RandomTensor(2, 3, rng), RandomTensor(2, 3, rng)});
  EXPECT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("input 1"), std::string::npos) << result.message();
}

TEST(GradCheckTest, ToleranceOptionsAreHonoured) {
  Rng rng(5);
  // A backward 1% too large passes only when the relative tolerance allows it.
  auto f = [](const auto& v) { return CustomSquare(v[0], 2.02); };
  const TensorD x = RandomTensor(2, 2, rng, 0.5, 1.0);
  EXPECT_FALSE(GradientsMatch(f, {x}));
  EXPECT_TRUE(GradientsMatch(f, {x}, GradCheckOptions{.rtol = 0.05}));
}

}  // namespace
}  // namespace lever
