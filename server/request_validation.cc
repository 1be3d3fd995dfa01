#include "server/request_validation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/assign/assigner.h"
#include "lib/base/text.h"
#include "lib/base/time_util.h"

namespace holdfast::server {
namespace {

bool IsAttributeKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  if (id.size() > kMaxUnitBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", id.size(), " bytes, at most ", kMaxUnitBytes, " allowed"));
  }
  if (!IsValidUtf8(id)) return absl::InvalidArgumentError(absl::StrCat(field, ": not valid UTF-8"));
  return ValidateNoNul(field, id);
}

absl::Status ValidateNoNul(absl::string_view field, absl::string_view text) {
  // PostgreSQL text cannot hold U+0000; refused on every store, so a call
  // answers the same whichever store the server has (and a SQLite store
  // stays copyable to PostgreSQL).
  if (text.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not contain a NUL byte (U+0000)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateUnit(absl::string_view field, absl::string_view unit) {
  return ValidateId(field, unit);
}

absl::StatusOr<UnixMicros> TimestampToMicros(absl::string_view field, bool has,
                                             const google::protobuf::Timestamp& ts,
                                             UnixMicros default_time) {
  if (!has) return default_time;
  if (ts.nanos() < 0 || ts.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": nanos ", ts.nanos(), " outside [0, 1e9)"));
  }
  if (ts.seconds() < 0 || ts.seconds() > kMaxTimeMicros / 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", ts.seconds(), " s is outside 1970-01-01..9999-12-31"));
  }
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

absl::StatusOr<UnixMicros> ReportBoundToMicros(absl::string_view field, const google::protobuf::Timestamp& ts) {
  // google.protobuf.Timestamp's documented range.
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".seconds: ", ts.seconds(),
                                                   " is outside Timestamp's range 0001-01-01..9999-12-31"));
  }
  if (ts.nanos() < 0 || ts.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".nanos: ", ts.nanos(), " is outside [0, 1e9)"));
  }
  // |seconds| < 2^38, so the product cannot overflow.
  const UnixMicros t = ts.seconds() * 1000000 + ts.nanos() / 1000;
  return std::clamp(t, kMinTimeMicros, kMaxTimeMicros);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ValidateAttributes(
    absl::string_view field, const google::protobuf::Map<std::string, std::string>& attributes) {
  if (attributes.size() > static_cast<size_t>(kMaxAttributes)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", attributes.size(),
                                                   " attributes, at most ", kMaxAttributes));
  }
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(attributes.size());
  for (const auto& [key, value] : attributes) {
    if (key.empty() || key.size() > 64 || !std::all_of(key.begin(), key.end(), IsAttributeKeyChar)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[\"", EchoInput(key), "\"]: key must match [A-Za-z0-9_.-]{1,64}"));
    }
    if (value.size() > 256 || !IsValidUtf8(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[\"", EchoInput(key), "\"]: value must be at most 256 bytes of UTF-8"));
    }
    out.emplace_back(key, value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void MicrosToTimestamp(UnixMicros t, google::protobuf::Timestamp* ts) {
  ts->set_seconds(FloorDiv(t, 1000000));
  ts->set_nanos(static_cast<int32_t>((t - FloorDiv(t, 1000000) * 1000000) * 1000));
}

}  // namespace holdfast::server
