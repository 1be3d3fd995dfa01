#include "lib/storage/internal/postgres_slice_bounds.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/storage/internal/postgres_cancel.h"

namespace holdfast::storage_internal {
namespace {

// Pages of `entries` sampled to place the bounds (whole pages, ~60 entries
// each).
constexpr int64_t kSamplePages = 256;

}  // namespace

std::vector<std::string> SampleSliceBounds(ReadTxn& txn, pqxx::connection& conn, const CancelCheck& check,
                                           const std::string& journey, int64_t from, int64_t to,
                                           absl::FunctionRef<size_t(double)> slices_for,
                                           bool* cancelled) {
  // Both wait for a lock on entries (pg_relation_size too), so both can be
  // cancelled.
  const pqxx::result size = ExecCancellable(
      txn, conn, check, "SELECT pg_relation_size('entries') / current_setting('block_size')::bigint", {},
      cancelled);
  if (*cancelled) return {};
  const int64_t pages = size.at(0).at(0).as<int64_t>();
  if (pages <= 0) return {};
  const double percent = std::min(100.0, 100.0 * static_cast<double>(kSamplePages) / pages);
  const pqxx::result sample = ExecCancellable(
      txn, conn, check,
      absl::StrCat("SELECT unit FROM entries TABLESAMPLE SYSTEM (", percent,
                   ") REPEATABLE (0) WHERE journey = $1 AND t0 >= $2 AND t0 < $3 ORDER BY unit"),
      {journey, std::to_string(from), std::to_string(to)}, cancelled);
  if (*cancelled) return {};
  const double estimate = static_cast<double>(sample.size()) * 100.0 / percent;
  const size_t slices = slices_for(estimate);
  if (slices < 2 || sample.size() < slices) return {};
  std::vector<std::string> bounds;
  for (size_t k = 1; k < slices; ++k) {
    std::string b = sample[static_cast<pqxx::result::size_type>(k * sample.size() / slices)][0]
                        .as<std::string>();
    if (bounds.empty() || b != bounds.back()) bounds.push_back(std::move(b));
  }
  return bounds;
}

}  // namespace holdfast::storage_internal
