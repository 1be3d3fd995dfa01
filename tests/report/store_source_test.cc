// BuildLiftReport over each real store (SQLite, PostgreSQL) through StoreAnalysisSource:
// windows, refunds, pre-period, send costs, fixed-cost pro-rating,
// contamination, washout, global holdout and orphan refunds, by hand.
#include "lib/report/store_analysis_source.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/catalog/config_catalog.h"
#include "lib/report/lift_report.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/test_store.h"

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

class StoreSourceTest : public ::testing::TestWithParam<holdfast::testing::StoreBackend> {};

TEST_P(StoreSourceTest, ReportFromRawRecordsMatchesHandComputation) {
  absl::StatusOr<std::unique_ptr<holdfast::testing::TestStore>> test_store =
      holdfast::testing::TestStore::Create(GetParam());
  ASSERT_TRUE(test_store.ok()) << test_store.status();
  Store* store = (*test_store)->store();
  using G = holdfast::EntryGroup;
  const std::vector<EntryRow> entries = {Entry("u1", G::kTreatment), Entry("u2", G::kTreatment),
                                         Entry("h1", G::kHoldout), Entry("g1", G::kGlobalHoldout),
                                         Entry("w1", G::kTreatment, /*washout=*/true)};
  ASSERT_TRUE(store->RecordEntries(entries).ok());
  const std::vector<SendRow> sends = {
      Send("s1", "u1", 10 * kDay + kHour, 0.5),  // in window
      Send("s2", "u1", 14 * kDay, 9.0),          // after the 3-day window
      Send("s3", "u2", 10 * kDay + kHour, 0.5),
      Send("s4", "h1", 10 * kDay + 3 * kHour, 0.25)};  // contamination
  ASSERT_TRUE(store->RecordSends(sends).ok());
  const std::vector<OutcomeRow> outcomes = {
      Outcome("o0", "u1", 5 * kDay, OutcomeType::kOrder, 7, 2),  // pre-period
      Outcome("o1", "u1", 11 * kDay, OutcomeType::kOrder, 100, 30),
      Outcome("o2", "u1", 12 * kDay, OutcomeType::kRefund, 20, 6, "o1"),
      Outcome("o3", "h1", 10 * kDay + 2 * kHour, OutcomeType::kOrder, 40, 12),
      Outcome("o4", "u2", 11 * kDay, OutcomeType::kRefund, 5, 1, "nope")};  // orphan
  ASSERT_TRUE(store->RecordOutcomes(outcomes).ok());
  const std::vector<FixedCostRow> costs = {{"f1", "cart", 0, 20 * kDay, 200.0, "platform"}};
  ASSERT_TRUE(store->RecordFixedCosts(costs).ok());

  StoreAnalysisSource source(store);
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
  // u1: 100 - 20 refund of its order = 80; u2's orphan refund is never
  // subtracted.
  EXPECT_DOUBLE_EQ(l.treatment.total_revenue, 80.0);
  EXPECT_DOUBLE_EQ(l.treatment.total_margin, 30.0 - 6.0);
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
  EXPECT_EQ(r->immature_entries_excluded, 0);
  EXPECT_EQ(r->unknown_version_entries, 0);  // every entry is of cfg-store
  EXPECT_EQ(r->entries_inside_refund_horizon, 0);  // as_of unbounded

  // As of day 12 every entry (t0 day 10, 3-day window) is immature: counted,
  // excluded; fixed cost only over [day 5, day 12 - 3) = 4 of its 20 days;
  // the refund on day 12 and the orphan refund on day 11 are before as_of.
  o.as_of = 12 * kDay;
  r = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows[0].lift.treatment.entries, 0);
  EXPECT_EQ(r->rows[0].lift.holdout.entries, 0);
  EXPECT_EQ(r->rows[0].immature_excluded, 3);  // u1, u2, h1 (w1 is washout)
  EXPECT_EQ(r->rows[0].washout_excluded, 1);
  EXPECT_EQ(r->immature_entries_excluded, 3);
  EXPECT_DOUBLE_EQ(r->rows[0].fixed_cost, 40.0);
  EXPECT_EQ(r->orphan_refunds, 1);

  // As of day 13 + 1 h they are mature and inside the 30-day refund horizon.
  o.as_of = 13 * kDay + kHour;
  r = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows[0].lift.treatment.entries, 2);
  EXPECT_DOUBLE_EQ(r->rows[0].lift.treatment.total_revenue, 80.0);
  EXPECT_EQ(r->rows[0].inside_refund_horizon, 3);
  EXPECT_EQ(r->entries_inside_refund_horizon, 3);
  EXPECT_DOUBLE_EQ(r->rows[0].fixed_cost, 200.0 * (5 * kDay + kHour) / (20 * kDay));
}

// K by component: the send cost by channel (from the channel query) plus the
// fixed costs by category (pro-rated like F) add up to the K of the
// everyone row (from the entry stream), and the channel table is the hand
// count: u1 email 0.5 then sms 2.0 before its order -> sms; u2 only email
// after its order -> unattributed.
TEST_P(StoreSourceTest, CostComponentsAddUpToTheReportsK) {
  absl::StatusOr<std::unique_ptr<holdfast::testing::TestStore>> test_store =
      holdfast::testing::TestStore::Create(GetParam());
  ASSERT_TRUE(test_store.ok()) << test_store.status();
  Store* store = (*test_store)->store();
  using G = holdfast::EntryGroup;
  ASSERT_TRUE(store->RecordEntries(std::vector<EntryRow>{Entry("u1", G::kTreatment),
                                                         Entry("u2", G::kTreatment),
                                                         Entry("h1", G::kHoldout)})
                  .ok());
  ASSERT_TRUE(store
                  ->RecordSends(std::vector<SendRow>{
                      Send("s1", "u1", 10 * kDay + kHour, 0.5),
                      SendRow{"s2", "u1", "cart", "sms", 10 * kDay + 2 * kHour, 2.0},
                      Send("s3", "u2", 11 * kDay + kHour, 0.5),
                      SendRow{"s4", "h1", "cart", "sms", 10 * kDay + kHour, 0.3}})
                  .ok());
  std::vector<OutcomeRow> outcomes = {Outcome("o1", "u1", 11 * kDay, OutcomeType::kOrder, 100, 30),
                                      Outcome("o2", "u2", 11 * kDay, OutcomeType::kOrder, 50, 10)};
  outcomes[0].incentive_cost = 10.0;
  ASSERT_TRUE(store->RecordOutcomes(outcomes).ok());
  ASSERT_TRUE(store
                  ->RecordFixedCosts(std::vector<FixedCostRow>{
                      {"f1", "cart", 0, 20 * kDay, 200.0, "platform"},
                      {"f2", "cart", 8 * kDay, 11 * kDay, 30.0, "creative"},
                      {"f3", "cart", 0, 30 * kDay, 0.7, "platform"}})
                  .ok());
  StoreAnalysisSource source(store);
  LiftReportOptions o;
  o.channels = true;  // asked for (holdfast report --channels)
  o.range = {5 * kDay, 15 * kDay};
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->channels.size(), 1u);
  const JourneyChannelsResult& c = r->channels[0];
  double send = 0.0, fixed = 0.0, incentives = 0.0;
  for (const CostComponentResult& k : c.cost_components) {
    (k.kind == CostComponentKind::kSend ? send : k.kind == CostComponentKind::kFixed ? fixed : incentives) +=
        k.amount;
  }
  const double k = r->rows[0].lift.treatment_cost;
  EXPECT_NEAR(send + fixed, k, 1e-12 * k);
  EXPECT_DOUBLE_EQ(c.treatment_cost, k);
  EXPECT_NEAR(fixed, r->rows[0].fixed_cost, 1e-12 * k);
  EXPECT_DOUBLE_EQ(send, 3.0);
  // platform 200 * 10/20 + 0.7 * 10/30; creative 30 * (11 - 8) / 3.
  EXPECT_NEAR(fixed, 100.0 + 0.7 / 3.0 + 30.0, 1e-12);
  EXPECT_DOUBLE_EQ(incentives, 10.0);
  EXPECT_DOUBLE_EQ(c.treatment_cost_with_incentives, k + 2 * (5.0 - 0.0));  // n_T (mean_T - mean_C)
  ASSERT_EQ(c.rows.size(), 3u);  // email, sms, unattributed (one arm: no arm rows)
  EXPECT_EQ(c.rows[0].channel, "email");
  EXPECT_EQ(c.rows[0].sends, 2);
  EXPECT_EQ(c.rows[0].attributed_orders, 0);
  EXPECT_EQ(c.rows[1].channel, "sms");
  EXPECT_DOUBLE_EQ(c.rows[1].attributed_revenue, 100.0);
  EXPECT_DOUBLE_EQ(c.rows[1].attributed_roas, 50.0);
  EXPECT_EQ(c.rows[1].holdout_sends, 1);
  EXPECT_DOUBLE_EQ(c.rows[1].holdout_send_cost, 0.3);
  EXPECT_TRUE(c.rows[2].unattributed);
  EXPECT_DOUBLE_EQ(c.unattributed_revenue, 50.0);
  EXPECT_DOUBLE_EQ(c.attributed_revenue, 100.0);
  ASSERT_GE(c.notes.size(), 2u);
  EXPECT_NE(c.notes[1].find("channel-level randomization"), std::string::npos);
  // Not asked for (the default): no channel query, the rest as before.
  o.channels = false;
  absl::StatusOr<LiftReportResult> without = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_TRUE(without->channels.empty());
  EXPECT_DOUBLE_EQ(without->rows[0].lift.treatment_cost, k);
}

TEST(StoreSourceTest, EntriesOfAnOldConfigVersionUseItsWindow) {
  holdfast::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  // cfg-old had a 1-day window, cfg-store (serving) has 3 days. Each unit
  // orders 2 days after entering; cfg-gone is unknown (serving window).
  using G = holdfast::EntryGroup;
  std::vector<EntryRow> entries;
  std::vector<OutcomeRow> outcomes;
  for (const char* v : {"cfg-old", "cfg-store", "cfg-gone"}) {
    for (G g : {G::kTreatment, G::kHoldout}) {
      EntryRow e = Entry(absl::StrCat(v, g == G::kTreatment ? "-t" : "-h"), g);
      e.config_version = v;
      entries.push_back(e);
      outcomes.push_back(Outcome(e.unit + "-o", e.unit, 12 * kDay, OutcomeType::kOrder, 10, 1));
    }
  }
  ASSERT_TRUE((*store)->RecordEntries(entries).ok());
  ASSERT_TRUE((*store)->RecordOutcomes(outcomes).ok());
  AssignmentConfig old_config = StoreConfig();
  old_config.version = "cfg-old";
  old_config.journeys[0].attribution_window_us = kDay;
  ConfigCatalog catalog(std::make_shared<const AssignmentConfig>(StoreConfig()));
  catalog.Add(std::make_shared<const AssignmentConfig>(old_config));

  StoreAnalysisSource source(store->get());
  LiftReportOptions o;
  o.catalog = &catalog;
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(StoreConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const stats::LiftResult& l = r->rows[0].lift;
  EXPECT_EQ(l.treatment.entries, 3);
  EXPECT_DOUBLE_EQ(l.treatment.total_revenue, 20.0);  // not the cfg-old entry's order
  EXPECT_DOUBLE_EQ(l.holdout.total_revenue, 20.0);
  EXPECT_EQ(r->unknown_version_entries, 2);
  bool unknown_warned = false;
  for (const ReportWarning& w : r->warnings) unknown_warned |= w.kind == WarningKind::kUnknownConfigVersion;
  EXPECT_TRUE(unknown_warned);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreSourceTest, holdfast::testing::AllStoreBackends(),
                         holdfast::testing::StoreBackendName);

}  // namespace
}  // namespace holdfast::report
