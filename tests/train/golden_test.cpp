// Golden values: a tiny network trained three steps, compared with PyTorch. The numbers come from
// tests/train/golden_reference.py (Debian's python3-torch 1.13), which documents the setup.
#include <gtest/gtest.h>

#include "lever/losses/sparse_softmax_cross_entropy.h"
#include "lever/nn/sequential.h"
#include "lever/optim/registry.h"

namespace lever {
namespace {

struct Golden {
  std::vector<double> losses, w1, b1, w2, b2;
};

void Set(Parameter* p, const std::vector<float>& values) {
  ASSERT_EQ(static_cast<size_t>(p->value.size()), values.size()) << p->name;
  for (size_t i = 0; i < values.size(); ++i) p->value.data()[i] = values[i];
}

void ExpectNear(const Parameter* p, const std::vector<double>& expected) {
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(p->value.data()[i], expected[i], 2e-6) << p->name << "[" << i << "]";
  }
}

void TrainAndCompare(const OptimizerSpec& spec, const Golden& golden) {
  Sequential model;
  model.Add(layers::Dense(3, "tanh", "zeros", Regularizer::L2(0.01)))
      .Add(layers::Dense(2, "linear", "zeros", Regularizer::L2(0.01)));
  model.Build(2, 1);
  ParameterStore& ps = model.parameters();
  Set(ps.Find("dense/kernel"), {0.5f, -0.3f, 0.8f, -0.6f, 0.2f, 0.4f});
  Set(ps.Find("dense/bias"), {0.1f, -0.2f, 0.05f});
  Set(ps.Find("dense_1/kernel"), {0.7f, -0.5f, 0.3f, 0.9f, -0.4f, 0.2f});
  Set(ps.Find("dense_1/bias"), {0.0f, 0.1f});

  Graph g;
  Var x = g.Input("x", {4, 2});
  Var y = g.Input("y", {4, 1});
  Tensor xv(4, 2), yv(4, 1);
  xv << 1.0f, 2.0f, -1.5f, 0.5f, 0.3f, -0.7f, 2.0f, 1.0f;
  yv << 1, 0, 1, 0;
  g.Feed(x, xv);
  g.Feed(y, yv);
  Var loss = SparseSoftmaxCrossEntropy(model.Apply(x, LayerContext{}), y);
  auto optimizer = MakeOptimizer(spec);
  for (int step = 0; step < 3; ++step) {
    g.Forward();
    EXPECT_NEAR(loss.scalar(), golden.losses[static_cast<size_t>(step)], 2e-6) << "step " << step;
    g.Backward(loss);
    optimizer->Step(ps.Trainable());
  }
  ExpectNear(ps.Find("dense/kernel"), golden.w1);
  ExpectNear(ps.Find("dense/bias"), golden.b1);
  ExpectNear(ps.Find("dense_1/kernel"), golden.w2);
  ExpectNear(ps.Find("dense_1/bias"), golden.b2);
}

TEST(GoldenTest, AdamMatchesPyTorch) {
  TrainAndCompare({.name = "adam", .learning_rate = 0.1},
                  {{0.796437979, 0.688635588, 0.624556303},
                   {0.239879206, -0.0362802893, 1.09781802, -0.314411849, -0.0777456611, 0.10053958},
                   {0.374742448, -0.406413168, 0.347732157},
                   {0.418816328, -0.219956547, 0.544408262, 0.626161575, -0.697654366, 0.497877181},
                   {0.210802019, -0.110802069}});
}

TEST(GoldenTest, NesterovMomentumMatchesPyTorch) {
  TrainAndCompare({.name = "nesterov", .learning_rate = 0.1},
                  {{0.796437979, 0.771606624, 0.741470933},
                   {0.477050513, -0.22275418, 0.863475442, -0.481730729, 0.131779194, 0.320841491},
                   {0.104724407, -0.212809116, 0.100299723},
                   {0.582427263, -0.385635734, 0.34633106, 0.834418058, -0.451221704, 0.254430175},
                   {0.0378707051, 0.0621292926}});
}

}  // namespace
}  // namespace lever
