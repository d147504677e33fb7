#include "lever/cpu.h"

#include <gtest/gtest.h>

#include <string>

namespace lever {
namespace {

// The required list follows the instruction set this test (and the library, with the same flags) was
// compiled for.
TEST(CpuTest, RequiredFeaturesFollowTheBuildFlags) {
  const std::string required = RequiredCpuFeatures();
#ifdef __AVX2__
  EXPECT_NE(required.find("avx2"), std::string::npos) << required;
#else
  EXPECT_EQ(required.find("avx2"), std::string::npos) << required;
#endif
#ifdef __FMA__
  EXPECT_NE(required.find("fma"), std::string::npos) << required;
#endif
#ifdef __AVX512F__
  EXPECT_NE(required.find("avx512f"), std::string::npos) << required;
#else
  EXPECT_EQ(required.find("avx512f"), std::string::npos) << required;
#endif
}

// The suite runs on a CPU that can run the build (or it would have died of SIGILL already), so nothing
// is missing; every missing feature would also be a required one.
TEST(CpuTest, NothingMissingOnTheMachineRunningTheBuild) { EXPECT_STREQ(MissingCpuFeatures(), ""); }

}  // namespace
}  // namespace lever
