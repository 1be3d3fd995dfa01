// Which file a ReloadConfig call may load: the configured config path, or a
// file or directory inside the configured directory (the --config directory,
// or the directory holding the --config file), after resolving symlinks and
// `..`. Anything else is refused without saying whether it exists, so the
// RPC can neither read arbitrary files nor probe for them.
//
//   absl::StatusOr<std::string> p = ResolveReloadPath("/etc/holdfast/main.textproto", "next.textproto");
//   // *p == "/etc/holdfast/next.textproto" (canonical; relative to the config directory)
#ifndef HOLDFAST_LIB_CONFIG_RELOAD_PATH_H_
#define HOLDFAST_LIB_CONFIG_RELOAD_PATH_H_

#include <string>

#include "absl/status/statusor.h"

namespace holdfast::config {

// The canonical path to load for `requested` (relative paths are taken from
// the configured directory). INVALID_ARGUMENT naming the `path` field when it
// resolves outside the directory (or cannot be resolved there), NOT_FOUND when
// it is inside but does not exist.
[[nodiscard]] absl::StatusOr<std::string> ResolveReloadPath(const std::string& configured_path,
                                                            const std::string& requested);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_RELOAD_PATH_H_
