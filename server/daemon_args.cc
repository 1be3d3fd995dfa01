#include "server/daemon_args.h"

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace holdfast::server {
namespace {

// An argument as the user typed it, bounded.
std::string Quoted(absl::string_view arg) {
  constexpr size_t kMax = 64;
  return absl::StrCat("'", arg.substr(0, kMax), arg.size() > kMax ? "...'" : "'");
}

// "--name=value" / "-name" → name (and whether a value is attached).
absl::string_view FlagName(absl::string_view arg, bool* has_value) {
  absl::ConsumePrefix(&arg, "-");
  absl::ConsumePrefix(&arg, "-");
  const size_t eq = arg.find('=');
  *has_value = eq != absl::string_view::npos;
  return *has_value ? arg.substr(0, eq) : arg;
}

// absl's own flags, which FindCommandLineFlag does not list: whether each
// takes a value.
bool IsAbseilFlag(absl::string_view name, bool* takes_value) {
  for (const char* n : {"help", "helpfull", "helpshort", "helppackage", "version", "only_check_args"}) {
    if (name == n) {
      *takes_value = false;
      return true;
    }
  }
  for (const char* n : {"helpon", "helpmatch", "flagfile", "fromenv", "tryfromenv", "undefok"}) {
    if (name == n) {
      *takes_value = true;
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status CheckDaemonArgs(const std::vector<std::string>& args) {
  // --undefok=a,b lets absl accept those unknown flags; so do we.
  std::vector<std::string> undefok;
  for (const std::string& arg : args) {
    bool has_value = false;
    if (FlagName(arg, &has_value) == "undefok" && has_value) {
      for (absl::string_view n : absl::StrSplit(arg.substr(arg.find('=') + 1), ',', absl::SkipEmpty())) {
        undefok.emplace_back(n);
      }
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      if (i + 1 < args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument ", Quoted(args[i + 1]), ": holdfastd takes only flags"));
      }
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument ", Quoted(arg),
                                                     ": holdfastd takes only flags (a config file is "
                                                     "--config=PATH)"));
    }
    bool has_value = false;
    const absl::string_view name = FlagName(arg, &has_value);
    bool abseil_takes_value = false;
    if (IsAbseilFlag(name, &abseil_takes_value)) {
      if (abseil_takes_value && !has_value) ++i;  // "--flagfile FILE"
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      // --nofoo for a boolean --foo.
      if (!has_value && absl::StartsWith(name, "no")) {
        const absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
        if (negated != nullptr && negated->IsOfType<bool>()) continue;
      }
      bool ok = false;
      for (const std::string& n : undefok) ok |= n == name;
      if (ok) continue;
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", Quoted(arg), " (holdfastd --help lists the flags)"));
    }
    std::string value;
    if (has_value) {
      value = arg.substr(arg.find('=') + 1);
    } else if (!flag->IsOfType<bool>()) {
      // "--name value": the next argument is the value.
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value (--", name, "=VALUE)"));
      }
      value = args[++i];
    } else {
      continue;
    }
    // A malformed value (--max_pending_records=abc). Parsing sets the flag,
    // which absl's own parse then sets again to the same value.
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, ": ", error.substr(0, 200)));
    }
  }
  return absl::OkStatus();
}

bool AsksForHelp(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    if (arg.empty() || arg[0] != '-') continue;
    bool has_value = false;
    const absl::string_view name = FlagName(arg, &has_value);
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "helppackage" ||
        name == "helpon" || name == "helpmatch") {
      return true;
    }
  }
  return false;
}

}  // namespace holdfast::server
