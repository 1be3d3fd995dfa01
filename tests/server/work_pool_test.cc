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
  bool release = false, started = false;
  std::atomic<int> ran{0};
  {
    WorkPool pool(/*threads=*/1, /*max_queued=*/3);
    // Occupy the only worker until released.
    ASSERT_TRUE(pool.TrySubmit([&] {
      std::unique_lock<std::mutex> lock(mu);
      started = true;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
      ++ran;
    }));
    {
      // Wait until the worker has taken it, so the queue is empty again.
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return started; });
    }
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
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
