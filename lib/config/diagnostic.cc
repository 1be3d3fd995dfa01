#include "lib/config/diagnostic.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace holdfast::config {

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    absl::StrAppend(&out, d.file, ":");
    if (d.line > 0) {
      absl::StrAppend(&out, d.line, ":");
      if (d.col > 0) absl::StrAppend(&out, d.col, ":");
    }
    out += " ";
  }
  absl::StrAppend(&out, SeverityName(d.severity), ": ", d.message, " [", d.rule, "]");
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void SortDiagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.line, a.col, a.severity, a.rule, a.message) <
                            std::tie(b.file, b.line, b.col, b.severity, b.rule, b.message);
                   });
}

absl::Status ErrorsToStatus(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity != Severity::kError) continue;
    if (!text.empty()) text += "\n";
    text += FormatDiagnostic(d);
  }
  if (text.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(text);
}

}  // namespace holdfast::config
