// Checks for EventService records. A batch is atomic: the first invalid
// record rejects the whole batch with INVALID_ARGUMENT naming its index and
// field, e.g. "sends[17].cost: must be finite and >= 0, got nan".
#ifndef HOLDFAST_SERVER_EVENT_VALIDATION_H_
#define HOLDFAST_SERVER_EVENT_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "holdfast/v1/events.pb.h"
#include "lib/assign/assignment_config.h"

namespace holdfast::server {

// Largest absolute money value accepted (revenue, margin, cost, amount). Sums
// and co-moments over millions of entries must stay finite; a typo like
// 1e308 stored once could never be taken back.
inline constexpr double kMaxMoney = 1e12;

// `prefix` is the record's position, e.g. "sends[3]".
absl::Status ValidateSendRecord(absl::string_view prefix, const holdfast::v1::SendRecord& send,
                                const AssignmentConfig& config);
absl::Status ValidateOutcomeRecord(absl::string_view prefix, const holdfast::v1::OutcomeRecord& outcome);
absl::Status ValidateFixedCostRecord(absl::string_view prefix, const holdfast::v1::FixedCostRecord& cost,
                                     const AssignmentConfig& config);
// Entries to import: journey configured, unit valid, time set and in range.
absl::Status ValidateEntryRecord(absl::string_view prefix, const holdfast::v1::EntryRecord& entry,
                                 const AssignmentConfig& config);

// Roster customers: unit valid, first_seen set and in range.
absl::Status ValidateCustomerRecord(absl::string_view prefix, const holdfast::v1::CustomerRecord& customer);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_EVENT_VALIDATION_H_
