// FTRL-Proximal in TensorFlow's kernel form, hand-worked.
#include "lever/optim/ftrl.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

// Accumulators start at 0 so that sqrt(n) is exact: lr = 0.5, g = 3, 4, -12 give n = 9, 25, 169.
FtrlOptions ZeroStart() { return {.initial_accumulator_value = 0.0}; }

TEST(FtrlTest, ThreeSteps) {
  // p = -0.5, w0 = 0. sigma = (sqrt(n') - sqrt(n))/lr, z += g - sigma w, w = -z/(sqrt(n')/lr).
  //   step 1: g = 3:   n = 9,   sigma = 3/0.5 = 6,  z = 0 + 3 - 6*0 = 3,             w = -3/6 = -0.5
  //   step 2: g = 4:   n = 25,  sigma = 2/0.5 = 4,  z = 3 + 4 - 4*(-0.5) = 9,         w = -9/10 = -0.9
  //   step 3: g = -12: n = 169, sigma = 8/0.5 = 16, z = 9 - 12 - 16*(-0.9) = 11.4,    w = -11.4/26 = -0.43846154
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  Ftrl ftrl(ConstantSchedule(0.5), ZeroStart());
  const float gradients[] = {3.0f, 4.0f, -12.0f};
  const double expected[] = {-0.5, -0.9, -0.43846154};
  for (int k = 0; k < 3; ++k) {
    p.grad(0) = gradients[k];
    ftrl.Step({&p});
    EXPECT_CLOSE(p.value(0), expected[k]);
  }
  EXPECT_CLOSE(SavedSlot(ftrl, "w/accumulator")(0), 169.0);
  EXPECT_CLOSE(SavedSlot(ftrl, "w/linear")(0), 11.4);
}

TEST(FtrlTest, DefaultInitialAccumulator) {
  // n0 = 0.1, lr = 0.1, g = 1, w0 = 0: n = 1.1, z = 1, quadratic = sqrt(1.1)/0.1 = 10.48808848,
  // w = -1/10.48808848 = -0.09534626.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.grad(0) = 1.0f;
  Ftrl ftrl(ConstantSchedule(0.1));
  ftrl.Step({&p});
  EXPECT_CLOSE(p.value(0), -0.09534626);
  EXPECT_CLOSE(SavedSlot(ftrl, "w/accumulator")(0), 1.1);
}

TEST(FtrlTest, GeneralLearningRatePower) {
  // p = -1: n^(-p) = n. lr = 0.5, w0 = 0.
  //   step 1: g = 3: n = 9,  sigma = 9/0.5 = 18,  z = 3,                       w = -3/18 = -0.16666667
  //   step 2: g = 4: n = 25, sigma = 16/0.5 = 32, z = 3 + 4 + 32/6 = 12.333333, w = -12.333333/50 = -0.24666667
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  Ftrl ftrl(ConstantSchedule(0.5), {.learning_rate_power = -1.0, .initial_accumulator_value = 0.0});
  p.grad(0) = 3.0f;
  ftrl.Step({&p});
  EXPECT_CLOSE(p.value(0), -1.0 / 6.0);
  p.grad(0) = 4.0f;
  ftrl.Step({&p});
  EXPECT_CLOSE(p.value(0), -0.24666667);
}

TEST(FtrlTest, L1GivesExactZeroInsideTheBall) {
  // Total l1 = options 1 + parameter 2 = 3. lr = 0.5, w0 = 0, so z = g after one step.
  //   g = 1:   z = 1,   |z| < 3  -> 0
  //   g = 3:   z = 3,   |z| = 3  -> 0 (the boundary belongs to the ball)
  //   g = -12: z = -12, n = 144, quadratic = 12/0.5 = 24, w = (sign(z)*3 - z)/24 = (-3 + 12)/24 = 0.375
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 3);
  p.l1 = 2.0;
  p.grad << 1.0f, 3.0f, -12.0f;
  FtrlOptions options = ZeroStart();
  options.l1 = 1.0;
  Ftrl ftrl(ConstantSchedule(0.5), options);
  ftrl.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);
  EXPECT_EQ(p.value(1), 0.0f);
  EXPECT_CLOSE(p.value(2), 0.375);
}

TEST(FtrlTest, L2FromOptionsAndParameterInTheClosedForm) {
  // Total l2 = 0.5 + 0.5 = 1, so the quadratic gains 2. w0 = 1, g = 3, lr = 0.5:
  //   n = 9, sigma = 6, z = 3 - 6*1 = -3, w = 3/(6 + 2) = 0.375.
  // The gradient is not changed by the base class (FTRL handles L2 itself).
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.l2 = 0.5;
  p.value(0) = 1.0f;
  p.grad(0) = 3.0f;
  FtrlOptions options = ZeroStart();
  options.l2 = 0.5;
  Ftrl ftrl(ConstantSchedule(0.5), options);
  ftrl.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.375);
  EXPECT_EQ(p.grad(0), 3.0f);
  EXPECT_CLOSE(SavedSlot(ftrl, "w/accumulator")(0), 9.0);
}

TEST(FtrlTest, L2ShrinkageEntersTheLinearTermOnly) {
  // l2_shrinkage = 0.5, w0 = 1, g = 3, lr = 0.5: g' = 3 + 2*0.5*1 = 4; n = 9 (from g, not g');
  // sigma = 6, z = 4 - 6 = -2, w = 2/6 = 0.33333333.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  p.grad(0) = 3.0f;
  FtrlOptions options = ZeroStart();
  options.l2_shrinkage = 0.5;
  Ftrl ftrl(ConstantSchedule(0.5), options);
  ftrl.Step({&p});
  EXPECT_CLOSE(p.value(0), 1.0 / 3.0);
  EXPECT_CLOSE(SavedSlot(ftrl, "w/accumulator")(0), 9.0);
  EXPECT_CLOSE(SavedSlot(ftrl, "w/linear")(0), -2.0);
}

TEST(FtrlTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  // Touched row as in ThreeSteps step 1: w = -0.5, n = 9, z = 3.
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.value.setConstant(0.25f);
  p.value.row(1).setZero();
  p.grad.setConstant(3.0f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Ftrl ftrl(ConstantSchedule(0.5), ZeroStart());
  ftrl.Step({&p});
  const Tensor accumulator = SavedSlot(ftrl, "embedding/accumulator");
  const Tensor linear = SavedSlot(ftrl, "embedding/linear");
  for (Index c = 0; c < 2; ++c) {
    for (Index r : {0, 2}) {
      EXPECT_EQ(p.value(r, c), 0.25f);
      EXPECT_EQ(accumulator(r, c), 0.0f);
      EXPECT_EQ(linear(r, c), 0.0f);
    }
    EXPECT_CLOSE(p.value(1, c), -0.5);
    EXPECT_CLOSE(accumulator(1, c), 9.0);
    EXPECT_CLOSE(linear(1, c), 3.0);
  }
}

// FTRL-Proximal written out again from McMahan et al.'s Algorithm 1 in TensorFlow's kernel form
// (p = -0.5), in double precision and without lever's code, for one coordinate. `l1` and `l2` are the totals at this
// step: the options' plus t times the parameter's (the parameter's penalties are on the mean loss).
struct ReferenceFtrlCoordinate {
  double w, n, z;
  void Update(double g, double lr, double l1, double l2, double l2_shrinkage) {
    const double g_shrunk = g + 2.0 * l2_shrinkage * w;
    const double n_new = n + g * g;
    const double sigma = (std::sqrt(n_new) - std::sqrt(n)) / lr;
    z += g_shrunk - sigma * w;
    const double quadratic = std::sqrt(n_new) / lr + 2.0 * l2;
    w = std::abs(z) > l1 ? (std::copysign(l1, z) - z) / quadratic : 0.0;
    n = n_new;
  }
};

TEST(FtrlTest, ThreeStepsOnAQuadraticWithEveryPenaltyGrowingWithT) {
  // f(w) = sum_i (w_i - c_i)^2 / 2, so g = w - c depends on the previous step's weights. Every knob is on:
  // initial accumulator 0.1, options l1 0.1, l2 0.2, l2_shrinkage 0.05, and the parameter's own l1 0.05 and
  // l2 0.1, which weigh t times at step t (total l1 0.15, 0.2, 0.25; total l2 0.3, 0.4, 0.5). The same
  // problem runs through the dense path (UpdateSpan) and the row-sparse one (UpdateRows), which computes
  // the penalties separately. Step 1 by hand for coordinate 0 (w0 = 0.3, c = 1): g = -0.7,
  // g' = -0.7 + 0.1*0.3 = -0.67, n = 0.1 + 0.49 = 0.59, sigma = (sqrt(0.59) - sqrt(0.1))/0.5 = 0.90377...,
  // z = -0.67 - 0.27113 = -0.94113, w = (-0.15 + 0.94113)/(sqrt(0.59)/0.5 + 0.6) = 0.37034046.
  // Values of all three steps (from the reference above and an independent Python re-computation):
  //   t = 1: w = ( 0.37034046, -0.18981907)
  //   t = 2: w = ( 0.53849765, -0.33361328)
  //   t = 3: w = ( 0.61684318, -0.38180975),  z = (-2.2179723, 1.1713437),  n = (1.1994556, 0.4992103)
  constexpr double kLearningRate = 0.5;
  const FtrlOptions options{.initial_accumulator_value = 0.1, .l1 = 0.1, .l2 = 0.2, .l2_shrinkage = 0.05};
  const double target[] = {1.0, -0.6};
  const double start[] = {0.3, -0.2};
  const double expected_w[3][2] = {{0.37034046, -0.18981907}, {0.53849765, -0.33361328}, {0.61684318, -0.38180975}};
  ParameterStore store;
  Parameter& dense = store.Create("dense", 1, 2);
  Parameter& sparse = store.Create("sparse", 2, 1);  // one coordinate per row
  sparse.sparse_grad = true;
  for (Parameter* p : {&dense, &sparse}) {
    p->l1 = 0.05;
    p->l2 = 0.1;
    for (Index i = 0; i < 2; ++i) p->value(i) = static_cast<float>(start[i]);
  }
  Ftrl ftrl(ConstantSchedule(kLearningRate), options);
  ReferenceFtrlCoordinate reference[2] = {{start[0], 0.1, 0.0}, {start[1], 0.1, 0.0}};
  for (int t = 1; t <= 3; ++t) {
    for (Parameter* p : {&dense, &sparse}) {
      for (Index i = 0; i < 2; ++i) p->grad(i) = p->value(i) - static_cast<float>(target[i]);
    }
    sparse.touched.Assign({0, 1});
    ftrl.Step({&dense, &sparse});
    for (int i = 0; i < 2; ++i) {
      reference[i].Update(reference[i].w - target[i], kLearningRate, options.l1 + t * 0.05, options.l2 + t * 0.1,
                          options.l2_shrinkage);
      EXPECT_NEAR(reference[i].w, expected_w[t - 1][i], 1e-8) << "reference, step " << t << ", coordinate " << i;
      EXPECT_NEAR(dense.value(i), reference[i].w, 1e-6) << "dense, step " << t << ", coordinate " << i;
      EXPECT_NEAR(sparse.value(i), reference[i].w, 1e-6) << "sparse, step " << t << ", coordinate " << i;
    }
  }
  for (const char* name : {"dense", "sparse"}) {
    const Tensor n = SavedSlot(ftrl, std::string(name) + "/accumulator");
    const Tensor z = SavedSlot(ftrl, std::string(name) + "/linear");
    for (Index i = 0; i < 2; ++i) {
      EXPECT_NEAR(n(i), reference[i].n, 1e-6) << name << " accumulator " << i;
      EXPECT_NEAR(z(i), reference[i].z, 1e-6) << name << " linear " << i;
    }
  }
}

TEST(FtrlTest, RejectsInvalidOptions) {
  EXPECT_THROW(Ftrl(ConstantSchedule(0.1), {.learning_rate_power = 0.5}), ConfigError);
  EXPECT_THROW(Ftrl(ConstantSchedule(0.1), {.initial_accumulator_value = -0.1}), ConfigError);
  EXPECT_THROW(Ftrl(ConstantSchedule(0.1), {.l1 = -1.0}), ConfigError);
  EXPECT_THROW(Ftrl(ConstantSchedule(0.1), {.l2 = -1.0}), ConfigError);
  EXPECT_THROW(Ftrl(ConstantSchedule(0.1), {.l2_shrinkage = -1.0}), ConfigError);
  try {
    Ftrl(ConstantSchedule(0.1), {.learning_rate_power = 0.5});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "ftrl: learning_rate_power must be in (-inf, 0], got 0.5", e.what());
  }
}

TEST(FtrlTest, Describe) {
  EXPECT_EQ(Ftrl(ConstantSchedule(0.2)).Describe(),
            "Ftrl(learning_rate=0.2, learning_rate_power=-0.5, initial_accumulator_value=0.1, l1=0, l2=0, "
            "l2_shrinkage=0)");
}

}  // namespace
}  // namespace lever
