// What PostgreSQL needs of a row beyond the checks every store runs
// (row_validation.h): its text columns hold valid UTF-8 without NUL bytes
// (SQLite stores any bytes; PostgreSQL rejects them, and the rejection must
// name the row before the batch is queued, not fail a whole group commit).
// Plus the bytea text form used to COPY entries.attributes.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_ROWS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_ROWS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/storage/records.h"

namespace holdfast::storage_internal {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates) without NUL.
bool IsPostgresText(absl::string_view s);

// OK, or INVALID_ARGUMENT naming the first bad row by index and its field.
[[nodiscard]] absl::Status ValidatePostgresText(absl::Span<const EntryRow> rows);
[[nodiscard]] absl::Status ValidatePostgresText(absl::Span<const SendRow> rows);
[[nodiscard]] absl::Status ValidatePostgresText(absl::Span<const OutcomeRow> rows);
[[nodiscard]] absl::Status ValidatePostgresText(absl::Span<const FixedCostRow> rows);
[[nodiscard]] absl::Status ValidatePostgresText(absl::Span<const CustomerRow> rows);
[[nodiscard]] absl::Status ValidatePostgresText(const ConfigVersionRow& row);

// "\x" followed by two lowercase hex digits per byte: bytea's input form.
std::string ByteaHex(absl::string_view bytes);

// Inverse of ByteaHex for bytea's output form ("\x..."); empty on malformed input.
std::string FromByteaHex(absl::string_view text);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_ROWS_H_
