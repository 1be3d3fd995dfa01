// What both stores share to run the analysis in the database
// (Store::AggregateAnalysis): query checks, the
// shift's text form, and the decoding of one AnalysisCellSql row through the
// store's own column accessors.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
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
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/row_validation.h"

namespace holdfast::storage_internal {

// A cell query reads no horizon events (segments are read from the cells'
// attribute sets).
inline absl::Status ValidateCellQuery(const AnalysisQuery& query) {
  HF_RETURN_IF_ERROR(ValidateAnalysisQuery(query));
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

// One AnalysisCellSql row decoded, with the attribute set it was grouped by
// ("" when the query had no segment_by) and the unit slice whose statement
// gave it (0 when the journey was one statement).
struct DecodedCell {
  AnalysisCell cell;
  std::string attributes;
  int slice = 0;
};

// The key AnalysisAggregates sorts by, then the attribute set and the slice:
// a total order of a journey's rows, whatever order the database returned
// them in.
inline auto CellOrderKey(const DecodedCell& d) {
  const AnalysisCell& c = d.cell;
  return std::tie(c.group, c.arm, c.period, c.day, c.segment, c.config_version, c.in_washout,
                  c.mature, d.attributes, d.slice);
}

// One journey's cells in the order AnalysisAggregates promises, the cells of
// attribute sets with the same segment value and of different slices merged
// (counts and sums added in attribute-set, then slice order: every run and
// replica with the same slices rounds alike). The shift is the journey's,
// the same in every cell.
inline std::vector<AnalysisCell> FinishCells(std::vector<DecodedCell> decoded) {
  std::sort(decoded.begin(), decoded.end(),
            [](const DecodedCell& a, const DecodedCell& b) { return CellOrderKey(a) < CellOrderKey(b); });
  std::vector<AnalysisCell> cells;
  cells.reserve(decoded.size());
  for (DecodedCell& d : decoded) {
    AnalysisCell& c = d.cell;
    if (!cells.empty()) {
      AnalysisCell& p = cells.back();
      if (std::tie(p.group, p.arm, p.period, p.day, p.segment, p.config_version, p.in_washout,
                   p.mature) == std::tie(c.group, c.arm, c.period, c.day, c.segment,
                                         c.config_version, c.in_washout, c.mature)) {
        p.entries += c.entries;
        p.window_cut += c.window_cut;
        p.in_refund_horizon += c.in_refund_horizon;
        p.first_t0 = std::min(p.first_t0, c.first_t0);
        p.last_t0 = std::max(p.last_t0, c.last_t0);
        for (size_t i = 0; i < p.s1.size(); ++i) p.s1[i] += c.s1[i];
        for (size_t i = 0; i < p.s2.size(); ++i) p.s2[i] += c.s2[i];
        for (size_t i = 0; i < p.s3.size(); ++i) p.s3[i] += c.s3[i];
        continue;
      }
    }
    cells.push_back(std::move(c));
  }
  return cells;
}

// A shift as bound text: %.17g reads back as the same double, so the C++
// side's shift is exactly the one the database subtracted.
inline std::string ShiftText(double v) { return absl::StrFormat("%.17g", v); }

// Decodes one AnalysisCellSql row into `out`. `row` has Int64(col),
// Double(col), Text(col) -> string_view and Bytes(col) -> std::string (a
// binary column's bytes). With `segment_by` the row was grouped by its
// attribute set, and the cell's segment is that key's value in it (the
// entry stream's rule: FindAttribute, "" when absent).
template <typename Row>
void DecodeCell(const Row& row, const JourneyVersions& versions,
                const std::array<double, kNumCellVariables>& shift, const std::string& segment_by,
                DecodedCell* out) {
  AnalysisCell* cell = &out->cell;
  if (!segment_by.empty()) {
    out->attributes = row.Bytes(kCellColAttributes);
    const std::optional<absl::string_view> v = FindAttribute(out->attributes, segment_by);
    if (v.has_value()) cell->segment.assign(v->data(), v->size());
  }
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
  // The sums in AnalysisCellSql's order; those it leaves out stay NaN
  // (AnalysisCell's initial values).
  int col = kCellColFirstSum;
  for (double& v : cell->s1) v = row.Double(col++);
  for (int a = 0; a < kNumCellVariables; ++a) {
    for (int b = a; b < kNumCellVariables; ++b) {
      if (CellPairSummed(a, b)) cell->s2[CellPairIndex(a, b)] = row.Double(col++);
    }
  }
  for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
    for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
      for (int c = b; c < kNumCellThirdOrderVariables; ++c) {
        if (CellTripleSummed(a, b, c)) cell->s3[CellTripleIndex(a, b, c)] = row.Double(col++);
      }
    }
  }
}

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_
