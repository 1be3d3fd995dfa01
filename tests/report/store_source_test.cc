// BuildLiftReport over the real SQLite store through StoreAnalysisSource:
// windows, refunds, pre-period, send costs, fixed-cost pro-rating,
// contamination, washout, global holdout and orphan refunds, by hand.
#include "lib/report/store_analysis_source.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/report/lift_report.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;
constexpr int64_t kHour = 3600LL * 1000000;

AssignmentConfig StoreConfig() {
  AssignmentConfig config;
  config.version = "cfg-store";
  config.global_holdout.share_ppm = 10000;
  JourneySpec j;
  j.id = "cart";
  j.holdout.share_ppm = 500000;
  j.arms = {{"A", 1}};
  j.attribution_window_us = 3 * kDay;
  j.pre_period_us = 7 * kDay;
  config.journeys = {j};
  return config;
}

EntryRow Entry(const std::string& unit, holdfast::EntryGroup g, bool washout = false) {
  EntryRow e;
  e.journey = "cart";
  e.unit = unit;
  e.t0 = 10 * kDay;
  e.group = g;
  e.arm = g == holdfast::EntryGroup::kTreatment ? "A" : "";
  e.config_version = "cfg-store";
  e.in_washout = washout;
  e.attributes = {{"channel", "web"}};
  return e;
}

SendRow Send(const std::string& id, const std::string& unit, int64_t at, double cost) {
  return SendRow{id, unit, "cart", "email", at, cost};
}

OutcomeRow Outcome(const std::string& id, const std::string& unit, int64_t at, OutcomeType type,
                   double revenue, double margin, const std::string& order = "") {
  return OutcomeRow{id, unit, at, type, revenue, margin, order};
}

TEST(StoreSourceTest, ReportFromRawRecordsMatchesHandComputation) {
  holdfast::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  using G = holdfast::EntryGroup;
  const std::vector<EntryRow> entries = {Entry("u1", G::kTreatment), Entry("u2", G::kTreatment),
                                         Entry("h1", G::kHoldout), Entry("g1", G::kGlobalHoldout),
                                         Entry("w1", G::kTreatment, /*washout=*/true)};
  ASSERT_TRUE((*store)->RecordEntries(entries).ok());
  const std::vector<SendRow> sends = {
      Send("s1", "u1", 10 * kDay + kHour, 0.5),  // in window
      Send("s2", "u1", 14 * kDay, 9.0),          // after the 3-day window
      Send("s3", "u2", 10 * kDay + kHour, 0.5),
      Send("s4", "h1", 10 * kDay + 3 * kHour, 0.25)};  // contamination
  ASSERT_TRUE((*store)->RecordSends(sends).ok());
  const std::vector<OutcomeRow> outcomes = {
      Outcome("o0", "u1", 5 * kDay, OutcomeType::kOrder, 7, 2),  // pre-period
      Outcome("o1", "u1", 11 * kDay, OutcomeType::kOrder, 100, 30),
      Outcome("o2", "u1", 12 * kDay, OutcomeType::kRefund, 20, 6, "o1"),
      Outcome("o3", "h1", 10 * kDay + 2 * kHour, OutcomeType::kOrder, 40, 12),
      Outcome("o4", "u2", 11 * kDay, OutcomeType::kRefund, 5, 1, "nope")};  // orphan
  ASSERT_TRUE((*store)->RecordOutcomes(outcomes).ok());
  const std::vector<FixedCostRow> costs = {{"f1", "cart", 0, 20 * kDay, 200.0, "platform"}};
  ASSERT_TRUE((*store)->RecordFixedCosts(costs).ok());

  StoreAnalysisSource source(store->get());
  LiftReportOptions o;
  o.range = {5 * kDay, 15 * kDay};
  o.segment_by = "channel";
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);  // everyone, channel=web
  const LiftRowResult& row = r->rows[0];
  const stats::LiftResult& l = row.lift;
  EXPECT_EQ(l.treatment.entries, 2);
  EXPECT_EQ(l.holdout.entries, 1);
  // u1: 100 - 20 refund = 80; u2: orphan refund -5 inside its window.
  EXPECT_DOUBLE_EQ(l.treatment.total_revenue, 75.0);
  EXPECT_DOUBLE_EQ(l.treatment.total_margin, 30.0 - 6.0 - 1.0);
  EXPECT_DOUBLE_EQ(l.treatment.conversions, 1.0);
  EXPECT_DOUBLE_EQ(l.treatment.total_cost, 1.0);  // s1 + s3; s2 is outside the window
  EXPECT_EQ(row.treatment_sends, 2);
  EXPECT_DOUBLE_EQ(l.holdout.total_revenue, 40.0);
  EXPECT_EQ(row.holdout_sends, 1);
  EXPECT_DOUBLE_EQ(row.holdout_send_cost, 0.25);
  EXPECT_DOUBLE_EQ(row.fixed_cost, 100.0);  // 200 over 20 days, 10 of them in range
  EXPECT_DOUBLE_EQ(l.treatment_cost, 101.0);
  EXPECT_EQ(row.washout_excluded, 1);
  EXPECT_EQ(r->global_holdout_entries_excluded, 1);
  EXPECT_EQ(r->orphan_refunds, 1);
  EXPECT_EQ(r->rows[1].segment, "channel=web");
  EXPECT_EQ(r->rows[1].lift.treatment.entries, 2);
  bool contamination = false;
  for (const ReportWarning& w : r->warnings) {
    contamination |= w.kind == WarningKind::kContamination && w.severity == Severity::kCritical;
  }
  EXPECT_TRUE(contamination);
}

}  // namespace
}  // namespace holdfast::report
