#include "client/config_history_mix.h"

#include "absl/strings/str_cat.h"
#include "lib/base/time_util.h"
#include "lib/catalog/config_catalog.h"

namespace holdfast::cli {

std::vector<std::string> DescribeMixedVersions(
    const google::protobuf::RepeatedPtrField<holdfast::v1::ConfigVersion>& newest_first) {
  std::vector<ConfigLoad> loads;
  loads.reserve(newest_first.size());
  for (int i = newest_first.size() - 1; i >= 0; --i) {
    const holdfast::v1::ConfigVersion& v = newest_first[i];
    loads.push_back({v.loaded_at().seconds() * 1000000 + v.loaded_at().nanos() / 1000, v.version(),
                     v.replica()});
  }
  std::vector<std::string> out;
  for (const ServingChange& c : MixedServingChanges(loads)) {
    const std::string when = FormatTime(c.at);
    if (!c.mixed) {
      out.push_back(absl::StrCat(when, "  all replicas serve ", c.serving.begin()->second, "\n"));
      continue;
    }
    std::string line = absl::StrCat(when, "  replicas serve different versions: ");
    bool first = true;
    for (const auto& [replica, version] : c.serving) {
      absl::StrAppend(&line, first ? "" : ", ", replica, "=", version);
      first = false;
    }
    out.push_back(absl::StrCat(line, "\n"));
  }
  return out;
}

}  // namespace holdfast::cli
