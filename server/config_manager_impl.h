// ConfigManager over lib/config: reload = load + validate + compile + swap;
// history kept in memory and, when a sink is set, persisted by it.
#ifndef HOLDFAST_SERVER_CONFIG_MANAGER_IMPL_H_
#define HOLDFAST_SERVER_CONFIG_MANAGER_IMPL_H_

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "lib/base/clock.h"
#include "server/config_holder.h"
#include "server/config_manager.h"

namespace holdfast::server {

// Loads `path` into a ServingConfig stamped with `now`.
[[nodiscard]] absl::StatusOr<std::shared_ptr<const ServingConfig>> LoadServingConfig(
    const std::string& path, UnixMicros now);

class ConfigManagerImpl final : public ConfigManager {
 public:
  // Persists one history record with the full canonical config of its
  // version (lib/config/stored_config.h); returns an error to abort the swap.
  using HistorySink =
      std::function<absl::Status(const holdfast::v1::ConfigVersion&, const std::string& content)>;
  // Reads persisted history (newest first).
  using HistorySource = std::function<absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>>(int)>;

  // `replica` names this server in every record (ConfigVersion.replica).
  ConfigManagerImpl(ConfigHolder* holder, const Clock* clock, HistorySink sink = nullptr,
                    HistorySource source = nullptr, std::string replica = "");

  // Records the version serving at start (with its diff against the last
  // persisted version, if any). Nothing is recorded when this replica's own
  // newest record (among the newest kRestartScanRows of the shared history)
  // already holds the version: a restart on the same config. Another
  // replica's record of the same version does not count, so every replica's
  // start shows in the history.
  absl::Status RecordInitial();
  static constexpr int kRestartScanRows = 64;

  absl::StatusOr<holdfast::v1::ReloadConfigResponse> Reload(const std::string& path) override;
  absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> History(int limit) override;

 private:
  holdfast::v1::ConfigVersion MakeRecord(const ServingConfig& config, const std::string& diff) const;
  absl::Status Append(const holdfast::v1::ConfigVersion& record, const ServingConfig& config);

  ConfigHolder* holder_;
  const Clock* clock_;
  HistorySink sink_;
  HistorySource source_;
  // The path the server was started with; reloads may load it or a path
  // inside its directory only.
  const std::string configured_path_;
  const std::string replica_;
  std::mutex mu_;  // serializes reloads; guards history_
  std::vector<holdfast::v1::ConfigVersion> history_;  // oldest first
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_CONFIG_MANAGER_IMPL_H_
