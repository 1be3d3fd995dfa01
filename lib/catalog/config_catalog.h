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

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"

namespace holdfast {

// One config history row as far as "who served what" goes.
struct ConfigLoad {
  UnixMicros loaded_at = 0;
  std::string version;
  std::string replica;  // "" counts as replica "(unnamed)"
};

// After a load: what every replica seen so far serves, and whether they
// disagree. Walking the loads oldest first, each replica serves the version
// of its latest load; a change is reported for every load after which
// replicas disagree, and for the first load after which they agree again.
// Only the loads given are seen, and a replica that stopped still counts with
// its last version (the history records loads, not shutdowns).
struct ServingChange {
  UnixMicros at = 0;
  bool mixed = false;
  std::map<std::string, std::string> serving;  // replica -> version, by name
};
// `oldest_first`: loads in the order they were recorded (equal times keep it).
std::vector<ServingChange> MixedServingChanges(const std::vector<ConfigLoad>& oldest_first);

// The time ranges in which replicas served different versions: from each
// change to mixed until the next change to agreement (to = kMaxTimeMicros
// while still mixed), with what each replica served when the range began.
struct MixedServingRange {
  UnixMicros from = 0;
  UnixMicros to = 0;
  std::map<std::string, std::string> serving;
};
std::vector<MixedServingRange> MixedServingRanges(const std::vector<ServingChange>& changes);

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
  // `replica` names who loaded it (ConfigVersionRow::replica). Loads at equal
  // times keep the order they were added in.
  void AddLoad(UnixMicros loaded_at, std::string version, std::string replica = "");

  // The ranges in which replicas served different versions (from the loads
  // added; MixedServingRanges).
  std::vector<MixedServingRange> MixedServing() const;

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
    std::string replica;
  };
  // Sorted by loaded_at (stable for equal times).
  std::vector<Load> loads_;
  std::shared_ptr<const AssignmentConfig> current_;
  absl::flat_hash_map<std::string, std::shared_ptr<const AssignmentConfig>> by_version_;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_CATALOG_CONFIG_CATALOG_H_
