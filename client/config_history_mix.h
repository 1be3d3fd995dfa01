// When did replicas sharing one store serve different config versions?
// Read off the shared config history (every replica records each version it
// loads, ConfigVersion.replica), for `holdfast config history`.
//
// Example:
//   for (const std::string& line : DescribeMixedVersions(resp.versions())) std::cout << line;
#ifndef HOLDFAST_CLIENT_CONFIG_HISTORY_MIX_H_
#define HOLDFAST_CLIENT_CONFIG_HISTORY_MIX_H_

#include <string>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "holdfast/v1/admin.pb.h"

namespace holdfast::cli {

// `newest_first` as ConfigHistory returns it. Walking it oldest first, each
// replica serves the version of its latest record; one line per record
// after which replicas disagree ("<time>  replicas serve different
// versions: r1=cfg-a, r2=cfg-b\n", replicas in name order) and one when they
// agree again ("<time>  all replicas serve cfg-b\n"). Empty when they never
// disagreed. A record without a replica name counts as replica "(unnamed)".
// Only the records given are seen (a replica whose last load is older than
// them is unknown), and a replica that stopped still counts with its last
// version: the history records loads, not shutdowns.
std::vector<std::string> DescribeMixedVersions(
    const google::protobuf::RepeatedPtrField<holdfast::v1::ConfigVersion>& newest_first);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CONFIG_HISTORY_MIX_H_
