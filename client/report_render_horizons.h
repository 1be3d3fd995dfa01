// Horizons and the cumulative incremental value curve in every format
// (docs/report.md, "Horizons", "Cumulative incremental value"). Each
// renderer calls one function per format, so the sections move with the
// page layout without touching this file:
//   text: HorizonsText(r)        HTML: HorizonsHtml(r)
//   CSV:  AppendHorizonCsvHeader / AppendHorizonCsvCells on the lift rows,
//         HorizonCsvLines for the curve's own lines.
// Every table iterates LiftReport.horizon_metric_definitions.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_HORIZONS_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_HORIZONS_H_

#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// "HORIZONS" and "CUMULATIVE" tables; "" when no row has horizons.
std::string HorizonsText(const holdfast::v1::LiftReport& r);

// Tables and one inline SVG chart per everyone row (journey x arm) with a
// curve; "" when no row has horizons.
std::string HorizonsHtml(const holdfast::v1::LiftReport& r);

// The curve of one row as an SVG chart (revenue and margin panels).
std::string CumulativeSvg(const holdfast::v1::LiftRow& row, const std::string& title);

// CSV columns appended after every other column: per horizon slot i = 1..N
// (N = the most horizons of any row) hz<i>_days, hz<i>_treatment_entries,
// hz<i>_holdout_entries, hz<i>_immature_excluded, hz<i>_overlapping and
// hz<i>_<metric>_{treatment,holdout,effect,lower,upper,p}; then the curve's
// cv_days, cv_treatment_entries, cv_holdout_entries and
// cv_{revenue,margin}_{treatment,holdout,effect,lower,upper}. Nothing when
// no row has horizons.
void AppendHorizonCsvHeader(const holdfast::v1::LiftReport& r, std::vector<std::string>& h);
// A lift row's hz cells, starting at column `first` (cells is padded to it).
void AppendHorizonCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                           size_t first, std::vector<std::string>& cells);
// One line per (row, curve point): journey, arm, segment, then only its cv_
// cells (the last 13 of the `width` columns).
std::vector<std::vector<std::string>> HorizonCsvLines(const holdfast::v1::LiftReport& r,
                                                      size_t width);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_HORIZONS_H_
