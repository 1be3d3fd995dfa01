#include "client/cli_flags.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace holdfast::cli {

std::optional<std::string> ParsedFlags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedFlags::GetOr(const std::string& name, const std::string& fallback) const {
  std::optional<std::string> v = Get(name);
  return v ? *v : fallback;
}

std::vector<std::string> ParsedFlags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const FlagSpec& given) {
  // Every subcommand that talks to a server takes the TLS and token flags
  // (client/cli_connect.h).
  FlagSpec spec = given;
  if (spec.valued.count("server")) spec.valued.insert({"tls-ca", "tls-cert", "tls-key", "token-file"});
  ParsedFlags out;
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg == "--") { only_positional = true; continue; }
      out.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (spec.boolean.count(name)) {
      if (value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      out.values_[name].push_back("true");
    } else if (spec.valued.count(name)) {
      if (!value) {
        if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
        value = argv[++i];
      }
      out.values_[name].push_back(*value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  return out;
}

std::string ServerAddress(const ParsedFlags& flags) {
  if (std::optional<std::string> s = flags.Get("server")) return *s;
  if (const char* env = std::getenv("HOLDFAST_SERVER"); env != nullptr && *env != '\0') return env;
  return "127.0.0.1:50051";
}

}  // namespace holdfast::cli
