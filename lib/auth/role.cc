#include "lib/auth/role.h"

#include "absl/strings/str_cat.h"

namespace holdfast::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAssign: return "assign";
    case Role::kIngest: return "ingest";
    case Role::kAnalyst: return "analyst";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::string RoleSet::ToString() const {
  std::string out;
  for (Role r : kAllRoles) {
    if (Contains(r)) absl::StrAppend(&out, out.empty() ? "" : " or ", RoleName(r));
  }
  return out.empty() ? "no role" : out;
}

}  // namespace holdfast::auth
