// Defensive checks the store runs before queueing a batch. The server layer
// validates API fields first with user-facing messages; these guard the
// database against rows that would corrupt analysis (NaN costs, empty keys,
// unbounded strings) when lib/storage is used directly.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_ROW_VALIDATION_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_ROW_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "lib/storage/analysis.h"
#include "lib/storage/records.h"

namespace holdfast::storage_internal {

// Each returns OK or INVALID_ARGUMENT naming the first bad row by index.
[[nodiscard]] absl::Status ValidateEntries(absl::Span<const EntryRow> rows);
[[nodiscard]] absl::Status ValidateSends(absl::Span<const SendRow> rows);
[[nodiscard]] absl::Status ValidateOutcomes(absl::Span<const OutcomeRow> rows);
[[nodiscard]] absl::Status ValidateFixedCosts(absl::Span<const FixedCostRow> rows);
[[nodiscard]] absl::Status ValidateCustomers(absl::Span<const CustomerRow> rows);
[[nodiscard]] absl::Status ValidateConfigVersion(const ConfigVersionRow& row);
[[nodiscard]] absl::Status ValidateAnalysisQuery(const AnalysisQuery& query);
[[nodiscard]] absl::Status ValidateProgramQuery(const ProgramQuery& query);
// A ChannelQuery: a journey id, from <= to, windows in range, distinct versions.
[[nodiscard]] absl::Status ValidateChannelQuery(const ChannelQuery& query);
[[nodiscard]] absl::Status ValidateDiagnosticsQuery(const JourneyDiagnosticsQuery& query);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_ROW_VALIDATION_H_
