// Renders lift and program reports for people and programs: a terminal
// table, JSON (the proto's JSON mapping), CSV (one line per row, full
// precision) and one self-contained HTML file (inline CSS and SVG, no
// scripts) with the warnings on top, a forest plot of lift and iROAS
// intervals per journey and arm, and the table below. docs/report.md shows
// each format.
//
// Pure functions of the report message: no I/O, no gRPC, so they are tested
// on fixed reports.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "holdfast/v1/report.pb.h"

namespace holdfast::cli {

enum class ReportFormat { kTable, kJson, kCsv, kHtml };

// "table", "json", "csv", "html"; INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name);

std::string RenderLiftReport(const holdfast::v1::LiftReport& report, ReportFormat format);
std::string RenderProgramReport(const holdfast::v1::ProgramReport& report, ReportFormat format);

// The pieces, for tests and for embedding.
std::string RenderLiftTable(const holdfast::v1::LiftReport& report);
std::string RenderLiftCsv(const holdfast::v1::LiftReport& report);
std::string RenderLiftHtml(const holdfast::v1::LiftReport& report);
std::string RenderProgramTable(const holdfast::v1::ProgramReport& report);
std::string RenderProgramCsv(const holdfast::v1::ProgramReport& report);
std::string RenderProgramHtml(const holdfast::v1::ProgramReport& report);
// JSON with field names as in the .proto and every field printed.
std::string RenderJson(const google::protobuf::Message& report);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_H_
