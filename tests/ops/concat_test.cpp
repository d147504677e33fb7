#include "lever/ops/concat.h"

#include <gtest/gtest.h>

#include <vector>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

TEST(ConcatTest, BackwardMatchesFiniteDifferencesTwoInputs) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch(
      [](const auto& v) {
        return Concat<double>({v[0], v[1]});
      },
      {RandomTensor(3, 2, rng), RandomTensor(3, 4, rng)}));
}

TEST(ConcatTest, BackwardMatchesFiniteDifferencesThreeInputs) {
  Rng rng(2);
  EXPECT_TRUE(GradientsMatch(
      [](const auto& v) {
        return Concat<double>({v[0], v[1], v[2]});
      },
      {RandomTensor(4, 1, rng), RandomTensor(4, 3, rng), RandomTensor(4, 2, rng)}));
}

TEST(ConcatTest, BackwardMatchesFiniteDifferencesWithRepeatedInput) {
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch(
      [](const auto& v) {
        return Concat<double>({v[0], v[1], v[0]});
      },
      {RandomTensor(2, 2, rng), RandomTensor(2, 3, rng)}));
}

TEST(ConcatTest, ForwardValues) {
  Graph g;
  Var a = g.Input("a", {2, 1});
  Var b = g.Input("b", {2, 2});
  Var c = g.Input("c", {2, 3});
  Tensor av(2, 1), bv(2, 2), cv(2, 3);
  av << 1, 2;
  bv << 3, 4, 5, 6;
  cv << 7, 8, 9, 10, 11, 12;
  g.Feed(a, av);
  g.Feed(b, bv);
  g.Feed(c, cv);
  Var two = Concat<float>({c, a});
  Var three = Concat<float>({a, b, c});
  g.Forward();
  ASSERT_EQ(two.shape(), (Shape{2, 4}));
  ASSERT_EQ(three.shape(), (Shape{2, 6}));
  Tensor expected_two(2, 4), expected_three(2, 6);
  expected_two << 7, 8, 9, 1, 10, 11, 12, 2;
  expected_three << 1, 3, 4, 7, 8, 9, 2, 5, 6, 10, 11, 12;
  EXPECT_EQ(Tensor(two.value()), expected_two);
  EXPECT_EQ(Tensor(three.value()), expected_three);
}

TEST(ConcatTest, RejectsDifferentRowCounts) {
  Graph g;
  Var a = g.Input("a", {2, 3});
  Var b = g.Input("b", {3, 3});
  EXPECT_THROW(Concat<float>({a, b}), ShapeError);
  EXPECT_THROW(Concat<float>({a, a, b}), ShapeError);
}

TEST(ConcatTest, RejectsEmptyInputList) { EXPECT_THROW(Concat<float>({}), ShapeError); }

}  // namespace
}  // namespace lever
