#include "server/config_manager_impl.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/config/config.h"
#include "lib/config/diff.h"
#include "lib/config/reload_path.h"
#include "lib/config/share_transition.h"
#include "lib/config/stored_config.h"
#include "server/request_validation.h"

namespace holdfast::server {

absl::StatusOr<std::shared_ptr<const ServingConfig>> LoadServingConfig(const std::string& path,
                                                                        UnixMicros now) {
  HF_ASSIGN_OR_RETURN(config::LoadedConfig loaded, config::LoadConfig(path));
  return std::make_shared<const ServingConfig>(loaded.compiled, std::move(loaded.effective), path, now);
}

ConfigManagerImpl::ConfigManagerImpl(ConfigHolder* holder, const Clock* clock, HistorySink sink,
                                     HistorySource source, std::string replica)
    : holder_(holder),
      clock_(clock),
      sink_(std::move(sink)),
      source_(std::move(source)),
      configured_path_(holder->Get()->source_path),
      replica_(std::move(replica)) {}

holdfast::v1::ConfigVersion ConfigManagerImpl::MakeRecord(const ServingConfig& config,
                                                          const std::string& diff) const {
  holdfast::v1::ConfigVersion record;
  record.set_version(config.version());
  MicrosToTimestamp(config.loaded_at, record.mutable_loaded_at());
  record.set_source_path(config.source_path);
  record.set_replica(replica_);
  // The holdout states let a restart keep deferred share changes deferred;
  // they are kept whole, the human diff is cut to fit the store's bound.
  constexpr size_t kMaxDiffBytes = 1 << 20;
  std::string human = diff;
  if (human.size() > kMaxDiffBytes) {
    const size_t cut = human.rfind('\n', kMaxDiffBytes);
    human = absl::StrCat(human.substr(0, cut == std::string::npos ? kMaxDiffBytes : cut),
                         "\n... (diff cut: ", diff.size(), " bytes)\n");
  }
  record.set_diff_summary(
      absl::StrCat(human, config::FormatHoldoutStates(config::HoldoutStates(*config.compiled))));
  return record;
}

absl::Status ConfigManagerImpl::Append(const holdfast::v1::ConfigVersion& record,
                                       const ServingConfig& config) {
  if (sink_) HF_RETURN_IF_ERROR(sink_(record, config::CanonicalConfigText(config.effective)));
  history_.push_back(record);
  return absl::OkStatus();
}

namespace {

// `config` with `transitions` applied (and its version recomputed).
std::shared_ptr<const ServingConfig> WithTransitions(const ServingConfig& config,
                                                     const std::vector<config::ShareTransition>& transitions) {
  auto compiled = std::make_shared<AssignmentConfig>(*config.compiled);
  config::ApplyShareTransitions(transitions, compiled.get());
  return std::make_shared<const ServingConfig>(compiled, config.effective, config.source_path, config.loaded_at);
}

}  // namespace

absl::Status ConfigManagerImpl::RecordInitial() {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<const ServingConfig> current = holder_->Get();
  std::string diff = "initial load\n";
  if (source_) {
    HF_ASSIGN_OR_RETURN(auto persisted, source_(kRestartScanRows));
    if (!persisted.empty()) {
      // The newest record overall gives the holdout states as served; this
      // replica's own newest (rows from before replicas were named count as
      // anyone's) says whether this is a restart on the same config.
      const holdfast::v1::ConfigVersion& last = persisted[0];
      std::string own_version;
      for (const holdfast::v1::ConfigVersion& v : persisted) {
        if (v.replica() == replica_ || v.replica().empty()) {
          own_version = v.version();
          break;
        }
      }
      if (own_version == current->version()) return absl::OkStatus();  // restart, same config
      // The holdouts as they were served before the restart: a share changed
      // in the file while the server was down still waits for the boundary,
      // and a change that was pending at the stop stays pending.
      const std::vector<config::ShareTransition> transitions = config::PlanShareTransitions(
          config::ParseHoldoutStates(last.diff_summary()), *current->compiled, clock_->NowMicros());
      if (!transitions.empty()) {
        current = WithTransitions(*current, transitions);
        holder_->Set(current);
        if (current->version() == own_version) return absl::OkStatus();
      }
      diff = last.version() == current->version()
                 ? absl::StrCat("initial load (the version ", last.replica().empty() ? "already" : last.replica(),
                                " serves)\n")
                 : absl::StrCat("replaces ", last.version(), " (server restart)\n",
                                config::FormatShareTransitions(transitions, *current->compiled));
    }
  }
  return Append(MakeRecord(*current, diff), *current);
}

absl::StatusOr<holdfast::v1::ReloadConfigResponse> ConfigManagerImpl::Reload(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<const ServingConfig> current = holder_->Get();
  std::string source = current->source_path;
  if (!path.empty()) {
    // A caller-given path is confined to the configured config directory:
    // ReloadConfig must not read (or reveal) any other file on the machine.
    HF_ASSIGN_OR_RETURN(source, config::ResolveReloadPath(configured_path_, path));
  }
  // Load fully before touching the holder: a bad config leaves the old one serving.
  const UnixMicros now = clock_->NowMicros();
  HF_ASSIGN_OR_RETURN(std::shared_ptr<const ServingConfig> next, LoadServingConfig(source, now));
  // Share changes made mid-period wait for the next period boundary.
  const std::vector<config::ShareTransition> transitions =
      config::PlanShareTransitions(*current->compiled, *next->compiled, now);
  if (!transitions.empty()) next = WithTransitions(*next, transitions);
  holdfast::v1::ReloadConfigResponse response;
  if (next->version() == current->version()) {
    response.set_changed(false);
    *response.mutable_serving() = MakeRecord(*current, "");
    return response;
  }
  const std::string diff = absl::StrCat("replaces ", current->version(), "\n",
                                        config::DiffSummary(current->effective, next->effective), "\n",
                                        config::FormatShareTransitions(transitions, *next->compiled));
  holdfast::v1::ConfigVersion record = MakeRecord(*next, diff);
  HF_RETURN_IF_ERROR(Append(record, *next));
  holder_->Set(next);
  response.set_changed(true);
  *response.mutable_serving() = record;
  return response;
}

absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> ConfigManagerImpl::History(int limit) {
  if (source_) return source_(limit);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<holdfast::v1::ConfigVersion> out(history_.rbegin(), history_.rend());
  if (static_cast<int>(out.size()) > limit) out.resize(limit);
  return out;
}

}  // namespace holdfast::server
