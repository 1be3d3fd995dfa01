// Helpers shared by the report renderers (report_render_*.cc): number and
// interval formatting, text-table layout, HTML escaping.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// Numbers in the table and HTML renderings: one format per column (docs/cli.md,
// "Numbers in tables"), so a column lines up and rows compare at a glance. All
// give "n/a" for NaN and "inf"/"-inf"; the CSV and JSON keep full precision.
//
// Counts: thousands separators ("1,234,567").
std::string Count(int64_t n);
// `decimals` fixed decimals, thousands separators in the integer part
// ("12,345.68"); a value that rounds to zero prints without a sign.
std::string Fixed(double v, int decimals);
// Money per entry or per customer (rev/entry, revenue lift, MDE): 3 decimals.
std::string PerEntry(double v);
// Money totals (incremental revenue, costs): 2 decimals.
std::string Total(double v);
// Return ratios (iROAS, attributed ROAS): 2 decimals.
std::string Ratio(double v);
// A rate or a relative change as a percent, 1 decimal: 0.0812 -> "8.1%".
std::string Pct(double v);
// A difference of two rates in percentage points, 2 decimals: 0.0052 -> "0.52pp".
std::string Points(double v);
// p-values, 4 decimals; "<0.0001" below 1e-4.
std::string PValue(double p);
// "v [lo, hi]" for a defined estimate, each number in `format`; "n/a" otherwise.
std::string WithInterval(const holdfast::v1::Estimate& e, std::string (*format)(double));
// 4 significant digits, for axis ticks (not table columns).
std::string Num(double v);
// Full-precision number for CSV ("%.10g"); empty for NaN.
std::string Exact(double v);

// Arm/segment label of a row for people: "winback", "cart / A",
// "cart / * / country=DE".
std::string RowLabel(const holdfast::v1::LiftRow& row);

std::string SeverityName(holdfast::v1::Warning::Severity s);

// The primary variant of a row's revenue lift, incremental revenue, iROAS and
// margin iROAS (LiftRow.primary_interval): the skew-corrected estimate when
// the row says so, the plain one otherwise. What the tables and the forest
// plot show.
const holdfast::v1::Estimate& PrimaryRevenueLift(const holdfast::v1::LiftRow& row);
const holdfast::v1::Estimate& PrimaryIncrementalRevenue(const holdfast::v1::LiftRow& row);
const holdfast::v1::Estimate& PrimaryIroas(const holdfast::v1::LiftRow& row);
const holdfast::v1::Estimate& PrimaryMarginIroas(const holdfast::v1::LiftRow& row);
// One line for the report header saying which intervals are primary.
std::string PrimaryIntervalsNote(const holdfast::v1::LiftReport& r);

// A text table with a header row; columns padded to their widest cell,
// numbers right-aligned (cells that start with a digit, '-', '+' or '<').
std::string TextTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows);

// Escapes &, <, >, " and '.
std::string HtmlEscape(absl::string_view s);
// Quotes a CSV field when it holds a comma, quote or newline (RFC 4180).
std::string CsvField(absl::string_view s);

// Step between axis ticks: 1, 2 or 5 x 10^k, the smallest giving at most
// ~6 ticks over `range`; 1 for an empty or non-finite range. Every chart
// (forest plot, trends, cumulative value) uses it.
double AxisTickStep(double range);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_
