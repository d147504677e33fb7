#include "tensor/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LEVER_CPU_RELAX() _mm_pause()
#else
#define LEVER_CPU_RELAX() std::this_thread::yield()
#endif

namespace lever::internal {
namespace {
// About 50-100 microseconds of spinning before a worker goes to sleep.
constexpr int kSpinIterations = 20000;
constexpr uint32_t kClosed = 0xFFFFFFFFu;  // a generation being set up: nothing to claim yet

uint64_t Generation(uint64_t claim) { return claim >> 32; }
uint32_t NextTask(uint64_t claim) { return static_cast<uint32_t>(claim); }
}  // namespace

ThreadPool& ThreadPool::Instance() {
  static ThreadPool pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return pool;
}

ThreadPool::ThreadPool(int threads) { Start(threads); }

ThreadPool::~ThreadPool() { Stop(); }

void ThreadPool::Start(int threads) {
  stop_ = false;
  for (int i = 1; i < std::max(1, threads); ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void ThreadPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

void ThreadPool::Resize(int threads) {
  if (threads == this->threads()) return;
  Stop();
  Start(threads);
}

void ThreadPool::RunTasks(uint64_t generation) {
  while (true) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    if (Generation(c) != generation || NextTask(c) >= static_cast<uint32_t>(tasks_.load())) return;
    if (claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) {
      fn_(context_, static_cast<int>(NextTask(c)));
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = Generation(claim_.load());
  auto ready = [&] {
    const uint64_t c = claim_.load(std::memory_order_acquire);
    return Generation(c) != seen && NextTask(c) != kClosed;
  };
  while (true) {
    int spins = 0;
    while (!ready() && !stop_.load(std::memory_order_relaxed)) {
      if (++spins < kSpinIterations) {
        LEVER_CPU_RELAX();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_.fetch_add(1);
      wake_.wait(lock, [&] { return ready() || stop_.load(); });
      sleeping_.fetch_sub(1);
    }
    if (stop_.load()) return;
    seen = Generation(claim_.load(std::memory_order_acquire));
    RunTasks(seen);
  }
}

void ThreadPool::Run(int tasks, TaskFn fn, void* context) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int t = 0; t < tasks; ++t) fn(context, t);
    return;
  }
  const uint64_t generation = Generation(claim_.load()) + 1;
  claim_.store((generation << 32) | kClosed, std::memory_order_release);
  fn_ = fn;
  context_ = context;
  tasks_.store(tasks);
  pending_.store(tasks, std::memory_order_release);
  {
    // Opening the generation under the mutex closes the race with a worker about to sleep.
    std::lock_guard<std::mutex> lock(mutex_);
    claim_.store(generation << 32, std::memory_order_release);
  }
  if (sleeping_.load() > 0) wake_.notify_all();
  RunTasks(generation);
  while (pending_.load(std::memory_order_acquire) > 0) LEVER_CPU_RELAX();
}

}  // namespace lever::internal
