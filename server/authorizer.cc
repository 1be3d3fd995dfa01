#include "server/authorizer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "server/method_roles.h"

namespace holdfast::server {
absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
  if (token.size() > auth::kMaxTokenBytes) return {};
  return token;
}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::FromFile(const std::string& path) {
  HF_ASSIGN_OR_RETURN(auth::TokenTable table, auth::TokenTable::Load(path));
  return std::make_unique<Authorizer>(std::move(table), path);
}

Authorizer::Authorizer(auth::TokenTable table, std::string path)
    : path_(std::move(path)), table_(std::make_shared<const auth::TokenTable>(std::move(table))) {}

absl::Status Authorizer::Check(absl::string_view authorization, absl::string_view method) const {
  absl::Status status = Decide(authorization, method);
  if (!status.ok() && refusal_observer_) refusal_observer_(method, status.code());
  return status;
}

absl::Status Authorizer::Decide(absl::string_view authorization, absl::string_view method) const {
  const MethodAccess* access = FindMethodAccess(method);
  if (access != nullptr && access->kind == MethodAccess::Kind::kOpen) return absl::OkStatus();
  if (authorization.empty()) {
    return absl::UnauthenticatedError("missing token: send the header 'authorization: Bearer TOKEN'");
  }
  const absl::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return absl::UnauthenticatedError("authorization: expected 'Bearer TOKEN'");
  }
  const std::shared_ptr<const auth::TokenTable> table = table_.load();
  const auth::TokenEntry* entry = table->Find(token);
  if (entry == nullptr) return absl::UnauthenticatedError("authorization: unknown token");
  if (access == nullptr) {
    // Unlisted methods are refused even to admin: a forgotten table entry
    // must close a door, not open one.
    return absl::PermissionDeniedError("this method is not in the server's role table");
  }
  if (access->kind == MethodAccess::Kind::kAnyToken || entry->role == auth::Role::kAdmin ||
      access->roles.Contains(entry->role)) {
    return absl::OkStatus();
  }
  // The method named is the table's (known) name, never caller input.
  return absl::PermissionDeniedError(absl::StrCat("role ", auth::RoleName(entry->role), " may not call ",
                                                  access->method, " (needs ",
                                                  access->roles.empty() ? "" : access->roles.ToString(),
                                                  access->roles.empty() ? "admin)" : " or admin)"));
}

absl::StatusOr<size_t> Authorizer::Reload() {
  if (path_.empty()) return absl::FailedPreconditionError("tokens were not loaded from a file");
  HF_ASSIGN_OR_RETURN(auth::TokenTable table, auth::TokenTable::Load(path_));
  const size_t n = table.entries().size();
  table_.store(std::make_shared<const auth::TokenTable>(std::move(table)));
  return n;
}

}  // namespace holdfast::server
