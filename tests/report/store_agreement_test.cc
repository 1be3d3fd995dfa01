// The same messy events written to the SQLite and the PostgreSQL store give
// the same lift and program reports, every number to 1e-9 relative: repeat
// entries over rotation periods, arms, washout, global holdout, refunds of
// known and unknown orders, revenue with a large mean (precision), sends
// inside and outside windows, fixed costs straddling the range, segments.
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/report/lift_report.h"
#include "lib/report/program_report.h"
#include "lib/report/report_proto.h"
#include "lib/report/store_analysis_source.h"
#include "tests/storage/test_store.h"
#include "tests/testing/approx_proto.h"

namespace holdfast::report {
namespace {

using holdfast::testing::StoreBackend;
using G = holdfast::EntryGroup;
using holdfast::testing::TestStore;

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig Config() {
  AssignmentConfig config;
  config.version = "cfg-agree";
  config.global_holdout.share_ppm = 50000;
  JourneySpec j;
  j.id = "cart";
  j.holdout.share_ppm = 300000;
  j.arms = {{"A", 1}, {"B", 1}};
  j.attribution_window_us = 3 * kDay;
  j.pre_period_us = 7 * kDay;
  JourneySpec w = j;
  w.id = "winback";
  w.arms = {{"A", 1}};
  w.attribution_window_us = 5 * kDay;
  config.journeys = {j, w};
  return config;
}

struct Events {
  std::vector<EntryRow> entries;
  std::vector<SendRow> sends;
  std::vector<OutcomeRow> outcomes;
  std::vector<FixedCostRow> costs;
};

Events MakeEvents() {
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> u01(0, 1);
  std::lognormal_distribution<double> basket(3.0, 1.0);
  Events ev;
  const char* journeys[] = {"cart", "winback"};
  for (int unit = 0; unit < 1500; ++unit) {
    const std::string id = absl::StrCat("unit-", unit);
    const bool global = u01(rng) < 0.05;
    const int n_entries = 1 + static_cast<int>(u01(rng) * 3);
    for (int k = 0; k < n_entries; ++k) {
      EntryRow e;
      e.journey = journeys[(unit + k) % 2];
      e.unit = id;
      e.period = k;
      e.t0 = (2 + 7 * k) * kDay + static_cast<int64_t>(u01(rng) * 2 * kDay);
      const double r = u01(rng);
      e.group = global ? G::kGlobalHoldout
                       : (r < 0.3 ? G::kHoldout : G::kTreatment);
      if (e.group == G::kTreatment) {
        e.arm = (e.journey == std::string("cart") && r > 0.65) ? "B" : "A";
        // Arms no longer configured: their rows come in name order on
        // every path.
        if (e.journey == std::string("cart") && r > 0.9) e.arm = unit % 2 ? "Z-old" : "Y-old";
      }
      e.config_version = "cfg-agree";
      e.in_washout = u01(rng) < 0.05;
      e.attributes = {{"tier", u01(rng) < 0.3 ? "vip" : "std"}};
      ev.entries.push_back(e);
      const int n_sends = e.group == G::kTreatment ? 1 + static_cast<int>(u01(rng) * 2)
                                                            : (u01(rng) < 0.02 ? 1 : 0);
      for (int s = 0; s < n_sends; ++s) {
        ev.sends.push_back({absl::StrCat("s-", unit, "-", k, "-", s), id, e.journey,
                            s == 0 ? "email" : "sms",
                            e.t0 + static_cast<int64_t>(u01(rng) * 4 * kDay), 0.01 + u01(rng) * 0.5});
      }
    }
    const int n_orders = static_cast<int>(u01(rng) * 4);
    for (int o = 0; o < n_orders; ++o) {
      const std::string oid = absl::StrCat("o-", unit, "-", o);
      const int64_t at = static_cast<int64_t>(u01(rng) * 30 * kDay);
      // A large mean against the spread: raw sums of squares would lose digits.
      const double revenue = 1e6 + basket(rng);
      // Coupons on some orders: the with-incentive ratios (Hall's intervals
      // from the incentive's third moments) are compared too.
      const double incentive = u01(rng) < 0.3 ? 0.1 * (revenue - 1e6) : 0.0;
      ev.outcomes.push_back({oid, id, at, OutcomeType::kOrder, revenue, revenue * 0.3, "", incentive});
      if (u01(rng) < 0.2) {
        ev.outcomes.push_back({"r-" + oid, id, at + static_cast<int64_t>(u01(rng) * 10 * kDay),
                               OutcomeType::kRefund, revenue * 0.5, revenue * 0.15, oid});
      }
    }
    if (u01(rng) < 0.05) {
      ev.outcomes.push_back({absl::StrCat("orphan-", unit), id,
                             static_cast<int64_t>(u01(rng) * 30 * kDay), OutcomeType::kRefund, 5, 1,
                             "never-seen"});
    }
    if (u01(rng) < 0.1) {
      ev.outcomes.push_back({absl::StrCat("c-", unit), id, static_cast<int64_t>(u01(rng) * 30 * kDay),
                             OutcomeType::kConversion, 0, 0, ""});
    }
  }
  // A unit that sorts first, with an order and a send in each journey: the
  // database's shifts (the first mature entry's values) then have revenue
  // and cost, so the terms the entries without events add through the
  // shift (d = -shift, and its product with their costs) are not 0.
  for (const char* journey : journeys) {
    EntryRow e;
    e.journey = journey;
    e.unit = "a-first";
    e.t0 = 2 * kDay;
    e.group = G::kTreatment;
    e.arm = "A";
    e.config_version = "cfg-agree";
    e.attributes = {{"tier", "std"}};
    ev.entries.push_back(e);
    ev.sends.push_back({absl::StrCat("s-a-first-", journey), "a-first", journey, "email", e.t0 + 3600LL * 1000000,
                        0.3});
  }
  ev.outcomes.push_back({"o-a-first", "a-first", 2 * kDay + kDay, OutcomeType::kOrder, 1e6 + 50, 3e5, "", 0.0});
  ev.costs = {{"f1", "cart", 0, 20 * kDay, 500, "platform"},
              {"f2", "cart", 10 * kDay, 40 * kDay, 90, "creative"},
              {"f3", "winback", 5 * kDay, 6 * kDay, 42, "incentive"}};
  return ev;
}

std::unique_ptr<TestStore> Filled(StoreBackend backend, const Events& ev) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(backend);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return nullptr;
  Store* s = (*t)->store();
  EXPECT_TRUE(s->RecordEntries(ev.entries).ok());
  EXPECT_TRUE(s->RecordSends(ev.sends).ok());
  EXPECT_TRUE(s->RecordOutcomes(ev.outcomes).ok());
  EXPECT_TRUE(s->RecordFixedCosts(ev.costs).ok());
  return std::move(*t);
}

void ExpectAgree(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  EXPECT_TRUE(holdfast::testing::ProtosAgree(a, b));
}

TEST(StoreAgreementTest, LiftAndProgramReportsAgreeAcrossStores) {
  const Events ev = MakeEvents();
  std::unique_ptr<TestStore> sqlite = Filled(StoreBackend::kSqlite, ev);
  std::unique_ptr<TestStore> pg = Filled(StoreBackend::kPostgres, ev);
  ASSERT_TRUE(sqlite != nullptr && pg != nullptr);
  StoreAnalysisSource a(sqlite->store());
  StoreAnalysisSource b(pg->store());
  const AssignmentConfig config = Config();
  for (const std::string segment : {"", "tier"}) {
    LiftReportOptions o;
    o.range = {3 * kDay, 25 * kDay};
    o.segment_by = segment;
    absl::StatusOr<LiftReportResult> ra = BuildLiftReport(config, a, o);
    absl::StatusOr<LiftReportResult> rb = BuildLiftReport(config, b, o);
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok()) << rb.status();
    ASSERT_GE(ra->rows.size(), 3u);
    EXPECT_GT(ra->rows[0].lift.treatment.entries, 100);
    LiftProtoContext ctx;
    ctx.range = o.range;
    ctx.cuped = true;
    ExpectAgree(ToProto(*ra, ctx), ToProto(*rb, ctx));
  }
  ProgramReportOptions po;
  po.range = {3 * kDay, 25 * kDay};
  absl::StatusOr<ProgramReportResult> pa = BuildProgramReport(config, a, po);
  absl::StatusOr<ProgramReportResult> pb = BuildProgramReport(config, b, po);
  ASSERT_TRUE(pa.ok()) << pa.status();
  ASSERT_TRUE(pb.ok()) << pb.status();
  ExpectAgree(ToProto(*pa, 0, po.range), ToProto(*pb, 0, po.range));
}

// A source that counts which path the builder read: the entry stream or
// the cells (analysis in the database).
class CountingSource final : public AnalysisSource {
 public:
  explicit CountingSource(AnalysisSource* inner) : inner_(inner) {}
  int entry_scans = 0;
  int cell_scans = 0;

  bool PrefersCells() const override { return inner_->PrefersCells(); }
  absl::Status ForEachEntry(const AnalysisQuery& q,
                            absl::FunctionRef<void(const AnalysisEntry&)> fn) override {
    ++entry_scans;
    return inner_->ForEachEntry(q, fn);
  }
  absl::StatusOr<AnalysisAggregates> Aggregates(const AnalysisQuery& q, int64_t first,
                                                int64_t last) override {
    ++cell_scans;
    return inner_->Aggregates(q, first, last);
  }
  using AnalysisSource::GetJourneyTotals;
  absl::StatusOr<JourneyDiagnostics> GetJourneyTotals(const JourneySpec& j, const TimeRange& r,
                                                       const TimeRange& cost, UnixMicros as_of) override {
    return inner_->GetJourneyTotals(j, r, cost, as_of);
  }
  absl::StatusOr<JourneyChannels> GetJourneyChannels(const ChannelQuery& q) override {
    return inner_->GetJourneyChannels(q);
  }
  absl::StatusOr<int64_t> OrphanRefunds(const TimeRange& r) override { return inner_->OrphanRefunds(r); }
  absl::Status ForEachProgramUnit(const ProgramQuery& q,
                                  absl::FunctionRef<void(const ProgramUnitRow&)> fn) override {
    return inner_->ForEachProgramUnit(q, fn);
  }
  absl::StatusOr<double> SumFixedCosts(const TimeRange& r) override { return inner_->SumFixedCosts(r); }

 private:
  AnalysisSource* inner_;
};

// The lift report computed in the database (cells) equals the one folded from
// the entry stream, on each store, every number to 1e-9: the whole range, a
// period window, an as_of that leaves entries immature, and trends by
// period, week and month, segments alone and with trends; and with
// horizons and their cumulative curves.
TEST(StoreAgreementTest, ReportInTheDatabaseEqualsTheEntryStream) {
  const Events ev = MakeEvents();
  const AssignmentConfig config = Config();
  for (StoreBackend backend : {StoreBackend::kSqlite, StoreBackend::kPostgres}) {
    SCOPED_TRACE(backend == StoreBackend::kSqlite ? "sqlite" : "postgres");
    std::unique_ptr<TestStore> t = Filled(backend, ev);
    ASSERT_TRUE(t != nullptr);
    StoreAnalysisSource stream_source(t->store(), StoreAnalysisSource::Mode::kEntryStream);
    StoreAnalysisSource cell_source(t->store(), StoreAnalysisSource::Mode::kInDatabase);
    CountingSource stream(&stream_source), cells(&cell_source);
    std::vector<LiftReportOptions> cases(3);
    cases[0].range = {3 * kDay, 25 * kDay};
    cases[1].range = {0, 40 * kDay};
    cases[1].first_period = 1;
    cases[1].last_period = 2;
    cases[2].range = {0, 40 * kDay};
    cases[2].as_of = 20 * kDay;
    // Nothing mature yet: every cell immature, no shift.
    cases.emplace_back();
    cases[3].range = {0, 40 * kDay};
    cases[3].as_of = 3 * kDay;
    // Trends by period, UTC week and month: the cells (split by day for
    // weeks and months) bucket like the entries; one also as of a time that
    // leaves the last buckets immature.
    for (const TrendBy by : {TrendBy::kPeriod, TrendBy::kWeek, TrendBy::kMonth}) {
      LiftReportOptions& t = cases.emplace_back();
      t.range = {0, 40 * kDay};
      t.trend_by = by;
      if (by == TrendBy::kWeek) t.as_of = 20 * kDay;
    }
    // Segments: the cells of each tier (grouped by attribute set in the
    // database), alone and with weekly trends.
    cases.push_back(cases[0]);
    cases.back().segment_by = "tier";
    cases.push_back(cases[5]);
    cases.back().segment_by = "tier";
    for (const LiftReportOptions& o : cases) {
      absl::StatusOr<LiftReportResult> ra = BuildLiftReport(config, stream, o);
      absl::StatusOr<LiftReportResult> rb = BuildLiftReport(config, cells, o);
      ASSERT_TRUE(ra.ok()) << ra.status();
      ASSERT_TRUE(rb.ok()) << rb.status();
      if (o.as_of > 3 * kDay) {
        EXPECT_GT(ra->rows[0].lift.treatment.entries, 50);
        std::vector<std::string> cart_arms;
        for (const LiftRowResult& row : ra->rows) {
          if (row.journey == "cart" && row.segment.empty()) cart_arms.push_back(row.arm);
        }
        EXPECT_EQ(cart_arms, (std::vector<std::string>{kPooledArm, "A", "B", "Y-old", "Z-old"}));
      }
      EXPECT_FALSE(ra->analysed_in_database);
      EXPECT_TRUE(rb->analysed_in_database);
      rb->analysed_in_database = false;
      LiftProtoContext ctx;
      ctx.range = o.range;
      ctx.cuped = true;
      if (o.trend_by != TrendBy::kNone) {
        ASSERT_EQ(ra->trends.size(), 2u);
        EXPECT_GE(ra->trends[0].points.size(), o.trend_by == TrendBy::kMonth ? 1u : 3u);
      }
      ExpectAgree(ToProto(*ra, ctx), ToProto(*rb, ctx));
    }
    EXPECT_EQ(stream.entry_scans, 9);
    EXPECT_EQ(stream.cell_scans, 0);
    EXPECT_EQ(cells.cell_scans, 9);
    EXPECT_EQ(cells.entry_scans, 0);
    // Horizons are measured in the database too (docs/storage.md, "Horizons
    // in the database"): three horizons of cart (the longest past the
    // range's end, so the last ones are immature for late entries) and one
    // of winback, with the cumulative curve: the whole range, a period
    // window, an as_of that leaves horizons immature, segments, trends.
    AssignmentConfig with_horizons = config;
    with_horizons.journeys[0].horizons_us = {2 * kDay, 7 * kDay, 20 * kDay};
    with_horizons.journeys[1].horizons_us = {10 * kDay + 3600LL * 1000000};
    // Refunds come up to 10 days after their order: with a 2-day refund
    // horizon, some count at a horizon later than their order's.
    with_horizons.journeys[0].refund_horizon_us = 2 * kDay;
    int horizon_rows = 0;
    for (size_t c : {0, 1, 2, 5, 8}) {
      SCOPED_TRACE(absl::StrCat("horizons, case ", c));
      absl::StatusOr<LiftReportResult> ha = BuildLiftReport(with_horizons, stream, cases[c]);
      absl::StatusOr<LiftReportResult> hb = BuildLiftReport(with_horizons, cells, cases[c]);
      ASSERT_TRUE(ha.ok()) << ha.status();
      ASSERT_TRUE(hb.ok()) << hb.status();
      EXPECT_FALSE(ha->analysed_in_database);
      EXPECT_TRUE(hb->analysed_in_database);
      hb->analysed_in_database = false;
      for (const LiftRowResult& row : ha->rows) {
        if (row.journey != "cart" || row.horizons.size() != 3) continue;
        ++horizon_rows;
        EXPECT_GT(row.horizons[0].metrics.size(), 0u);
        EXPECT_FALSE(row.cumulative.empty());
      }
      LiftProtoContext ctx;
      ctx.range = cases[c].range;
      ctx.cuped = true;
      ExpectAgree(ToProto(*ha, ctx), ToProto(*hb, ctx));
    }
    EXPECT_GT(horizon_rows, 10);
    EXPECT_EQ(cells.entry_scans, 0);
  }
}

// A group without sends costs exactly 0 in the database too. The cells carry
// the cost as sums shifted by the first mature entry's (a treated one, with
// a send): shift + (-n shift)/n left ~1e-17 per holdout entry, and the
// contamination warning read "0 sends costing 1.8e-11".
TEST(StoreAgreementTest, AGroupWithoutSendsCostsExactlyZeroInTheDatabase) {
  Events ev;
  for (int unit = 0; unit < 400; ++unit) {
    EntryRow e;
    e.journey = "cart";
    e.unit = absl::StrCat("unit-", 1000 + unit);
    e.t0 = 2 * kDay + unit * 1000000LL;
    // unit-1000, first in unit order, is treated: the shift has a cost.
    e.group = unit % 3 == 1 ? G::kHoldout : G::kTreatment;
    if (e.group == G::kTreatment) e.arm = "A";
    e.config_version = "cfg-agree";
    ev.entries.push_back(e);
    if (e.group == G::kTreatment) {
      ev.sends.push_back({absl::StrCat("s-", unit), e.unit, "cart", "email", e.t0 + 1, 0.1 + 0.01 * (unit % 7)});
    }
  }
  const AssignmentConfig config = Config();
  for (StoreBackend backend : {StoreBackend::kSqlite, StoreBackend::kPostgres}) {
    SCOPED_TRACE(backend == StoreBackend::kSqlite ? "sqlite" : "postgres");
    std::unique_ptr<TestStore> t = Filled(backend, ev);
    ASSERT_TRUE(t != nullptr);
    StoreAnalysisSource cells(t->store(), StoreAnalysisSource::Mode::kInDatabase);
    LiftReportOptions o;
    o.range = {0, 10 * kDay};
    absl::StatusOr<LiftReportResult> r = BuildLiftReport(config, cells, o);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->analysed_in_database);
    ASSERT_FALSE(r->rows.empty());
    for (const LiftRowResult& row : r->rows) {
      if (row.journey != "cart" || row.arm == "B") continue;  // B: no entries
      EXPECT_EQ(row.holdout_sends, 0) << row.arm;
      EXPECT_EQ(row.holdout_send_cost, 0.0) << row.arm;
      EXPECT_GT(row.treatment_sends, 0) << row.arm;
    }
  }
}

// Segments over more distinct attribute sets than kMaxCellAttributeSets (a
// per-customer attribute beside the tier): the store computes no cells and
// the report streams, with the stream's numbers.
TEST(StoreAgreementTest, SegmentsOverTooManyAttributeSetsStream) {
  Events ev = MakeEvents();
  for (size_t i = 0; i < ev.entries.size(); ++i) {
    ev.entries[i].attributes.push_back({"visit", absl::StrCat(i)});
  }
  const AssignmentConfig config = Config();
  for (StoreBackend backend : {StoreBackend::kSqlite, StoreBackend::kPostgres}) {
    SCOPED_TRACE(backend == StoreBackend::kSqlite ? "sqlite" : "postgres");
    std::unique_ptr<TestStore> t = Filled(backend, ev);
    ASSERT_TRUE(t != nullptr);
    StoreAnalysisSource stream_source(t->store(), StoreAnalysisSource::Mode::kEntryStream);
    StoreAnalysisSource cell_source(t->store(), StoreAnalysisSource::Mode::kInDatabase);
    CountingSource stream(&stream_source), cells(&cell_source);
    LiftReportOptions o;
    o.range = {3 * kDay, 25 * kDay};
    o.segment_by = "tier";
    absl::StatusOr<LiftReportResult> ra = BuildLiftReport(config, stream, o);
    absl::StatusOr<LiftReportResult> rb = BuildLiftReport(config, cells, o);
    ASSERT_TRUE(ra.ok()) << ra.status();
    ASSERT_TRUE(rb.ok()) << rb.status();
    EXPECT_FALSE(rb->analysed_in_database);
    EXPECT_EQ(cells.cell_scans, 1);
    EXPECT_EQ(cells.entry_scans, 1);
    LiftProtoContext ctx;
    ctx.range = o.range;
    ctx.cuped = true;
    ExpectAgree(ToProto(*ra, ctx), ToProto(*rb, ctx));
    // Without segments the same store reports from cells.
    o.segment_by.clear();
    absl::StatusOr<LiftReportResult> rc = BuildLiftReport(config, cells, o);
    ASSERT_TRUE(rc.ok()) << rc.status();
    EXPECT_TRUE(rc->analysed_in_database);
  }
}

// A report cancelled mid-scan ends with CANCELLED on either store (the
// check flips after the scan has started, so the store's cursor is left
// mid-way), and the same store then serves the full report: PostgreSQL must
// not pool the connection whose cursor was abandoned.
TEST(StoreAgreementTest, CancelledReportEndsTheScanAndTheStoreStillServes) {
  const Events ev = MakeEvents();
  const AssignmentConfig config = Config();
  for (StoreBackend backend : {StoreBackend::kSqlite, StoreBackend::kPostgres}) {
    SCOPED_TRACE(backend == StoreBackend::kSqlite ? "sqlite" : "postgres");
    std::unique_ptr<TestStore> t = Filled(backend, ev);
    ASSERT_TRUE(t != nullptr);
    StoreAnalysisSource source(t->store());
    LiftReportOptions o;
    o.range = {3 * kDay, 25 * kDay};
    int polls = 0;
    // False at the poll before the scan, true from the first poll inside it.
    o.cancelled = [&polls] { return ++polls > 1; };
    absl::StatusOr<LiftReportResult> cancelled = BuildLiftReport(config, source, o);
    EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
    EXPECT_GE(polls, 2);
    o.cancelled = nullptr;
    absl::StatusOr<LiftReportResult> full = BuildLiftReport(config, source, o);
    ASSERT_TRUE(full.ok()) << full.status();
    EXPECT_GT(full->rows[0].lift.treatment.entries, 100);
  }
}

}  // namespace
}  // namespace holdfast::report
