#include "server/method_roles.h"

namespace holdfast::server {
namespace {

using auth::Role;
using Kind = MethodAccess::Kind;

constexpr auth::RoleSet kAssign{Role::kAssign};
constexpr auth::RoleSet kIngest{Role::kIngest};
constexpr auth::RoleSet kAnalyst{Role::kAnalyst};
constexpr auth::RoleSet kAssignOrAnalyst{Role::kAssign, Role::kAnalyst};
constexpr auth::RoleSet kAdminOnly{};  // admin passes every kRoles entry

// The role matrix (docs/security.md shows the same table). A journey engine
// reads the config it decides with; an analyst reads it to interpret reports.
constexpr MethodAccess kMethodAccess[] = {
    {"/holdfast.v1.AssignmentService/Assign", Kind::kRoles, kAssign},
    {"/holdfast.v1.AssignmentService/BatchAssign", Kind::kRoles, kAssign},
    {"/holdfast.v1.AssignmentService/ListJourneys", Kind::kRoles, kAssignOrAnalyst},
    {"/holdfast.v1.AssignmentService/GetJourney", Kind::kRoles, kAssignOrAnalyst},

    {"/holdfast.v1.EventService/RecordEntries", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/RecordSends", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/RecordOutcomes", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/RecordFixedCosts", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/RecordCustomers", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/StreamEntries", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/StreamSends", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/StreamOutcomes", Kind::kRoles, kIngest},
    {"/holdfast.v1.EventService/StreamFixedCosts", Kind::kRoles, kIngest},

    {"/holdfast.v1.ReportService/GetLiftReport", Kind::kRoles, kAnalyst},
    {"/holdfast.v1.ReportService/GetProgramReport", Kind::kRoles, kAnalyst},

    {"/holdfast.v1.AdminService/Ping", Kind::kAnyToken, {}},
    {"/holdfast.v1.AdminService/ReloadConfig", Kind::kRoles, kAdminOnly},
    {"/holdfast.v1.AdminService/ConfigHistory", Kind::kRoles, kAnalyst},

    // Load balancers probe health without credentials.
    {"/grpc.health.v1.Health/Check", Kind::kOpen, {}},
    {"/grpc.health.v1.Health/Watch", Kind::kOpen, {}},
    // Reflection lists the API (no data) but still needs a valid token; both
    // protocol versions, whichever the gRPC release serves.
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Kind::kAnyToken, {}},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Kind::kAnyToken, {}},
};

}  // namespace

absl::Span<const MethodAccess> AllMethodAccess() { return kMethodAccess; }

const MethodAccess* FindMethodAccess(absl::string_view method) {
  for (const MethodAccess& m : kMethodAccess) {
    if (m.method == method) return &m;
  }
  return nullptr;
}

}  // namespace holdfast::server
