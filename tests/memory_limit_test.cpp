#include "lever/memory_limit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "lever/error.h"
#include "lever/linear/linear_job.h"
#include "lever/linear/linear_model.h"
#include "lever/nn/parameter.h"
#include "testing/files.h"

namespace lever {
namespace {

// Sets LEVER_MEMORY_LIMIT for one test, so the figures do not depend on the machine.
class MemoryLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("LEVER_MEMORY_LIMIT", "1G", 1); }
  void TearDown() override { unsetenv("LEVER_MEMORY_LIMIT"); }
};

TEST_F(MemoryLimitTest, TheLimitComesFromTheEnvironmentOrTheMachine) {
  EXPECT_EQ(MemoryLimitBytes(), uint64_t{1} << 30);
  setenv("LEVER_MEMORY_LIMIT", "1536M", 1);
  EXPECT_EQ(MemoryLimitBytes(), uint64_t{1536} << 20);
  setenv("LEVER_MEMORY_LIMIT", "1000", 1);
  EXPECT_EQ(MemoryLimitBytes(), 1000u);
  for (const char* bad : {"abc", "-5G", "3X", "0"}) {
    setenv("LEVER_MEMORY_LIMIT", bad, 1);
    EXPECT_THROW(MemoryLimitBytes(), ConfigError) << bad;
  }
  unsetenv("LEVER_MEMORY_LIMIT");
  EXPECT_GT(MemoryLimitBytes(), uint64_t{64} << 20);  // the machine's memory
  EXPECT_EQ(FormatBytes(12), "12 bytes");
  EXPECT_EQ(FormatBytes(1536.0 * 1024 * 1024), "1.5 GiB");
}

TEST_F(MemoryLimitTest, SizesTheInputDecidesAreCheckedBeforeAllocating) {
  EXPECT_NO_THROW(CheckFitsInMemory(1 << 29, "half a gigabyte", "fine"));
  EXPECT_EQ(testing::ErrorOf<ConfigError>([] { CheckFitsInMemory(3.0 * (1 << 30), "this", "use less"); }),
            "ConfigError: this needs about 3.0 GiB, more than the 1.0 GiB LEVER_MEMORY_LIMIT allows: use less");

  // Every model's variables: a layer of hidden_units = [100000, 100000] would be 10^10 numbers.
  ParameterStore store;
  store.Create("dense/kernel", 1000, 1000);
  const std::string message = testing::ErrorOf<ConfigError>([&] { store.Create("dense_1/kernel", 100000, 100000); });
  EXPECT_NE(message.find("variable 'dense_1/kernel' (100000 x 100000) brings the model to 1.0001e+10 numbers, which "
                         "with their gradients needs about 74.5 GiB, more than the 1.0 GiB "
                         "LEVER_MEMORY_LIMIT allows: make the model smaller (hidden_units"),
            std::string::npos)
      << message;
  EXPECT_EQ(store.Find("dense_1/kernel"), nullptr);

  // A linear model's feature space: a LIBSVM index of 2^31 - 1, or --num-features.
  EXPECT_THROW(LinearModel(int64_t{1} << 31, LinearModelConfig{}), ConfigError);
  const std::string svm = testing::WriteFile("big.svm", "1 2147483647:1\n0 1:1\n");
  LinearJobOptions options;
  options.train_file = svm;
  const std::string from_file = testing::ErrorOf<ConfigError>([&] { RunLinearJob(options); });
  EXPECT_NE(from_file.find("a linear model of 2147483647 features (the largest index in " + svm + ", plus one)"),
            std::string::npos)
      << from_file;
  options.num_features = 2147483647;
  const std::string from_flag = testing::ErrorOf<ConfigError>([&] { RunLinearJob(options); });
  EXPECT_NE(from_flag.find("a linear model of 2147483647 features (--num-features), with its gradients and optimizer "
                           "slots needs about 32.0 GiB, more than the 1.0 GiB LEVER_MEMORY_LIMIT allows: lower "
                           "--num-features"),
            std::string::npos)
      << from_flag;
  options.num_features = -5;
  EXPECT_EQ(testing::ErrorOf<ConfigError>([&] { options.Validate(); }),
            "ConfigError: --num-features must be positive (the size of the LIBSVM feature space), got -5; leave it "
            "out to read the file into memory and take the size from its largest index");
}

}  // namespace
}  // namespace lever
