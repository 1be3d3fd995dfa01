#include "lib/catalog/store_catalog.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/config/stored_config.h"

namespace holdfast {

absl::StatusOr<StoreCatalog> LoadConfigCatalog(Store& store,
                                               std::shared_ptr<const AssignmentConfig> current) {
  HF_ASSIGN_OR_RETURN(std::vector<ConfigVersionRow> rows,
                      store.ListConfigVersions(std::numeric_limits<int>::max()));
  StoreCatalog out{ConfigCatalog(std::move(current)), {}};
  // Loads oldest first, so loads at equal times keep the history's order.
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    out.catalog.AddLoad(it->loaded_at, it->version, it->replica);
  }
  for (const ConfigVersionRow& row : rows) {
    if (out.catalog.Find(row.version) != nullptr) continue;
    if (row.content.empty()) {
      out.skipped.push_back(absl::StrCat(row.version, ": stored without content"));
      continue;
    }
    absl::StatusOr<std::shared_ptr<const AssignmentConfig>> compiled =
        config::CompileStoredConfig(row.version, row.content, row.diff_summary);
    if (!compiled.ok()) {
      out.skipped.push_back(std::string(compiled.status().message()));
      continue;
    }
    out.catalog.Add(*std::move(compiled));
  }
  return out;
}

}  // namespace holdfast
