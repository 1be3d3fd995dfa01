// Field checks shared by every service. Each error is INVALID_ARGUMENT and
// names the field (with its index inside a batch, e.g. "units[17]").
#ifndef HOLDFAST_SERVER_REQUEST_VALIDATION_H_
#define HOLDFAST_SERVER_REQUEST_VALIDATION_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "google/protobuf/timestamp.pb.h"
#include "lib/base/clock.h"

namespace holdfast::server {

// Most attributes one entry may carry.
inline constexpr int kMaxAttributes = 32;
// Most records in one unary batch or one streamed message.
inline constexpr int kMaxBatchRecords = 10000;

// A unit id: 1..256 bytes of valid UTF-8, no NUL byte.
absl::Status ValidateUnit(absl::string_view field, absl::string_view unit);

// An id (send_id, outcome_id, cost_id, order_id when set): 1..256 bytes of UTF-8,
// no NUL byte.
absl::Status ValidateId(absl::string_view field, absl::string_view id);
// INVALID_ARGUMENT naming `field` when `text` holds a NUL byte (ids, and the
// free-text fields a store keeps as text: a send's channel, a cost's category).
absl::Status ValidateNoNul(absl::string_view field, absl::string_view text);

// Converts a Timestamp to µs. `has` false → `default_time`. Rejects times
// outside 1970-01-01..9999-12-31 and nanos outside [0, 1e9).
absl::StatusOr<UnixMicros> TimestampToMicros(absl::string_view field, bool has,
                                             const google::protobuf::Timestamp& ts,
                                             UnixMicros default_time);

// A report range bound: `ts` must lie in google.protobuf.Timestamp's range
// (0001-01-01..9999-12-31, nanos in [0, 1e9)); errors name "<field>.seconds"
// or "<field>.nanos". Times before 1970 (the store's epoch) become 1970.
absl::StatusOr<UnixMicros> ReportBoundToMicros(absl::string_view field, const google::protobuf::Timestamp& ts);

// Attribute keys [A-Za-z0-9_.-]{1,64}, values <= 256 bytes of UTF-8, at most
// kMaxAttributes. Returns them sorted by key.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ValidateAttributes(
    absl::string_view field, const google::protobuf::Map<std::string, std::string>& attributes);

// Sets `ts` from µs.
void MicrosToTimestamp(UnixMicros t, google::protobuf::Timestamp* ts);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_REQUEST_VALIDATION_H_
