// The lift report over a real holdfastd names the replicas that served
// different config versions during its range (REPLICAS_SERVED_DIFFERENT_VERSIONS,
// docs/report.md): the store's config history already holds another
// replica's load of another version when this replica starts and records its
// own, so from that moment on the two disagree.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/holdfast_client.h"
#include "lib/base/clock.h"
#include "lib/storage/sqlite_store.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"
#include "tests/storage/test_store.h"
#include "tests/testing/approx_proto.h"

namespace holdfast::server {
namespace {

constexpr char kConfig[] =
    "journeys { id: \"cart_abandon\" holdout_share: 0.3 arms { name: \"a\" weight: 1 } }\n";

TEST(ReportReplicasTest, ReportNamesReplicasServingDifferentVersions) {
  holdfast::testing::TempDir dir;
  {
    // Another replica loaded another version an hour ago.
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("holdfast.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    ConfigVersionRow other;
    other.version = "cfg-other";
    other.loaded_at = RealClock::Get()->NowMicros() - 3600LL * 1000000;
    other.source_path = "other.textproto";
    other.replica = "replica-b";
    ASSERT_TRUE((*store)->AppendConfigVersion(other).ok());
  }
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.replica_id = "replica-a";
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  options.log = &log;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::unique_ptr<client::HoldfastClient> client =
      client::HoldfastClient::Connect("127.0.0.1:" + std::to_string((*daemon)->port()));

  grpc::ClientContext context;
  holdfast::v1::LiftReportRequest request;
  holdfast::v1::LiftReport report;
  const grpc::Status status = client->reports()->GetLiftReport(&context, request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int found = 0;
  for (const holdfast::v1::Warning& w : report.warnings()) {
    if (w.kind() != holdfast::v1::Warning::REPLICAS_SERVED_DIFFERENT_VERSIONS) continue;
    ++found;
    EXPECT_EQ(w.severity(), holdfast::v1::Warning::INFO);
    EXPECT_TRUE(absl::StrContains(w.message(), "replica-b=cfg-other")) << w.message();
    EXPECT_TRUE(absl::StrContains(w.message(), "replica-a=" + report.config_version())) << w.message();
  }
  EXPECT_EQ(found, 1);
}

// Two replicas on one PostgreSQL store, one streaming the entries
// (--report_analysis=stream) and one summing them in the database
// (=database), answer the same lift report, and the same with segments and
// weekly trends; both with two outcome horizons and the cumulative curve:
// every number to 1e-9, the arm comparison's constant per-arm send cost
// included ("no variation" on both paths).
TEST(ReportReplicasTest, ReportInTheDatabaseMatchesTheStreamingReplica) {
  absl::StatusOr<std::unique_ptr<holdfast::testing::TestStore>> pg =
      holdfast::testing::TestStore::Create(holdfast::testing::StoreBackend::kPostgres);
  ASSERT_TRUE(pg.ok()) << pg.status();
  Store* store = (*pg)->store();
  std::vector<EntryRow> entries;
  std::vector<OutcomeRow> outcomes;
  std::vector<SendRow> sends;
  const int64_t t0 = 1700000000LL * 1000000;
  for (int i = 0; i < 400; ++i) {
    EntryRow e;
    e.journey = "cart_abandon";
    e.unit = absl::StrCat("u", i);
    e.t0 = t0 + i * 3600LL * 1000000;  // 400 hours: three UTC weeks
    e.group = i % 3 == 0 ? EntryGroup::kHoldout : EntryGroup::kTreatment;
    e.arm = e.group == EntryGroup::kTreatment ? (i % 2 ? "a" : "b") : "";
    e.config_version = "cfg-any";
    e.attributes = {{"tier", i % 5 == 0 ? "vip" : "std"}};
    entries.push_back(e);
    if (e.group == EntryGroup::kTreatment) {
      // Each arm's send costs the same on every entry.
      sends.push_back(
          {absl::StrCat("s", i), e.unit, e.journey, "email", e.t0 + 5, e.arm == "a" ? 0.01 : 0.03});
    }
    if (i % 4 != 0) {
      OutcomeRow o;
      o.outcome_id = absl::StrCat("o", i);
      o.unit = e.unit;
      o.at = e.t0 + 3600LL * 1000000;
      o.type = OutcomeType::kOrder;
      o.revenue = 20.0 + i % 17;
      o.margin = o.revenue / 3;
      o.incentive_cost = i % 5 == 0 ? 2.0 : 0.0;
      outcomes.push_back(o);
      // Later orders and refunds: what the horizons measure beyond the
      // window (a refund 11 days on counts at a later horizon than its
      // order).
      if (i % 7 == 0) {
        OutcomeRow later = o;
        later.outcome_id = absl::StrCat("later", i);
        later.at = e.t0 + 10 * 86400LL * 1000000;
        outcomes.push_back(later);
      }
      if (i % 9 == 0) {
        OutcomeRow refund;
        refund.outcome_id = absl::StrCat("r", i);
        refund.unit = e.unit;
        refund.at = o.at + 40 * 86400LL * 1000000;
        refund.type = OutcomeType::kRefund;
        refund.revenue = -o.revenue / 2;
        refund.margin = -o.margin / 2;
        refund.order_id = o.outcome_id;
        outcomes.push_back(refund);
      }
    }
  }
  ASSERT_TRUE(store->RecordEntries(entries).ok());
  ASSERT_TRUE(store->RecordSends(sends).ok());
  ASSERT_TRUE(store->RecordOutcomes(outcomes).ok());

  holdfast::testing::TempDir dir;
  std::ofstream(dir.File("holdfast.textproto"))
      << "journeys { id: \"cart_abandon\" holdout_share: 0.3 arms { name: \"a\" weight: 1 } "
         "arms { name: \"b\" weight: 1 } horizons { seconds: 1209600 } horizons { seconds: 5184000 } }\n";
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  std::vector<std::unique_ptr<HoldfastDaemon>> daemons;
  for (const bool in_database : {false, true}) {
    DaemonOptions options;
    options.config_path = dir.File("holdfast.textproto");
    options.db_path = (*pg)->uri();
    options.listen_address = "127.0.0.1:0";
    options.replica_id = in_database ? "cells" : "stream";
    options.report_analysis_in_database = in_database;
    options.log = &log;
    absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemons.push_back(std::move(*daemon));
  }
  for (const bool segmented : {false, true}) {
    SCOPED_TRACE(segmented ? "segments and weekly trends" : "plain");
    std::vector<holdfast::v1::LiftReport> reports(2);
    for (int k = 0; k < 2; ++k) {
      std::unique_ptr<client::HoldfastClient> client =
          client::HoldfastClient::Connect("127.0.0.1:" + std::to_string(daemons[k]->port()));
      grpc::ClientContext context;
      holdfast::v1::LiftReportRequest request;
      request.mutable_as_of()->set_seconds(1800000000);  // every window mature
      if (segmented) {
        request.set_segment_by("tier");
        request.set_trend_by(holdfast::v1::TREND_BY_WEEK);
      }
      const grpc::Status status = client->reports()->GetLiftReport(&context, request, &reports[k]);
      ASSERT_TRUE(status.ok()) << status.error_message();
      reports[k].clear_generated_at();  // when, not what
    }
    // Each replica took its own path; the numbers must not tell them apart.
    EXPECT_FALSE(reports[0].analysed_in_database());
    EXPECT_TRUE(reports[1].analysed_in_database());
    reports[1].set_analysed_in_database(false);
    ASSERT_GE(reports[0].rows_size(), 1);
    EXPECT_EQ(reports[0].rows(0).treatment().entries(), 266);
    // Horizons (14 and 60 days) and the cumulative curve, computed in the
    // database by the second replica.
    EXPECT_EQ(reports[0].rows(0).horizons_size(), 2);
    EXPECT_GE(reports[0].rows(0).cumulative_size(), 50);
    ASSERT_GE(reports[0].arm_comparisons_size(), 1);
    if (segmented) {
      ASSERT_EQ(reports[0].trends_size(), 1);
      EXPECT_GE(reports[0].trends(0).points_size(), 3);
    }
    EXPECT_TRUE(holdfast::testing::ProtosAgree(reports[0], reports[1]));
  }
}

}  // namespace
}  // namespace holdfast::server
