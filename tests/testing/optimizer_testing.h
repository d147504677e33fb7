#pragma once
// Helpers shared by the hand-worked optimizer tests.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lever/io/state.h"
#include "lever/optim/optimizer.h"

// Float results against hand arithmetic: ~1e-6 relative.
#define EXPECT_CLOSE(actual, expected) EXPECT_NEAR((actual), (expected), 1e-6 * std::abs(expected))

namespace lever::testing {

/// One slot tensor as the optimizer saves it ("<param>/<slot>").
inline Tensor SavedSlot(const Optimizer& optimizer, const std::string& key) {
  MemoryState state;
  optimizer.SaveState(state);
  return state.ReadTensor("optimizer/" + key);
}

}  // namespace lever::testing
