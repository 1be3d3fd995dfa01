// Helpers shared by the report renderers (report_render_*.cc): number and
// interval formatting, text-table layout, HTML escaping.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// 4 significant digits; "inf", "-inf"; "n/a" for NaN.
std::string Num(double v);
// Like Num with thousands kept readable for money ("12345.7" -> "12,346").
std::string Money(double v);
// 100 * v with 1 decimal and "%"; "n/a" for NaN.
std::string Pct(double v);
// p-values: "<0.0001" below 1e-4, else 2 significant digits; "n/a" for NaN.
std::string PValue(double p);
// "v [lo, hi]" for a defined estimate, "n/a" otherwise; `scale` multiplies
// (100 for percents) and `suffix` is appended to each number.
std::string WithInterval(const holdfast::v1::Estimate& e, double scale = 1.0,
                         absl::string_view suffix = "");
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

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_UTIL_H_
