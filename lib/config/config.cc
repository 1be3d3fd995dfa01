#include "lib/config/config.h"

#include <utility>

#include "lib/config/compile.h"
#include "lib/config/defaults.h"
#include "lib/config/validate.h"

namespace holdfast::config {
namespace {

absl::StatusOr<LoadedConfig> ToLoaded(ConfigCheck check) {
  if (!check.ok()) return ErrorsToStatus(check.diagnostics);
  LoadedConfig out;
  out.effective = std::move(check.effective);
  out.compiled = std::move(check.compiled);
  out.diagnostics = std::move(check.diagnostics);
  out.files = std::move(check.parsed.files);
  return out;
}

}  // namespace

ConfigCheck CheckConfig(ParsedConfig parsed) {
  ConfigCheck out;
  out.parsed = std::move(parsed);
  out.diagnostics = out.parsed.diagnostics;
  // Semantic checks on a config that failed to parse would report its
  // missing parts as errors too; the parse error is the one to fix first.
  if (!HasErrors(out.diagnostics)) {
    std::vector<Diagnostic> semantic = Validate(out.parsed.config, out.parsed.source_map);
    out.diagnostics.insert(out.diagnostics.end(), semantic.begin(), semantic.end());
  }
  if (!HasErrors(out.diagnostics)) {
    holdfast::v1::Config effective = ApplyDefaults(out.parsed.config);
    absl::StatusOr<AssignmentConfig> compiled = Compile(effective);
    if (compiled.ok()) {
      out.effective = std::move(effective);
      out.compiled = std::make_shared<const AssignmentConfig>(*std::move(compiled));
    } else {
      // Validate() should have caught it; report rather than serve it.
      out.diagnostics.push_back(Diagnostic{Severity::kError, out.parsed.source_map.fallback_file(),
                                           0, 0, "compile",
                                           std::string(compiled.status().message())});
    }
  }
  SortDiagnostics(out.diagnostics);
  return out;
}

ConfigCheck CheckConfigPath(absl::string_view path) { return CheckConfig(ParseConfigPath(path)); }

absl::StatusOr<LoadedConfig> LoadConfig(absl::string_view path) {
  return ToLoaded(CheckConfigPath(path));
}

absl::StatusOr<LoadedConfig> LoadConfigText(absl::string_view file_name, absl::string_view text) {
  return ToLoaded(CheckConfig(ParseConfigText(file_name, text)));
}

}  // namespace holdfast::config
