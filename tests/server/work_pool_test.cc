// The work pool refuses work once its queue is full instead of growing, and
// runs everything it accepted before it is destroyed.
#include "server/work_pool.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

namespace holdfast::server {
namespace {

TEST(WorkPoolTest, RefusesWhenQueueIsFullAndDrainsOnDestruction) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> ran{0};
  {
    WorkPool pool(/*threads=*/1, /*max_queued=*/3);
    // Occupy the only worker until released.
    ASSERT_TRUE(pool.TrySubmit([&] {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
      ++ran;
    }));
    // Wait until the worker has taken it, so the queue is empty again.
    int accepted = 0;
    for (int attempt = 0; attempt < 1000 && accepted < 3; ++attempt) {
      if (pool.TrySubmit([&] { ++ran; })) ++accepted;
    }
    ASSERT_EQ(accepted, 3);
    EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));  // queue full: refused, never run
    {
      std::lock_guard<std::mutex> lock(mu);
      release = true;
    }
    cv.notify_all();
  }
  EXPECT_EQ(ran.load(), 4);
}

}  // namespace
}  // namespace holdfast::server
