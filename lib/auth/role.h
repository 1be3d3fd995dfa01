// The four roles a bearer token can carry (docs/security.md has the matrix of
// which RPC each may call).
//
//   std::optional<Role> r = ParseRole("analyst");
//   RoleSet readers = RoleSet{Role::kAssign, Role::kAnalyst};
//   readers.Contains(*r);  // true
#ifndef HOLDFAST_LIB_AUTH_ROLE_H_
#define HOLDFAST_LIB_AUTH_ROLE_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace holdfast::auth {

enum class Role : uint8_t {
  kAssign = 0,  // a journey engine: decisions and the config it decides with
  kIngest = 1,  // a data pipeline: Record*/Stream* writes
  kAnalyst = 2, // reports, the config and its history
  kAdmin = 3,   // everything, including ReloadConfig
};

inline constexpr std::array<Role, 4> kAllRoles = {Role::kAssign, Role::kIngest, Role::kAnalyst,
                                                  Role::kAdmin};

// "assign", "ingest", "analyst", "admin".
absl::string_view RoleName(Role role);
// The role spelled exactly (lower case) as RoleName() spells it.
std::optional<Role> ParseRole(absl::string_view name);

// A small set of roles (a bit mask). Value type, constexpr.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  constexpr bool Contains(Role role) const { return (bits_ & Bit(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // "assign or analyst" (for error messages and docs).
  std::string ToString() const;

 private:
  static constexpr uint8_t Bit(Role r) { return static_cast<uint8_t>(1u << static_cast<uint8_t>(r)); }
  uint8_t bits_ = 0;
};

}  // namespace holdfast::auth

#endif  // HOLDFAST_LIB_AUTH_ROLE_H_
