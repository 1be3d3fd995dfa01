// The HTTP endpoint's worker pool: a fixed number of threads and a bounded
// queue of accepted connections. cpp-httplib's own ThreadPool queues without
// limit; here, when every thread is busy and the queue is full, enqueue()
// blocks the accepting thread, so further connections wait in the kernel's
// listen backlog (and then time out at the client) instead of growing memory.
// Workers always make progress: every connection has read, write and
// keep-alive timeouts (server/http_gateway.h).
//
// Thread-safety: enqueue() and shutdown() may be called from any thread;
// shutdown() once.
#ifndef HOLDFAST_SERVER_HTTP_TASK_QUEUE_H_
#define HOLDFAST_SERVER_HTTP_TASK_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace holdfast::server {

class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  // `threads` > 0 workers; at most `max_queued` > 0 jobs waiting for one.
  BoundedTaskQueue(int threads, size_t max_queued);
  ~BoundedTaskQueue() override;

  // Runs `fn` on a worker; blocks while `max_queued` jobs already wait.
  void enqueue(std::function<void()> fn) override;
  // Runs every queued job, then joins the workers.
  void shutdown() override;

 private:
  void Work();

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable has_job_;
  std::condition_variable has_room_;
  std::deque<std::function<void()>> jobs_;
  bool shutting_down_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_HTTP_TASK_QUEUE_H_
