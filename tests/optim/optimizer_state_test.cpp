// Saving and restoring optimizer slots: a restored optimizer continues bit-identically.
#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/optim/registry.h"

namespace lever {
namespace {

// A dense parameter with L2 and a row-sparse one with L1, so every code path of the base class runs.
ParameterList MakeParameters(ParameterStore& store) {
  Parameter& dense = store.Create("dense/kernel", 2, 3);
  Parameter& embedding = store.Create("embedding", 4, 2);
  dense.l2 = 0.01;
  embedding.l1 = 0.001;
  embedding.sparse_grad = true;
  for (Index i = 0; i < dense.size(); ++i)
    dense.value.data()[i] = 0.1f * static_cast<float>(i + 1) * (i % 2 ? -1.0f : 1.0f);
  for (Index i = 0; i < embedding.size(); ++i) embedding.value.data()[i] = 0.05f * static_cast<float>(i) - 0.2f;
  return {&dense, &embedding};
}

// Deterministic gradients for step k; the sparse parameter touches two rows that move with k.
void SetGradients(const ParameterList& params, int k) {
  for (Parameter* p : params) {
    for (Index i = 0; i < p->size(); ++i) {
      p->grad.data()[i] = static_cast<float>(std::sin(1.0 + 0.7 * static_cast<double>(i) + 1.3 * k));
    }
    if (p->sparse_grad) p->touched.Assign({k % 4, (k + 2) % 4});
  }
}

OptimizerSpec AdamSpec() {
  OptimizerSpec spec;
  spec.name = "adam";
  return spec;
}

OptimizerSpec SpecFor(const std::string& name) {
  OptimizerSpec spec;
  spec.name = name;
  // A decaying rate makes the restored step count matter for every optimizer.
  spec.schedule = ExponentialDecaySchedule(0.05, 2, 0.5);
  if (name == "rmsprop") spec.options = {{"momentum", 0.5}, {"centered", 1.0}};
  if (name == "ftrl") spec.options = {{"l1", 0.01}, {"l2", 0.01}, {"l2_shrinkage", 0.01}};
  return spec;
}

TEST(OptimizerStateTest, RestoredOptimizerContinuesBitIdentically) {
  for (const std::string& name : OptimizerNames()) {
    SCOPED_TRACE(name);
    ParameterStore original_store;
    const ParameterList original = MakeParameters(original_store);
    auto optimizer = MakeOptimizer(SpecFor(name));
    for (int k = 0; k < 3; ++k) {
      SetGradients(original, k);
      optimizer->Step(original);
    }
    MemoryState state;
    optimizer->SaveState(state);

    ParameterStore restored_store;
    const ParameterList restored = MakeParameters(restored_store);
    ParameterStore fresh_store;
    const ParameterList fresh = MakeParameters(fresh_store);
    for (size_t j = 0; j < original.size(); ++j) {
      restored[j]->value = original[j]->value;
      fresh[j]->value = original[j]->value;
    }
    auto restored_optimizer = MakeOptimizer(SpecFor(name));
    restored_optimizer->LoadState(state, restored);
    EXPECT_EQ(restored_optimizer->iterations(), 3);
    auto fresh_optimizer = MakeOptimizer(SpecFor(name));  // same weights, no state: must differ

    for (int k = 3; k < 5; ++k) {
      SetGradients(original, k);
      SetGradients(restored, k);
      SetGradients(fresh, k);
      optimizer->Step(original);
      restored_optimizer->Step(restored);
      fresh_optimizer->Step(fresh);
    }
    bool fresh_differs = false;
    for (size_t j = 0; j < original.size(); ++j) {
      for (Index i = 0; i < original[j]->size(); ++i) {
        EXPECT_EQ(restored[j]->value.data()[i], original[j]->value.data()[i]) << original[j]->name << "[" << i << "]";
        fresh_differs |= fresh[j]->value.data()[i] != original[j]->value.data()[i];
      }
    }
    EXPECT_TRUE(fresh_differs) << "the test would pass without restoring anything";
  }
}

TEST(OptimizerStateTest, SavesStepCountAndEverySlot) {
  ParameterStore store;
  const ParameterList params = MakeParameters(store);
  auto adam = MakeOptimizer(AdamSpec());
  SetGradients(params, 0);
  adam->Step(params);
  MemoryState state;
  adam->SaveState(state);
  EXPECT_EQ(state.ReadScalar("optimizer/iterations"), 1.0);
  for (const char* key :
       {"optimizer/dense/kernel/m", "optimizer/dense/kernel/v", "optimizer/embedding/m", "optimizer/embedding/v"}) {
    EXPECT_TRUE(state.Has(key)) << key;
  }
}

TEST(OptimizerStateTest, SlotWithWrongShapeThrowsIoError) {
  ParameterStore store;
  Parameter& w = store.Create("w", 2, 3);
  w.grad.setConstant(1.0f);
  auto adam = MakeOptimizer(AdamSpec());
  adam->Step({&w});
  MemoryState state;
  adam->SaveState(state);

  ParameterStore other_store;
  Parameter& transposed = other_store.Create("w", 3, 2);
  auto restored = MakeOptimizer(AdamSpec());
  EXPECT_THROW(restored->LoadState(state, {&transposed}), IoError);
}

}  // namespace
}  // namespace lever
