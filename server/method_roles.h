// Who may call each RPC: one table, keyed by the full gRPC method name
// ("/package.Service/Method"), covering every RPC the server serves. A method
// missing from the table is refused to everyone (fail closed), and
// tests/server/method_roles_test.cc fails when a proto RPC has no entry.
//
// No gRPC here: an HTTP endpoint maps its routes to these method names and
// asks the same Authorizer (server/authorizer.h).
#ifndef HOLDFAST_SERVER_METHOD_ROLES_H_
#define HOLDFAST_SERVER_METHOD_ROLES_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/auth/role.h"

namespace holdfast::server {

struct MethodAccess {
  enum class Kind {
    kOpen,      // no token needed (health checks, for load balancers)
    kAnyToken,  // any valid token, whatever its role (Ping, reflection)
    kRoles,     // a token whose role is in `roles`, or admin
  };
  absl::string_view method;
  Kind kind;
  auth::RoleSet roles;  // for kRoles; admin is always allowed on top
};

// Every entry, in declaration order.
absl::Span<const MethodAccess> AllMethodAccess();
// The entry for `method`, or null when the method is not in the table.
const MethodAccess* FindMethodAccess(absl::string_view method);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_METHOD_ROLES_H_
