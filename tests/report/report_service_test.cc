// ReportService over a real in-process gRPC server with an in-memory source.
#include "server/report_service.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "client/holdfast_client.h"
#include "lib/assign/assigner.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "server/server.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;
using report::EntryGroup;
using report::StoredEntry;

constexpr int64_t kDay = 86400LL * 1000000;

std::shared_ptr<const ServingConfig> MakeServingConfig(uint32_t global_share_ppm) {
  auto config = std::make_shared<AssignmentConfig>();
  config->version = "cfg-report-svc";
  config->global_holdout.share_ppm = global_share_ppm;
  JourneySpec j;
  j.id = "cart_abandon";
  j.holdout.share_ppm = 100000;
  j.arms = {{"discount", 1}, {"no_discount", 1}};
  config->journeys.push_back(j);
  return std::make_shared<ServingConfig>(config, holdfast::v1::Config(), "test.textproto", 0);
}

class ReportServiceTest : public ::testing::Test {
 protected:
  void StartServer(uint32_t global_share_ppm = 50000) {
    holder_ = std::make_unique<ConfigHolder>(MakeServingConfig(global_share_ppm));
    HoldfastServer::Options options;
    options.listen_address = "127.0.0.1:0";
    HoldfastServer::Dependencies deps;
    deps.configs = holder_.get();
    deps.clock = &clock_;
    deps.extra_services.push_back(
        std::make_unique<ReportServiceImpl>(holder_.get(), &source_, &clock_));
    auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<HoldfastClient>(server_->InProcessChannel());
  }

  void AddEntries() {
    // 300 per arm, 60 holdout, 20 global holdout; revenue by index.
    for (int i = 0; i < 300; ++i) {
      for (const char* arm : {"discount", "no_discount"}) {
        StoredEntry e;
        e.journey = "cart_abandon";
        e.unit = std::string(arm) + std::to_string(i);
        e.group = EntryGroup::kTreatment;
        e.arm = arm;
        e.t0 = kDay + i;
        e.SetValues({static_cast<double>(i % 10), 1.0, i % 10 > 6 ? 1.0 : 0.0, 0.2, 1.0 * (i % 3)});
        e.sends = 1;
        source_.AddEntry(e);
      }
    }
    for (int i = 0; i < 60; ++i) {
      StoredEntry e;
      e.journey = "cart_abandon";
      e.unit = "h" + std::to_string(i);
      e.group = EntryGroup::kHoldout;
      e.t0 = kDay + i;
      e.SetValues({static_cast<double>(i % 7), 0.5, i % 7 > 4 ? 1.0 : 0.0, 0.0, 1.0 * (i % 3)});
      source_.AddEntry(e);
    }
    for (int i = 0; i < 20; ++i) {
      StoredEntry e;
      e.journey = "cart_abandon";
      e.unit = "g" + std::to_string(i);
      e.group = EntryGroup::kGlobalHoldout;
      e.t0 = kDay + i;
      e.SetValues({static_cast<double>(i % 5), 0.5, 0.0, 0.0, 0.0});
      source_.AddEntry(e);
    }
    source_.AddFixedCost({"cart_abandon", 0, 2 * kDay, 50.0});
    // The program population: 95 roster customers known from time 0 (the
    // journey entries' units above join it too, first seen at their t0).
    for (int i = 0; i < 95; ++i) {
      const std::string unit = "p" + std::to_string(i);
      source_.AddCustomer({unit, 0});
      source_.AddProgramOutcome({unit, kDay + i, i % 4 == 3, static_cast<double>(i % 4), 0.0});
    }
  }

  absl::StatusOr<holdfast::v1::LiftReport> Lift(const holdfast::v1::LiftReportRequest& req) {
    holdfast::v1::LiftReport resp;
    auto ctx = client_->NewContext();
    grpc::Status s = client_->reports()->GetLiftReport(ctx.get(), req, &resp);
    if (!s.ok()) return holdfast::client::FromGrpcStatus(s);
    return resp;
  }

  absl::StatusOr<holdfast::v1::ProgramReport> Program(
      const holdfast::v1::ProgramReportRequest& req) {
    holdfast::v1::ProgramReport resp;
    auto ctx = client_->NewContext();
    grpc::Status s = client_->reports()->GetProgramReport(ctx.get(), req, &resp);
    if (!s.ok()) return holdfast::client::FromGrpcStatus(s);
    return resp;
  }

  FakeClock clock_{1767225600LL * 1000000};  // 2026-01-01T00:00:00Z
  report::InMemoryAnalysisSource source_;
  std::unique_ptr<ConfigHolder> holder_;
  std::unique_ptr<HoldfastServer> server_;
  std::unique_ptr<HoldfastClient> client_;
};

TEST_F(ReportServiceTest, LiftReportMatchesLibraryAndFillsRequestedParts) {
  AddEntries();
  StartServer();
  holdfast::v1::LiftReportRequest req;
  req.add_journeys("cart_abandon");
  req.set_cuped(true);
  absl::StatusOr<holdfast::v1::LiftReport> r = Lift(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->config_version(), "cfg-report-svc");
  EXPECT_EQ(r->generated_at().seconds(), 1767225600);
  EXPECT_DOUBLE_EQ(r->confidence(), 0.95);  // 0 = default
  EXPECT_EQ(r->global_holdout_entries_excluded(), 20);
  ASSERT_EQ(r->rows_size(), 3);
  EXPECT_EQ(r->rows(0).arm(), "*");
  EXPECT_EQ(r->rows(1).arm(), "discount");
  EXPECT_EQ(r->rows(0).treatment().entries(), 600);
  EXPECT_EQ(r->rows(0).holdout().entries(), 60);
  EXPECT_EQ(r->rows(0).treatment().sends(), 600);
  EXPECT_DOUBLE_EQ(r->rows(0).fixed_cost(), 50.0);
  EXPECT_DOUBLE_EQ(r->rows(0).treatment_cost(), 600 * 0.2 + 50.0);

  // Same numbers as the library on the same source.
  report::LiftReportOptions o;
  o.journeys = {"cart_abandon"};
  absl::StatusOr<report::LiftReportResult> lib =
      report::BuildLiftReport(*holder_->Get()->compiled, source_, o);
  ASSERT_TRUE(lib.ok());
  const stats::LiftResult& l = lib->rows[0].lift;
  EXPECT_DOUBLE_EQ(r->rows(0).revenue_lift().value(), l.revenue_per_entry_lift.value);
  EXPECT_DOUBLE_EQ(r->rows(0).revenue_lift().lower(), l.revenue_per_entry_lift.lower);
  EXPECT_DOUBLE_EQ(r->rows(0).iroas().value(), l.iroas.value);
  // The decision travels in the response (JSON / HTTP clients get it too).
  ASSERT_EQ(r->journey_summaries_size(), 1);
  ASSERT_EQ(lib->decisions.size(), 1u);
  EXPECT_EQ(r->journey_summaries(0).journey(), "cart_abandon");
  EXPECT_EQ(static_cast<int>(r->journey_summaries(0).verdict()),
            static_cast<int>(lib->decisions[0].verdict));
  EXPECT_EQ(r->journey_summaries(0).sentence(), lib->decisions[0].sentence);
  EXPECT_DOUBLE_EQ(r->rows(0).p_value_holm(), lib->rows[0].p_value_holm);
  EXPECT_TRUE(r->rows(0).cuped_revenue_lift().defined());
  EXPECT_FALSE(r->rows(0).sequential_revenue_lift().defined());  // not asked
  EXPECT_TRUE(r->cuped());
  EXPECT_FALSE(r->sequential());
}

TEST_F(ReportServiceTest, RangeAndValidation) {
  AddEntries();
  StartServer();
  holdfast::v1::LiftReportRequest req;
  req.mutable_from()->set_seconds(2 * 86400);  // after every entry
  absl::StatusOr<holdfast::v1::LiftReport> r = Lift(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows(0).treatment().entries(), 0);
  EXPECT_FALSE(r->rows(0).revenue_lift().defined());
  EXPECT_DOUBLE_EQ(r->rows(0).revenue_lift().value(), 0.0);  // undefined reads as zeros
  EXPECT_EQ(r->from().seconds(), 2 * 86400);

  holdfast::v1::LiftReportRequest bad;
  bad.set_confidence(1.5);
  EXPECT_EQ(Lift(bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.set_confidence(0.9);
  bad.add_journeys("nope");
  EXPECT_EQ(Lift(bad).status().code(), absl::StatusCode::kNotFound);
  holdfast::v1::LiftReportRequest backwards;
  backwards.mutable_from()->set_seconds(100);
  backwards.mutable_to()->set_seconds(50);
  EXPECT_EQ(Lift(backwards).status().code(), absl::StatusCode::kInvalidArgument);
}

// LiftReportRequest.trend_by reaches the builder: one series per journey,
// stage roll-ups always; an unknown enum value is INVALID_ARGUMENT.
TEST_F(ReportServiceTest, TrendByAndStageRollupsOverTheRpc) {
  AddEntries();
  StartServer();
  holdfast::v1::LiftReportRequest req;
  absl::StatusOr<holdfast::v1::LiftReport> plain = Lift(req);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->trend_by(), holdfast::v1::TREND_BY_UNSPECIFIED);
  EXPECT_EQ(plain->trends_size(), 0);
  EXPECT_GE(plain->stages_size(), 1);
  EXPECT_EQ(plain->programme().stage(), "(programme)");
  req.set_trend_by(holdfast::v1::TREND_BY_MONTH);
  absl::StatusOr<holdfast::v1::LiftReport> monthly = Lift(req);
  ASSERT_TRUE(monthly.ok()) << monthly.status();
  EXPECT_EQ(monthly->trend_by(), holdfast::v1::TREND_BY_MONTH);
  ASSERT_EQ(monthly->trends_size(), plain->programme().journeys_size());
  for (const holdfast::v1::TrendSeries& s : monthly->trends()) {
    for (const holdfast::v1::TrendPoint& p : s.points()) EXPECT_EQ(p.bucket(), "1970-01") << s.journey();
  }
  req.set_trend_by(static_cast<holdfast::v1::TrendBy>(9));
  EXPECT_EQ(Lift(req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportServiceTest, ProgramReportComparesGlobalHoldout) {
  AddEntries();
  StartServer();
  // Without a rotating global holdout the population is the customers known
  // before `from`, so `from` is required.
  EXPECT_EQ(Program({}).status().code(), absl::StatusCode::kInvalidArgument);
  holdfast::v1::ProgramReportRequest req;
  req.mutable_from()->set_seconds(kDay / 1000000 / 2);  // after time 0, before the entries
  req.mutable_to()->set_seconds(2 * kDay / 1000000);
  absl::StatusOr<holdfast::v1::ProgramReport> r = Program(req);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows_size(), 2);  // pooled + period 0
  EXPECT_EQ(r->rows(0).period(), -1);
  int64_t held = 0;
  for (int i = 0; i < 95; ++i) {
    held += InHoldout(holder_->Get()->compiled->global_holdout, "p" + std::to_string(i), 0);
  }
  EXPECT_EQ(r->rows(0).exposed().entries(), 95 - held);
  EXPECT_EQ(r->rows(0).global_holdout().entries(), held);
  EXPECT_EQ(r->rows(0).joined_units(), 680);  // the journey entries' units, first seen at t0
  EXPECT_DOUBLE_EQ(r->rows(0).fixed_cost(), 50.0 * 1.5 / 2);
  // as_of defaults to the server clock (2026); an explicit one is echoed and
  // must leave something to measure.
  EXPECT_EQ(r->as_of().seconds(), 1767225600);
  *req.mutable_as_of() = req.from();
  EXPECT_EQ(Program(req).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportServiceTest, ProgramReportNeedsGlobalHoldout) {
  StartServer(/*global_share_ppm=*/0);
  EXPECT_EQ(Program({}).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace holdfast::server
