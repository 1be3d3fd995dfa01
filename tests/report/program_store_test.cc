// The program report over the real stores (SQLite and PostgreSQL, through
// StoreAnalysisSource), by
// hand: a population fixed before each global period starts, customers first
// seen mid-period left out, outcomes by their own time (refunds included),
// the cost of every send and fixed cost of the period, rotation of the global
// holdout across periods, as_of. Then the store's SQL against the in-memory
// source's independent implementation of the same rule on random data.
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/assign/assigner.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/program_report.h"
#include "lib/report/store_analysis_source.h"
#include "tests/storage/test_store.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;
// Period 0 starts here (the store accepts times from 1970 on only).
constexpr int64_t kT0 = 100 * kDay;
constexpr int64_t D(int64_t days) { return kT0 + days * kDay; }

AssignmentConfig RotatingConfig(const std::string& seed = "global-test") {
  AssignmentConfig config;
  config.version = "cfg-1";
  config.global_holdout.share_ppm = 500000;  // 50 %
  config.global_holdout.seed = seed;
  config.global_holdout.rotation.scheme = RotationScheme::kResalt;
  config.global_holdout.rotation.period_us = 10 * kDay;
  config.global_holdout.rotation.epoch_us = kT0;
  JourneySpec j;
  j.id = "cart";
  config.journeys = {j};
  return config;
}

// The first unit name "<prefix><i>" whose global-holdout membership in
// periods 0 and 1 is (held0, held1).
std::string FindUnit(const HoldoutSpec& spec, const std::string& prefix, bool held0, bool held1) {
  for (int i = 0;; ++i) {
    const std::string u = prefix + std::to_string(i);
    if (InHoldout(spec, u, 0) == held0 && InHoldout(spec, u, 1) == held1) return u;
  }
}

using holdfast::testing::AllStoreBackends;
using holdfast::testing::StoreBackend;
using holdfast::testing::StoreBackendName;
using holdfast::testing::TestStore;

class ProgramStoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    auto store = TestStore::Create(GetParam());
    ASSERT_TRUE(store.ok()) << store.status();
    test_store_ = std::move(*store);
    store_ = test_store_->store();
    const HoldoutSpec& g = RotatingConfig().global_holdout;
    a_ = FindUnit(g, "a", false, true);  // exposed in period 0, held out in period 1
    b_ = FindUnit(g, "b", true, false);  // held out, then exposed
    c_ = FindUnit(g, "c", false, false);
    d_ = FindUnit(g, "d", true, true);
    e_ = FindUnit(g, "e", false, false);
    f_ = FindUnit(g, "f", false, false);
    using T = OutcomeType;
    // Known before period 0: a (roster), b (an order before it), c (an entry).
    // d's roster first_seen is exactly the start of period 0: not before it.
    // e is first seen through a send mid period 0, f in the roster mid period 1.
    const std::vector<CustomerRow> roster = {{a_, D(-5)}, {d_, D(0)}, {f_, D(12)}};
    ASSERT_TRUE(store_->RecordCustomers(roster).ok());
    EntryRow entry;
    entry.journey = "cart";
    entry.unit = c_;
    entry.t0 = D(-2);
    entry.config_version = "cfg-1";
    ASSERT_TRUE(store_->RecordEntries(std::vector<EntryRow>{entry}).ok());
    const std::vector<OutcomeRow> outcomes = {
        {"a-o1", a_, D(2), T::kOrder, 100, 30, ""},
        {"a-r1", a_, D(12), T::kRefund, 30, 9, "a-o1"},  // refund counts by its own time
        {"a-o2", a_, D(15), T::kOrder, 50, 15, ""},
        {"a-o3", a_, D(20), T::kOrder, 999, 99, ""},      // at the end of the range: out
        {"b-o0", b_, D(-1), T::kOrder, 10, 3, ""},        // before every span
        {"b-o1", b_, D(5), T::kOrder, 40, 12, ""},
        {"c-x1", c_, D(3), T::kConversion, 0, 0, ""},
        {"c-o1", c_, D(19), T::kOrder, 70, 21, ""},
        {"d-o1", d_, D(6), T::kOrder, 20, 6, ""},         // d not yet in the population
        {"d-o2", d_, D(16), T::kOrder, 5, 1.5, ""},
        {"e-o1", e_, D(14), T::kOrder, 8, 2.4, ""},
        {"f-o1", f_, D(13), T::kOrder, 1000, 300, ""},    // f joined period 1: out
        {"f-u1", f_, D(14), T::kUnsubscribe, 0, 0, ""},
    };
    ASSERT_TRUE(store_->RecordOutcomes(outcomes).ok());
    const std::vector<SendRow> sends = {
        {"s1", a_, "cart", "email", D(1), 1.0},
        {"s2", a_, "winback", "email", D(11), 2.0},  // a is held out in period 1
        {"s3", b_, "cart", "sms", D(13), 0.5},
        {"s4", c_, "winback", "email", D(4), 1.5},
        {"s5", d_, "cart", "email", D(7), 0.25},     // d joined period 0
        {"s6", e_, "cart", "email", D(3), 0.75},     // e's first event
    };
    ASSERT_TRUE(store_->RecordSends(sends).ok());
    // 20 per period for cart; the other journey (not configured any more)
    // spends 10 over [5d, 15d): 5 in each period.
    const std::vector<FixedCostRow> costs = {{"f1", "cart", D(0), D(20), 40.0, "platform"},
                                             {"f2", "old", D(5), D(15), 10.0, "creative"}};
    ASSERT_TRUE(store_->RecordFixedCosts(costs).ok());
  }

  absl::StatusOr<ProgramReportResult> Build(const AssignmentConfig& config, ProgramReportOptions o) {
    StoreAnalysisSource source(store_);
    return BuildProgramReport(config, source, o);
  }

  static ProgramReportOptions Range(int64_t from, int64_t to, int64_t as_of) {
    ProgramReportOptions o;
    o.range = {from, to};
    o.as_of = as_of;
    return o;
  }

  std::unique_ptr<TestStore> test_store_;
  Store* store_ = nullptr;
  std::string a_, b_, c_, d_, e_, f_;
};

TEST_P(ProgramStoreTest, PerPeriodPopulationsOutcomesAndCostsByHand) {
  absl::StatusOr<ProgramReportResult> r = Build(RotatingConfig(), Range(D(0), D(20), D(20)));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_TRUE(r->unfinished_periods.empty());

  // Period 0: exposed a (100, cost 1) and c (0, converted, cost 1.5); held b (40).
  // d and e were first seen during the period: left out, their sends too.
  const ProgramRowResult& p0 = r->rows[1];
  EXPECT_EQ(p0.period, 0);
  EXPECT_EQ(p0.span.from, D(0));
  EXPECT_EQ(p0.span.to, D(10));
  EXPECT_EQ(p0.config_version, "cfg-1");
  EXPECT_EQ(p0.lift.treatment.entries, 2);
  EXPECT_EQ(p0.lift.holdout.entries, 1);
  EXPECT_DOUBLE_EQ(p0.lift.treatment.total_revenue, 100.0);
  EXPECT_DOUBLE_EQ(p0.lift.treatment.total_margin, 30.0);
  EXPECT_DOUBLE_EQ(p0.lift.treatment.conversions, 2.0);
  EXPECT_DOUBLE_EQ(p0.lift.holdout.total_revenue, 40.0);
  EXPECT_NEAR(p0.lift.revenue_per_entry_lift.value, 10.0, 1e-12);
  EXPECT_NEAR(p0.lift.incremental_revenue.value, 20.0, 1e-12);
  EXPECT_DOUBLE_EQ(p0.fixed_cost, 25.0);
  EXPECT_DOUBLE_EQ(p0.lift.treatment_cost, 27.5);
  // One held-out customer has no variance: the interval estimates are
  // undefined here (their values are checked on period 1 and pooled).
  EXPECT_FALSE(p0.lift.iroas.defined);
  EXPECT_EQ(p0.exposed_sends, 2);
  EXPECT_EQ(p0.holdout_sends, 0);
  EXPECT_EQ(p0.joined_units, 2);
  EXPECT_EQ(p0.joined_sends, 2);
  EXPECT_DOUBLE_EQ(p0.joined_send_cost, 1.0);
  EXPECT_EQ(p0.all_sends, 4);
  EXPECT_DOUBLE_EQ(p0.total_cost, 28.5);
  EXPECT_DOUBLE_EQ(p0.lift_all_sends.treatment_cost, 28.5);

  // Period 1: a and d held out (a: refund -30 of its period-0 order plus a
  // new order of 50; a's send of 2 is contamination), b, c, e exposed.
  const ProgramRowResult& p1 = r->rows[2];
  EXPECT_EQ(p1.period, 1);
  EXPECT_EQ(p1.lift.treatment.entries, 3);
  EXPECT_EQ(p1.lift.holdout.entries, 2);
  EXPECT_DOUBLE_EQ(p1.lift.holdout.total_revenue, 25.0);
  EXPECT_DOUBLE_EQ(p1.lift.holdout.total_margin, -9.0 + 15.0 + 1.5);
  EXPECT_DOUBLE_EQ(p1.lift.treatment.total_revenue, 78.0);
  EXPECT_NEAR(p1.lift.revenue_per_entry_lift.value, 26.0 - 12.5, 1e-12);
  EXPECT_DOUBLE_EQ(p1.lift.treatment_cost, 25.5);
  EXPECT_EQ(p1.holdout_sends, 1);
  EXPECT_DOUBLE_EQ(p1.holdout_send_cost, 2.0);
  EXPECT_EQ(p1.joined_units, 1);  // f, whose 1000 order is left out
  EXPECT_DOUBLE_EQ(p1.total_cost, 27.5);
  EXPECT_NEAR(p1.lift.iroas.value, 3 * 13.5 / 25.5, 1e-12);
  EXPECT_NEAR(p1.lift_all_sends.iroas.value, 3 * 13.5 / 27.5, 1e-12);

  // Pooled: exposed {100, 0, 0, 70, 8}, held {40, 20, 5}.
  const ProgramRowResult& all = r->rows[0];
  EXPECT_EQ(all.period, kAllPeriods);
  EXPECT_EQ(all.lift.treatment.entries, 5);
  EXPECT_EQ(all.lift.holdout.entries, 3);
  EXPECT_NEAR(all.lift.revenue_per_entry_lift.value, 178.0 / 5 - 65.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(all.fixed_cost, 50.0);
  EXPECT_DOUBLE_EQ(all.lift.treatment_cost, 53.0);
  EXPECT_NEAR(all.lift.iroas.value, 5 * (178.0 / 5 - 65.0 / 3) / 53.0, 1e-12);
  EXPECT_EQ(all.joined_units, 3);

  bool contamination = false, joined = false;
  for (const ReportWarning& w : r->warnings) {
    contamination |= w.kind == WarningKind::kContamination && w.severity == Severity::kCritical;
    joined |= w.kind == WarningKind::kProgramJoinedExcluded;
  }
  EXPECT_TRUE(contamination);
  EXPECT_TRUE(joined);
}

TEST_P(ProgramStoreTest, AsOfLeavesOutUnfinishedPeriodsAndLaterEvents) {
  // Period 1 is still running at day 15: only period 0 is reported.
  absl::StatusOr<ProgramReportResult> r = Build(RotatingConfig(), Range(D(0), D(20), D(15)));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[1].period, 0);
  EXPECT_EQ(r->unfinished_periods, std::vector<int64_t>{1});
  EXPECT_NEAR(r->rows[0].lift.revenue_per_entry_lift.value, 10.0, 1e-12);
  // A period clipped by the range is measured inside it: [12d, 20d).
  r = Build(RotatingConfig(), Range(D(12), D(20), D(30)));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[1].span.from, D(12));
  // a: the refund at 12d counts, the order at 15d too; d: 5.
  EXPECT_DOUBLE_EQ(r->rows[1].lift.holdout.total_revenue, 25.0);
  EXPECT_DOUBLE_EQ(r->rows[1].fixed_cost, 16.0 + 3.0);
}

TEST_P(ProgramStoreTest, WithoutRotationThePopulationIsKnownBeforeFrom) {
  AssignmentConfig config = RotatingConfig();
  config.global_holdout.rotation = RotationSpec{};
  // Range [10d, 30d) at as_of 15d: measured over [10d, 15d).
  absl::StatusOr<ProgramReportResult> r = Build(config, Range(D(10), D(30), D(15)));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);
  const ProgramRowResult& row = r->rows[1];
  EXPECT_EQ(row.span.to, D(15));
  EXPECT_EQ(row.lift.treatment.entries + row.lift.holdout.entries, 5);  // a..e
  EXPECT_EQ(row.joined_units, 1);                                       // f
  double revenue = row.lift.treatment.total_revenue + row.lift.holdout.total_revenue;
  EXPECT_DOUBLE_EQ(revenue, -30.0 + 8.0);  // a's refund, e's order; a's 15d order is not before as_of
  EXPECT_DOUBLE_EQ(row.fixed_cost, 10.0 + 5.0);
  bool cut = false;
  for (const ReportWarning& w : r->warnings) cut |= w.kind == WarningKind::kUnfinishedPeriod;
  EXPECT_TRUE(cut);
  // Without rotation `from` is required: the population is known before it.
  EXPECT_EQ(Build(config, Range(kMinTimeMicros, D(30), D(15))).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ProgramStoreTest, EachPeriodIsGroupedByTheConfigInForceAtItsStart) {
  auto later = std::make_shared<AssignmentConfig>(RotatingConfig("global-reseeded"));
  later->version = "cfg-2";
  ProgramReportOptions o = Range(D(0), D(20), D(20));
  o.config_at = [&](UnixMicros t) -> std::shared_ptr<const AssignmentConfig> {
    return t >= D(10) ? later : nullptr;
  };
  absl::StatusOr<ProgramReportResult> r = Build(RotatingConfig(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].config_version, "");  // pooled over two versions
  EXPECT_EQ(r->rows[1].config_version, "cfg-1");
  EXPECT_EQ(r->rows[2].config_version, "cfg-2");
  int64_t held = 0;
  for (const std::string& u : {a_, b_, c_, d_, e_}) held += InHoldout(later->global_holdout, u, 1);
  EXPECT_EQ(r->rows[2].lift.holdout.entries, held);
  EXPECT_EQ(r->rows[2].lift.treatment.entries, 5 - held);
}

// The SQL and the in-memory source implement the same population rule
// independently; on random data they must stream identical rows.
class ProgramConformanceTest : public ::testing::TestWithParam<StoreBackend> {};

TEST_P(ProgramConformanceTest, StoreMatchesInMemoryOnRandomData) {
  auto opened = TestStore::Create(GetParam());
  ASSERT_TRUE(opened.ok()) << opened.status();
  Store* store = (*opened)->store();
  InMemoryAnalysisSource memory;
  std::mt19937_64 rng(7);
  auto time = [&] { return D(-10) + static_cast<int64_t>(rng() % (40 * kDay)); };
  std::vector<CustomerRow> customers;
  std::vector<EntryRow> entries;
  std::vector<SendRow> sends;
  std::vector<OutcomeRow> outcomes;
  std::set<std::string> rostered;
  for (int i = 0; i < 300; ++i) {
    const std::string u = "u" + std::to_string(rng() % 200);
    switch (rng() % 4) {
      case 0: {
        const int64_t t = time();
        customers.push_back({u, t});
        // The store keeps a unit's first roster row only.
        if (rostered.insert(u).second) memory.AddCustomer({u, t});
        break;
      }
      case 1: {
        EntryRow e;
        e.journey = "cart";
        e.unit = u;
        e.period = i;  // distinct keys
        e.t0 = time();
        e.config_version = "v";
        entries.push_back(e);
        StoredEntry s;
        s.journey = "cart";
        s.unit = u;
        s.t0 = e.t0;
        memory.AddEntry(s);
        break;
      }
      case 2: {
        const double cost = static_cast<double>(rng() % 100) / 8;
        const int64_t t = time();
        sends.push_back({"s" + std::to_string(i), u, "cart", "email", t, cost});
        memory.AddProgramSend({u, t, cost});
        break;
      }
      default: {
        const int type = 1 + static_cast<int>(rng() % 4);
        const double revenue = static_cast<double>(rng() % 1000) / 4;
        const int64_t t = time();
        const bool refund = type == 3;
        outcomes.push_back({"o" + std::to_string(i), u, t, static_cast<OutcomeType>(type), revenue,
                            revenue / 2, refund ? "somewhere" : ""});
        memory.AddProgramOutcome({u, t, type == 1 || type == 2, refund ? -revenue : revenue,
                                  refund ? -revenue / 2 : revenue / 2});
        break;
      }
    }
  }
  // Only the first roster row of a unit is stored (first write wins).
  ASSERT_TRUE(store->RecordCustomers(customers).ok());
  ASSERT_TRUE(store->RecordEntries(entries).ok());
  ASSERT_TRUE(store->RecordSends(sends).ok());
  ASSERT_TRUE(store->RecordOutcomes(outcomes).ok());
  StoreAnalysisSource sql(store);
  for (const auto& [from, to] : std::vector<std::pair<int64_t, int64_t>>{
           {D(0), D(10)}, {D(5), D(25)}, {D(-10), D(30)}, {D(3), D(3)}}) {
    std::map<std::string, ProgramUnitRow> want, got;
    ASSERT_TRUE(memory.ForEachProgramUnit({from, to}, [&](const ProgramUnitRow& r) { want[r.unit] = r; }).ok());
    ASSERT_TRUE(sql.ForEachProgramUnit({from, to}, [&](const ProgramUnitRow& r) { got[r.unit] = r; }).ok());
    ASSERT_EQ(got.size(), want.size()) << from << " " << to;
    for (const auto& [unit, w] : want) {
      const ProgramUnitRow& g = got[unit];
      EXPECT_EQ(g.first_seen, w.first_seen) << unit;
      EXPECT_NEAR(g.y, w.y, 1e-9) << unit;
      EXPECT_NEAR(g.m, w.m, 1e-9) << unit;
      EXPECT_EQ(g.x, w.x) << unit;
      EXPECT_NEAR(g.c, w.c, 1e-9) << unit;
      EXPECT_EQ(g.sends, w.sends) << unit;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ProgramStoreTest, AllStoreBackends(), StoreBackendName);
INSTANTIATE_TEST_SUITE_P(Stores, ProgramConformanceTest, AllStoreBackends(), StoreBackendName);

}  // namespace
}  // namespace holdfast::report
