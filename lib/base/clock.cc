#include "lib/base/clock.h"

#include <chrono>

namespace holdfast {

UnixMicros RealClock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const RealClock* RealClock::Get() {
  static const RealClock* clock = new RealClock();
  return clock;
}

}  // namespace holdfast
