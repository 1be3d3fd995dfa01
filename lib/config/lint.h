// The config linter behind `holdfast lint`: checks config paths, optionally
// compares each with an OLD config (impact check, impact.h), and renders the
// findings for people (text), tools (JSON) or GitHub Actions annotations.
//
//   LintOptions options;
//   options.format = LintFormat::kGithub;
//   options.strict = true;
//   LintResult r = LintPaths({"configs/"}, options);
//   std::cout << r.output;
//   return r.exit_code;
#ifndef HOLDFAST_LIB_CONFIG_LINT_H_
#define HOLDFAST_LIB_CONFIG_LINT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/base/clock.h"
#include "lib/config/config.h"
#include "lib/config/diagnostic.h"
#include "lib/config/impact.h"

namespace holdfast::config {

enum class LintFormat {
  // file:line:col: error: message [rule], then a summary line.
  kText,
  // A JSON array of {"severity","file","line","col","rule","message"}.
  kJson,
  // GitHub workflow commands: ::error file=F,line=L,col=C::message [rule]
  // (::warning, ::notice for notes).
  kGithub,
};

// "text", "json", "github".
[[nodiscard]] absl::StatusOr<LintFormat> ParseLintFormat(absl::string_view name);

struct LintOptions {
  LintFormat format = LintFormat::kText;
  // Warnings fail the lint too (exit code 1).
  bool strict = false;
  // When set, each path is compared with the config at this path: diff lines
  // and impact numbers as notes, reshuffles as errors.
  std::string against_path;
  // "Now" for the impact check (mid-period decisions, boundaries).
  UnixMicros now = 0;
  ImpactOptions impact;
};

struct LintResult {
  // Rendered in options.format; ends with a newline unless empty.
  std::string output;
  // 0 clean (notes allowed), 1 errors (or warnings with strict).
  int exit_code = 0;
  // Everything found, in output order.
  std::vector<Diagnostic> diagnostics;
};

// Lints each path (a file or a directory, loaded as one config) on its own.
LintResult LintPaths(const std::vector<std::string>& paths, const LintOptions& options);

// Compares OLD and NEW (both without errors): diff lines (rule "diff") and
// per-journey impact (rule "impact") as notes; reshuffles as errors at the
// NEW field, or notes when acknowledged by intended_change.
std::vector<Diagnostic> CompareConfigs(const ConfigCheck& old_config,
                                       const ConfigCheck& new_config, UnixMicros now,
                                       const ImpactOptions& options);

// Renders diagnostics in `format` (the summary line is added for text).
std::string RenderDiagnostics(const std::vector<Diagnostic>& diagnostics, LintFormat format);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_LINT_H_
