// A steady-state training step makes no heap allocation. This executable replaces malloc and friends
// (every operator new, Eigen's aligned allocations and OpenBLAS's end there) with counting wrappers around
// glibc's, and counts between two OnStepEnd callbacks: exactly one training step.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>

#include "lever/nn/mlp.h"
#include "lever/tensor/rng.h"
#include "lever/train/trainer.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
void Count() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  Count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  Count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  Count();
  return __libc_realloc(p, n);
}
void* memalign(size_t alignment, size_t n) {
  Count();
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  Count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  Count();
  *out = __libc_memalign(alignment, n);
  return *out == nullptr ? 12 /* ENOMEM */ : 0;
}
void free(void* p) { __libc_free(p); }
}

namespace lever {
namespace {

// Starts counting after `warmup` steps and stops `measured` steps later.
class AllocationCounter : public Hook {
 public:
  AllocationCounter(int64_t warmup, int64_t measured) : warmup_(warmup), measured_(measured) {}
  bool AfterStep(Learner& /*learner*/, const StepReport& info) override {
    if (info.step == warmup_) {
      g_allocations = 0;
      g_counting = true;
    } else if (info.step == warmup_ + measured_) {
      g_counting = false;
      allocations = g_allocations.load();
    }
    return false;
  }
  long allocations = -1;

 private:
  int64_t warmup_, measured_;
};

Dataset RandomData(Index rows, Index inputs, Index classes, uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.features.resize(rows, inputs);
  d.labels.resize(rows, 1);
  for (Index i = 0; i < d.features.size(); ++i) d.features.data()[i] = static_cast<float>(rng.Normal());
  for (Index i = 0; i < rows; ++i)
    d.labels(i, 0) = static_cast<float>(classes > 1 ? rng.UniformInt(classes) : rng.UniformInt(2));
  return d;
}

long StepAllocations(const MlpSpec& mlp, Index inputs, const std::string& loss, const std::string& optimizer,
                     Index batch, double clip_norm = 0.0) {
  const Dataset data = RandomData(1000, inputs, mlp.outputs, 1);
  Sequential model = MakeMlp(mlp);
  model.Build(inputs, 1);
  TrainConfig c;
  c.loss = loss;
  c.batch_size = batch;
  c.max_steps = 60;
  c.eval_every = 0;
  c.clip_norm = clip_norm;
  c.optimizer.name = optimizer;
  c.optimizer.learning_rate = 0.001;
  Trainer trainer(model, c);
  AllocationCounter counter(/*warmup=*/10, /*measured=*/40);  // crosses epoch boundaries too
  trainer.AddHook(&counter);
  trainer.Train(data);
  return counter.allocations;
}

TEST(AllocationTest, SmallTanhNetworkWithSgd) {
  MlpSpec mlp;
  mlp.hidden = {8, 8};
  mlp.activation = "tanh";
  EXPECT_EQ(StepAllocations(mlp, 2, "sigmoid_cross_entropy", "sgd", 10), 0);
}

TEST(AllocationTest, ReluSoftmaxNetworkWithAdamDropoutAndClipping) {
  MlpSpec mlp;
  mlp.hidden = {128, 64};
  mlp.activation = "relu";
  mlp.dropout = 0.2;
  mlp.outputs = 10;
  mlp.regularizer = Regularizer::ElasticNet(1e-4, 1e-4);
  EXPECT_EQ(StepAllocations(mlp, 64, "sparse_softmax_cross_entropy", "adam", 32, 1.0), 0);
}

TEST(AllocationTest, BatchNormNetwork) {
  MlpSpec mlp;
  mlp.hidden = {16, 16};
  mlp.activation = "elu";
  mlp.batch_norm = true;
  EXPECT_EQ(StepAllocations(mlp, 5, "sigmoid_cross_entropy", "rmsprop", 16), 0);
}

TEST(AllocationTest, LargeProductsThroughBlas) {
  MlpSpec mlp;
  mlp.hidden = {256, 128};
  mlp.activation = "relu";
  mlp.outputs = 10;
  EXPECT_EQ(StepAllocations(mlp, 784, "sparse_softmax_cross_entropy", "adam", 128), 0);
}

TEST(AllocationTest, CounterSeesAllocations) {
  // The counter itself works: a vector allocates.
  g_allocations = 0;
  g_counting = true;
  auto* v = new std::vector<int>(100);
  g_counting = false;
  delete v;
  EXPECT_GE(g_allocations.load(), 2);
}

}  // namespace
}  // namespace lever
