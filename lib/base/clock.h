// Injected time source. Logic never calls now() directly: servers pass a
// RealClock, tests a FakeClock they can move by hand.
//
// Thread-safety: all implementations are safe for concurrent use.
#ifndef HOLDFAST_LIB_BASE_CLOCK_H_
#define HOLDFAST_LIB_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace holdfast {

// Microseconds since the Unix epoch, UTC. The one time unit used across lib/.
using UnixMicros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Returns the current time in microseconds since the Unix epoch.
  virtual UnixMicros NowMicros() const = 0;
};

// Wall clock (CLOCK_REALTIME).
class RealClock final : public Clock {
 public:
  UnixMicros NowMicros() const override;
  // A process-wide instance; never destroyed.
  static const RealClock* Get();
};

// A clock that only moves when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixMicros start = 0) : now_(start) {}
  UnixMicros NowMicros() const override { return now_.load(); }
  void Set(UnixMicros t) { now_.store(t); }
  void Advance(int64_t micros) { now_.fetch_add(micros); }

 private:
  std::atomic<UnixMicros> now_;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_BASE_CLOCK_H_
