// Copying every record of one store into another (`holdfast store copy`):
// the way to move a SQLite store to PostgreSQL, or back.
//
// Tables are copied one after another (config history, customers, entries,
// sends, outcomes, fixed costs), each in pages of `batch_rows` rows in key
// order (Store::Scan*), every page written with the destination's ordinary
// Record* call. So:
//   - memory is bounded by one page, whatever the size of the store;
//   - the copy is idempotent: every record lands under its own key, and a
//     key the destination already holds is left alone (first write wins),
//     so a second copy inserts nothing;
//   - it is resumable: each page commits atomically, so a copy killed at
//     any point leaves whole pages behind, and running it again completes
//     it (the pages already copied are read again and counted as already
//     present);
//   - entries keep their stored assignment (group, arm, period,
//     config_version, in_washout, attributes): RecordEntries stores the row
//     as given, nothing is assigned again.
// Config history has no key (a load appended twice is two loads), so a
// source load is appended only when the destination holds fewer loads with
// the same version, time, source path, replica, summary and content.
//
// Example:
//   HF_ASSIGN_OR_RETURN(auto src, Store::Open("sqlite:/var/lib/holdfast/holdfast.db"));
//   HF_ASSIGN_OR_RETURN(auto dst, Store::Open("postgresql://holdfast@db/holdfast"));
//   HF_ASSIGN_OR_RETURN(StoreCopySummary s, CopyStore(*src, *dst, {}));
#ifndef HOLDFAST_LIB_STORAGE_STORE_COPY_H_
#define HOLDFAST_LIB_STORAGE_STORE_COPY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/storage/store.h"

namespace holdfast {

// Counts for one table.
struct TableCopyCounts {
  // "config_versions", "customers", "entries", "sends", "outcomes", "fixed_costs".
  std::string table;
  // Rows read from the source.
  int64_t read = 0;
  // Rows the destination stored for the first time.
  int64_t inserted = 0;
  // Rows whose key the destination already held (nothing changed for them).
  int64_t already_present = 0;
};

struct StoreCopySummary {
  // One element per table, in copy order; a table not reached yet (after a
  // failure) is absent.
  std::vector<TableCopyCounts> tables;
  // Pages written so far.
  int64_t batches = 0;
};

struct StoreCopyOptions {
  // Rows per page (read and written together, one destination commit).
  // Must be in [1, 100000]. Default 10,000.
  int batch_rows = 10000;
  // Called after every committed page with the counts so far (the last
  // element of `tables` is the table being copied). Default: none.
  std::function<void(const StoreCopySummary&)> on_batch;
  // Tests of resumption: after this many pages, stop with ABORTED as if the
  // copy had been killed. 0 (default): never.
  int64_t stop_after_batches = 0;
};

// Copies every record of `src` into `dst` (different stores). Returns the
// counts, or the first error of a read or a write, after which the pages
// already written stay written (run the copy again to finish). INVALID_ARGUMENT
// for bad options; the destination's write errors (e.g. INVALID_ARGUMENT for
// text PostgreSQL rejects) name the row.
[[nodiscard]] absl::StatusOr<StoreCopySummary> CopyStore(Store& src, Store& dst,
                                                         const StoreCopyOptions& options);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_STORE_COPY_H_
