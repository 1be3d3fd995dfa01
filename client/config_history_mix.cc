#include "client/config_history_mix.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {

std::vector<std::string> DescribeMixedVersions(
    const google::protobuf::RepeatedPtrField<holdfast::v1::ConfigVersion>& newest_first) {
  std::vector<std::string> out;
  std::map<std::string, std::string> serving;  // replica -> version, by name
  bool mixed = false;
  for (int i = newest_first.size() - 1; i >= 0; --i) {
    const holdfast::v1::ConfigVersion& v = newest_first[i];
    serving[v.replica().empty() ? "(unnamed)" : v.replica()] = v.version();
    std::set<std::string> versions;
    for (const auto& [replica, version] : serving) versions.insert(version);
    const std::string when =
        FormatTime(v.loaded_at().seconds() * 1000000 + v.loaded_at().nanos() / 1000);
    if (versions.size() > 1) {
      std::string line = absl::StrCat(when, "  replicas serve different versions: ");
      bool first = true;
      for (const auto& [replica, version] : serving) {
        absl::StrAppend(&line, first ? "" : ", ", replica, "=", version);
        first = false;
      }
      out.push_back(absl::StrCat(line, "\n"));
      mixed = true;
    } else if (mixed) {
      out.push_back(absl::StrCat(when, "  all replicas serve ", v.version(), "\n"));
      mixed = false;
    }
  }
  return out;
}

}  // namespace holdfast::cli
