// Reports run on their own bounded pool: a cancelled report (or one past its
// deadline) stops scanning the store, excess reports are refused with
// RESOURCE_EXHAUSTED, and Assign is answered while reports occupy every
// report thread. The store here never runs out of rows, so only the
// cancellation check inside its scan loop can end a report.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/holdfast_client.h"
#include "lib/config/config.h"
#include "lib/report/store_analysis_source.h"
#include "server/report_service.h"
#include "server/server.h"
#include "server/work_pool.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;

constexpr char kConfig[] = R"pb(
journeys { id: "cart_abandon" holdout_share: 0.1 }
)pb";

// A store whose analysis scan produces rows until its callback says stop.
class EndlessStore final : public Store {
 public:
  absl::StatusOr<EntryWriteResult> RecordEntries(absl::Span<const EntryRow>) override { return EntryWriteResult{}; }
  absl::StatusOr<WriteSummary> RecordSends(absl::Span<const SendRow>) override { return WriteSummary{}; }
  absl::StatusOr<WriteSummary> RecordOutcomes(absl::Span<const OutcomeRow>) override { return WriteSummary{}; }
  absl::StatusOr<WriteSummary> RecordFixedCosts(absl::Span<const FixedCostRow>) override { return WriteSummary{}; }
  absl::StatusOr<WriteSummary> RecordCustomers(absl::Span<const CustomerRow>) override { return WriteSummary{}; }
  absl::StatusOr<double> SumFixedCosts(UnixMicros, UnixMicros) override { return 0.0; }
  absl::Status AppendConfigVersion(const ConfigVersionRow&) override { return absl::OkStatus(); }
  absl::StatusOr<std::vector<ConfigVersionRow>> ListConfigVersions(int) override {
    return std::vector<ConfigVersionRow>{};
  }
  absl::Status ForEachAnalysisEntry(const AnalysisQuery& query, const AnalysisEntryFn& fn) override {
    ++scans_running_;
    AnalysisEntry e;
    e.journey = query.journeys.at(0).journey;
    e.unit = "u";
    e.t0 = query.from;
    absl::Status status;
    for (int64_t i = 0;; ++i) {
      e.group = i % 10 == 0 ? EntryGroup::kHoldout : EntryGroup::kTreatment;
      status = fn(e);
      if (!status.ok()) break;
      ++rows_;
      if (i % 256 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    --scans_running_;
    return status;
  }
  // Like a statement over endless rows: it returns only when cancelled.
  absl::StatusOr<AnalysisAggregates> AggregateAnalysis(const AnalysisQuery& query, int64_t,
                                                       int64_t) override {
    ++scans_running_;
    while (!(query.cancelled && query.cancelled())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    --scans_running_;
    return absl::CancelledError("analysis cancelled");
  }
  absl::Status ForEachProgramUnit(const ProgramQuery&, const ProgramUnitFn&) override { return absl::OkStatus(); }
  // An endless store holds no rows to copy.
  absl::StatusOr<std::vector<EntryRow>> ScanEntries(const std::optional<EntryKey>&, int) override {
    return std::vector<EntryRow>{};
  }
  absl::StatusOr<std::vector<SendRow>> ScanSends(const std::optional<std::string>&, int) override {
    return std::vector<SendRow>{};
  }
  absl::StatusOr<std::vector<OutcomeRow>> ScanOutcomes(const std::optional<std::string>&, int) override {
    return std::vector<OutcomeRow>{};
  }
  absl::StatusOr<std::vector<FixedCostRow>> ScanFixedCosts(const std::optional<std::string>&, int) override {
    return std::vector<FixedCostRow>{};
  }
  absl::StatusOr<std::vector<CustomerRow>> ScanCustomers(const std::optional<std::string>&, int) override {
    return std::vector<CustomerRow>{};
  }
  absl::StatusOr<JourneyDiagnostics> GetJourneyDiagnostics(const JourneyDiagnosticsQuery&) override {
    return JourneyDiagnostics{};
  }
  absl::StatusOr<JourneyChannels> GetJourneyChannels(const ChannelQuery&) override {
    return JourneyChannels{};
  }
  absl::StatusOr<int64_t> CountOrphanRefunds(UnixMicros, UnixMicros) override { return 0; }

  int64_t rows() const { return rows_.load(); }
  int scans_running() const { return scans_running_.load(); }

 private:
  std::atomic<int64_t> rows_{0};
  std::atomic<int> scans_running_{0};
};

// One asynchronous GetLiftReport. A call still in flight when its owner goes
// away (an assertion failed) is cancelled and awaited first, so the callback
// never touches a destroyed object.
struct ReportCall {
  ~ReportCall() {
    if (!started) return;
    context.TryCancel();
    Wait(std::chrono::seconds(60));
  }

  grpc::ClientContext context;
  holdfast::v1::LiftReportRequest request;
  holdfast::v1::LiftReport response;
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  bool done = false;
  grpc::Status status;

  void Start(holdfast::v1::ReportService::Stub* stub) {
    started = true;
    request.add_journeys("cart_abandon");
    stub->async()->GetLiftReport(&context, &request, &response, [this](grpc::Status s) {
      std::lock_guard<std::mutex> lock(mu);
      status = std::move(s);
      done = true;
      cv.notify_all();
    });
  }
  bool Wait(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return done; });
  }
};

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

class ReportPoolTest : public ::testing::Test {
 protected:
  static constexpr int kReportThreads = 2;
  static constexpr int kQueuedReports = 2;

  void SetUp() override {
    auto loaded = config::LoadConfigText("test.textproto", kConfig);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    holder_ = std::make_unique<ConfigHolder>(
        std::make_shared<ServingConfig>(loaded->compiled, loaded->effective, "test.textproto", 0));
    pool_ = std::make_unique<WorkPool>(kReportThreads, kQueuedReports, /*nice=*/10);
    HoldfastServer::Options options;
    options.listen_address = "127.0.0.1:0";
    HoldfastServer::Dependencies deps;
    deps.configs = holder_.get();
    deps.clock = RealClock::Get();
    deps.extra_services.push_back(std::make_unique<ReportServiceImpl>(
        holder_.get(), std::make_unique<report::StoreAnalysisSource>(&store_, mode()), RealClock::Get(),
        pool_.get()));
    auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = HoldfastClient::Connect("127.0.0.1:" + std::to_string(server_->port()));
  }
  // Where the report's per-entry rules run (holdfastd --report_analysis).
  virtual report::StoreAnalysisSource::Mode mode() const {
    return report::StoreAnalysisSource::Mode::kEntryStream;
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    pool_.reset();
  }

  EndlessStore store_;
  std::unique_ptr<ConfigHolder> holder_;
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<HoldfastServer> server_;
  std::unique_ptr<HoldfastClient> client_;
};

TEST_F(ReportPoolTest, CancelledReportStopsScanning) {
  ReportCall call;
  call.Start(client_->reports());
  ASSERT_TRUE(WaitFor([&] { return store_.rows() > 5000; }));
  call.context.TryCancel();
  ASSERT_TRUE(call.Wait(std::chrono::seconds(10)));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::CANCELLED);
  // The scan itself ends (the server saw the cancellation), and no row is
  // read after that.
  ASSERT_TRUE(WaitFor([&] { return store_.scans_running() == 0; })) << "the scan kept running";
  const int64_t rows = store_.rows();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(store_.rows(), rows);
}

TEST_F(ReportPoolTest, DeadlineStopsScanning) {
  ReportCall call;
  call.context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  call.Start(client_->reports());
  ASSERT_TRUE(call.Wait(std::chrono::seconds(10)));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitFor([&] { return store_.scans_running() == 0; })) << "the scan kept running";
  EXPECT_GT(store_.rows(), 0);
}

// The same server with --report_analysis=database: the store's aggregate
// statement returns nothing until it has read every entry, so only the
// cancel check inside it can stop it.
class ReportPoolInDatabaseTest : public ReportPoolTest {
 protected:
  report::StoreAnalysisSource::Mode mode() const override {
    return report::StoreAnalysisSource::Mode::kInDatabase;
  }
};

TEST_F(ReportPoolInDatabaseTest, DeadlineStopsTheAggregateStatement) {
  ReportCall call;
  call.context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  call.Start(client_->reports());
  ASSERT_TRUE(WaitFor([&] { return store_.scans_running() == 1; }));
  ASSERT_TRUE(call.Wait(std::chrono::seconds(10)));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(WaitFor([&] { return store_.scans_running() == 0; })) << "the statement kept running";
  EXPECT_EQ(store_.rows(), 0);  // no entry streamed
}

TEST_F(ReportPoolTest, AssignIsAnsweredWhileReportsRunAndExcessReportsAreRefused) {
  std::vector<std::unique_ptr<ReportCall>> calls;
  ReportCall extra;
  // Every report thread busy, the queue full. gRPC may hand concurrent calls
  // to the service in any order, so each step waits for the pool's own
  // state rather than assuming arrival order.
  for (int i = 0; i < kReportThreads; ++i) {
    calls.push_back(std::make_unique<ReportCall>());
    calls.back()->Start(client_->reports());
    ASSERT_TRUE(WaitFor([&] { return store_.scans_running() == i + 1; }));
  }
  for (int i = 0; i < kQueuedReports; ++i) {
    calls.push_back(std::make_unique<ReportCall>());
    calls.back()->Start(client_->reports());
    ASSERT_TRUE(WaitFor([&] { return pool_->queued() == static_cast<size_t>(i + 1); }));
  }
  ASSERT_EQ(store_.scans_running(), kReportThreads);
  // The next one is refused at once.
  extra.Start(client_->reports());
  ASSERT_TRUE(extra.Wait(std::chrono::seconds(10)));
  EXPECT_EQ(extra.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << extra.status.error_message();

  // Decisions are answered meanwhile, promptly.
  for (int i = 0; i < 50; ++i) {
    holdfast::v1::AssignRequest req;
    req.set_journey("cart_abandon");
    req.set_unit("unit-" + std::to_string(i));
    req.set_dry_run(true);
    holdfast::v1::AssignResponse resp;
    auto ctx = client_->NewContext();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status s = client_->assignment()->Assign(ctx.get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(store_.scans_running(), kReportThreads);

  for (auto& c : calls) c->context.TryCancel();
  for (auto& c : calls) {
    ASSERT_TRUE(c->Wait(std::chrono::seconds(10)));
    EXPECT_EQ(c->status.error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_TRUE(WaitFor([&] { return store_.scans_running() == 0; }));
}

}  // namespace
}  // namespace holdfast::server
