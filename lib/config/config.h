// Entry point of lib/config: load a config file or directory, validate it,
// apply defaults and compile it for the assigner.
//
//   absl::StatusOr<LoadedConfig> loaded = LoadConfig("configs/");
//   if (!loaded.ok()) { /* INVALID_ARGUMENT, one "file:line:col: ..." per line */ }
//   Assigner assigner(loaded->compiled);
//
// Thread-safety: functions are pure (apart from reading files) and safe to
// call concurrently.
#ifndef HOLDFAST_LIB_CONFIG_CONFIG_H_
#define HOLDFAST_LIB_CONFIG_CONFIG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "holdfast/v1/config.pb.h"
#include "lib/assign/assignment_config.h"
#include "lib/config/diagnostic.h"
#include "lib/config/loader.h"

namespace holdfast::config {

// A config that loaded without errors.
struct LoadedConfig {
  // Defaults written out, journeys sorted by id (defaults.h). What
  // ListJourneys/GetJourney show.
  holdfast::v1::Config effective;
  // What the assigner runs; compiled->version is the config version.
  std::shared_ptr<const AssignmentConfig> compiled;
  // Warnings (errors make loading fail), sorted by position.
  std::vector<Diagnostic> diagnostics;
  // Files read, in merge order.
  std::vector<std::string> files;

  const std::string& version() const { return compiled->version; }
};

// Loads, validates and compiles `path` (a file or a directory; loader.h).
// INVALID_ARGUMENT when there is any error; the message lists every error as
// "file:line:col: error: message [rule]", one per line.
[[nodiscard]] absl::StatusOr<LoadedConfig> LoadConfig(absl::string_view path);

// Same for config text already in memory; `file_name` selects the format.
[[nodiscard]] absl::StatusOr<LoadedConfig> LoadConfigText(absl::string_view file_name,
                                                          absl::string_view text);

// The outcome of checking a config, errors included (for lint).
struct ConfigCheck {
  ParsedConfig parsed;
  // Every diagnostic: parse, validation, compile; sorted by position.
  std::vector<Diagnostic> diagnostics;
  // Set only when there is no error.
  std::shared_ptr<const AssignmentConfig> compiled;
  holdfast::v1::Config effective;

  bool ok() const { return compiled != nullptr; }
};

// Parses, validates and (when valid) compiles. Never fails.
ConfigCheck CheckConfig(ParsedConfig parsed);
ConfigCheck CheckConfigPath(absl::string_view path);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_CONFIG_H_
