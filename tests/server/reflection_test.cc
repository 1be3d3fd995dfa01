// Server reflection as grpcurl uses it, against a real holdfastd-wired server
// on 127.0.0.1: list the services, resolve every service and method (with
// its request and response types) from descriptors fetched over the wire,
// and call one method of each service with a request built from those
// descriptors alone (JSON → dynamic message), as `grpcurl -d` does.
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "lib/auth/token.h"
#include "server/holdfast_daemon.h"
#include "reflection_wire.pb.h"  // generated in the build tree (tests/server/CMakeLists.txt)
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

namespace wire = holdfast::testing::reflection_wire;
using google::protobuf::FileDescriptorProto;

constexpr char kReflectionMethod[] = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Waits for the next completion of `cq`; false when the operation failed.
bool Await(grpc::CompletionQueue* cq) {
  void* tag = nullptr;
  bool ok = false;
  return cq->Next(&tag, &ok) && ok;
}

// One request on the bidirectional reflection stream, one response back.
// `authorization` (when not empty) is sent as the call's metadata, as grpcurl
// -H does.
std::optional<wire::ServerReflectionResponse> Ask(grpc::GenericStub* stub, const std::string& authorization,
                                                  const wire::ServerReflectionRequest& req) {
  grpc::ClientContext context;
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub->PrepareCall(&context, kReflectionMethod, &cq);
  call->StartCall(nullptr);
  if (!Await(&cq)) return std::nullopt;
  call->Write(ToBuffer(req.SerializeAsString()), nullptr);
  if (!Await(&cq)) return std::nullopt;
  call->WritesDone(nullptr);
  if (!Await(&cq)) return std::nullopt;
  grpc::ByteBuffer buffer;
  call->Read(&buffer, nullptr);
  const bool got = Await(&cq);
  grpc::Status status;
  call->Finish(&status, nullptr);
  Await(&cq);
  if (!got) return std::nullopt;
  wire::ServerReflectionResponse response;
  if (!response.ParseFromString(FromBuffer(buffer))) return std::nullopt;
  return response;
}

// A DescriptorDatabase answered by the server's reflection service, like
// grpc's ProtoReflectionDescriptorDatabase: every file it sends is kept, so
// imports resolve without another round trip.
class ReflectionDatabase : public google::protobuf::DescriptorDatabase {
 public:
  explicit ReflectionDatabase(std::shared_ptr<grpc::Channel> channel, std::string authorization = "")
      : stub_(std::move(channel)), authorization_(std::move(authorization)) {}

  bool FindFileByName(const std::string& filename, FileDescriptorProto* output) override {
    if (cache_.FindFileByName(filename, output)) return true;
    wire::ServerReflectionRequest req;
    req.set_file_by_filename(filename);
    return Fetch(req) && cache_.FindFileByName(filename, output);
  }
  bool FindFileContainingSymbol(const std::string& symbol, FileDescriptorProto* output) override {
    if (cache_.FindFileContainingSymbol(symbol, output)) return true;
    wire::ServerReflectionRequest req;
    req.set_file_containing_symbol(symbol);
    return Fetch(req) && cache_.FindFileContainingSymbol(symbol, output);
  }
  bool FindFileContainingExtension(const std::string&, int, FileDescriptorProto*) override { return false; }

  std::vector<std::string> ListServices() {
    wire::ServerReflectionRequest req;
    req.set_list_services("*");
    std::vector<std::string> out;
    if (std::optional<wire::ServerReflectionResponse> r = Ask(&stub_, authorization_, req)) {
      for (const auto& s : r->list_services_response().service()) out.push_back(s.name());
    }
    return out;
  }

  grpc::GenericStub* stub() { return &stub_; }
  const std::string& authorization() const { return authorization_; }

 private:
  bool Fetch(const wire::ServerReflectionRequest& req) {
    std::optional<wire::ServerReflectionResponse> r = Ask(&stub_, authorization_, req);
    if (!r || !r->has_file_descriptor_response()) return false;
    for (const std::string& bytes : r->file_descriptor_response().file_descriptor_proto()) {
      FileDescriptorProto file;
      if (!file.ParseFromString(bytes)) return false;
      FileDescriptorProto existing;
      if (!cache_.FindFileByName(file.name(), &existing)) cache_.Add(file);
    }
    return true;
  }

  grpc::GenericStub stub_;
  std::string authorization_;
  google::protobuf::SimpleDescriptorDatabase cache_;
};

constexpr char kAnalystToken[] = "hf_reflection-test-analyst";
constexpr char kAdminToken[] = "hf_reflection-test-admin";

class ReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon(/*with_tokens=*/false); }

  void StartDaemon(bool with_tokens) {
    std::ofstream(dir_.File("holdfast.textproto"))
        << "journeys { id: \"cart_abandon\" holdout_share: 0.1 arms { name: \"a\" weight: 1 } }\n";
    DaemonOptions options;
    options.config_path = dir_.File("holdfast.textproto");
    options.db_path = dir_.File("holdfast.db");
    options.listen_address = "127.0.0.1:0";
    if (with_tokens) {
      std::ofstream(dir_.File("tokens"))
          << "analyst " << auth::DigestHex(auth::DigestToken(kAnalystToken)) << " reflection-analyst\n"
          << "admin " << auth::DigestHex(auth::DigestToken(kAdminToken)) << " reflection-admin\n";
      options.security.auth_tokens_path = dir_.File("tokens");
    }
    absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  holdfast::testing::TempDir dir_;
  std::unique_ptr<HoldfastDaemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ReflectionTest, ResolvesEveryServiceAndMethod) {
  ReflectionDatabase db(channel_);
  const std::vector<std::string> listed = db.ListServices();
  const std::set<std::string> names(listed.begin(), listed.end());
  const std::vector<std::string> ours = {"holdfast.v1.AssignmentService", "holdfast.v1.EventService",
                                         "holdfast.v1.ReportService", "holdfast.v1.AdminService"};
  for (const std::string& s : ours) EXPECT_TRUE(names.count(s)) << s << " not listed";

  google::protobuf::DescriptorPool pool(&db);
  int methods = 0;
  for (const std::string& name : listed) {
    // gRPC's built-in health service is implemented without protobuf
    // descriptors (Debian ships no health.proto), so reflection can list it
    // but not describe it; docs/api.md says so.
    if (name == "grpc.health.v1.Health") continue;
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    ASSERT_NE(service, nullptr) << "Symbol not found: " << name;
    ASSERT_GT(service->method_count(), 0) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      EXPECT_NE(pool.FindMethodByName(m->full_name()), nullptr) << m->full_name();
      ASSERT_NE(m->input_type(), nullptr) << m->full_name();
      ASSERT_NE(m->output_type(), nullptr) << m->full_name();
      EXPECT_GT(m->input_type()->field_count() + m->output_type()->field_count(), 0) << m->full_name();
      ++methods;
    }
  }
  // 3 admin + 4 assignment + 8 event + 2 report methods at least.
  EXPECT_GE(methods, 17);
}

// Calls `method` with `json` built into a dynamic message from reflected
// descriptors only; returns the status and the response as JSON.
std::pair<grpc::Status, std::string> CallByReflection(ReflectionDatabase* db, google::protobuf::DescriptorPool* pool,
                                                      const std::string& method_name, const std::string& json) {
  const google::protobuf::MethodDescriptor* method = pool->FindMethodByName(method_name);
  if (method == nullptr) return {grpc::Status(grpc::StatusCode::NOT_FOUND, method_name), ""};
  google::protobuf::DynamicMessageFactory factory(pool);
  std::unique_ptr<google::protobuf::Message> request(factory.GetPrototype(method->input_type())->New());
  if (!google::protobuf::util::JsonStringToMessage(json, request.get()).ok()) {
    return {grpc::Status(grpc::StatusCode::INTERNAL, "bad test JSON"), ""};
  }
  grpc::ClientContext context;
  if (!db->authorization().empty()) context.AddMetadata("authorization", db->authorization());
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  const std::string path = "/" + method->service()->full_name() + "/" + method->name();
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      db->stub()->PrepareUnaryCall(&context, path, ToBuffer(request->SerializeAsString()), &cq);
  call->StartCall();
  grpc::ByteBuffer reply;
  grpc::Status status;
  call->Finish(&reply, &status, nullptr);
  Await(&cq);
  std::string out;
  if (status.ok()) {
    std::unique_ptr<google::protobuf::Message> response(factory.GetPrototype(method->output_type())->New());
    if (!response->ParseFromString(FromBuffer(reply))) return {grpc::Status(grpc::StatusCode::INTERNAL, "parse"), ""};
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(*response, &out, print);
  }
  return {status, out};
}

TEST_F(ReflectionTest, CallsOneMethodOfEveryServiceFromReflectedDescriptors) {
  ReflectionDatabase db(channel_);
  google::protobuf::DescriptorPool pool(&db);

  auto [ping, ping_out] = CallByReflection(&db, &pool, "holdfast.v1.AdminService.Ping", "{}");
  EXPECT_TRUE(ping.ok()) << ping.error_message();

  auto [assign, assign_out] = CallByReflection(&db, &pool, "holdfast.v1.AssignmentService.Assign",
                                               R"({"journey": "cart_abandon", "unit": "cust-42"})");
  ASSERT_TRUE(assign.ok()) << assign.error_message();
  EXPECT_NE(assign_out.find("\"journey\":\"cart_abandon\""), std::string::npos) << assign_out;
  EXPECT_NE(assign_out.find("\"group\""), std::string::npos) << assign_out;

  // Validation answers prove the call reached the service's code.
  auto [sends, sends_out] = CallByReflection(&db, &pool, "holdfast.v1.EventService.RecordSends",
                                             R"({"sends": [{"send_id": "s1"}]})");
  EXPECT_EQ(sends.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << sends.error_message() << sends_out;

  auto [report, report_out] = CallByReflection(&db, &pool, "holdfast.v1.ReportService.GetLiftReport",
                                               R"({"journeys": ["cart_abandon"]})");
  EXPECT_TRUE(report.ok()) << report.error_message();
  EXPECT_NE(report_out.find("cart_abandon"), std::string::npos) << report_out;
}

// A server with --auth_tokens: reflection wants a valid token (any role), as
// server/method_roles.cc says, and with one it resolves and calls like above.
class ReflectionWithTokensTest : public ReflectionTest {
 protected:
  void SetUp() override { StartDaemon(/*with_tokens=*/true); }
};

TEST_F(ReflectionWithTokensTest, NeedsAValidToken) {
  for (const std::string& authorization : {std::string(), std::string("Bearer hf_not-a-listed-token")}) {
    ReflectionDatabase db(channel_, authorization);
    EXPECT_TRUE(db.ListServices().empty()) << "reflection answered with authorization '" << authorization << "'";
    google::protobuf::DescriptorPool pool(&db);
    EXPECT_EQ(pool.FindServiceByName("holdfast.v1.AssignmentService"), nullptr) << authorization;
  }
}

TEST_F(ReflectionWithTokensTest, ResolvesAndCallsWithAToken) {
  ReflectionDatabase db(channel_, std::string("Bearer ") + kAnalystToken);
  const std::vector<std::string> listed = db.ListServices();
  const std::set<std::string> names(listed.begin(), listed.end());
  EXPECT_TRUE(names.count("holdfast.v1.ReportService")) << listed.size() << " services listed";
  google::protobuf::DescriptorPool pool(&db);
  for (const char* name : {"holdfast.v1.AssignmentService", "holdfast.v1.EventService", "holdfast.v1.ReportService",
                           "holdfast.v1.AdminService"}) {
    EXPECT_NE(pool.FindServiceByName(name), nullptr) << name;
  }
  // The analyst role may read reports and journeys...
  auto [report, report_out] = CallByReflection(&db, &pool, "holdfast.v1.ReportService.GetLiftReport",
                                               R"({"journeys": ["cart_abandon"]})");
  EXPECT_TRUE(report.ok()) << report.error_message();
  // ...but reflection does not widen a role: Assign still wants the assign role.
  auto [assign, assign_out] = CallByReflection(&db, &pool, "holdfast.v1.AssignmentService.Assign",
                                               R"({"journey": "cart_abandon", "unit": "cust-42"})");
  EXPECT_EQ(assign.error_code(), grpc::StatusCode::PERMISSION_DENIED) << assign.error_message() << assign_out;
  // An admin token calls it.
  ReflectionDatabase admin_db(channel_, std::string("Bearer ") + kAdminToken);
  google::protobuf::DescriptorPool admin_pool(&admin_db);
  auto [admin_assign, admin_out] = CallByReflection(&admin_db, &admin_pool, "holdfast.v1.AssignmentService.Assign",
                                                    R"({"journey": "cart_abandon", "unit": "cust-42"})");
  EXPECT_TRUE(admin_assign.ok()) << admin_assign.error_message();
}

}  // namespace
}  // namespace holdfast::server
