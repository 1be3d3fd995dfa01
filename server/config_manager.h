// Loads, validates and swaps configs, and keeps their history. Shared by the
// AdminService (ReloadConfig, ConfigHistory) and SIGHUP handling in main.
#ifndef HOLDFAST_SERVER_CONFIG_MANAGER_H_
#define HOLDFAST_SERVER_CONFIG_MANAGER_H_

#include <vector>

#include "absl/status/statusor.h"
#include "holdfast/v1/admin.pb.h"

namespace holdfast::server {

class ConfigManager {
 public:
  virtual ~ConfigManager() = default;
  // Loads `path` (empty: the current source path), validates it and swaps it
  // in. `path` must be the configured config path or inside its directory
  // (lib/config/reload_path.h). On any error returns INVALID_ARGUMENT listing
  // the errors and keeps the serving config.
  [[nodiscard]] virtual absl::StatusOr<holdfast::v1::ReloadConfigResponse> Reload(
      const std::string& path) = 0;
  // Versions served, newest first, at most `limit`.
  [[nodiscard]] virtual absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> History(int limit) = 0;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_CONFIG_MANAGER_H_
