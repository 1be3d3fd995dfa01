// The error every store returns for the first bad record of a write batch
// (docs/storage.md, "Guarantees"): INVALID_ARGUMENT "<table>[<index>]:
// <problem>". The index also travels as a status payload, so a caller that
// numbers the records differently (holdfast store copy, whose batches are
// pages of a table) names the record without parsing the message.
#ifndef HOLDFAST_LIB_STORAGE_BAD_RECORD_H_
#define HOLDFAST_LIB_STORAGE_BAD_RECORD_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace holdfast {

inline constexpr absl::string_view kBadRecordIndexPayload = "type.holdfast.dev/bad-record-index";

// The message's prefix naming record `index` of `table`: "sends[17]".
inline std::string BadRecordName(absl::string_view table, size_t index) {
  return absl::StrCat(table, "[", index, "]");
}

inline absl::Status BadRecordError(absl::string_view table, size_t index, absl::string_view problem) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat(BadRecordName(table, index), ": ", problem));
  s.SetPayload(kBadRecordIndexPayload, absl::Cord(absl::StrCat(index)));
  return s;
}

// The batch index a BadRecordError carries; nothing for any other status.
inline std::optional<size_t> BadRecordIndex(const absl::Status& status) {
  const auto payload = status.GetPayload(kBadRecordIndexPayload);
  size_t index = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &index)) return std::nullopt;
  return index;
}

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_BAD_RECORD_H_
