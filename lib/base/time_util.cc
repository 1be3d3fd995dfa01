#include "lib/base/time_util.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace holdfast {

absl::StatusOr<UnixMicros> ParseTime(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty()) return absl::InvalidArgumentError("empty time");
  int64_t seconds = 0;
  UnixMicros micros = 0;
  if (absl::SimpleAtoi(s, &seconds)) {
    // Seconds since the epoch; bound before multiplying so it cannot overflow.
    if (seconds < 0 || seconds > kMaxTimeMicros / 1000000) {
      return absl::InvalidArgumentError(
          absl::StrCat("time '", s, "' is outside 1970-01-01..9999-12-31"));
    }
    micros = seconds * 1000000;
  } else {
    absl::Time t;
    std::string err;
    bool ok = absl::ParseTime(absl::RFC3339_full, s, &t, &err);
    if (!ok) ok = absl::ParseTime("%Y-%m-%d", s, absl::UTCTimeZone(), &t, &err);
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot parse time '", s,
          "': want RFC 3339 (2026-11-23T10:00:00Z), a date (2026-11-23) or "
          "epoch seconds"));
    }
    if (t < absl::FromUnixMicros(kMinTimeMicros) || t > absl::FromUnixMicros(kMaxTimeMicros)) {
      return absl::InvalidArgumentError(
          absl::StrCat("time '", s, "' is outside 1970-01-01..9999-12-31"));
    }
    micros = absl::ToUnixMicros(t);
  }
  return micros;
}

std::string FormatTime(UnixMicros t) {
  absl::Time at = absl::FromUnixMicros(t);
  if (t % 1000000 == 0) return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", at, absl::UTCTimeZone());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", at, absl::UTCTimeZone());
}

}  // namespace holdfast
