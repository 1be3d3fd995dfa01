#include "server/holdfast_daemon.h"

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace holdfast::server {

struct HoldfastDaemon::Impl {};

absl::StatusOr<std::unique_ptr<HoldfastDaemon>> HoldfastDaemon::Start(const DaemonOptions& options) {
  std::unique_ptr<HoldfastDaemon> d(new HoldfastDaemon());
  d->options_ = options;
  d->impl_ = std::make_unique<Impl>();
  const Clock* clock = RealClock::Get();
  HF_ASSIGN_OR_RETURN(std::shared_ptr<const ServingConfig> initial,
                      LoadServingConfig(options.config_path, clock->NowMicros()));
  d->configs_ = std::make_unique<ConfigHolder>(std::move(initial));
  d->config_manager_ = std::make_unique<ConfigManagerImpl>(d->configs_.get(), clock);
  HF_RETURN_IF_ERROR(d->config_manager_->RecordInitial());

  HoldfastServer::Options server_options;
  server_options.listen_address = options.listen_address;
  HoldfastServer::Dependencies deps;
  deps.configs = d->configs_.get();
  deps.clock = clock;
  deps.config_manager = d->config_manager_.get();
  HF_ASSIGN_OR_RETURN(d->server_, HoldfastServer::BuildAndStart(server_options, std::move(deps)));
  return d;
}

HoldfastDaemon::~HoldfastDaemon() { Shutdown(); }

std::string HoldfastDaemon::listen_host() const {
  const std::string& a = options_.listen_address;
  const size_t colon = a.rfind(':');
  return colon == std::string::npos ? a : a.substr(0, colon);
}

absl::StatusOr<std::string> HoldfastDaemon::ReloadFromSignal() {
  HF_ASSIGN_OR_RETURN(holdfast::v1::ReloadConfigResponse r, config_manager_->Reload(""));
  return absl::StrCat(r.changed() ? "now serving " : "unchanged, serving ", r.serving().version());
}

void HoldfastDaemon::Shutdown() {
  if (server_ != nullptr) server_->Shutdown();
}

}  // namespace holdfast::server
