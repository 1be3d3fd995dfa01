// A fixed set of threads for work that blocks (store writes waiting for their
// group commit), so gRPC's callback threads never do. The queue is bounded:
// when it is full, TrySubmit refuses at once and the caller answers
// RESOURCE_EXHAUSTED instead of growing memory.
//
// Thread-safety: TrySubmit may be called from any thread.
#ifndef HOLDFAST_SERVER_WORK_POOL_H_
#define HOLDFAST_SERVER_WORK_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace holdfast::server {

class WorkPool {
 public:
  // `threads` workers; at most `max_queued` tasks waiting. `nice` > 0 lowers
  // the workers' CPU priority (Linux per-thread nice), so work that may run
  // long (reports) yields the CPU to the threads that answer decisions.
  WorkPool(int threads, size_t max_queued, int nice = 0);
  // Runs every queued task, then joins the workers.
  ~WorkPool();

  // Queues `task`; false when the queue is full (the task is not run).
  [[nodiscard]] bool TrySubmit(std::function<void()> task);

  int threads() const { return static_cast<int>(workers_.size()); }
  size_t max_queued() const { return max_queued_; }
  // Tasks waiting for a worker now (for tests and metrics).
  size_t queued();

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_WORK_POOL_H_
