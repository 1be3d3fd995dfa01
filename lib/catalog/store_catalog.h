// Builds a ConfigCatalog from a Store's config history: every history row
// that carries content (schema version 3 on) is compiled back to its version
// (lib/config/stored_config.h). Rows without content (older files) and rows
// whose content does not compile to their version are left out; their
// entries fall back to the serving config and the report counts them.
//
// Example:
//   HF_ASSIGN_OR_RETURN(StoreCatalog loaded, LoadConfigCatalog(*store, serving));
//   BuildLiftReport(loaded.catalog, source, options);
//
// Thread-safety: as safe as the Store.
#ifndef HOLDFAST_LIB_CATALOG_STORE_CATALOG_H_
#define HOLDFAST_LIB_CATALOG_STORE_CATALOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/catalog/config_catalog.h"
#include "lib/storage/store.h"

namespace holdfast {

struct StoreCatalog {
  ConfigCatalog catalog;
  // History rows skipped because they had no content (written before the
  // store kept it) or did not compile to their version, with why.
  std::vector<std::string> skipped;
};

// Reads the whole config history of `store` (newest first; the first row of
// a version that compiles wins) and adds it to a catalog around `current`.
// Store errors pass through.
[[nodiscard]] absl::StatusOr<StoreCatalog> LoadConfigCatalog(
    Store& store, std::shared_ptr<const AssignmentConfig> current);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_CATALOG_STORE_CATALOG_H_
