// A small flag parser for the `holdfast` subcommands: `--name value`,
// `--name=value`, boolean `--name`, and positional arguments. Unknown flags
// are errors, so typos never pass silently.
#ifndef HOLDFAST_CLIENT_CLI_FLAGS_H_
#define HOLDFAST_CLIENT_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace holdfast::cli {

struct FlagSpec {
  // Flags that take a value (may repeat; all values kept in order).
  std::set<std::string> valued;
  // Flags that take no value.
  std::set<std::string> boolean;
};

class ParsedFlags {
 public:
  // Last value of `name`, if given.
  std::optional<std::string> Get(const std::string& name) const;
  // Value of `name` or `fallback`.
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  // Every value of a repeatable flag.
  std::vector<std::string> GetAll(const std::string& name) const;
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const FlagSpec& spec);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Parses argv[1..argc) (argv[0] is the subcommand name). A spec with
// "server" also accepts --tls-ca, --tls-cert, --tls-key and --token-file.
[[nodiscard]] absl::StatusOr<ParsedFlags> ParseFlags(int argc, char** argv, const FlagSpec& spec);

// The server address: --server, else $HOLDFAST_SERVER, else 127.0.0.1:50051.
std::string ServerAddress(const ParsedFlags& flags);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CLI_FLAGS_H_
