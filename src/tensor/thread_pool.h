#pragma once
// A small persistent thread pool for splitting large matrix products (internal).
//
// Workers spin briefly after each job (products come in quick succession during a training step) and
// then sleep on a condition variable, so an idle pool costs nothing. Run() allocates nothing: the job is
// a function pointer and a context pointer.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace lever::internal {

class ThreadPool {
 public:
  using TaskFn = void (*)(void* context, int task);

  /// The process-wide pool used by Gemm.
  static ThreadPool& Instance();

  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Runs fn(context, i) for i in [0, tasks), on the calling thread and the workers; returns when all
  /// are done. Tasks beyond the thread count run in turn. Not reentrant.
  void Run(int tasks, TaskFn fn, void* context);
  /// Threads that work on a Run(): the workers plus the caller.
  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  /// Restarts the pool with `threads` - 1 workers.
  void Resize(int threads);

 private:
  void WorkerLoop();
  void RunTasks(uint64_t generation);
  void Start(int threads);
  void Stop();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // (generation << 32) | index of the next unclaimed task. Tagging claims with the generation keeps a
  // worker that is late to finish one job from claiming tasks of the next.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> tasks_{0};  // read by workers racing with the next Run(): a failed CAS discards it
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace lever::internal
