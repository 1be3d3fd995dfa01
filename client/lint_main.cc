// `holdfast lint [--format text|json|github] [--strict] [--against OLD_PATH]
//                [--now TIME] [--impact-samples N] PATH...`
//
// Checks config files or directories without a server (lib/config only).
// Exit code: 0 clean, 1 errors (or warnings with --strict), 2 usage.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli_app.h"
#include "client/commands.h"
#include "client/cli_output.h"
#include "lib/base/clock.h"
#include "lib/base/time_util.h"
#include "lib/config/lint.h"

namespace holdfast::cli {
namespace {

struct LintFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  bool strict = false;
  std::string against;
  std::optional<std::string> now;
  int impact_samples = 0;  // 0: the library's default
};

int RunLint(const LintFlags& flags) {
  config::LintOptions options;
  absl::StatusOr<config::LintFormat> format = config::ParseLintFormat(flags.format);
  if (!format.ok()) return ReportError("lint", format.status(), true);
  options.format = *format;
  options.strict = flags.strict;
  options.against_path = flags.against;
  options.now = RealClock::Get()->NowMicros();
  if (flags.now) {
    absl::StatusOr<UnixMicros> t = ParseTime(*flags.now);
    if (!t.ok()) return ReportError("lint", absl::InvalidArgumentError(absl::StrCat("--now: ", t.status().message())), true);
    options.now = *t;
  }
  if (flags.impact_samples > 0) options.impact.sample_size = flags.impact_samples;
  const config::LintResult result = config::LintPaths(flags.paths, options);
  std::cout << result.output << std::flush;
  return result.exit_code;
}

}  // namespace

void AddLintCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<LintFlags>();
  CLI::App* cmd = app.add_subcommand("lint", "check config files (no server needed)");
  cmd->add_option("path", flags->paths,
                  "a config file (.textproto, .txtpb, .pbtxt, .json) or a directory")
      ->required();
  cmd->add_option("--format", flags->format, "text, json, or github (workflow annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}))
      ->capture_default_str();
  cmd->add_flag("--strict", flags->strict, "warnings fail the lint too");
  cmd->add_option("--against", flags->against, "compare with this OLD config: changes, impact, reshuffles");
  cmd->add_option("--now", flags->now, "time of the change for --against (default: the current time)");
  cmd->add_option("--impact-samples", flags->impact_samples,
                  "synthetic units per journey for --against (default 200000)")
      ->check(CLI::Range(1, 10000000));
  cmd->footer("Exit code: 0 clean, 1 errors (or warnings with --strict), 2 usage.");
  cmd->callback([flags, exit_code] { *exit_code = RunLint(*flags); });
}

}  // namespace holdfast::cli
