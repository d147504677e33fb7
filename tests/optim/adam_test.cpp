// Adam, hand-worked, including the bias correction and lazy row-sparse updates.
#include "lever/optim/adam.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

TEST(AdamTest, ThreeSteps) {
  // lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, w0 = 1, g = 2, -1, 0.5.
  //   step 1: m = 0.1*2 = 0.2, v = 0.001*4 = 0.004; mhat = 0.2/0.1 = 2, vhat = 0.004/0.001 = 4;
  //           w = 1 - 0.1*2/(2 + 1e-8) = 0.9
  //   step 2: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996; 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999;
  //           mhat = 0.42105263, vhat = 2.49924962, sqrt = 1.58090152;
  //           w = 0.9 - 0.1*0.42105263/1.58090152 = 0.9 - 0.02663370 = 0.87336630
  //   step 3: m = 0.072 + 0.05 = 0.122, v = 0.004991004 + 0.00025 = 0.005241004;
  //           1 - 0.9^3 = 0.271, 1 - 0.999^3 = 0.002997001; mhat = 0.45018450, vhat = 1.74874950,
  //           sqrt = 1.32240293; w = 0.87336630 - 0.1*0.45018450/1.32240293 = 0.83932338
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Adam adam(ConstantSchedule(0.1));
  const float gradients[] = {2.0f, -1.0f, 0.5f};
  const double expected[] = {0.9, 0.87336630, 0.83932338};
  for (int k = 0; k < 3; ++k) {
    p.grad(0) = gradients[k];
    adam.Step({&p});
    EXPECT_CLOSE(p.value(0), expected[k]);
  }
  EXPECT_CLOSE(SavedSlot(adam, "w/m")(0), 0.122);
  EXPECT_CLOSE(SavedSlot(adam, "w/v")(0), 0.005241004);
}

TEST(AdamTest, L1DrivesSmallWeightToExactZero) {
  // lr = 0.1, l1 = 0.5. Step 1: mhat = g, vhat = g^2, step size lr/(|g| + eps), threshold lr*l1/(|g| + eps).
  //   w = 0.05, g = 0.001: 0.05 - 0.1 = -0.05, threshold 0.05/0.001 = 50 -> 0
  //   w = 0.5, g = -10:    0.5 + 0.1 = 0.6,    threshold 0.05/10 = 0.005 -> 0.595
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 0.5;
  p.value << 0.05f, 0.5f;
  p.grad << 0.001f, -10.0f;
  Adam adam(ConstantSchedule(0.1));
  adam.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);
  EXPECT_CLOSE(p.value(1), 0.595);
}

TEST(AdamTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  // Touched row: step 1 with g = 2 as in ThreeSteps, from w = 0: w = -0.1, m = 0.2, v = 0.004.
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.grad.setConstant(2.0f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Adam adam(ConstantSchedule(0.1));
  adam.Step({&p});
  const Tensor m = SavedSlot(adam, "embedding/m");
  const Tensor v = SavedSlot(adam, "embedding/v");
  for (Index c = 0; c < 2; ++c) {
    for (Index r : {0, 2}) {
      EXPECT_EQ(p.value(r, c), 0.0f);
      EXPECT_EQ(m(r, c), 0.0f);
      EXPECT_EQ(v(r, c), 0.0f);
    }
    EXPECT_CLOSE(p.value(1, c), -0.1);
    EXPECT_CLOSE(m(1, c), 0.2);
    EXPECT_CLOSE(v(1, c), 0.004);
  }
}

TEST(AdamTest, LazyRowUsesGlobalStepForBiasCorrection) {
  // Step 1 touches row 0 only; step 2 touches row 1 only, g = 1, lr = 0.1. Row 1's first update is at t = 2:
  //   m = 0.1, v = 0.001; mhat = 0.1/0.19 = 0.52631579, vhat = 0.001/0.001999 = 0.50025013, sqrt = 0.70728363;
  //   w = -0.1*0.52631579/0.70728363 = -0.07441368
  // Row 0 keeps its step-1 value w = -0.1*1/(1 + 1e-8) = -0.1.
  ParameterStore store;
  Parameter& p = store.Create("embedding", 2, 1);
  p.grad.setConstant(1.0f);
  p.sparse_grad = true;
  Adam adam(ConstantSchedule(0.1));
  p.touched.Assign({0});
  adam.Step({&p});
  p.touched.Assign({1});
  adam.Step({&p});
  EXPECT_CLOSE(p.value(0), -0.1);
  EXPECT_CLOSE(p.value(1), -0.07441368);
  EXPECT_CLOSE(SavedSlot(adam, "embedding/m")(0), 0.1);  // row 0 untouched in step 2
}

TEST(AdamTest, RejectsInvalidOptions) {
  EXPECT_THROW(Adam(ConstantSchedule(0.1), {.beta1 = 1.0}), ConfigError);
  EXPECT_THROW(Adam(ConstantSchedule(0.1), {.beta2 = -0.1}), ConfigError);
  EXPECT_THROW(Adam(ConstantSchedule(0.1), {.epsilon = 0.0}), ConfigError);
  EXPECT_THROW(Adam(ConstantSchedule(0.1), {.beta2 = std::nan("")}), ConfigError);
  try {
    Adam(ConstantSchedule(0.1), {.beta1 = 1.5});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "adam: beta1 must be in [0, 1), got 1.5", e.what());
  }
}

TEST(AdamTest, Describe) {
  EXPECT_EQ(Adam(ConstantSchedule(0.001)).Describe(),
            "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)");
}

}  // namespace
}  // namespace lever
