// Where PostgresStore cuts one journey's units into slices that several
// connections compute at once (the entry stream, docs/postgresql.md
// "Analysis stream"; the analysis cells, "Analysis in the database"): unit
// bounds placed on a repeatable sample of the entries' pages.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SLICE_BOUNDS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SLICE_BOUNDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "lib/storage/analysis.h"
#include "lib/storage/internal/postgres_read_session.h"

namespace holdfast::storage_internal {

// Bounds, increasing in the C collation, cutting the units of `journey`'s
// entries with from <= t0 < to into slices_for(estimated entries) slices
// of about equal entries (a TABLESAMPLE SYSTEM of ~256 pages, REPEATABLE, so
// one store cuts the same way every time its table has the same pages);
// empty when that is fewer than 2 or the sample too small to place them.
// Any increasing bounds cover every unit exactly once. Both statements run
// under `check` (ExecCancellable on `conn`, txn's connection): when it
// fires, *cancelled is set and the bounds are empty. Throws libpqxx
// exceptions.
std::vector<std::string> SampleSliceBounds(ReadTxn& txn, pqxx::connection& conn, const CancelCheck& check,
                                           const std::string& journey, int64_t from, int64_t to,
                                           absl::FunctionRef<size_t(double)> slices_for,
                                           bool* cancelled);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_SLICE_BOUNDS_H_
