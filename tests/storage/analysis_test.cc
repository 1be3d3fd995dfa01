// Analysis reads on a small hand-built dataset whose answers are worked out
// by hand below: window edges ([t0, t0 + window) and [t0 - pre, t0)), refunds
// netting their order's revenue, conversions, per-journey sends, segments,
// fixed-cost pro-rating, washout and contamination. The accounting rules in
// full are store_conformance_test.cc's. Runs on every
// Store backend.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/storage/test_store.h"

namespace holdfast {
namespace {

using ::holdfast::testing::AllStoreBackends;
using ::holdfast::testing::StoreBackend;
using ::holdfast::testing::StoreBackendName;
using ::holdfast::testing::TestStore;

constexpr char kCart[] = "cart_abandon";
constexpr char kWinback[] = "winback";

EntryRow Entry(const char* journey, const char* unit, UnixMicros t0, EntryGroup g,
               std::vector<std::pair<std::string, std::string>> attributes = {},
               bool washout = false) {
  EntryRow e;
  e.journey = journey;
  e.unit = unit;
  e.period = t0 / 1000;  // rotation used below: period 1000 us from epoch 0
  e.t0 = t0;
  e.group = g;
  e.arm = g == EntryGroup::kTreatment ? "a" : "";
  e.config_version = "cfg-1";
  e.in_washout = washout;
  e.attributes = std::move(attributes);
  return e;
}

class AnalysisTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestStore>> store = TestStore::Create(GetParam());
    ASSERT_TRUE(store.ok()) << store.status();
    test_store_ = std::move(*store);
    store_ = test_store_->store();
    std::vector<EntryRow> entries = {
        Entry(kCart, "u1", 1000, EntryGroup::kTreatment, {{"segment", "vip"}, {"cc", "DE"}}),
        Entry(kCart, "u2", 1000, EntryGroup::kHoldout, {{"segment", "std"}}),
        Entry(kCart, "u3", 2000, EntryGroup::kTreatment, {}, /*washout=*/true),
        Entry(kCart, "u4", 500, EntryGroup::kTreatment),  // before the range
        Entry(kCart, "u5", 1500, EntryGroup::kGlobalHoldout),
        Entry(kWinback, "u1", 1000, EntryGroup::kTreatment),
    };
    ASSERT_TRUE(store_->RecordEntries(entries).ok());
    using T = OutcomeType;
    std::vector<OutcomeRow> outcomes = {
        // Incentives: only the window's orders' count (the refund keeps it).
        {"u1-before-pre", "u1", 949, T::kOrder, 1000, 100, "", 100},  // t0 - pre - 1: nowhere
        {"u1-pre-edge", "u1", 950, T::kOrder, 5, 1, "", 2},           // t0 - pre: in z
        {"u1-order", "u1", 1000, T::kOrder, 40, 10, "", 4},           // t0: in y, x
        {"u1-refund", "u1", 1050, T::kRefund, 15, 3, "u1-order"},
        {"u1-last-in", "u1", 1099, T::kUnsubscribe, 0, 0, ""},
        {"u1-window-end", "u1", 1100, T::kOrder, 700, 70, "", 70},  // t0 + window: excluded
        {"u2-refund", "u2", 1010, T::kRefund, 20, 4, "unknown-order"},  // orphan
        {"u2-conv-edge", "u2", 1100, T::kConversion, 0, 0, "", 3},      // excluded: x = 0
        {"u2-complaint", "u2", 1099, T::kComplaint, 0, 0, ""},          // last instant in
        {"u3-order", "u3", 2050, T::kConversion, 100, 30, "", 8.5},
    };
    ASSERT_TRUE(store_->RecordOutcomes(outcomes).ok());
    std::vector<SendRow> sends = {
        {"s1", "u1", kCart, "email", 1000, 0.5},
        {"s2", "u1", kCart, "sms", 1099, 0.25},
        {"s3", "u1", kCart, "email", 1100, 9},    // window end: excluded
        {"s4", "u1", kCart, "email", 999, 9},     // before t0: excluded
        {"s5", "u1", kWinback, "push", 1005, 7},  // other journey
        {"s6", "u2", kCart, "email", 1020, 0.5},  // to a holdout: contamination
        {"s7", "u2", kCart, "email", 2500, 4},    // holdout, next period
        {"s8", "u5", kCart, "email", 1600, 1},    // global holdout
    };
    ASSERT_TRUE(store_->RecordSends(sends).ok());
    std::vector<FixedCostRow> costs = {
        {"c1", kCart, 0, 1000, 100, "platform"},    // half inside [500, 3000)
        {"c2", kCart, 2500, 3500, 30, "creative"},  // half inside
        {"c3", kCart, 3000, 4000, 999, "creative"}, // touches the end: none
        {"c4", kWinback, 0, 5000, 50, "platform"},  // other journey
    };
    ASSERT_TRUE(store_->RecordFixedCosts(costs).ok());
  }

  std::vector<AnalysisEntry> Stream(const AnalysisQuery& q) {
    std::vector<AnalysisEntry> rows;
    absl::Status s = store_->ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
      rows.push_back(e);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return rows;
  }

  std::unique_ptr<TestStore> test_store_;
  Store* store_ = nullptr;
};

TEST_P(AnalysisTest, EntryRowsMatchHandComputedWindows) {
  AnalysisQuery q;
  q.journeys = {{kWinback, 10, 0, 0, {}}, {kCart, 100, 50, 0, {}}};
  q.from = 900;
  q.to = 3000;
  q.segment_by = "segment";
  std::vector<AnalysisEntry> rows = Stream(q);
  ASSERT_EQ(rows.size(), 5u);
  // Journeys come in query order.
  EXPECT_EQ(rows[0].journey, kWinback);
  std::map<std::pair<std::string, std::string>, AnalysisEntry> by_key;
  for (const AnalysisEntry& r : rows) by_key[{r.journey, r.unit}] = r;

  const AnalysisEntry& w1 = by_key.at({kWinback, "u1"});
  EXPECT_DOUBLE_EQ(w1.y, 40);  // [1000, 1010): the order only
  EXPECT_DOUBLE_EQ(w1.m, 10);
  EXPECT_EQ(w1.x, 1);
  EXPECT_DOUBLE_EQ(w1.z, 0);  // pre-period 0
  EXPECT_DOUBLE_EQ(w1.c, 7);
  EXPECT_EQ(w1.sends, 1);
  EXPECT_EQ(w1.orders, 1);
  EXPECT_EQ(w1.unsubscribed, 0);  // at 1099, after this window's end 1010
  EXPECT_DOUBLE_EQ(w1.incentive, 4);
  EXPECT_EQ(w1.segment, "");

  const AnalysisEntry& u1 = by_key.at({kCart, "u1"});
  EXPECT_EQ(u1.group, EntryGroup::kTreatment);
  EXPECT_EQ(u1.arm, "a");
  EXPECT_EQ(u1.period, 1);
  EXPECT_EQ(u1.t0, 1000);
  EXPECT_FALSE(u1.in_washout);
  EXPECT_EQ(u1.segment, "vip");
  EXPECT_DOUBLE_EQ(u1.y, 40 - 15 + 0);  // its order's refund netted, 1100 excluded
  EXPECT_DOUBLE_EQ(u1.m, 10 - 3);
  EXPECT_EQ(u1.x, 1);
  EXPECT_DOUBLE_EQ(u1.z, 5);  // 950 in, 949 out
  EXPECT_DOUBLE_EQ(u1.c, 0.75);
  EXPECT_EQ(u1.sends, 2);
  EXPECT_EQ(u1.orders, 1);  // the pre-period order and the one at the window end are out
  EXPECT_EQ(u1.unsubscribed, 1);
  EXPECT_EQ(u1.complained, 0);
  EXPECT_DOUBLE_EQ(u1.incentive, 4);  // refunded in part, the coupon stays spent

  const AnalysisEntry& u2 = by_key.at({kCart, "u2"});
  EXPECT_EQ(u2.group, EntryGroup::kHoldout);
  EXPECT_EQ(u2.segment, "std");
  EXPECT_DOUBLE_EQ(u2.y, 0);  // an orphan refund is never subtracted
  EXPECT_DOUBLE_EQ(u2.m, 0);
  EXPECT_EQ(u2.x, 0);  // a refund is not a conversion; the conversion is at t0 + window
  EXPECT_DOUBLE_EQ(u2.c, 0.5);
  EXPECT_EQ(u2.sends, 1);
  EXPECT_EQ(u2.orders, 0);
  EXPECT_EQ(u2.unsubscribed, 0);
  EXPECT_EQ(u2.complained, 1);
  EXPECT_DOUBLE_EQ(u2.incentive, 0);  // the conversion at the window end is out

  const AnalysisEntry& u3 = by_key.at({kCart, "u3"});
  EXPECT_TRUE(u3.in_washout);
  EXPECT_EQ(u3.segment, "");
  EXPECT_DOUBLE_EQ(u3.y, 100);
  EXPECT_EQ(u3.x, 1);
  EXPECT_EQ(u3.orders, 1);
  EXPECT_DOUBLE_EQ(u3.incentive, 8.5);  // a CONVERSION carries one too
  EXPECT_EQ(u3.sends, 0);
  EXPECT_DOUBLE_EQ(u3.c, 0);

  const AnalysisEntry& u5 = by_key.at({kCart, "u5"});
  EXPECT_EQ(u5.group, EntryGroup::kGlobalHoldout);
  EXPECT_DOUBLE_EQ(u5.y, 0);
  EXPECT_EQ(u5.x, 0);
  EXPECT_EQ(u5.sends, 0);  // the send at 1600 is after u5's window [1500, 1600)

  EXPECT_EQ(by_key.count({kCart, "u4"}), 0u);  // t0 before `from`
}

TEST_P(AnalysisTest, ImmatureEntryHasNoIncentive) {
  AnalysisQuery q;
  q.journeys = {{kCart, 100, 50, 0, {}}};
  q.from = 1000;
  q.to = 1001;
  q.as_of = 1099;  // u1's order and its incentive are stored, its window not over
  bool seen = false;
  for (const AnalysisEntry& e : Stream(q)) {
    if (e.unit != "u1") continue;
    seen = true;
    EXPECT_FALSE(e.mature);
    EXPECT_DOUBLE_EQ(e.incentive, 0);
  }
  EXPECT_TRUE(seen);
}

TEST_P(AnalysisTest, RangeIsHalfOpenOnEntryTime) {
  AnalysisQuery q;
  q.journeys = {{kCart, 100, 50, 0, {}}};
  q.from = 1000;  // includes t0 == 1000
  q.to = 2000;    // excludes t0 == 2000
  std::vector<std::string> units;
  for (const AnalysisEntry& e : Stream(q)) units.push_back(e.unit);
  std::sort(units.begin(), units.end());
  EXPECT_EQ(units, (std::vector<std::string>{"u1", "u2", "u5"}));
}

TEST_P(AnalysisTest, CallbackErrorStopsTheStream) {
  AnalysisQuery q;
  q.journeys = {{kCart, 100, 50, 0, {}}};
  q.from = 0;
  q.to = 10000;
  int calls = 0;
  absl::Status s = store_->ForEachAnalysisEntry(q, [&](const AnalysisEntry&) {
    ++calls;
    return absl::CancelledError("enough");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST_P(AnalysisTest, RejectsMalformedQueries) {
  AnalysisQuery q;
  q.journeys = {{kCart, -1, 0, 0, {}}};
  q.to = 10;
  EXPECT_EQ(store_->ForEachAnalysisEntry(q, [](const AnalysisEntry&) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kInvalidArgument);
  q.journeys = {{kCart, 1, 0, 0, {}}, {kCart, 2, 0, 0, {}}};
  EXPECT_EQ(store_->ForEachAnalysisEntry(q, [](const AnalysisEntry&) { return absl::OkStatus(); })
                .code(),
            absl::StatusCode::kInvalidArgument);
  JourneyDiagnosticsQuery d;
  d.journey = kCart;
  d.from = 10;
  d.to = 5;
  EXPECT_EQ(store_->GetJourneyDiagnostics(d).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(AnalysisTest, DiagnosticsProRateFixedCostAndCountContamination) {
  JourneyDiagnosticsQuery q;
  q.journey = kCart;
  q.from = 500;
  q.to = 3000;
  // No rotation: a holdout entry's period is all time.
  absl::StatusOr<JourneyDiagnostics> d = store_->GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_DOUBLE_EQ(d->fixed_cost, 100 * 0.5 + 30 * 0.5);
  EXPECT_EQ(d->entries, 5);  // u1..u5 (u4 at 500 is inside [500, 3000))
  EXPECT_EQ(d->washout_entries, 1);
  EXPECT_EQ(d->contaminated_entries, 2);  // u2 (holdout), u5 (global holdout)
  EXPECT_EQ(d->contaminated_sends, 3);    // s6, s7, s8
  EXPECT_DOUBLE_EQ(d->contaminated_cost, 0.5 + 4 + 1);

  // Rotation of 1000 us from epoch 0: u2's entry is period 1 = [1000, 2000),
  // so s7 at 2500 belongs to another period and is not counted.
  q.period_us = 1000;
  q.epoch_us = 0;
  d = store_->GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->contaminated_entries, 2);
  EXPECT_EQ(d->contaminated_sends, 2);
  EXPECT_DOUBLE_EQ(d->contaminated_cost, 1.5);

  // A range cutting a cost at a fraction: c1 [0, 1000) over [250, 1000) = 3/4.
  q.from = 250;
  q.to = 1000;
  d = store_->GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->fixed_cost, 75);
  EXPECT_EQ(d->entries, 1);  // u4 only

  JourneyDiagnosticsQuery w;
  w.journey = kWinback;
  w.from = 0;
  w.to = 10000;  // covers all of c4
  d = store_->GetJourneyDiagnostics(w);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->fixed_cost, 50);
  EXPECT_EQ(d->contaminated_sends, 0);
}

// The program population itself is tested by hand in
// tests/report/program_store_test.cc; here the fixed costs of every journey.
TEST_P(AnalysisTest, SumFixedCostsCoversEveryJourneyProRated) {
  // [500, 3000): c1 half (50), c2 half (15), c3 none, c4 2500/5000 (25).
  absl::StatusOr<double> f = store_->SumFixedCosts(500, 3000);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_DOUBLE_EQ(*f, 50 + 15 + 25);
  f = store_->SumFixedCosts(6000, 7000);
  ASSERT_TRUE(f.ok());
  EXPECT_DOUBLE_EQ(*f, 0);
  EXPECT_EQ(store_->SumFixedCosts(10, 5).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(AnalysisTest, OrphanRefundsCountedInRange) {
  absl::StatusOr<int64_t> n = store_->CountOrphanRefunds(0, 5000);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);  // u2's refund of an unknown order; u1's refund has its order
  n = store_->CountOrphanRefunds(1011, 5000);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, AnalysisTest, AllStoreBackends(), StoreBackendName);

}  // namespace
}  // namespace holdfast
