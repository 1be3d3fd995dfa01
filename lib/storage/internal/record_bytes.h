// Approximate in-memory size of queued records, for the byte bound of every
// store's write queue (one definition, so both stores bound the same way).
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_RECORD_BYTES_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_RECORD_BYTES_H_

#include <cstdint>

#include "absl/types/span.h"
#include "lib/storage/records.h"

namespace holdfast::storage_internal {

// Fixed per-record overhead added to the string payloads.
inline constexpr int64_t kRecordOverheadBytes = 64;

inline int64_t BytesOf(const EntryRow& r) {
  int64_t n = kRecordOverheadBytes + r.journey.size() + r.unit.size() + r.arm.size() +
              r.config_version.size();
  for (const auto& [k, v] : r.attributes) n += k.size() + v.size() + 16;
  return n;
}
inline int64_t BytesOf(const SendRow& r) {
  return kRecordOverheadBytes + r.send_id.size() + r.unit.size() + r.journey.size() +
         r.channel.size();
}
inline int64_t BytesOf(const OutcomeRow& r) {
  return kRecordOverheadBytes + r.outcome_id.size() + r.unit.size() + r.order_id.size();
}
inline int64_t BytesOf(const FixedCostRow& r) {
  return kRecordOverheadBytes + r.cost_id.size() + r.journey.size() + r.category.size();
}
inline int64_t BytesOf(const CustomerRow& r) { return kRecordOverheadBytes + r.unit.size(); }
inline int64_t BytesOf(const ConfigVersionRow& r) {
  return kRecordOverheadBytes + r.version.size() + r.source_path.size() + r.diff_summary.size() +
         r.content.size();
}

template <typename Row>
int64_t BytesOfAll(absl::Span<const Row> rows) {
  int64_t n = 0;
  for (const Row& r : rows) n += BytesOf(r);
  return n;
}

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_RECORD_BYTES_H_
