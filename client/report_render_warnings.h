// Warnings grouped for people: one line per (journey, kind) with the count,
// where they apply and the first message (every message stays in JSON and
// CSV, and in the HTML under a <details>). Shared by the lift and program
// renderers; docs/report.md, "Warnings".
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_WARNINGS_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_WARNINGS_H_

#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

using Warnings = google::protobuf::RepeatedPtrField<holdfast::v1::Warning>;

struct WarningGroup {
  // Same journey, kind and severity; in report order (most severe first).
  std::vector<const holdfast::v1::Warning*> members;
  // The distinct WarningWhere of the members, in order.
  std::vector<std::string> wheres;
};

// Groups in order of their first member.
std::vector<WarningGroup> GroupWarnings(const Warnings& warnings);

// "cart", "cart / A", "cart / * / country=DE"; "" for the whole report.
std::string WarningWhere(const holdfast::v1::Warning& w);

// "WARNINGS (N in G groups)" and one line per group; "No warnings." when none.
std::string GroupedWarningsText(const Warnings& warnings);
// <section id="warnings"> with one <div class="warning SEVERITY"> per group.
std::string GroupedWarningsHtml(const Warnings& warnings);

// CSV: warning lines at the end of the lift and program CSVs (docs/report.md,
// "Output formats"): columns warning_severity, warning_kind, warning_message;
// a warning's line has empty cells up to `width` (the lift CSV: its journey,
// arm and segment in the first three when `place_columns`), then those three.
void AppendWarningCsvHeader(std::vector<std::string>& h);
std::vector<std::vector<std::string>> WarningCsvLines(const Warnings& warnings, size_t width,
                                                      bool place_columns);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_WARNINGS_H_
