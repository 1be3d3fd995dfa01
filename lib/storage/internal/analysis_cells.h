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
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "lib/base/status_macros.h"
#include "lib/storage/analysis.h"
#include "lib/storage/analysis_sql.h"
#include "lib/storage/internal/attribute_codec.h"
#include "lib/storage/internal/row_validation.h"

namespace holdfast::storage_internal {

// A cell query's horizons are measured in the database (AnalysisHorizonSql):
// it names every horizon and the curve's grid, consistent with
// max_horizon_us.
inline absl::Status ValidateCellQuery(const AnalysisQuery& query) {
  HF_RETURN_IF_ERROR(ValidateAnalysisQuery(query));
  for (const JourneyWindow& j : query.journeys) {
    const std::vector<int64_t>& h = j.horizons_us;
    auto invalid = [&j](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("analysis cells: journey ", j.journey, ": horizons: ", why));
    };
    if (j.max_horizon_us == 0) {
      if (!h.empty() || j.curve_points != 0) return invalid("given without max_horizon_us");
      continue;
    }
    if (h.empty()) return invalid("max_horizon_us > 0 needs horizons_us");
    if (h.size() > kMaxCellHorizons) return invalid(absl::StrCat("more than ", kMaxCellHorizons));
    for (size_t k = 0; k < h.size(); ++k) {
      if (h[k] <= 0 || (k > 0 && h[k] <= h[k - 1])) return invalid("not positive and ascending");
    }
    if (h.back() != j.max_horizon_us) return invalid("the last is not max_horizon_us");
    if (j.curve_step_us <= 0 || j.curve_points < 1 || j.curve_points > kMaxCellCurvePoints ||
        j.curve_points != (j.max_horizon_us + j.curve_step_us - 1) / j.curve_step_us) {
      return invalid("the curve's grid does not cover max_horizon_us in curve_points steps");
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

// One AnalysisHorizonSql row decoded.
struct DecodedHorizonRow {
  int kind = 0;
  EntryGroup group = EntryGroup::kTreatment;
  std::string arm;
  int64_t period = 0;
  std::string attributes;
  std::string segment;
  int64_t index = 0;
  int64_t entries = 0;
  int64_t overlapping = 0;
  std::array<double, NumHorizonSums()> sums{};
};

template <typename Row>
void DecodeHorizonRow(const Row& row, const std::string& segment_by, DecodedHorizonRow* out) {
  if (!segment_by.empty()) {
    out->attributes = row.Bytes(kHorizonColAttributes);
    const std::optional<absl::string_view> v = FindAttribute(out->attributes, segment_by);
    if (v.has_value()) out->segment.assign(v->data(), v->size());
  }
  out->kind = static_cast<int>(row.Int64(kHorizonColKind));
  out->group = static_cast<EntryGroup>(row.Int64(kHorizonColGroup));
  const absl::string_view arm = row.Text(kHorizonColArm);
  out->arm.assign(arm.data(), arm.size());
  out->period = row.Int64(kHorizonColPeriod);
  out->index = row.Int64(kHorizonColIndex);
  out->entries = row.Int64(kHorizonColEntries);
  out->overlapping = row.Int64(kHorizonColOverlapping);
  for (size_t i = 0; i < out->sums.size(); ++i) {
    out->sums[i] = row.Double(kHorizonColFirstSum + static_cast<int>(i));
  }
}

// One journey's horizon cells from its AnalysisHorizonSql rows (of every
// slice), in AnalysisAggregates' order. The rows are added in one total
// order (key, attribute set, kind, index, slice), whatever order the
// database returned them in, so every run rounds alike. INTERNAL on a row
// outside the journey's horizons or grid.
inline absl::StatusOr<std::vector<AnalysisHorizonCell>> FinishHorizonCells(
    std::vector<DecodedHorizonRow> rows, const JourneyWindow& journey,
    const std::array<double, kNumHorizonCellVariables>& shift) {
  std::stable_sort(rows.begin(), rows.end(), [](const DecodedHorizonRow& a, const DecodedHorizonRow& b) {
    return std::tie(a.group, a.arm, a.period, a.segment, a.attributes, a.kind, a.index) <
           std::tie(b.group, b.arm, b.period, b.segment, b.attributes, b.kind, b.index);
  });
  const size_t horizons = journey.horizons_us.size();
  const int64_t points = journey.curve_points;
  std::vector<AnalysisHorizonCell> cells;
  // Per cell and horizon, kind 3's totals over every analysed entry.
  struct AllEntries {
    int64_t entries = 0;
    int64_t overlapping = 0;
    double cost = 0;     // sum of d_cost
    double cost_sq = 0;  // sum of d_cost^2
  };
  std::vector<std::vector<AllEntries>> all;
  for (const DecodedHorizonRow& r : rows) {
    if (cells.empty() || std::tie(cells.back().group, cells.back().arm, cells.back().period,
                                  cells.back().segment) !=
                             std::tie(r.group, r.arm, r.period, r.segment)) {
      cells.push_back(EmptyHorizonCell(r.group, r.arm, r.period, r.segment, horizons, points, shift));
      all.emplace_back(horizons);
    }
    AnalysisHorizonCell& c = cells.back();
    const size_t i = static_cast<size_t>(r.index);
    if (r.kind == kHorizonRowAllEntries && r.index >= 0 && i < horizons) {
      AllEntries& e = all.back()[i];
      e.entries += r.entries;
      e.overlapping += r.overlapping;
      e.cost += r.sums[0];
      e.cost_sq += r.sums[1];
    } else if (r.kind == kHorizonRowMoments && r.index >= 0 && i < horizons) {
      HorizonCellMoments& h = c.horizons[i];
      h.entries += r.entries;
      h.overlapping += r.overlapping;
      int col = 0;
      for (int a = 0; a < kNumHorizonCellVariables; ++a) h.s1[a] += r.sums[col++];
      for (int a = 0; a < kNumHorizonCellVariables; ++a) {
        for (int b = a; b < kNumHorizonCellVariables; ++b) {
          if (!HorizonPairSummed(a, b)) continue;
          h.s2[HorizonPairIndex(a, b)] += r.sums[col++];
        }
      }
    } else if (r.kind == kHorizonRowCurveEnd && r.index >= 0 && r.index <= points) {
      c.entries += r.entries;
      if (r.index == 0) continue;  // mature at no point of the curve
      c.curve_n[0] += r.entries;
      c.curve_n[i] -= r.entries;
      c.curve_y[i] -= r.sums[0];
      c.curve_yy[i] -= r.sums[1];
      c.curve_m[i] -= r.sums[2];
      c.curve_mm[i] -= r.sums[3];
    } else if (r.kind == kHorizonRowCurveStep && r.index >= 0 && r.index < points) {
      c.curve_y[i] += r.sums[0];
      c.curve_yy[i] += r.sums[1];
      c.curve_m[i] += r.sums[2];
      c.curve_mm[i] += r.sums[3];
    } else {
      return absl::InternalError(absl::StrCat("analysis horizons of journey ", journey.journey,
                                              ": row of kind ", r.kind, " at index ", r.index,
                                              " outside ", horizons, " horizons / ", points,
                                              " points"));
    }
  }
  // Kind 0 summed the entries with events; the others (every variable 0
  // but the cost, so d_v = -shift_v) are kind 3's less kind 0's. The cost's
  // own sums are kind 3's, over every entry at once.
  constexpr int kCost = kHorizonCellCost;
  for (size_t ci = 0; ci < cells.size(); ++ci) {
    for (size_t k = 0; k < horizons; ++k) {
      HorizonCellMoments& h = cells[ci].horizons[k];
      const AllEntries& e = all[ci][k];
      const int64_t quiet = e.entries - h.entries;
      if (quiet < 0 || e.overlapping < h.overlapping) {
        return absl::InternalError(absl::StrCat("analysis horizons of journey ", journey.journey,
                                                ": fewer entries in all than with events at horizon ", k));
      }
      const double n = static_cast<double>(quiet);
      const double quiet_cost = e.cost - h.s1[kCost];
      for (int a = 0; a < kNumHorizonCellVariables; ++a) {
        if (a == kCost) continue;
        const double d = -h.shift[a];
        h.s1[a] += n * d;
        h.s2[HorizonPairIndex(a, a)] += n * (d * d);
        if (HorizonPairSummed(a, kCost)) h.s2[HorizonPairIndex(a, kCost)] += d * quiet_cost;
      }
      h.s1[kCost] = e.cost;
      h.s2[HorizonPairIndex(kCost, kCost)] = e.cost_sq;
      h.entries = e.entries;
      h.overlapping = e.overlapping;
    }
  }
  return cells;
}

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_ANALYSIS_CELLS_H_
