// `holdfast lint [--format text|json|github] [--strict] [--against OLD_PATH]
//                [--now TIME] [--impact-samples N] PATH...`
//
// Checks config files or directories without a server (lib/config only).
// Exit code: 0 clean, 1 errors (or warnings with --strict), 2 usage.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli_flags.h"
#include "client/cli_output.h"
#include "lib/base/clock.h"
#include "lib/base/time_util.h"
#include "lib/config/lint.h"

namespace holdfast::cli {
namespace {

constexpr char kLintUsage[] =
    "usage: holdfast lint [--format text|json|github] [--strict] [--against OLD_PATH]\n"
    "                     [--now TIME] [--impact-samples N] PATH...\n"
    "  PATH             a config file (.textproto, .txtpb, .pbtxt, .json) or a directory\n"
    "  --format         text (default), json, or github (workflow annotations)\n"
    "  --strict         warnings fail the lint too\n"
    "  --against        compare with this OLD config: changes, impact, reshuffles\n"
    "  --now            time of the change for --against (default: the current time)\n"
    "  --impact-samples synthetic units per journey for --against (default 200000)\n";

int Usage(const std::string& message) {
  std::cerr << "holdfast lint: " << message << "\n" << kLintUsage;
  return 2;
}

}  // namespace

int RunLintCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags =
      ParseFlags(argc, argv, {{"format", "against", "now", "impact-samples"}, {"strict", "help"}});
  if (!flags.ok()) return Usage(std::string(flags.status().message()));
  if (flags->Has("help")) {
    std::cout << kLintUsage;
    return 0;
  }
  if (flags->positional().empty()) return Usage("no PATH given");
  config::LintOptions options;
  absl::StatusOr<config::LintFormat> format = config::ParseLintFormat(flags->GetOr("format", "text"));
  if (!format.ok()) return Usage(std::string(format.status().message()));
  options.format = *format;
  options.strict = flags->Has("strict");
  options.against_path = flags->GetOr("against", "");
  options.now = RealClock::Get()->NowMicros();
  if (std::optional<std::string> now = flags->Get("now")) {
    absl::StatusOr<UnixMicros> t = ParseTime(*now);
    if (!t.ok()) return Usage(absl::StrCat("--now: ", t.status().message()));
    options.now = *t;
  }
  if (std::optional<std::string> n = flags->Get("impact-samples")) {
    if (!absl::SimpleAtoi(*n, &options.impact.sample_size) || options.impact.sample_size < 1 ||
        options.impact.sample_size > 10000000) {
      return Usage("--impact-samples: expected an integer in [1, 10000000]");
    }
  }
  const config::LintResult result = config::LintPaths(flags->positional(), options);
  std::cout << result.output << std::flush;
  return result.exit_code;
}

}  // namespace holdfast::cli
