#include "lib/catalog/config_catalog.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "lib/base/time_util.h"

namespace holdfast {

ConfigCatalog::ConfigCatalog(std::shared_ptr<const AssignmentConfig> current)
    : current_(std::move(current)) {
  by_version_.emplace(current_->version, current_);
}

void ConfigCatalog::Add(std::shared_ptr<const AssignmentConfig> config) {
  const std::string version = config->version;
  by_version_.emplace(version, std::move(config));
}

const AssignmentConfig* ConfigCatalog::Find(absl::string_view version) const {
  auto it = by_version_.find(version);
  return it == by_version_.end() ? nullptr : it->second.get();
}

const AssignmentConfig& ConfigCatalog::FindOrCurrent(absl::string_view version) const {
  const AssignmentConfig* c = Find(version);
  return c != nullptr ? *c : *current_;
}

std::vector<std::string> ConfigCatalog::Versions() const {
  std::vector<std::string> out;
  out.reserve(by_version_.size());
  for (const auto& [v, _] : by_version_) out.push_back(v);
  std::sort(out.begin(), out.end());
  return out;
}

void ConfigCatalog::AddLoad(UnixMicros loaded_at, std::string version, std::string replica) {
  Load load{loaded_at, std::move(version), std::move(replica)};
  auto at = std::upper_bound(loads_.begin(), loads_.end(), loaded_at,
                             [](UnixMicros t, const Load& l) { return t < l.loaded_at; });
  loads_.insert(at, std::move(load));
}

std::vector<MixedServingRange> ConfigCatalog::MixedServing() const {
  std::vector<ConfigLoad> loads;
  loads.reserve(loads_.size());
  for (const Load& l : loads_) loads.push_back({l.loaded_at, l.version, l.replica});
  return MixedServingRanges(MixedServingChanges(loads));
}

std::vector<ServingChange> MixedServingChanges(const std::vector<ConfigLoad>& oldest_first) {
  std::vector<ServingChange> out;
  std::map<std::string, std::string> serving;
  bool mixed = false;
  for (const ConfigLoad& load : oldest_first) {
    serving[load.replica.empty() ? "(unnamed)" : load.replica] = load.version;
    bool now_mixed = false;
    for (const auto& [_, version] : serving) now_mixed = now_mixed || version != serving.begin()->second;
    if (now_mixed || mixed) out.push_back(ServingChange{load.loaded_at, now_mixed, serving});
    mixed = now_mixed;
  }
  return out;
}

std::vector<MixedServingRange> MixedServingRanges(const std::vector<ServingChange>& changes) {
  std::vector<MixedServingRange> out;
  bool open = false;
  for (const ServingChange& c : changes) {
    if (c.mixed && !open) {
      out.push_back(MixedServingRange{c.at, kMaxTimeMicros, c.serving});
      open = true;
    } else if (!c.mixed && open) {
      out.back().to = c.at;
      open = false;
    }
  }
  return out;
}

std::shared_ptr<const AssignmentConfig> ConfigCatalog::InForceAt(UnixMicros t) const {
  auto after = std::upper_bound(loads_.begin(), loads_.end(), t,
                                [](UnixMicros x, const Load& l) { return x < l.loaded_at; });
  if (after == loads_.begin()) return nullptr;
  auto it = by_version_.find(std::prev(after)->version);
  return it == by_version_.end() ? nullptr : it->second;
}

}  // namespace holdfast
