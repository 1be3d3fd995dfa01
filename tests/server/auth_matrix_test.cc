// The role × RPC matrix over a real holdfastd server (HoldfastDaemon on
// 127.0.0.1, port 0, real TCP so the transport's token check runs): every RPC
// with no token, a bad token, and each role's token. The expectations below
// are written out by hand from the role list, not derived from
// server/method_roles.cc, so a wrong table entry fails here.
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/auth/token.h"
#include "server/holdfast_daemon.h"
#include "tests/server/auth_call.h"
#include "tests/server/service_descriptors.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

// Who may call what, as the issue states it. "*" = any valid token;
// "open" = no token needed. Admin may call everything that is not open.
struct Rpc {
  const char* method;
  std::set<std::string> allowed;
};

const std::vector<Rpc>& Matrix() {
  static const std::vector<Rpc> kMatrix = {
      {"/holdfast.v1.AssignmentService/Assign", {"assign"}},
      {"/holdfast.v1.AssignmentService/BatchAssign", {"assign"}},
      {"/holdfast.v1.AssignmentService/ListJourneys", {"assign", "analyst"}},
      {"/holdfast.v1.AssignmentService/GetJourney", {"assign", "analyst"}},
      {"/holdfast.v1.EventService/RecordEntries", {"ingest"}},
      {"/holdfast.v1.EventService/RecordSends", {"ingest"}},
      {"/holdfast.v1.EventService/RecordOutcomes", {"ingest"}},
      {"/holdfast.v1.EventService/RecordFixedCosts", {"ingest"}},
      {"/holdfast.v1.EventService/RecordCustomers", {"ingest"}},
      {"/holdfast.v1.EventService/StreamEntries", {"ingest"}},
      {"/holdfast.v1.EventService/StreamSends", {"ingest"}},
      {"/holdfast.v1.EventService/StreamOutcomes", {"ingest"}},
      {"/holdfast.v1.EventService/StreamFixedCosts", {"ingest"}},
      {"/holdfast.v1.ReportService/GetLiftReport", {"analyst"}},
      {"/holdfast.v1.ReportService/GetProgramReport", {"analyst"}},
      {"/holdfast.v1.AdminService/Ping", {"*"}},
      {"/holdfast.v1.AdminService/ReloadConfig", {}},
      {"/holdfast.v1.AdminService/ConfigHistory", {"analyst"}},
      {"/grpc.health.v1.Health/Check", {"open"}},
      {"/grpc.health.v1.Health/Watch", {"open"}},
      {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", {"*"}},
  };
  return kMatrix;
}

// Callers: no header, a token the file does not list, a malformed header,
// and one token per role.
const std::vector<std::string>& Callers() {
  static const std::vector<std::string> kCallers = {"none", "unknown_token", "not_bearer", "assign",
                                                    "ingest", "analyst", "admin"};
  return kCallers;
}

std::string TokenOf(const std::string& role) { return absl::StrCat("hf_test-token-for-", role); }

class AuthMatrixTest : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string tokens = dir_->File("tokens");
    {
      std::ofstream out(tokens);
      out << "# one token per role\n";
      for (const char* role : {"assign", "ingest", "analyst", "admin"}) {
        out << role << " " << auth::DigestHex(auth::DigestToken(TokenOf(role))) << " test-" << role << "\n";
      }
    }
    DaemonOptions options;
    options.config_path = testing::SourceDir() + "/examples/holdfast.textproto";
    options.listen_address = "127.0.0.1:0";
    options.db_path = dir_->File("holdfast.db");
    options.security.auth_tokens_path = tokens;
    auto daemon = HoldfastDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = daemon->release();
    channel_ = new std::shared_ptr<grpc::Channel>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", daemon_->port()), grpc::InsecureChannelCredentials()));
  }
  static void TearDownTestSuite() {
    delete channel_;
    delete daemon_;
    delete dir_;
  }

  static testing::TempDir* dir_;
  static HoldfastDaemon* daemon_;
  static std::shared_ptr<grpc::Channel>* channel_;
};

testing::TempDir* AuthMatrixTest::dir_ = nullptr;
HoldfastDaemon* AuthMatrixTest::daemon_ = nullptr;
std::shared_ptr<grpc::Channel>* AuthMatrixTest::channel_ = nullptr;

std::string AuthorizationFor(const std::string& caller) {
  if (caller == "none") return "";
  if (caller == "unknown_token") return "Bearer hf_not-a-listed-token";
  if (caller == "not_bearer") return absl::StrCat("Basic ", TokenOf("admin"));
  return absl::StrCat("Bearer ", TokenOf(caller));
}

TEST_P(AuthMatrixTest, CallerGetsExpectedAccess) {
  ASSERT_NE(daemon_, nullptr);
  const Rpc& rpc = Matrix()[std::get<0>(GetParam())];
  const std::string& caller = Callers()[std::get<1>(GetParam())];
  const grpc::Status status = testing::CallWithEmptyRequest(*channel_, rpc.method, AuthorizationFor(caller));
  const bool is_role = caller == "assign" || caller == "ingest" || caller == "analyst" || caller == "admin";
  const bool allowed = rpc.allowed.count("open") > 0 ||
                       (is_role && (caller == "admin" || rpc.allowed.count("*") || rpc.allowed.count(caller)));
  const std::string got = absl::StrCat(status.error_code(), " ", status.error_message());
  if (allowed) {
    // Past the check: the handler answered (OK, or its own validation error).
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << got;
    EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << got;
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE) << got;
    EXPECT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << got;
  } else if (!is_role) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << got;
  } else {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << got;
    EXPECT_NE(status.error_message().find(absl::StrCat("role ", caller, " may not call ", rpc.method)),
              std::string::npos)
        << got;
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::tuple<size_t, size_t>>& info) {
  std::string method = Matrix()[std::get<0>(info.param)].method;
  method = method.substr(method.rfind('.') + 1);  // "AssignmentService/Assign"
  method = absl::StrReplaceAll(method, {{"/", "_"}});
  return absl::StrCat(method, "_as_", Callers()[std::get<1>(info.param)]);
}

INSTANTIATE_TEST_SUITE_P(EveryRpcEveryCaller, AuthMatrixTest,
                         ::testing::Combine(::testing::Range<size_t>(0, Matrix().size()),
                                            ::testing::Range<size_t>(0, Callers().size())),
                         CaseName);

// A new RPC must be added to the matrix above (and to the server's table).
TEST(AuthMatrixCoverageTest, MatrixListsEveryServedRpc) {
  std::set<std::string> served = {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
                                  "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"};
  for (const google::protobuf::ServiceDescriptor* s : testing::HoldfastServices()) {
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->file()->service_count(), 1) << s->file()->name() << ": a service file with a second service";
    for (int i = 0; i < s->method_count(); ++i) {
      served.insert(absl::StrCat("/", s->full_name(), "/", s->method(i)->name()));
    }
  }
  std::set<std::string> listed;
  for (const Rpc& r : Matrix()) listed.insert(r.method);
  EXPECT_EQ(listed, served);
}

}  // namespace
}  // namespace holdfast::server
