// Conversions between UnixMicros and text (RFC 3339) used by config, CLI and
// reports, plus the range every API accepts.
#ifndef HOLDFAST_LIB_BASE_TIME_UTIL_H_
#define HOLDFAST_LIB_BASE_TIME_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"

namespace holdfast {

// Times accepted anywhere in the API: 1970-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999Z. Earlier or later instants are INVALID_ARGUMENT.
inline constexpr UnixMicros kMinTimeMicros = 0;
inline constexpr UnixMicros kMaxTimeMicros = 253402300799999999;

// True when `t` lies in [kMinTimeMicros, kMaxTimeMicros].
inline bool IsRepresentableTime(UnixMicros t) {
  return t >= kMinTimeMicros && t <= kMaxTimeMicros;
}

// Parses an RFC 3339 time ("2026-11-23T10:00:00Z", offsets and fractions
// allowed), a bare date ("2026-11-23", midnight UTC), or an integer number of
// seconds since the epoch ("1700000000"). Returns INVALID_ARGUMENT otherwise
// or when the time is outside the representable range.
[[nodiscard]] absl::StatusOr<UnixMicros> ParseTime(absl::string_view text);

// Formats as RFC 3339 UTC with microseconds only when non-zero.
std::string FormatTime(UnixMicros t);

// One UTC day (no leap seconds in Unix time).
inline constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

// floor(a / b) for b > 0, correct for negative a (C++ '/' truncates).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) --q;
  return q;
}

}  // namespace holdfast

#endif  // HOLDFAST_LIB_BASE_TIME_UTIL_H_
