// SIGINT and SIGTERM become a stop request; the previous handlers come back; a second signal kills.
#include "lever/train/stop_signal.h"

#include <gtest/gtest.h>

#include <csignal>

#include "lever/error.h"

namespace lever {
namespace {

volatile std::sig_atomic_t g_custom_calls = 0;
void CustomHandler(int) { g_custom_calls = g_custom_calls + 1; }

TEST(StopSignalTest, SigtermAndSigintSetTheFlag) {
  StopSignalHandler stop;
  EXPECT_FALSE(stop.requested());
  EXPECT_EQ(stop.signal_number(), 0);
  ASSERT_EQ(std::raise(SIGTERM), 0);  // the process survives: the handler only records it
  EXPECT_TRUE(stop.requested());
  EXPECT_EQ(stop.signal_number(), SIGTERM);
  stop.Clear();
  EXPECT_FALSE(stop.requested());
  ASSERT_EQ(std::raise(SIGINT), 0);
  EXPECT_EQ(stop.signal_number(), SIGINT);
}

TEST(StopSignalTest, RestoresThePreviousHandlersAndAllowsOneAtATime) {
  struct sigaction custom {};
  custom.sa_handler = CustomHandler;
  sigemptyset(&custom.sa_mask);
  struct sigaction original {};
  ASSERT_EQ(sigaction(SIGTERM, &custom, &original), 0);
  {
    StopSignalHandler stop;
    EXPECT_THROW(StopSignalHandler(), Error);
    std::raise(SIGTERM);
    EXPECT_EQ(g_custom_calls, 0);
  }
  std::raise(SIGTERM);
  EXPECT_EQ(g_custom_calls, 1);
  sigaction(SIGTERM, &original, nullptr);
  StopSignalHandler again;  // the first one's destructor released the slot
  EXPECT_FALSE(again.requested());
}

TEST(StopSignalDeathTest, SecondSignalTerminates) {
  EXPECT_EXIT(
      {
        StopSignalHandler stop;
        std::raise(SIGTERM);
        std::raise(SIGTERM);
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGTERM), "");
}

}  // namespace
}  // namespace lever
