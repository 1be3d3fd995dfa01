#include "lib/config/units.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace holdfast::config {

std::optional<uint32_t> ShareToPpm(double share) {
  if (!(share >= 0.0 && share <= 1.0)) return std::nullopt;  // also rejects NaN
  const long long ppm = std::llround(share * 1e6);
  if (static_cast<double>(ppm) / 1e6 != share) return std::nullopt;
  return static_cast<uint32_t>(ppm);
}

std::optional<int64_t> DurationToMicros(const google::protobuf::Duration& d) {
  constexpr int64_t kMaxSeconds = 315576000000;  // 10,000 years, protobuf's bound
  if (d.seconds() > kMaxSeconds || d.seconds() < -kMaxSeconds) return std::nullopt;
  if (d.nanos() >= 1000000000 || d.nanos() <= -1000000000) return std::nullopt;
  if ((d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    return std::nullopt;
  }
  if (d.nanos() % 1000 != 0) return std::nullopt;
  return d.seconds() * 1000000 + d.nanos() / 1000;
}

std::optional<int64_t> TimestampToMicros(const google::protobuf::Timestamp& t) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds) return std::nullopt;
  if (t.nanos() < 0 || t.nanos() >= 1000000000 || t.nanos() % 1000 != 0) return std::nullopt;
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

std::string FormatDouble(double v) {
  char buf[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string FormatDurationMicros(int64_t micros) {
  constexpr int64_t kSecond = 1000000;
  if (micros == 0) return "0s";
  if (micros % kSecond != 0) return absl::StrCat(static_cast<double>(micros) / kSecond, "s");
  const int64_t s = micros / kSecond;
  if (s % 86400 == 0) return absl::StrCat(s / 86400, "d");
  if (s % 3600 == 0) return absl::StrCat(s / 3600, "h");
  if (s % 60 == 0) return absl::StrCat(s / 60, "m");
  return absl::StrCat(s, "s");
}

}  // namespace holdfast::config
