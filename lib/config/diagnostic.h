// Diagnostics produced while loading, validating and comparing configs: one
// finding with its severity, its source position and the id of the rule that
// produced it (docs/config.md lists every rule).
#ifndef HOLDFAST_LIB_CONFIG_DIAGNOSTIC_H_
#define HOLDFAST_LIB_CONFIG_DIAGNOSTIC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace holdfast::config {

enum class Severity {
  kError,    // the config must not be served
  kWarning,  // servable, but probably not what was meant; fails `lint --strict`
  kNote,     // information (impact numbers); never fails lint
};

// "error", "warning" or "note".
const char* SeverityName(Severity severity);

struct Diagnostic {
  Severity severity = Severity::kError;
  // Source file as given to the loader; empty when the finding has no file.
  std::string file;
  // 1-based; 0 when unknown (then only the file is meaningful).
  int line = 0;
  int col = 0;
  // Stable rule id, e.g. "share-range".
  std::string rule;
  std::string message;
};

// "file:line:col: error: message [rule]" (position parts omitted when unknown).
std::string FormatDiagnostic(const Diagnostic& d);

// True when any diagnostic is an error.
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

// Sorts by file, line, column, then severity, rule and message; stable.
void SortDiagnostics(std::vector<Diagnostic>& diagnostics);

// INVALID_ARGUMENT listing every error (one FormatDiagnostic per line), or OK
// when there is none.
absl::Status ErrorsToStatus(const std::vector<Diagnostic>& diagnostics);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_DIAGNOSTIC_H_
