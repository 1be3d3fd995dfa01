#include "lib/config/reload_path.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace holdfast::config {
namespace fs = std::filesystem;

absl::StatusOr<std::string> ResolveReloadPath(const std::string& configured_path,
                                              const std::string& requested) {
  std::error_code ec;
  const fs::path configured = fs::canonical(configured_path, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("the configured config path ", configured_path, " cannot be resolved: ", ec.message()));
  }
  const fs::path dir = fs::is_directory(configured, ec) ? configured : configured.parent_path();
  fs::path wanted = requested;
  if (wanted.is_relative()) wanted = dir / wanted;
  // weakly_canonical resolves every existing prefix (symlinks, `..`), so a
  // path that leaves the directory is seen as outside whether or not its end
  // exists: the answer for outside paths never depends on their existence.
  const fs::path resolved = fs::weakly_canonical(wanted, ec);
  const std::string dir_text = dir.string();
  const std::string text = resolved.string();
  const bool inside = !ec && (text == dir_text || absl::StartsWith(text, dir_text + "/") ||
                              (dir_text == "/" && absl::StartsWith(text, "/")));
  if (!inside) {
    return absl::InvalidArgumentError(absl::StrCat(
        "path: must be the configured config path or a path inside its directory ", dir_text,
        " (after resolving symlinks and '..')"));
  }
  if (!fs::exists(resolved, ec)) {
    return absl::NotFoundError(absl::StrCat("path: no such file in the config directory ", dir_text));
  }
  return text;
}

}  // namespace holdfast::config
