// The config a server is serving, swapped atomically on reload: a request
// takes one snapshot and uses it to the end, so it never sees a half-loaded
// config.
//
// Thread-safety: Get() and Set() are safe from any thread.
#ifndef HOLDFAST_SERVER_CONFIG_HOLDER_H_
#define HOLDFAST_SERVER_CONFIG_HOLDER_H_

#include <atomic>
#include <memory>
#include <string>

#include "holdfast/v1/config.pb.h"
#include "lib/assign/assigner.h"
#include "lib/base/clock.h"

namespace holdfast::server {

// One loaded config: the compiled form the assigner runs and the proto with
// defaults filled in that ListJourneys/GetJourney show.
struct ServingConfig {
  ServingConfig(std::shared_ptr<const AssignmentConfig> compiled_config,
                holdfast::v1::Config effective_config, std::string path, UnixMicros at)
      : compiled(compiled_config),
        assigner(compiled_config),
        effective(std::move(effective_config)),
        source_path(std::move(path)),
        loaded_at(at) {}

  std::shared_ptr<const AssignmentConfig> compiled;
  Assigner assigner;
  holdfast::v1::Config effective;
  std::string source_path;
  UnixMicros loaded_at;

  const std::string& version() const { return compiled->version; }
};

class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const ServingConfig> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const ServingConfig> Get() const { return current_.load(std::memory_order_acquire); }
  void Set(std::shared_ptr<const ServingConfig> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const ServingConfig>> current_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_CONFIG_HOLDER_H_
