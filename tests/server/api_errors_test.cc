// The error table of docs/api.md, pinned row by row over a real server on
// 127.0.0.1 (a TCP channel, so gRPC's metadata limits apply as they do for
// real callers), plus the hostile inputs that used to break it: a 1 MiB
// journey id, report bounds outside Timestamp's range, invalid UTF-8.
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/holdfast_client.h"
#include "lib/config/config.h"
#include "lib/report/in_memory_source.h"
#include "lib/storage/sqlite_store.h"
#include "server/event_service.h"
#include "server/report_service.h"
#include "server/server.h"
#include "server/store_entry_recorder.h"
#include "server/work_pool.h"
#include "server/write_budget.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;

constexpr char kConfig[] = R"pb(
journeys {
  id: "cart_abandon" holdout_share: 0.1
  channel_costs { channel: "email" cost_per_send: 0.002 }
}
)pb";
// Short enough for any trailer, long enough to say what was wrong.
constexpr size_t kMaxMessageBytes = 300;
constexpr int64_t kBudgetBytes = 64 << 20;

class ApiErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = config::LoadConfigText("test.textproto", kConfig);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    holder_ = std::make_unique<ConfigHolder>(
        std::make_shared<ServingConfig>(loaded->compiled, loaded->effective, "test.textproto", 0));
    auto store = SqliteStore::Open(dir_.File("holdfast.db"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    pool_ = std::make_unique<WorkPool>(4, 64);
    budget_ = std::make_unique<WriteBudget>(kBudgetBytes);
    recorder_ = std::make_unique<StoreEntryRecorder>(store_.get(), pool_.get());
    HoldfastServer::Options options;
    options.listen_address = "127.0.0.1:0";
    HoldfastServer::Dependencies deps;
    deps.configs = holder_.get();
    deps.clock = &clock_;
    deps.entries = recorder_.get();
    deps.write_budget = budget_.get();
    deps.extra_services.push_back(
        std::make_unique<EventServiceImpl>(holder_.get(), store_.get(), pool_.get(), budget_.get()));
    deps.extra_services.push_back(std::make_unique<ReportServiceImpl>(holder_.get(), &source_, &clock_));
    auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = HoldfastClient::Connect("127.0.0.1:" + std::to_string(server_->port()));
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  grpc::Status Assign(const std::string& journey, const std::string& unit, bool dry_run = true) {
    holdfast::v1::AssignRequest req;
    req.set_journey(journey);
    req.set_unit(unit);
    req.set_dry_run(dry_run);
    holdfast::v1::AssignResponse resp;
    return client_->assignment()->Assign(client_->NewContext().get(), req, &resp);
  }
  grpc::Status RecordSends(const holdfast::v1::RecordSendsRequest& req) {
    holdfast::v1::WriteSummary summary;
    return client_->events()->RecordSends(client_->NewContext().get(), req, &summary);
  }
  static holdfast::v1::SendRecord Send(const std::string& id, const std::string& journey) {
    holdfast::v1::SendRecord s;
    s.set_send_id(id);
    s.set_unit("u1");
    s.set_journey(journey);
    s.set_channel("email");
    s.mutable_at()->set_seconds(1790000000);
    return s;
  }
  grpc::Status Lift(const holdfast::v1::LiftReportRequest& req) {
    holdfast::v1::LiftReport resp;
    return client_->reports()->GetLiftReport(client_->NewContext().get(), req, &resp);
  }

  testing::TempDir dir_;
  FakeClock clock_{1790000000LL * 1000000};
  report::InMemoryAnalysisSource source_;
  std::unique_ptr<ConfigHolder> holder_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<WriteBudget> budget_;
  std::unique_ptr<StoreEntryRecorder> recorder_;
  std::unique_ptr<HoldfastServer> server_;
  std::unique_ptr<HoldfastClient> client_;
};

// Row INVALID_ARGUMENT: a malformed field, named.
TEST_F(ApiErrorsTest, MalformedFieldIsInvalidArgumentNamingIt) {
  grpc::Status s = Assign("cart_abandon", "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "unit: must not be empty");
  holdfast::v1::RecordSendsRequest req;
  *req.add_sends() = Send("s1", "cart_abandon");
  req.mutable_sends(0)->set_cost(-1);
  s = RecordSends(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "sends[0].cost: must be finite and >= 0")) << s.error_message();
}

// Row INVALID_ARGUMENT: a NUL byte (valid UTF-8, but PostgreSQL text cannot
// hold it) in an id, a channel or a category is refused before any store
// sees it, naming the request's own field (a single Assign once read
// "entries[0]: unit ..." from the PostgreSQL store's row check), on the
// SQLite store as on PostgreSQL.
TEST_F(ApiErrorsTest, NulByteIsInvalidArgumentNamingTheField) {
  const std::string with_nul("cust\0omer", 9);
  grpc::Status s = Assign("cart_abandon", with_nul, /*dry_run=*/false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "unit: must not contain a NUL byte (U+0000)");
  {
    holdfast::v1::BatchAssignRequest req;
    req.set_journey("cart_abandon");
    req.add_units("fine");
    req.add_units(with_nul);
    holdfast::v1::BatchAssignResponse resp;
    s = client_->assignment()->BatchAssign(client_->NewContext().get(), req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(), "units[1]: must not contain a NUL byte (U+0000)");
  }
  holdfast::v1::RecordSendsRequest req;
  *req.add_sends() = Send("s1", "cart_abandon");
  *req.add_sends() = Send(with_nul, "cart_abandon");
  s = RecordSends(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "sends[1].send_id: must not contain a NUL byte (U+0000)");
  req.mutable_sends(1)->set_send_id("s2");
  req.mutable_sends(1)->set_channel(std::string("em\0ail", 6));
  s = RecordSends(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "sends[1].channel: must not contain a NUL byte (U+0000)");
  // Nothing of the refused batches was stored.
  req.mutable_sends(1)->set_channel("email");
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(client_->events()->RecordSends(client_->NewContext().get(), req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 2);
}

// Row INVALID_ARGUMENT: an unknown journey inside a Record* batch is a bad
// record of the batch (the whole batch is rejected), not a missing resource.
TEST_F(ApiErrorsTest, UnknownJourneyOnRecordIsInvalidArgument) {
  holdfast::v1::RecordSendsRequest req;
  *req.add_sends() = Send("s1", "cart_abandon");
  *req.add_sends() = Send("s2", "nope");
  grpc::Status s = RecordSends(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "sends[1].journey: 'nope' is not configured");
}

// Row NOT_FOUND: the journey a call is about is not configured.
TEST_F(ApiErrorsTest, UnknownJourneyOnAssignGetJourneyAndReportIsNotFound) {
  grpc::Status s = Assign("nope", "u1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "journey: 'nope' is not configured");
  holdfast::v1::GetJourneyRequest get;
  get.set_journey("nope");
  holdfast::v1::GetJourneyResponse got;
  s = client_->assignment()->GetJourney(client_->NewContext().get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  holdfast::v1::LiftReportRequest lift;
  lift.add_journeys("nope");
  EXPECT_EQ(Lift(lift).error_code(), grpc::StatusCode::NOT_FOUND);
}

// Row RESOURCE_EXHAUSTED: more write bytes in flight than --max_pending_bytes.
TEST_F(ApiErrorsTest, WriteBudgetFullIsResourceExhausted) {
  holdfast::v1::RecordSendsRequest req;
  for (int i = 0; i < 100; ++i) *req.add_sends() = Send("send-" + std::to_string(i), "cart_abandon");
  {
    // Writes in flight hold all but 1 KiB of the budget.
    std::shared_ptr<WriteBudget::Lease> others = budget_->TryReserve(kBudgetBytes - 1024);
    ASSERT_NE(others, nullptr);
    grpc::Status s = RecordSends(req);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_TRUE(absl::StartsWith(s.error_message(), "server busy: writes in flight hold")) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "--max_pending_bytes")) << s.error_message();
    s = Assign("cart_abandon", "u1", /*dry_run=*/false);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    // A decision that records nothing is not a write.
    EXPECT_TRUE(Assign("cart_abandon", "u1", /*dry_run=*/true).ok());
  }
  // Once they are done, the same calls go through and give their bytes back.
  EXPECT_TRUE(RecordSends(req).ok());
  EXPECT_TRUE(Assign("cart_abandon", "u1", /*dry_run=*/false).ok());
  // A lease goes when the writer thread drops the finished task, which may
  // be just after the client has its answer.
  for (int i = 0; i < 200 && budget_->held_bytes() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(budget_->held_bytes(), 0);
}

TEST_F(ApiErrorsTest, HugeJourneyIdGivesTheRealErrorWithAShortMessage) {
  const std::string huge(1 << 20, 'j');
  grpc::Status s = Assign(huge, "u1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message().substr(0, 200);
  EXPECT_LE(s.error_message().size(), kMaxMessageBytes);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "...(1048576 bytes)")) << s.error_message();

  holdfast::v1::RecordSendsRequest req;
  *req.add_sends() = Send("s1", huge);
  s = RecordSends(req);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message().substr(0, 200);
  EXPECT_LE(s.error_message().size(), kMaxMessageBytes);
  EXPECT_TRUE(absl::StartsWith(s.error_message(), "sends[0].journey: 'jjjj")) << s.error_message();

  holdfast::v1::GetJourneyRequest get;
  get.set_journey(huge);
  holdfast::v1::GetJourneyResponse got;
  s = client_->assignment()->GetJourney(client_->NewContext().get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LE(s.error_message().size(), kMaxMessageBytes);

  holdfast::v1::LiftReportRequest lift;
  lift.add_journeys(huge);
  s = Lift(lift);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_LE(s.error_message().size(), kMaxMessageBytes);
}

TEST_F(ApiErrorsTest, ReportBoundsOutsideTimestampRangeNameTheField) {
  struct Case {
    bool from;
    int64_t seconds;
    int32_t nanos;
    const char* prefix;
  } cases[] = {
      {true, int64_t{1} << 58, 0, "from.seconds: 288230376151711744 is outside"},
      {false, std::numeric_limits<int64_t>::min(), 0, "to.seconds: -9223372036854775808 is outside"},
      {true, 253402300800, 0, "from.seconds: 253402300800 is outside"},
      {false, 1790000000, -1, "to.nanos: -1 is outside"},
      {true, 1790000000, 1000000000, "from.nanos: 1000000000 is outside"},
  };
  for (const Case& c : cases) {
    holdfast::v1::LiftReportRequest lift;
    google::protobuf::Timestamp* ts = c.from ? lift.mutable_from() : lift.mutable_to();
    ts->set_seconds(c.seconds);
    ts->set_nanos(c.nanos);
    grpc::Status s = Lift(lift);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.prefix;
    EXPECT_TRUE(absl::StartsWith(s.error_message(), c.prefix)) << s.error_message();

    holdfast::v1::ProgramReportRequest program;
    *(c.from ? program.mutable_from() : program.mutable_to()) = *ts;
    holdfast::v1::ProgramReport out;
    s = client_->reports()->GetProgramReport(client_->NewContext().get(), program, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.prefix;
    EXPECT_TRUE(absl::StartsWith(s.error_message(), c.prefix)) << s.error_message();
  }
  // The oldest Timestamp is a valid open start.
  holdfast::v1::LiftReportRequest early;
  early.mutable_from()->set_seconds(-62135596800);
  EXPECT_TRUE(Lift(early).ok());
}

// gRPC parses the request before the handler runs; a proto3 string with
// invalid UTF-8 fails that parse, so the caller gets gRPC's own status
// (documented in docs/api.md), never the handler's.
TEST_F(ApiErrorsTest, InvalidUtf8InAProtoStringIsRejectedByGrpcBeforeTheHandler) {
  // AssignRequest{journey = "cart_abandon", unit = "\xff"} in wire format,
  // built by hand (the C++ serializer would refuse to write it).
  std::string wire;
  wire += '\x0a';  // field 1 (journey), length-delimited
  wire += static_cast<char>(12);
  wire += "cart_abandon";
  wire += '\x12';  // field 2 (unit)
  wire += static_cast<char>(1);
  wire += '\xff';
  grpc::GenericStub generic(client_->channel());
  grpc::ClientContext context;
  grpc::Slice slice(wire);
  grpc::ByteBuffer request(&slice, 1), response;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/holdfast.v1.AssignmentService/Assign", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_all();
                    });
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
  std::cerr << "invalid UTF-8 in a proto string: code " << status.error_code() << " \"" << status.error_message()
            << "\"\n";
}

}  // namespace
}  // namespace holdfast::server
