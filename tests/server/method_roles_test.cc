// The role table covers every RPC, and the Authorizer gives the right code
// and message for each kind of caller.
#include "server/method_roles.h"

#include <set>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/auth/token.h"
#include "server/authorizer.h"
#include "tests/server/service_descriptors.h"

namespace holdfast::server {
namespace {

TEST(MethodRolesTest, EveryProtoRpcHasAnEntry) {
  int methods = 0;
  for (const google::protobuf::ServiceDescriptor* s : testing::HoldfastServices()) {
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < s->method_count(); ++i) {
      const std::string method = absl::StrCat("/", s->full_name(), "/", s->method(i)->name());
      EXPECT_NE(FindMethodAccess(method), nullptr) << method << " has no entry in server/method_roles.cc";
      ++methods;
    }
  }
  EXPECT_GE(methods, 17);
}

TEST(MethodRolesTest, EntriesAreUniqueAndNameRealMethods) {
  std::set<std::string> seen;
  for (const MethodAccess& m : AllMethodAccess()) {
    EXPECT_TRUE(seen.insert(std::string(m.method)).second) << m.method << " listed twice";
    if (absl::StartsWith(m.method, "/holdfast.")) {
      const std::string full = std::string(m.method.substr(1));
      const size_t slash = full.find('/');
      const google::protobuf::ServiceDescriptor* s = nullptr;
      for (const google::protobuf::ServiceDescriptor* d : testing::HoldfastServices()) {
        if (d != nullptr && d->full_name() == full.substr(0, slash)) s = d;
      }
      ASSERT_NE(s, nullptr) << m.method;
      EXPECT_NE(s->FindMethodByName(full.substr(slash + 1)), nullptr) << m.method << ": no such RPC";
    }
    // Only health is open.
    EXPECT_EQ(m.kind == MethodAccess::Kind::kOpen, absl::StartsWith(m.method, "/grpc.health.v1.Health/"))
        << m.method;
  }
}

Authorizer MakeAuthorizer() {
  std::string text;
  for (const char* role : {"assign", "ingest", "analyst", "admin"}) {
    absl::StrAppend(&text, role, " ", auth::DigestHex(auth::DigestToken(absl::StrCat("tok-", role))), "\n");
  }
  absl::StatusOr<auth::TokenTable> table = auth::TokenTable::Parse(text, "tokens");
  EXPECT_TRUE(table.ok()) << table.status();
  return Authorizer(*std::move(table));
}

TEST(AuthorizerTest, CodesAndMessages) {
  const Authorizer a = MakeAuthorizer();
  const std::string assign = "/holdfast.v1.AssignmentService/Assign";
  EXPECT_TRUE(a.Check("Bearer tok-assign", assign).ok());
  EXPECT_TRUE(a.Check("bearer  tok-assign ", assign).ok()) << "scheme is case-insensitive (RFC 6750)";
  EXPECT_TRUE(a.Check("Bearer tok-admin", assign).ok());
  EXPECT_TRUE(a.Check("", "/grpc.health.v1.Health/Check").ok());

  absl::Status s = a.Check("", assign);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(s.message(), "authorization: Bearer TOKEN")) << s;
  s = a.Check("Basic tok-assign", assign);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  s = a.Check("Bearer tok-assign2", assign);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(absl::StrContains(s.message(), "tok-assign2")) << "never echo a presented token";
  s = a.Check(absl::StrCat("Bearer ", std::string(auth::kMaxTokenBytes + 1, 'x')), assign);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);

  s = a.Check("Bearer tok-ingest", assign);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "role ingest may not call /holdfast.v1.AssignmentService/Assign (needs assign or admin)");
  s = a.Check("Bearer tok-analyst", "/holdfast.v1.AdminService/ReloadConfig");
  EXPECT_EQ(s.message(), "role analyst may not call /holdfast.v1.AdminService/ReloadConfig (needs admin)");

  // Unlisted methods: refused to every role, admin included; unknown callers
  // still learn nothing but UNAUTHENTICATED.
  s = a.Check("Bearer tok-admin", "/holdfast.v1.AdminService/DropDatabase");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(absl::StrContains(s.message(), "DropDatabase"));
  EXPECT_EQ(a.Check("", "/holdfast.v1.AdminService/DropDatabase").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(a.Check("Bearer tok-admin", "").code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace holdfast::server
