// The compiled config of every version a report may meet: a map from version
// string to AssignmentConfig, with the serving config as the fallback for
// versions it does not hold (entries assigned before the store kept config
// content, or under a version whose row is missing).
//
// Example:
//   HF_ASSIGN_OR_RETURN(ConfigCatalog catalog, LoadConfigCatalog(*store, serving));
//   const AssignmentConfig* c = catalog.Find(entry.config_version);  // nullptr: unknown
//   const AssignmentConfig& used = catalog.FindOrCurrent(entry.config_version);
//   catalog.AddLoad(row.loaded_at, row.version);
//   std::shared_ptr<const AssignmentConfig> then = catalog.InForceAt(period_start);
//
// Thread-safety: immutable after building; concurrent reads are safe.
#ifndef HOLDFAST_LIB_CATALOG_CONFIG_CATALOG_H_
#define HOLDFAST_LIB_CATALOG_CONFIG_CATALOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"

namespace holdfast {

class ConfigCatalog {
 public:
  // `current` is the serving config (non-null); it is also in the catalog
  // under its own version.
  explicit ConfigCatalog(std::shared_ptr<const AssignmentConfig> current);

  // Adds `config` under config->version; a version already present keeps its
  // first config (versions are content hashes, so both are the same).
  void Add(std::shared_ptr<const AssignmentConfig> config);

  // The config of `version`, or nullptr when the catalog does not hold it.
  const AssignmentConfig* Find(absl::string_view version) const;

  // Find(version), or the current config when unknown.
  const AssignmentConfig& FindOrCurrent(absl::string_view version) const;

  const AssignmentConfig& current() const { return *current_; }

  // Every version held, sorted.
  std::vector<std::string> Versions() const;

  // Records that `version` started serving at `loaded_at` (a config history
  // row). Loads may be added in any order.
  void AddLoad(UnixMicros loaded_at, std::string version);

  // The config in force at `t`: the version of the latest load at or before
  // `t`, when the catalog holds it; nullptr when no load precedes `t` or that
  // version is unknown (callers then use the serving config and say so).
  // With several replicas the latest load by any replica wins: replicas
  // serving different versions at once are reported by config history.
  std::shared_ptr<const AssignmentConfig> InForceAt(UnixMicros t) const;

 private:
  struct Load {
    UnixMicros loaded_at;
    std::string version;
  };
  // Sorted by loaded_at (stable for equal times).
  std::vector<Load> loads_;
  std::shared_ptr<const AssignmentConfig> current_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AssignmentConfig>> by_version_;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_CATALOG_CONFIG_CATALOG_H_
