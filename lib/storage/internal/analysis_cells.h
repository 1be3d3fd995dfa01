// What both stores share to run the analysis in the database
// (Store::AggregateAnalysis): query checks, the
// shift's text form, and the decoding of one AnalysisCellSql row through the
// store's own column accessors.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/row_validation.h"

namespace holdfast::storage_internal {

// A cell query reads no per-entry data: no horizon events, no attributes.
inline absl::Status ValidateCellQuery(const AnalysisQuery& query) {
  HF_RETURN_IF_ERROR(ValidateAnalysisQuery(query));
  if (!query.segment_by.empty()) {
    return absl::InvalidArgumentError("analysis cells: segment_by needs the entry stream");
  }
  for (const JourneyWindow& j : query.journeys) {
    if (j.max_horizon_us != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("analysis cells: journey ", j.journey, " asks for horizons, which need the entry stream"));
    }
  }
  return absl::OkStatus();
}

inline absl::Status ValidateAggregateQuery(const AnalysisQuery& query, int64_t first_period,
                                           int64_t last_period) {
  HF_RETURN_IF_ERROR(ValidateCellQuery(query));
  if (query.journeys.size() > kMaxAnalysedUnitsJourneys) {
    return absl::InvalidArgumentError(
        absl::StrCat("analysis cells: at most ", kMaxAnalysedUnitsJourneys, " journeys"));
  }
  if (AnalysedUnitsParams(query) > kMaxAnalysedUnitsParams) {
    return absl::InvalidArgumentError(
        "analysis cells: too many config versions with their own windows for one statement");
  }
  if (first_period > last_period) {
    return absl::InvalidArgumentError("analysis cells: first_period > last_period");
  }
  return absl::OkStatus();
}

// The order AnalysisAggregates promises.
inline void SortCells(std::vector<AnalysisCell>& cells) {
  std::sort(cells.begin(), cells.end(), [](const AnalysisCell& a, const AnalysisCell& b) {
    return std::tie(a.group, a.arm, a.period, a.day, a.config_version, a.in_washout, a.mature) <
           std::tie(b.group, b.arm, b.period, b.day, b.config_version, b.in_washout, b.mature);
  });
}

// A shift as bound text: %.17g reads back as the same double, so the C++
// side's shift is exactly the one the database subtracted.
inline std::string ShiftText(double v) { return absl::StrFormat("%.17g", v); }

// Fills `cell` from one AnalysisCellSql row. `row` has Int64(col),
// Double(col) and Text(col) -> string_view.
template <typename Row>
void DecodeCell(const Row& row, const JourneyVersions& versions,
                const std::array<double, kNumCellVariables>& shift, AnalysisCell* cell) {
  cell->group = static_cast<EntryGroup>(row.Int64(kCellColGroup));
  const absl::string_view arm = row.Text(kCellColArm);
  cell->arm.assign(arm.data(), arm.size());
  cell->period = row.Int64(kCellColPeriod);
  cell->day = row.Int64(kCellColDay);
  const absl::string_view version = row.Text(kCellColConfigVersion);
  cell->config_version.assign(version.data(), version.size());
  cell->version_known = versions.Known(version);
  cell->in_washout = row.Int64(kCellColInWashout) != 0;
  cell->mature = row.Int64(kCellColMature) != 0;
  cell->entries = row.Int64(kCellColEntries);
  cell->window_cut = row.Int64(kCellColWindowCut);
  cell->in_refund_horizon = row.Int64(kCellColInRefundHorizon);
  cell->first_t0 = row.Int64(kCellColFirstT0);
  cell->last_t0 = row.Int64(kCellColLastT0);
  cell->shift = shift;
  int col = kCellColFirstSum;
  for (double& v : cell->s1) v = row.Double(col++);
  for (double& v : cell->s2) v = row.Double(col++);
  for (double& v : cell->s3) v = row.Double(col++);
}

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_
