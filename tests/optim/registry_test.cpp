// Building optimizers by name.
#include "lever/optim/registry.h"

#include <gtest/gtest.h>

#include <limits>

#include "lever/error.h"

namespace lever {
namespace {

// OptimizerSpec by assignment: GCC 12 warns about designated initializers that leave out its map and
// shared_ptr members.
OptimizerSpec Spec(const std::string& name, double learning_rate = 0.01, std::map<std::string, double> options = {}) {
  OptimizerSpec spec;
  spec.name = name;
  spec.learning_rate = learning_rate;
  spec.options = std::move(options);
  return spec;
}

template <class F>
std::string ConfigErrorMessage(F&& make) {
  try {
    make();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected ConfigError";
  return "";
}

const std::vector<std::string> kAllNames = {"sgd",     "momentum", "nesterov", "adagrad", "adadelta",
                                            "rmsprop", "adam",     "adamw",    "ftrl"};

TEST(RegistryTest, ListsEveryOptimizer) { EXPECT_EQ(OptimizerNames(), kAllNames); }

TEST(RegistryTest, EveryNameBuildsAndReportsItsName) {
  for (const std::string& name : OptimizerNames()) {
    auto optimizer = MakeOptimizer(Spec(name, 0.05));
    ASSERT_NE(optimizer, nullptr) << name;
    EXPECT_EQ(optimizer->Name(), name);
    EXPECT_DOUBLE_EQ(optimizer->current_learning_rate(), 0.05) << name;
  }
}

TEST(RegistryTest, UnknownNameListsValidNames) {
  const std::string message = ConfigErrorMessage([] { MakeOptimizer(Spec("adamax")); });
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "adamax", message);
  for (const std::string& name : kAllNames) EXPECT_PRED_FORMAT2(::testing::IsSubstring, name, message);
}

TEST(RegistryTest, UnknownOptionListsThatOptimizersOptions) {
  const std::string message = ConfigErrorMessage([] { MakeOptimizer(Spec("adam", 0.01, {{"momentum", 0.9}})); });
  for (const char* expected : {"'momentum'", "beta1", "beta2", "epsilon"}) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, expected, message);
  }
  EXPECT_THROW(MakeOptimizer(Spec("sgd", 0.01, {{"momentum", 0.9}})), ConfigError);
}

TEST(RegistryTest, RejectsNonPositiveOrNanLearningRate) {
  for (double rate : {0.0, -0.01, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW(MakeOptimizer(Spec("adam", rate)), ConfigError) << rate;
  }
}

TEST(RegistryTest, OutOfRangeOptionIsNamed) {
  const std::string message = ConfigErrorMessage([] { MakeOptimizer(Spec("adam", 0.01, {{"beta1", 1.5}})); });
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "beta1 must be in [0, 1), got 1.5", message);
}

TEST(RegistryTest, OptionsReachTheOptimizer) {
  auto optimizer = MakeOptimizer(Spec("rmsprop", 0.001, {{"centered", 1.0}}));
  EXPECT_EQ(optimizer->Describe(), "RMSprop(learning_rate=0.001, rho=0.9, momentum=0, epsilon=1e-07, centered=true)");
  auto adam = MakeOptimizer(Spec("adam", 0.001));
  EXPECT_EQ(adam->Describe(), "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)");
}

TEST(RegistryTest, ScheduleReplacesLearningRate) {
  OptimizerSpec spec = Spec("sgd", -1.0);  // ignored when a schedule is given
  spec.schedule = StepSchedule({10}, {0.5, 0.05});
  auto optimizer = MakeOptimizer(spec);
  EXPECT_DOUBLE_EQ(optimizer->current_learning_rate(), 0.5);
  EXPECT_EQ(optimizer->Describe(), "SGD(learning_rate=piecewise_constant(boundaries=[10], values=[0.5, 0.05]))");
}

TEST(RegistryTest, DefaultsMatchTheOptionStructs) {
  const std::map<std::string, double> adam = {{"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}};
  EXPECT_EQ(OptimizerDefaults("adam"), adam);
  EXPECT_TRUE(OptimizerDefaults("sgd").empty());
  EXPECT_THROW(OptimizerDefaults("lbfgs"), ConfigError);
}

}  // namespace
}  // namespace lever
