// Plain records the store keeps: entries, sends, outcomes, fixed costs,
// customers and config history. They mirror protos/holdfast/v1/events.proto without
// depending on protobuf, so lib/storage is usable from a batch job.
//
// Every record carries its own idempotency key (entries: journey, unit,
// period); writing a record twice stores it once and the first write wins.
#ifndef HOLDFAST_LIB_STORAGE_RECORDS_H_
#define HOLDFAST_LIB_STORAGE_RECORDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lib/base/clock.h"

namespace holdfast {

// Length limits the store enforces defensively (the server validates first).
inline constexpr size_t kMaxStoredIdBytes = 256;       // unit, journey, record ids
inline constexpr size_t kMaxStoredChannelBytes = 64;   // SendRow::channel
inline constexpr size_t kMaxStoredTextBytes = 65536;   // free text: arm, category, paths, ...
inline constexpr size_t kMaxStoredAttributes = 64;     // EntryRow::attributes
inline constexpr size_t kMaxStoredConfigBytes = 16 << 20;  // ConfigVersionRow::content
// ConfigVersionRow::diff_summary: the human diff (the server cuts it to
// 1 MiB) plus one holdout-state line per journey (at most 1,000 journeys,
// lib/config/limits.h), so every valid config's history record fits.
inline constexpr size_t kMaxStoredConfigSummaryBytes = 4 << 20;
inline constexpr size_t kMaxStoredReplicaBytes = 256;  // ConfigVersionRow::replica

// Group of an entry; values match AssignedGroup and the API enum.
enum class EntryGroup : int { kTreatment = 1, kHoldout = 2, kGlobalHoldout = 3 };

// Values match holdfast.v1.OutcomeType.
enum class OutcomeType : int {
  kConversion = 1,
  kOrder = 2,
  kRefund = 3,
  kUnsubscribe = 4,
  kComplaint = 5,
};

// The first assignment of a unit to a journey within a period.
// Key: (journey, unit, period).
struct EntryRow {
  std::string journey;
  std::string unit;
  int64_t period = 0;
  UnixMicros t0 = 0;
  EntryGroup group = EntryGroup::kTreatment;
  // Treatment arm name; empty for holdouts.
  std::string arm;
  std::string config_version;
  bool in_washout = false;
  // Free-form key/value attributes (segments). Keys should be unique; when a
  // key repeats, lookups see its first value.
  std::vector<std::pair<std::string, std::string>> attributes;
};

// A message delivered to a unit in a journey. Key: send_id.
struct SendRow {
  std::string send_id;
  std::string unit;
  std::string journey;
  std::string channel;
  UnixMicros at = 0;
  // Finite, >= 0. The server resolves a missing API cost to the channel cost.
  double cost = 0;
};

// Something a unit did. Key: outcome_id.
struct OutcomeRow {
  std::string outcome_id;
  std::string unit;
  UnixMicros at = 0;
  OutcomeType type = OutcomeType::kConversion;
  // Finite. For kRefund the store keeps -|revenue| and -|margin| whatever the
  // sign given, so sums over outcomes net refunds out.
  double revenue = 0;
  double margin = 0;
  // kRefund: outcome_id of the order it reverses; otherwise usually empty.
  std::string order_id;
  // Coupon or discount value granted on a kConversion/kOrder (finite, >= 0;
  // 0 for every other type): a cost of the journey in the report.
  double incentive_cost = 0;
};

// A journey cost not tied to a send, covering [start, end). Key: cost_id.
struct FixedCostRow {
  std::string cost_id;
  std::string journey;
  UnixMicros start = 0;
  UnixMicros end = 0;  // > start
  double amount = 0;   // finite, >= 0
  std::string category;
};

// A customer of the program's population. Key: unit. `first_seen` is when
// the customer became known; the program report takes the earlier of it and
// the unit's first stored entry, send or outcome.
struct CustomerRow {
  std::string unit;
  UnixMicros first_seen = 0;
};

// One config load. Not keyed: loading the same version again appends again.
struct ConfigVersionRow {
  std::string version;
  UnixMicros loaded_at = 0;
  std::string source_path;
  // Human-readable change summary, plus one "state:" line per rotating
  // holdout (lib/config/share_transition.h) from which pending share
  // transitions are rebuilt.
  std::string diff_summary;
  // The full canonical config of this version: the effective config (defaults
  // written out) in protobuf text format, as lib/config/stored_config.h
  // writes it; with the state lines above it compiles back to exactly
  // `version`. Empty for rows written before schema version 3.
  std::string content;
  // Which holdfastd loaded it (--replica_id; default the host name), so a
  // history shared by several replicas shows which one served what. At most
  // kMaxStoredReplicaBytes; empty for rows written before schema version 6.
  std::string replica;
};

// Result of a write, returned only after its records are committed.
struct WriteSummary {
  // Records stored by this call.
  int64_t inserted = 0;
  // Records whose key was already stored (by an earlier call or earlier in
  // this batch); nothing was changed for them.
  int64_t duplicates = 0;
  // Refunds inserted by this call whose order_id names no stored outcome
  // (they are stored anyway).
  int64_t orphan_refunds = 0;
};

// Result of RecordEntries: the summary, and for each row in call order
// whether it created the entry (false: the unit had already entered that
// journey in that period; the earlier entry stands).
struct EntryWriteResult {
  WriteSummary summary;
  std::vector<bool> inserted;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_RECORDS_H_
