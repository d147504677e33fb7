// Learning-rate schedules at hand-worked steps.
#include "lever/optim/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lever/error.h"

namespace lever {
namespace {

constexpr double kTol = 1e-12;

TEST(ConstantScheduleTest, SameRateAtEveryStep) {
  auto schedule = ConstantSchedule(0.01);
  EXPECT_EQ(schedule->Rate(0), 0.01);
  EXPECT_EQ(schedule->Rate(123456), 0.01);
  EXPECT_EQ(schedule->Describe(), "0.01");
}

TEST(ExponentialDecayScheduleTest, SmoothDecay) {
  // 0.1 * 0.96^(step/1000)
  auto schedule = ExponentialDecaySchedule(0.1, 1000, 0.96);
  EXPECT_NEAR(schedule->Rate(0), 0.1, kTol);
  EXPECT_NEAR(schedule->Rate(500), 0.09797958971, 1e-11);  // 0.1 * sqrt(0.96) = 0.1 * 0.9797958971
  EXPECT_NEAR(schedule->Rate(1000), 0.096, kTol);
  EXPECT_NEAR(schedule->Rate(2500), 0.09029798988, 1e-11);  // 0.1 * 0.9216 * 0.9797958971
  EXPECT_EQ(schedule->Describe(), "exponential_decay(0.1, decay_steps=1000, decay_rate=0.96)");
}

TEST(ExponentialDecayScheduleTest, Staircase) {
  // 0.1 * 0.96^floor(step/1000)
  auto schedule = ExponentialDecaySchedule(0.1, 1000, 0.96, /*staircase=*/true);
  EXPECT_NEAR(schedule->Rate(999), 0.1, kTol);
  EXPECT_NEAR(schedule->Rate(1000), 0.096, kTol);
  EXPECT_NEAR(schedule->Rate(2500), 0.09216, kTol);  // 0.1 * 0.96^2
  EXPECT_EQ(schedule->Describe(), "exponential_decay(0.1, decay_steps=1000, decay_rate=0.96, staircase=true)");
}

TEST(StepScheduleTest, BoundaryTakesTheNextValue) {
  auto schedule = StepSchedule({100, 200}, {0.1, 0.01, 0.001});
  EXPECT_EQ(schedule->Rate(0), 0.1);
  EXPECT_EQ(schedule->Rate(99), 0.1);
  EXPECT_EQ(schedule->Rate(100), 0.01);
  EXPECT_EQ(schedule->Rate(199), 0.01);
  EXPECT_EQ(schedule->Rate(200), 0.001);
  EXPECT_EQ(schedule->Rate(1000000), 0.001);
  EXPECT_EQ(schedule->Describe(), "piecewise_constant(boundaries=[100, 200], values=[0.1, 0.01, 0.001])");
}

TEST(StepScheduleTest, NoBoundariesIsConstant) {
  auto schedule = StepSchedule({}, {0.3});
  EXPECT_EQ(schedule->Rate(0), 0.3);
  EXPECT_EQ(schedule->Rate(50), 0.3);
}

TEST(CosineScheduleTest, StartHalfwayEndAndAfter) {
  // 0.1 * 0.5 * (1 + cos(pi * step/100)), alpha = 0.
  auto schedule = CosineSchedule(0.1, 100);
  EXPECT_NEAR(schedule->Rate(0), 0.1, kTol);
  EXPECT_NEAR(schedule->Rate(50), 0.05, kTol);  // cos(pi/2) = 0
  EXPECT_NEAR(schedule->Rate(100), 0.0, kTol);
  EXPECT_NEAR(schedule->Rate(150), 0.0, kTol);
  EXPECT_EQ(schedule->Describe(), "cosine_decay(0.1, decay_steps=100, alpha=0)");
}

TEST(CosineScheduleTest, AlphaIsTheFloor) {
  // 0.1 * (0.9 * 0.5 * (1 + cos(pi * step/100)) + 0.1)
  auto schedule = CosineSchedule(0.1, 100, 0.1);
  EXPECT_NEAR(schedule->Rate(0), 0.1, kTol);
  EXPECT_NEAR(schedule->Rate(25), 0.08681980515, 1e-11);  // 0.1 * (0.45 * 1.7071067812 + 0.1)
  EXPECT_NEAR(schedule->Rate(50), 0.055, kTol);           // 0.1 * (0.45 + 0.1)
  EXPECT_NEAR(schedule->Rate(100), 0.01, kTol);
  EXPECT_NEAR(schedule->Rate(1000), 0.01, kTol);
}

TEST(CosineScheduleTest, LinearWarmupThenCosine) {
  // 10 warm-up steps from 0 to 0.1, then the cosine over the next 100 steps.
  auto schedule = CosineSchedule(0.1, 100, 0.0, 10);
  EXPECT_NEAR(schedule->Rate(0), 0.0, kTol);
  EXPECT_NEAR(schedule->Rate(5), 0.05, kTol);   // 0.1 * 5/10
  EXPECT_NEAR(schedule->Rate(10), 0.1, kTol);   // cosine at its start
  EXPECT_NEAR(schedule->Rate(60), 0.05, kTol);  // cosine half-way
  EXPECT_NEAR(schedule->Rate(110), 0.0, kTol);  // cosine end
  EXPECT_EQ(schedule->Describe(), "cosine_decay(0.1, decay_steps=100, alpha=0, warmup_steps=10)");
}

TEST(ScheduleTest, RejectsInvalidArguments) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(ConstantSchedule(0.0), ConfigError);
  EXPECT_THROW(ConstantSchedule(-0.1), ConfigError);
  EXPECT_THROW(ConstantSchedule(nan), ConfigError);
  EXPECT_THROW(ExponentialDecaySchedule(0.0, 100, 0.9), ConfigError);
  EXPECT_THROW(ExponentialDecaySchedule(0.1, 0, 0.9), ConfigError);
  EXPECT_THROW(ExponentialDecaySchedule(0.1, 100, 0.0), ConfigError);
  EXPECT_THROW(StepSchedule({200, 100}, {0.1, 0.01, 0.001}), ConfigError);
  EXPECT_THROW(StepSchedule({100, 100}, {0.1, 0.01, 0.001}), ConfigError);
  EXPECT_THROW(StepSchedule({100}, {0.1}), ConfigError);
  EXPECT_THROW(StepSchedule({100}, {0.1, 0.01, 0.001}), ConfigError);
  EXPECT_THROW(StepSchedule({100}, {0.1, 0.0}), ConfigError);
  EXPECT_THROW(CosineSchedule(-1.0, 100), ConfigError);
  EXPECT_THROW(CosineSchedule(0.1, 0), ConfigError);
  EXPECT_THROW(CosineSchedule(0.1, 100, -0.1), ConfigError);
  EXPECT_THROW(CosineSchedule(0.1, 100, 1.5), ConfigError);
  EXPECT_THROW(CosineSchedule(0.1, 100, 0.0, -1), ConfigError);
  try {
    StepSchedule({100, 50}, {0.1, 0.01, 0.001});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "strictly increasing, got 100 then 50", e.what());
  }
}

}  // namespace
}  // namespace lever
