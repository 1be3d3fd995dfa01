// The Store conformance suite (store_conformance.h): the write contract and
// every per-entry accounting rule of docs/storage.md on small cases whose
// answers are worked out by hand in the comments. Times are microseconds;
// journey "j" has window W = 100, refund horizon H = 50, pre-period P = 30
// unless a case says otherwise.
#include "tests/storage/store_conformance.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gmock/gmock.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/time_util.h"
#include "lib/storage/analysis_sql.h"
#include "tests/storage/temp_dir.h"

namespace holdfast::testing {
namespace {

constexpr char kJ[] = "j";
constexpr int64_t kW = 100;
constexpr int64_t kH = 50;
constexpr int64_t kP = 30;

EntryRow Entry(const std::string& unit, int64_t period, UnixMicros t0,
               EntryGroup g = EntryGroup::kTreatment, const std::string& version = "v1") {
  EntryRow e;
  e.journey = kJ;
  e.unit = unit;
  e.period = period;
  e.t0 = t0;
  e.group = g;
  e.arm = g == EntryGroup::kTreatment ? "a" : "";
  e.config_version = version;
  return e;
}
OutcomeRow Order(const std::string& id, const std::string& unit, UnixMicros at, double revenue,
                 double margin) {
  return {id, unit, at, OutcomeType::kOrder, revenue, margin, ""};
}
OutcomeRow Refund(const std::string& id, const std::string& unit, UnixMicros at, double revenue,
                  double margin, const std::string& order) {
  return {id, unit, at, OutcomeType::kRefund, revenue, margin, order};
}
SendRow Send(const std::string& id, const std::string& unit, UnixMicros at, double cost) {
  return {id, unit, kJ, "email", at, cost};
}

class Fixture {
 public:
  explicit Fixture(const StoreFactory& f) {
    absl::StatusOr<std::unique_ptr<Store>> s = f.make(dir_.path());
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) store_ = std::move(*s);
  }
  Store& store() { return *store_; }
  bool ok() const { return store_ != nullptr; }

  // Streams journey j with the default windows (version "v1" known with
  // them) plus `versions`, and returns the entries by (unit, period).
  std::map<std::pair<std::string, int64_t>, AnalysisEntry> Read(
      UnixMicros as_of, std::vector<VersionWindow> versions = {{"v1", kW, kP, kH}},
      UnixMicros from = 0, UnixMicros to = 1000000, int64_t max_horizon = 0) {
    AnalysisQuery q;
    q.journeys = {{kJ, kW, kP, kH, std::move(versions), max_horizon}};
    q.from = from;
    q.to = to;
    q.as_of = as_of;
    std::map<std::pair<std::string, int64_t>, AnalysisEntry> out;
    absl::Status s = store_->ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
      EXPECT_TRUE(out.emplace(std::make_pair(e.unit, e.period), e).second) << e.unit;
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

#define HF_FIXTURE(name)        \
  Fixture name(GetParam());     \
  ASSERT_TRUE(name.ok())

// ------------------------------------------------------------ write contract

TEST_P(StoreConformanceTest, EntriesAreIdempotentAndTheFirstWriteWins) {
  HF_FIXTURE(f);
  std::vector<EntryRow> first = {Entry("u1", 1, 1000), Entry("u1", 1, 1005, EntryGroup::kHoldout)};
  absl::StatusOr<EntryWriteResult> r = f.store().RecordEntries(first);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->summary.inserted, 1);
  EXPECT_EQ(r->summary.duplicates, 1);
  EXPECT_EQ(r->inserted, (std::vector<bool>{true, false}));
  std::vector<EntryRow> again = {Entry("u1", 1, 1010, EntryGroup::kHoldout), Entry("u2", 1, 1000)};
  r = f.store().RecordEntries(again);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->inserted, (std::vector<bool>{false, true}));
  auto rows = f.Read(1000000);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at({"u1", 1}).group, EntryGroup::kTreatment);
  EXPECT_EQ(rows.at({"u1", 1}).t0, 1000);
}

// Config history: appended, never keyed (the same version twice is two
// loads), listed newest first with every field — the replica that loaded it
// included, so replicas sharing a store can be told apart.
TEST_P(StoreConformanceTest, ConfigHistoryIsListedNewestFirstWithItsReplica) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store().AppendConfigVersion({"cfg-a", 100, "/etc/a", "initial", "content a", "r1"}).ok());
  ASSERT_TRUE(f.store().AppendConfigVersion({"cfg-a", 150, "/etc/a", "initial", "content a", "r2"}).ok());
  ASSERT_TRUE(f.store().AppendConfigVersion({"cfg-b", 200, "/etc/b", "changed", "content b", "r2"}).ok());
  absl::StatusOr<std::vector<ConfigVersionRow>> h = f.store().ListConfigVersions(2);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].version, "cfg-b");
  EXPECT_EQ((*h)[0].replica, "r2");
  EXPECT_EQ((*h)[0].content, "content b");
  EXPECT_EQ((*h)[1].loaded_at, 150);
  EXPECT_EQ((*h)[1].replica, "r2");
  h = f.store().ListConfigVersions(10);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[2].replica, "r1");
  EXPECT_EQ((*h)[2].source_path, "/etc/a");
  EXPECT_EQ((*h)[2].diff_summary, "initial");
  ConfigVersionRow too_long{"cfg-c", 300, "/etc/c", "", "", std::string(257, 'r')};
  EXPECT_EQ(f.store().AppendConfigVersion(too_long).code(), absl::StatusCode::kInvalidArgument);
}

// Paged scans (store copy): every row comes back as stored, in byte order
// of the key whatever the database's collation ("Z" < "a" < "é"), periods
// as integers (2 < 10), each page continuing after the previous one's last
// key, and an empty page at the end.
template <typename Row, typename Key, typename Scan, typename KeyOf>
std::vector<Row> ScanAll(Scan&& scan, KeyOf&& key_of, int limit) {
  std::vector<Row> all;
  std::optional<Key> after;
  for (int page = 0; page < 100; ++page) {
    absl::StatusOr<std::vector<Row>> rows = scan(after, limit);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) break;
    EXPECT_LE(rows->size(), static_cast<size_t>(limit));
    after = key_of(rows->back());
    all.insert(all.end(), rows->begin(), rows->end());
  }
  return all;
}

TEST_P(StoreConformanceTest, ScansReturnEveryRowVerbatimInKeyOrder) {
  HF_FIXTURE(f);
  Store& s = f.store();
  EntryRow e1 = Entry("a", 10, 500, EntryGroup::kHoldout, "v2");
  e1.in_washout = true;
  e1.attributes = {{"tier", "vip:1"}, {"region", ""}};
  EntryRow e2 = Entry("a", 2, 400);
  EntryRow e3 = Entry("Z", 1, 300, EntryGroup::kGlobalHoldout);
  EntryRow e4 = Entry("\xc3\xa9t\xc3\xa9", 0, 200);
  EntryRow e5 = Entry("a", 2, 100);
  e5.journey = "i";
  ASSERT_TRUE(s.RecordEntries({e1, e2, e3, e4, e5}).ok());
  ASSERT_TRUE(s.RecordSends({Send("s2", "a", 10, 0.1), Send("S1", "Z", 20, 1e-7),
                             {"s10", "a", "i", "sms", 30, 0}})
                  .ok());
  ASSERT_TRUE(s.RecordOutcomes({Order("o1", "a", 10, 12.25, 3.5), Refund("r1", "a", 20, 5, 1, "o1"),
                                {"c1", "Z", 5, OutcomeType::kConversion, 0, 0, ""}})
                  .ok());
  ASSERT_TRUE(s.RecordFixedCosts({{"f2", "j", 0, 100, 9.5, "platform"}, {"f1", "i", 5, 6, 1, ""}}).ok());
  ASSERT_TRUE(s.RecordCustomers({{"b", 7}, {"a", 3}, {"Z", 9}}).ok());

  for (int limit : {1, 2, 1000}) {
    SCOPED_TRACE(limit);
    auto entries = ScanAll<EntryRow, EntryKey>(
        [&](const auto& after, int n) { return s.ScanEntries(after, n); },
        [](const EntryRow& r) { return EntryKey{r.journey, r.unit, r.period}; }, limit);
    ASSERT_EQ(entries.size(), 5u);
    // (i,a,2) < (j,Z,1) < (j,a,2) < (j,a,10) < (j,été,0)
    EXPECT_EQ(entries[0].journey, "i");
    EXPECT_EQ(entries[0].t0, 100);
    EXPECT_EQ(entries[1].unit, "Z");
    EXPECT_EQ(entries[1].group, EntryGroup::kGlobalHoldout);
    EXPECT_EQ(entries[1].arm, "");
    EXPECT_EQ(entries[2].period, 2);
    EXPECT_EQ(entries[2].arm, "a");
    EXPECT_EQ(entries[3].period, 10);
    EXPECT_EQ(entries[3].group, EntryGroup::kHoldout);
    EXPECT_EQ(entries[3].config_version, "v2");
    EXPECT_TRUE(entries[3].in_washout);
    EXPECT_FALSE(entries[2].in_washout);
    EXPECT_EQ(entries[3].attributes, e1.attributes);
    EXPECT_TRUE(entries[2].attributes.empty());
    EXPECT_EQ(entries[4].unit, e4.unit);

    auto sends = ScanAll<SendRow, std::string>(
        [&](const auto& after, int n) { return s.ScanSends(after, n); },
        [](const SendRow& r) { return r.send_id; }, limit);
    ASSERT_EQ(sends.size(), 3u);
    EXPECT_EQ(sends[0].send_id, "S1");
    EXPECT_EQ(sends[0].cost, 1e-7);  // exact: doubles round-trip
    EXPECT_EQ(sends[1].send_id, "s10");
    EXPECT_EQ(sends[1].journey, "i");
    EXPECT_EQ(sends[1].channel, "sms");
    EXPECT_EQ(sends[2].cost, 0.1);
    EXPECT_EQ(sends[2].at, 10);

    auto outcomes = ScanAll<OutcomeRow, std::string>(
        [&](const auto& after, int n) { return s.ScanOutcomes(after, n); },
        [](const OutcomeRow& r) { return r.outcome_id; }, limit);
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(outcomes[0].outcome_id, "c1");
    EXPECT_EQ(outcomes[0].type, OutcomeType::kConversion);
    EXPECT_EQ(outcomes[1].revenue, 12.25);
    EXPECT_EQ(outcomes[1].margin, 3.5);
    EXPECT_EQ(outcomes[2].type, OutcomeType::kRefund);
    EXPECT_EQ(outcomes[2].revenue, -5);  // as stored: negative
    EXPECT_EQ(outcomes[2].margin, -1);
    EXPECT_EQ(outcomes[2].order_id, "o1");

    auto costs = ScanAll<FixedCostRow, std::string>(
        [&](const auto& after, int n) { return s.ScanFixedCosts(after, n); },
        [](const FixedCostRow& r) { return r.cost_id; }, limit);
    ASSERT_EQ(costs.size(), 2u);
    EXPECT_EQ(costs[0].cost_id, "f1");
    EXPECT_EQ(costs[0].category, "");
    EXPECT_EQ(costs[1].journey, "j");
    EXPECT_EQ(costs[1].start, 0);
    EXPECT_EQ(costs[1].end, 100);
    EXPECT_EQ(costs[1].amount, 9.5);
    EXPECT_EQ(costs[1].category, "platform");

    auto customers = ScanAll<CustomerRow, std::string>(
        [&](const auto& after, int n) { return s.ScanCustomers(after, n); },
        [](const CustomerRow& r) { return r.unit; }, limit);
    ASSERT_EQ(customers.size(), 3u);
    EXPECT_EQ(customers[0].unit, "Z");
    EXPECT_EQ(customers[0].first_seen, 9);
    EXPECT_EQ(customers[2].unit, "b");
  }
  // A scan past the last key is empty; a bad limit is refused.
  absl::StatusOr<std::vector<SendRow>> past = s.ScanSends(std::string("t"), 10);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_TRUE(past->empty());
  EXPECT_EQ(s.ScanSends(std::nullopt, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ScanEntries(std::nullopt, -1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, EventsAreIdempotentAndTheFirstWriteWins) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000)}).ok());
  std::vector<OutcomeRow> o = {Order("o1", "u1", 1010, 40, 10), Order("o1", "u1", 1020, 999, 99)};
  absl::StatusOr<WriteSummary> s = f.store().RecordOutcomes(o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->inserted, 1);
  EXPECT_EQ(s->duplicates, 1);
  std::vector<SendRow> sends = {Send("s1", "u1", 1001, 0.5)};
  ASSERT_TRUE(f.store().RecordSends(sends).ok());
  s = f.store().RecordSends(sends);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->duplicates, 1);
  std::vector<FixedCostRow> costs = {{"c1", kJ, 0, 10, 5, "fee"}};
  ASSERT_TRUE(f.store().RecordFixedCosts(costs).ok());
  s = f.store().RecordFixedCosts(costs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->duplicates, 1);
  const AnalysisEntry e = f.Read(1000000).at({"u1", 1});
  EXPECT_DOUBLE_EQ(e.y, 40);  // the first o1, not 999
  EXPECT_DOUBLE_EQ(e.c, 0.5);
  EXPECT_EQ(e.sends, 1);
}

TEST_P(StoreConformanceTest, BatchIsAtomicAndTheFirstBadRecordIsNamed) {
  HF_FIXTURE(f);
  std::vector<SendRow> sends = {Send("s1", "u1", 1001, 0.5), Send("s2", "u1", 1002, 0.5),
                                Send("s3", "", 1003, 0.5), Send("s4", "u1", 1004, -1)};
  absl::StatusOr<WriteSummary> s = f.store().RecordSends(sends);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(s.status().message(), "[2]")) << s.status();
  std::vector<OutcomeRow> outcomes = {Order("o1", "u1", 1010, 40, 10),
                                      Order("o2", "u1", 1011, std::nan(""), 1)};
  EXPECT_TRUE(absl::StrContains(f.store().RecordOutcomes(outcomes).status().message(), "[1]"));
  // An incentive only on an order, never negative.
  OutcomeRow refund_with_incentive = Refund("r1", "u1", 1012, 40, 10, "o1");
  refund_with_incentive.incentive_cost = 4;
  OutcomeRow negative_incentive = Order("o3", "u1", 1013, 40, 10);
  negative_incentive.incentive_cost = -1;
  for (const OutcomeRow& bad : {refund_with_incentive, negative_incentive}) {
    absl::StatusOr<WriteSummary> w = f.store().RecordOutcomes(std::vector<OutcomeRow>{bad});
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument) << bad.outcome_id;
    EXPECT_TRUE(absl::StrContains(w.status().message(), "incentive_cost")) << w.status();
  }
  // Nothing of either batch was stored.
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000)}).ok());
  const AnalysisEntry e = f.Read(1000000).at({"u1", 1});
  EXPECT_EQ(e.sends, 0);
  EXPECT_DOUBLE_EQ(e.y, 0);
  s = f.store().RecordSends(std::vector<SendRow>{Send("s1", "u1", 1001, 0.5)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->inserted, 1);
}

// ------------------------------------------------------------ windows

TEST_P(StoreConformanceTest, WindowAndPrePeriodAreHalfOpen) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000)}).ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      Order("pre-out", "u1", 969, 1000, 1),  // t0 - P - 1: nowhere
                      Order("pre-in", "u1", 970, 7, 1),      // t0 - P: z
                      Order("at-t0", "u1", 1000, 10, 2),     // t0: y
                      Order("last", "u1", 1099, 20, 4),      // t0 + W - 1: y
                      Order("end", "u1", 1100, 500, 50),     // t0 + W: nowhere
                  })
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{Send("s-before", "u1", 999, 9), Send("s0", "u1", 1000, 1),
                                                    Send("s-last", "u1", 1099, 2), Send("s-end", "u1", 1100, 9)})
                  .ok());
  const AnalysisEntry e = f.Read(1000000).at({"u1", 1});
  EXPECT_DOUBLE_EQ(e.y, 30);
  EXPECT_DOUBLE_EQ(e.m, 6);
  EXPECT_EQ(e.x, 1);
  EXPECT_DOUBLE_EQ(e.z, 7);
  EXPECT_DOUBLE_EQ(e.c, 3);
  EXPECT_EQ(e.sends, 2);
  EXPECT_EQ(e.window_end, 1100);
  EXPECT_FALSE(e.window_cut);
  EXPECT_TRUE(e.mature);
  EXPECT_TRUE(e.version_known);
  EXPECT_EQ(e.config_version, "v1");
}

TEST_P(StoreConformanceTest, ReEntryCutsThePreviousWindow) {
  HF_FIXTURE(f);
  // u1 enters in period 1 at 1000 and again in period 2 at 1060: the first
  // window is [1000, 1060), the second [1060, 1160). An entry after the
  // range (period 3, t0 1130) still cuts the second window.
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000), Entry("u1", 2, 1060, EntryGroup::kHoldout),
                                                       Entry("u1", 3, 1130)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{Order("o-first", "u1", 1059, 10, 1),
                                                          Order("o-second", "u1", 1060, 20, 2),
                                                          Order("o-third", "u1", 1140, 40, 4)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{Send("s1", "u1", 1010, 1), Send("s2", "u1", 1070, 2)})
                  .ok());
  auto rows = f.Read(1000000, {{"v1", kW, kP, kH}}, 0, 1100);
  ASSERT_EQ(rows.size(), 2u);  // period 3 is outside [0, 1100)
  const AnalysisEntry& first = rows.at({"u1", 1});
  EXPECT_DOUBLE_EQ(first.y, 10);
  EXPECT_DOUBLE_EQ(first.c, 1);
  EXPECT_TRUE(first.window_cut);
  EXPECT_EQ(first.window_end, 1060);
  ASSERT_TRUE(first.next_t0.has_value());
  EXPECT_EQ(*first.next_t0, 1060);
  const AnalysisEntry& second = rows.at({"u1", 2});
  EXPECT_DOUBLE_EQ(second.y, 20);  // 1140 belongs to period 3's entry
  EXPECT_DOUBLE_EQ(second.c, 2);   // a holdout's send: contamination, in its window
  EXPECT_TRUE(second.window_cut);
  EXPECT_EQ(second.window_end, 1130);
  EXPECT_DOUBLE_EQ(second.z, 10);  // pre-period [1030, 1060) is not cut
}

// A journey whose only later-period entry is at or after as_of takes the
// path without the next-entry lookup (analysis_sql.h); once that entry is
// before as_of, the lookup runs and cuts. Both must give the rules' answer.
TEST_P(StoreConformanceTest, NextEntryAtOrAfterAsOfDoesNotCut) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("u1", 0, 1000), Entry("u2", 0, 1010),
                                                       Entry("u1", 1, 1050)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{Order("o1", "u1", 1070, 10, 1),
                                                          Order("o2", "u2", 1020, 5, 1)})
                  .ok());
  // as_of 1200: u1's period-1 entry (t0 1050, outside the range [0, 1050))
  // is before as_of, so the lookup runs and cuts u1's period-0 window.
  auto late = f.Read(1200, {{"v1", kW, kP, kH}}, 0, 1050);
  ASSERT_EQ(late.size(), 2u);
  const AnalysisEntry& cut = late.at({"u1", 0});
  EXPECT_TRUE(cut.window_cut);
  EXPECT_EQ(cut.window_end, 1050);
  EXPECT_DOUBLE_EQ(cut.y, 0);  // the order at 1070 is the next entry's
  EXPECT_DOUBLE_EQ(late.at({"u2", 0}).y, 5);
  EXPECT_FALSE(late.at({"u2", 0}).window_cut);
  // as_of 1050: no entry of period > 0 is before as_of, so the lookup is
  // skipped; no window is cut (both entries are still immature).
  auto early = f.Read(1050, {{"v1", kW, kP, kH}}, 0, 1050);
  ASSERT_EQ(early.size(), 2u);
  const AnalysisEntry& whole = early.at({"u1", 0});
  EXPECT_FALSE(whole.window_cut);
  EXPECT_FALSE(whole.next_t0.has_value());
  EXPECT_EQ(whole.window_end, 1100);
  EXPECT_FALSE(whole.mature);                    // 1100 > as_of 1050
  EXPECT_DOUBLE_EQ(early.at({"u2", 0}).y, 0);  // immature: sums zeroed
}

// ------------------------------------------------------------ horizons

// (offset, revenue, margin, order) of an entry's horizon events.
std::vector<std::tuple<int64_t, double, double, bool>> Events(const AnalysisEntry& e) {
  std::vector<std::tuple<int64_t, double, double, bool>> out;
  for (const HorizonEvent& ev : e.horizon_events) {
    out.emplace_back(ev.offset_us, ev.revenue, ev.margin, ev.order);
  }
  return out;
}

// u1 enters at 1000 (period 1) and again at 1060 (period 2, holdout), with
// orders, refunds and an unsubscribe over the next 320 (the horizon tests).
void RecordReenteringCustomer(Store& store) {
  ASSERT_TRUE(store
                  .RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000),
                                                       Entry("u1", 2, 1060, EntryGroup::kHoldout)})
                  .ok());
  ASSERT_TRUE(store
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      // Before entry 1, refunded inside it: in no horizon.
                      Order("pre", "u1", 990, 7, 2), Refund("pre-r", "u1", 1020, 7, 2, "pre"),
                      // Offset 10 for entry 1; refunded at offset 200: it first counts
                      // at horizon 200 - H = 150.
                      Order("o1", "u1", 1010, 100, 30), Refund("r1", "u1", 1200, 40, 12, "o1"),
                      {"u", "u1", 1030, OutcomeType::kUnsubscribe, 0, 0, ""},
                      // Offset 250 (entry 2: 190); refunded 5 later: counts with the order.
                      Order("o2", "u1", 1250, 50, 10), Refund("r2", "u1", 1255, 5, 1, "o2"),
                      // Offset 310: beyond entry 1's 300 (entry 2: 250, refund at
                      // 260 - H = 210 -> 250).
                      Order("o3", "u1", 1310, 20, 4), Refund("r3", "u1", 1320, 20, 4, "o3"),
                  })
                  .ok());
}

TEST_P(StoreConformanceTest, HorizonEventsAreNotCutAndRefundsCountWhereTheirOrderDoes) {
  HF_FIXTURE(f);
  // Longest horizon 300; entry 1's window is cut by entry 2, its horizon is not.
  ASSERT_NO_FATAL_FAILURE(RecordReenteringCustomer(f.store()));
  auto rows = f.Read(1000000, {{"v1", kW, kP, kH}}, 0, 1000000, 300);
  using E = std::tuple<int64_t, double, double, bool>;
  EXPECT_THAT(Events(rows.at({"u1", 1})),
              ::testing::ElementsAre(E{10, 100, 30, true}, E{30, 0, 0, false}, E{150, -40, -12, false},
                                     E{250, 50, 10, true}, E{250, -5, -1, false}));
  EXPECT_THAT(Events(rows.at({"u1", 2})),
              ::testing::ElementsAre(E{190, 50, 10, true}, E{190, -5, -1, false},
                                     E{250, 20, 4, true}, E{250, -20, -4, false}));
  // The one fold: sums over [t0, t0 + h).
  const HorizonSums at150 = SumHorizon(rows.at({"u1", 1}).horizon_events, 150);
  EXPECT_DOUBLE_EQ(at150.y, 100);
  EXPECT_EQ(at150.orders, 1);
  const HorizonSums at151 = SumHorizon(rows.at({"u1", 1}).horizon_events, 151);
  EXPECT_DOUBLE_EQ(at151.y, 60);
  EXPECT_DOUBLE_EQ(at151.m, 18);
  const HorizonSums at300 = SumHorizon(rows.at({"u1", 1}).horizon_events, 300);
  EXPECT_DOUBLE_EQ(at300.y, 105);
  EXPECT_EQ(at300.orders, 2);
  // The window rules are unchanged by the horizon columns.
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, 100);
  EXPECT_TRUE(rows.at({"u1", 1}).window_cut);

  // as_of 1240: only events before it (the refund at 1200 is one); an
  // immature entry keeps its events (the report applies maturity per
  // horizon).
  auto early = f.Read(1240, {{"v1", kW, kP, kH}}, 0, 1000000, 300);
  EXPECT_THAT(Events(early.at({"u1", 1})),
              ::testing::ElementsAre(E{10, 100, 30, true}, E{30, 0, 0, false},
                                     E{150, -40, -12, false}));
  // Without a horizon the stream carries no events.
  EXPECT_TRUE(f.Read(1000000).at({"u1", 1}).horizon_events.empty());
}

// Horizons in the database (docs/storage.md, "Horizons in the database"):
// the horizon cells of the events above, by hand. Horizons 150 and 300,
// curve points 100, 200, 300.
TEST_P(StoreConformanceTest, HorizonCellsSumTheHorizonEventsByHand) {
  HF_FIXTURE(f);
  ASSERT_NO_FATAL_FAILURE(RecordReenteringCustomer(f.store()));
  auto aggregate = [&](UnixMicros as_of) {
    AnalysisQuery q;
    q.journeys = {{kJ, kW, kP, kH, {{"v1", kW, kP, kH}}, 300, {150, 300}, 100, 3}};
    q.from = 0;
    q.to = 1000000;
    q.as_of = as_of;
    absl::StatusOr<AnalysisAggregates> a = f.store().AggregateAnalysis(q, 0, 1000);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : AnalysisAggregates{};
  };
  // A horizon's values (HorizonCellVariable order) of a one-entry cell.
  auto values = [](const HorizonCellMoments& h) {
    std::vector<double> v;
    for (int a = 0; a < kNumHorizonCellVariables; ++a) {
      v.push_back(h.s1[a] + h.shift[a]);
      EXPECT_DOUBLE_EQ(h.s2[HorizonPairIndex(a, a)], h.s1[a] * h.s1[a]) << a;
    }
    return v;
  };
  using V = std::vector<double>;
  using N = std::vector<int64_t>;
  AnalysisAggregates all = aggregate(1000000);
  ASSERT_EQ(all.horizon_cells.size(), 1u);
  ASSERT_EQ(all.horizon_cells[0].size(), 2u);
  // Sorted by group: treatment (entry 1) first.
  const AnalysisHorizonCell& t = all.horizon_cells[0][0];
  EXPECT_EQ(t.group, EntryGroup::kTreatment);
  EXPECT_EQ(t.period, 1);
  EXPECT_EQ(t.entries, 1);
  ASSERT_EQ(t.horizons.size(), 2u);
  EXPECT_EQ(t.horizons[0].entries, 1);
  EXPECT_EQ(t.horizons[0].overlapping, 1);  // the next entry is 60 later
  // At 150: the order at 10 (the refund counts from 150); at 300: both
  // orders and both refunds. Revenue, margin, retained, repeat, orders, cost.
  EXPECT_EQ(values(t.horizons[0]), (V{100, 30, 1, 0, 1, 0}));
  EXPECT_EQ(values(t.horizons[1]), (V{105, 27, 1, 1, 2, 0}));
  // A pair no horizon metric reads is left out: NaN, never 0.
  EXPECT_TRUE(std::isnan(t.horizons[1].s2[HorizonPairIndex(kHorizonCellRevenue, kHorizonCellMargin)]));
  EXPECT_EQ(t.horizons[1].s2[HorizonPairIndex(kHorizonCellRevenue, kHorizonCellCost)],
            t.horizons[1].s1[kHorizonCellRevenue] * t.horizons[1].s1[kHorizonCellCost]);
  // Cumulative revenue 100, 60, 105 at the three points.
  EXPECT_EQ(t.curve_n, (N{1, 0, 0, -1}));
  EXPECT_EQ(t.curve_y, (V{100, -40, 45, -105}));
  EXPECT_EQ(t.curve_yy, (V{10000, 3600 - 10000, 11025 - 3600, -11025}));
  EXPECT_EQ(t.curve_m, (V{30, -12, 9, -27}));
  const AnalysisHorizonCell& c = all.horizon_cells[0][1];
  EXPECT_EQ(c.group, EntryGroup::kHoldout);
  EXPECT_EQ(c.period, 2);
  EXPECT_EQ(values(c.horizons[0]), (V{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(values(c.horizons[1]), (V{45, 9, 1, 1, 2, 0}));
  EXPECT_EQ(c.horizons[1].overlapping, 0);
  EXPECT_EQ(c.curve_y, (V{0, 45, 0, -45}));
  EXPECT_EQ(c.curve_yy, (V{0, 2025, 0, -2025}));

  // As of 1250: entry 1 is mature at horizon 150 and at two curve points
  // (the refund at 1200 is in, the order at 1250 not); entry 2 (t0 1060) at
  // horizon 150 and one point; neither at 300.
  AnalysisAggregates early = aggregate(1250);
  ASSERT_EQ(early.horizon_cells[0].size(), 2u);
  const AnalysisHorizonCell& te = early.horizon_cells[0][0];
  EXPECT_EQ(te.entries, 1);
  EXPECT_EQ(te.horizons[0].entries, 1);
  EXPECT_EQ(te.horizons[1].entries, 0);
  EXPECT_EQ(values(te.horizons[0]), (V{100, 30, 1, 0, 1, 0}));
  EXPECT_EQ(te.curve_n, (N{1, 0, -1, 0}));
  EXPECT_EQ(te.curve_y, (V{100, -40, -60, 0}));
  const AnalysisHorizonCell& ce = early.horizon_cells[0][1];
  EXPECT_EQ(ce.entries, 1);
  EXPECT_EQ(ce.horizons[0].entries, 1);
  EXPECT_EQ(ce.horizons[1].entries, 0);
  EXPECT_EQ(ce.curve_n, (N{1, -1, 0, 0}));
  EXPECT_EQ(ce.curve_y, (V{0, 0, 0, 0}));

  // A query whose horizons do not match max_horizon_us is refused.
  AnalysisQuery bad;
  bad.journeys = {{kJ, kW, kP, kH, {}, 300, {150}, 100, 3}};
  bad.to = 1000;
  EXPECT_EQ(f.store().AggregateAnalysis(bad, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, HorizonRefundsUseTheEntrysVersionRefundHorizon) {
  HF_FIXTURE(f);
  // Version v2 has refund horizon 0: the refund at offset 200 counts from
  // horizon 200 (v1: 150).
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("a", 1, 1000), Entry("b", 1, 1000,
                                                                                  EntryGroup::kTreatment, "v2")})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      Order("ao", "a", 1010, 100, 30), Refund("ar", "a", 1200, 40, 12, "ao"),
                      Order("bo", "b", 1010, 100, 30), Refund("br", "b", 1200, 40, 12, "bo")})
                  .ok());
  auto rows = f.Read(1000000, {{"v1", kW, kP, kH}, {"v2", kW, kP, 0}}, 0, 1000000, 300);
  using E = std::tuple<int64_t, double, double, bool>;
  EXPECT_THAT(Events(rows.at({"a", 1})),
              ::testing::ElementsAre(E{10, 100, 30, true}, E{150, -40, -12, false}));
  EXPECT_THAT(Events(rows.at({"b", 1})),
              ::testing::ElementsAre(E{10, 100, 30, true}, E{200, -40, -12, false}));
}

// ------------------------------------------------------------ refunds

TEST_P(StoreConformanceTest, RefundsFollowTheirOrderUntilTheHorizon) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("in", 1, 1000), Entry("late", 1, 1000),
                                                       Entry("pre", 1, 1000), Entry("out", 1, 1000)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      // Refund after the window, just inside the horizon: t0 + W + H - 1.
                      Order("in-o", "in", 1010, 100, 30), Refund("in-r", "in", 1149, 40, 12, "in-o"),
                      // At t0 + W + H: too late, changes nothing.
                      Order("late-o", "late", 1010, 100, 30), Refund("late-r", "late", 1150, 40, 12, "late-o"),
                      // Refund inside the window of an order placed before the entry:
                      // the order is pre-period revenue, the refund changes nothing.
                      Order("pre-o", "pre", 990, 100, 30), Refund("pre-r", "pre", 1010, 40, 12, "pre-o"),
                      // Order after the window: neither it nor its refund count.
                      Order("out-o", "out", 1100, 100, 30), Refund("out-r", "out", 1120, 40, 12, "out-o"),
                  })
                  .ok());
  auto rows = f.Read(1000000);
  EXPECT_DOUBLE_EQ(rows.at({"in", 1}).y, 60);
  EXPECT_DOUBLE_EQ(rows.at({"in", 1}).m, 18);
  EXPECT_DOUBLE_EQ(rows.at({"late", 1}).y, 100);
  EXPECT_DOUBLE_EQ(rows.at({"late", 1}).m, 30);
  EXPECT_DOUBLE_EQ(rows.at({"pre", 1}).y, 0);
  EXPECT_DOUBLE_EQ(rows.at({"pre", 1}).z, 100);
  EXPECT_EQ(rows.at({"pre", 1}).x, 0);
  EXPECT_DOUBLE_EQ(rows.at({"out", 1}).y, 0);
  absl::StatusOr<int64_t> orphans = f.store().CountOrphanRefunds(0, 1000000);
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ(*orphans, 0);
}

TEST_P(StoreConformanceTest, RefundOfAnOrderInACutWindowKeepsTheFullDeadline) {
  HF_FIXTURE(f);
  // Entry 1 at 1000 is cut at 1060 by entry 2. Its order at 1010 is refunded
  // at 1065 and at 1149 (after the cut, before 1000 + W + H = 1150): both
  // count for entry 1, none for entry 2. Entry 2's own order at 1070 is
  // refunded at 1080.
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000), Entry("u1", 2, 1060)}).ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      Order("o1", "u1", 1010, 100, 30), Refund("r1a", "u1", 1065, 10, 3, "o1"),
                      Refund("r1b", "u1", 1149, 20, 6, "o1"), Order("o2", "u1", 1070, 50, 10),
                      Refund("r2", "u1", 1080, 5, 1, "o2")})
                  .ok());
  auto rows = f.Read(1000000);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, 70);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).m, 21);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 2}).y, 45);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 2}).m, 9);
}

TEST_P(StoreConformanceTest, OrphanRefundsAreCountedNeverSubtracted) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000), Entry("u2", 1, 1000)}).ok());
  absl::StatusOr<WriteSummary> s = f.store().RecordOutcomes(std::vector<OutcomeRow>{
      Order("o1", "u1", 1010, 100, 30),
      Refund("r-unknown", "u1", 1020, 40, 12, "no-such-order"),  // orphan
      Refund("r-other-unit", "u2", 1030, 40, 12, "o1"),          // o1 is u1's: orphan for u2
      Refund("r-of-refund", "u1", 1040, 1, 1, "r-unknown"),      // a refund is no order: orphan
  });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->orphan_refunds, 3);
  auto rows = f.Read(1000000);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, 100);
  EXPECT_DOUBLE_EQ(rows.at({"u2", 1}).y, 0);
  absl::StatusOr<int64_t> orphans = f.store().CountOrphanRefunds(0, 1000000);
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ(*orphans, 3);
  orphans = f.store().CountOrphanRefunds(1025, 1035);  // half-open on the refund's time
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ(*orphans, 1);
  // The order arriving later stops the refund being an orphan.
  ASSERT_TRUE(f.store().RecordOutcomes(std::vector<OutcomeRow>{Order("no-such-order", "u1", 1005, 60, 6)}).ok());
  orphans = f.store().CountOrphanRefunds(0, 1000000);
  ASSERT_TRUE(orphans.ok());
  EXPECT_EQ(*orphans, 2);
  EXPECT_DOUBLE_EQ(f.Read(1000000).at({"u1", 1}).y, 120);  // 100 + 60 - 40
}

// ------------------------------------------------------------ maturity

TEST_P(StoreConformanceTest, ImmatureEntriesAreFlaggedAndNotMeasured) {
  HF_FIXTURE(f);
  // as_of 1100: the entry at 1000 is mature (1000 + W <= 1100), the one at
  // 1001 is not, the one at 1100 did not exist yet.
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("mature", 1, 1000), Entry("young", 1, 1001),
                                                       Entry("future", 1, 1100)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{Order("o1", "mature", 1050, 10, 1),
                                                          Order("o2", "young", 1050, 10, 1)})
                  .ok());
  ASSERT_TRUE(f.store().RecordSends(std::vector<SendRow>{Send("s2", "young", 1002, 3)}).ok());
  auto rows = f.Read(1100);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows.at({"mature", 1}).mature);
  EXPECT_DOUBLE_EQ(rows.at({"mature", 1}).y, 10);
  EXPECT_TRUE(rows.at({"mature", 1}).in_refund_horizon);  // 1100 < 1000 + W + H
  const AnalysisEntry& young = rows.at({"young", 1});
  EXPECT_FALSE(young.mature);
  EXPECT_FALSE(young.in_refund_horizon);
  EXPECT_DOUBLE_EQ(young.y, 0);
  EXPECT_DOUBLE_EQ(young.c, 0);
  EXPECT_EQ(young.sends, 0);
  EXPECT_EQ(young.x, 0);
}

TEST_P(StoreConformanceTest, AsOfExcludesLaterEventsAndEntries) {
  HF_FIXTURE(f);
  // as_of 1120. u1 (t0 1000) is mature; its order's refund at 1119 counts,
  // the one at 1120 does not yet (it will, inside the horizon). u3's entry of
  // period 2 at 1130 does not exist yet at 1120, so it cuts nothing yet.
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u1", 1, 1000), Entry("u1", 2, 1090)}).ok());
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u2", 1, 1000), Entry("u2", 2, 1120)}).ok());
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("u3", 1, 1050), Entry("u3", 2, 1130)}).ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      Order("o1", "u1", 1010, 100, 10), Refund("r1", "u1", 1119, 10, 1, "o1"),
                      Refund("r2", "u1", 1120, 20, 2, "o1"), Order("o2", "u2", 1095, 7, 1)})
                  .ok());
  auto rows = f.Read(1120);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, 90);
  EXPECT_TRUE(rows.at({"u1", 1}).window_cut);  // by period 2 at 1090 < as_of
  EXPECT_FALSE(rows.at({"u2", 1}).window_cut);  // 1120 is past its window end 1100
  EXPECT_DOUBLE_EQ(rows.at({"u2", 1}).y, 7);
  EXPECT_EQ(rows.count({"u2", 2}), 0u);  // t0 = as_of: not yet
  EXPECT_FALSE(rows.at({"u3", 1}).next_t0.has_value());
  EXPECT_FALSE(rows.at({"u3", 1}).window_cut);
  EXPECT_FALSE(rows.at({"u3", 1}).mature);
  // The same store read later (as_of 2000) counts r2 and u3's cut at 1130.
  rows = f.Read(2000);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, 70);
  EXPECT_DOUBLE_EQ(rows.at({"u2", 1}).y, 7);
  EXPECT_TRUE(rows.at({"u3", 1}).window_cut);
  EXPECT_EQ(rows.at({"u3", 1}).window_end, 1130);
  EXPECT_FALSE(rows.at({"u1", 1}).in_refund_horizon);  // 2000 >= 1000 + W + H
}

TEST_P(StoreConformanceTest, FixedCostsProRateOverTheCostRangeAndContaminationStopsAtAsOf) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store()
                  .RecordFixedCosts(std::vector<FixedCostRow>{{"c1", kJ, 0, 1000, 100, "fee"},
                                                              {"c2", kJ, 1000, 2000, 10, "fee"}})
                  .ok());
  ASSERT_TRUE(f.store().RecordEntries(std::vector<EntryRow>{Entry("h", 1, 300, EntryGroup::kHoldout)}).ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{Send("s1", "h", 350, 1), Send("s2", "h", 800, 2)})
                  .ok());
  JourneyDiagnosticsQuery q;
  q.journey = kJ;
  q.from = 200;
  q.to = 2000;
  // A report with as_of 800 and W = 100 pro-rates over [200, 700):
  // 100 * 500 / 1000 = 50 of c1, nothing of c2.
  q.cost_to = 800 - kW;
  q.as_of = 800;
  absl::StatusOr<JourneyDiagnostics> d = f.store().GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_DOUBLE_EQ(d->fixed_cost, 50);
  EXPECT_EQ(d->entries, 1);
  EXPECT_EQ(d->contaminated_sends, 1);  // s2 at 800 = as_of: not yet
  EXPECT_DOUBLE_EQ(d->contaminated_cost, 1);
  // Without a cost bound the whole range counts: 80 + 10.
  q.cost_to = std::numeric_limits<int64_t>::max();
  d = f.store().GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->fixed_cost, 90);
  // A cost range that ends before it starts contributes nothing.
  q.cost_to = 100;
  d = f.store().GetJourneyDiagnostics(q);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->fixed_cost, 0);
}

// ------------------------------------------------------------ config versions

TEST_P(StoreConformanceTest, EachEntryUsesTheWindowsOfItsConfigVersion) {
  HF_FIXTURE(f);
  // "old": W = 50, H = 0, P = 10; "new": W = 100, H = 50, P = 30; "gone" is
  // unknown and falls back to the journey's windows (W = 100, H = 50, P = 30).
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{Entry("a", 1, 1000, EntryGroup::kTreatment, "old"),
                                                       Entry("b", 1, 1000, EntryGroup::kTreatment, "new"),
                                                       Entry("c", 1, 1000, EntryGroup::kTreatment, "gone")})
                  .ok());
  std::vector<OutcomeRow> o;
  for (const char* u : {"a", "b", "c"}) {
    const std::string s(u);
    o.push_back(Order(s + "-pre", s, 980, 1, 0));   // in P = 30, not in P = 10
    o.push_back(Order(s + "-o1", s, 1040, 10, 1));  // in every window
    o.push_back(Order(s + "-o2", s, 1060, 20, 2));  // not in W = 50
    o.push_back(Refund(s + "-r1", s, 1055, 3, 0, s + "-o1"));  // after W = 50 with H = 0
  }
  ASSERT_TRUE(f.store().RecordOutcomes(o).ok());
  const std::vector<VersionWindow> versions = {{"old", 50, 10, 0}, {"new", 100, 30, 50}};
  auto rows = f.Read(1075, versions);
  const AnalysisEntry& a = rows.at({"a", 1});
  EXPECT_TRUE(a.version_known);
  EXPECT_EQ(a.window_us, 50);
  EXPECT_TRUE(a.mature);  // 1050 <= 1075
  EXPECT_DOUBLE_EQ(a.y, 10);
  EXPECT_DOUBLE_EQ(a.z, 0);
  EXPECT_FALSE(a.in_refund_horizon);  // H = 0: closed at 1050
  const AnalysisEntry& b = rows.at({"b", 1});
  EXPECT_FALSE(b.mature);  // 1100 > 1075
  EXPECT_EQ(b.window_us, 100);
  // "new" has the journey's own windows, so it is left out of the SQL's
  // version lookup (JourneyVersions) and must still count as known.
  EXPECT_TRUE(b.version_known);
  const AnalysisEntry& c = rows.at({"c", 1});
  EXPECT_FALSE(c.version_known);
  EXPECT_EQ(c.window_us, 100);
  rows = f.Read(2000, versions);
  EXPECT_DOUBLE_EQ(rows.at({"b", 1}).y, 27);  // 10 + 20 - 3
  EXPECT_DOUBLE_EQ(rows.at({"b", 1}).z, 1);
  EXPECT_DOUBLE_EQ(rows.at({"c", 1}).y, 27);
  EXPECT_DOUBLE_EQ(rows.at({"a", 1}).y, 10);
}

// ------------------------------------------------- analysis in the database

}  // namespace

// A messy two-journey store: rotation periods whose re-entries cut windows,
// two arms, holdout, global holdout, washout, a version with its own windows
// and an unknown one, orders with incentives and refunds, unsubscribes and
// complaints, sends at every distance from the window, as_of leaving some
// entries immature. Deterministic.
void RecordMessyTwoJourneyStore(Store& store) {
  std::vector<EntryRow> entries;
  std::vector<OutcomeRow> outcomes;
  std::vector<SendRow> sends;
  uint64_t x = 12345;
  auto next = [&x](int n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((x >> 33) % static_cast<uint64_t>(n));
  };
  const char* versions[] = {"v1", "old", "gone"};
  for (int u = 0; u < 240; ++u) {
    const std::string unit = absl::StrCat("u", u);
    for (const char* journey : {"j", "k"}) {
      if (journey[0] == 'k' && u % 3 == 0) continue;  // k has fewer customers
      const int periods = 1 + next(3);
      for (int p = 0; p < periods; ++p) {
        EntryRow e;
        e.journey = journey;
        e.unit = unit;
        e.period = p;
        e.t0 = 1000 + p * 120 + next(90);
        const int g = next(20);
        e.group = g == 0 ? EntryGroup::kGlobalHoldout
                  : g < 5 ? EntryGroup::kHoldout
                          : EntryGroup::kTreatment;
        e.arm = e.group == EntryGroup::kTreatment ? (next(2) ? "a" : "b") : "";
        e.config_version = versions[next(3)];
        e.in_washout = next(10) == 0;
        entries.push_back(e);
        for (int k = 0, n = next(4); k < n; ++k) {
          SendRow s;
          s.send_id = absl::StrCat(journey, "-", unit, "-", p, "-s", k);
          s.unit = unit;
          s.journey = journey;
          s.channel = next(2) ? "email" : "sms";
          s.at = e.t0 - 10 + next(140);
          s.cost = next(2) ? 0.0008 : 0.0075;
          sends.push_back(s);
        }
      }
    }
    for (int k = 0, n = next(5); k < n; ++k) {
      OutcomeRow o;
      o.outcome_id = absl::StrCat(unit, "-o", k);
      o.unit = unit;
      o.at = 950 + next(420);
      const int t = next(10);
      o.type = t < 5 ? OutcomeType::kOrder : t < 7 ? OutcomeType::kConversion
               : t < 8 ? OutcomeType::kUnsubscribe : OutcomeType::kComplaint;
      if (o.type == OutcomeType::kOrder || o.type == OutcomeType::kConversion) {
        o.revenue = 1e6 + next(5000) / 7.0;  // large means: the shift must keep the digits
        o.margin = o.revenue * 0.3;
        o.incentive_cost = next(3) == 0 ? 5.5 : 0.0;
        if (next(4) == 0) {
          OutcomeRow r;
          r.outcome_id = o.outcome_id + "-r";
          r.unit = unit;
          r.at = o.at + next(120);
          r.type = OutcomeType::kRefund;
          r.revenue = o.revenue / 2;
          r.margin = o.margin / 2;
          r.order_id = o.outcome_id;
          outcomes.push_back(r);
        }
      }
      outcomes.push_back(o);
    }
  }
  ASSERT_TRUE(store.RecordEntries(entries).ok());
  ASSERT_TRUE(store.RecordOutcomes(outcomes).ok());
  ASSERT_TRUE(store.RecordSends(sends).ok());
}

AnalysisQuery MessyQuery() {
  AnalysisQuery q;
  const std::vector<VersionWindow> versions = {{"v1", kW, kP, kH}, {"old", 60, 10, 0}};
  q.journeys = {{"j", kW, kP, kH, versions, 0}, {"k", 80, 20, 40, {{"old", 60, 10, 0}}, 0}};
  q.from = 0;
  q.to = 1000000;
  q.as_of = 1260;  // the last period's entries partly immature
  return q;
}

AnalysisQuery MessyHorizonQuery() {
  AnalysisQuery q = MessyQuery();
  for (JourneyWindow& j : q.journeys) {
    j.max_horizon_us = 150;
    j.horizons_us = {100, 150};
    j.curve_step_us = 50;
    j.curve_points = 3;
  }
  return q;
}

namespace {

std::array<double, kNumCellVariables> CellValuesOf(const AnalysisEntry& e) {
  return {e.y, e.m, static_cast<double>(e.x), e.c, e.z, e.incentive, static_cast<double>(e.orders),
          static_cast<double>(e.unsubscribed), static_cast<double>(e.complained),
          e.sends > 0 ? 1.0 : 0.0, static_cast<double>(e.sends)};
}

// The cells' shift is the first mature entry's values in key order — the
// same on every replica and plan. PostgreSQL looks for it among the first
// 4,096 entries before it looks at all of them: journey "near" has its first
// mature entry in that prefix, "far" only after it.
TEST_P(StoreConformanceTest, AnalysisShiftIsTheFirstMatureEntryInKeyOrder) {
  HF_FIXTURE(f);
  constexpr int kUnits = 4300;
  const std::map<std::string, int> immature_prefix = {{"near", 10}, {"far", 4200}};
  for (const auto& [journey, prefix] : immature_prefix) {
    std::vector<EntryRow> entries;
    std::vector<OutcomeRow> outcomes;
    for (int i = 0; i < kUnits; ++i) {
      const std::string unit = absl::StrFormat("%s-%05d", journey, i);
      const UnixMicros t0 = i < prefix ? 950 : 100;  // as_of 1000, window 100
      EntryRow e = Entry(unit, 0, t0);
      e.journey = journey;
      entries.push_back(e);
      outcomes.push_back(Order("o-" + unit, unit, t0 + 1, i + 1.0, 0.5));
      if (entries.size() == 1000 || i == kUnits - 1) {
        ASSERT_TRUE(f.store().RecordEntries(entries).ok());
        ASSERT_TRUE(f.store().RecordOutcomes(outcomes).ok());
        entries.clear();
        outcomes.clear();
      }
    }
  }
  AnalysisQuery q;
  q.journeys = {{"near", kW, 0, 0, {{"v1", kW, 0, 0}}, 0}, {"far", kW, 0, 0, {{"v1", kW, 0, 0}}, 0}};
  q.from = 0;
  q.to = 1000000;
  q.as_of = 1000;
  absl::StatusOr<AnalysisAggregates> aggregates = f.store().AggregateAnalysis(q, 0, 0);
  ASSERT_TRUE(aggregates.ok()) << aggregates.status();
  ASSERT_EQ(aggregates->cells.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE(q.journeys[k].journey);
    ASSERT_FALSE(aggregates->cells[k].empty());
    const int first_mature = immature_prefix.at(q.journeys[k].journey);
    for (const AnalysisCell& c : aggregates->cells[k]) {
      EXPECT_EQ(c.shift[kCellRevenue], first_mature + 1.0);  // the order's revenue
      EXPECT_EQ(c.shift[kCellOrders], 1.0);
    }
  }
}

// With cells_by_day every cell is split by the UTC day of its entries' t0
// (floor(t0 / 1 day)), the boundaries exact to the microsecond; without it
// the same entries make one cell with day 0.
TEST_P(StoreConformanceTest, AnalysisCellsByDaySplitAtUtcMidnight) {
  HF_FIXTURE(f);
  constexpr int64_t kDay = kDayMicros;
  // t0 -> its day; one order per entry, its revenue the entry's index + 1.
  const std::vector<std::pair<UnixMicros, int64_t>> t0s = {
      {0, 0}, {kDay - 1, 0}, {kDay, 1}, {kDay + 1, 1}, {3 * kDay + 5, 3}, {20000 * kDay - 1, 19999}};
  std::vector<EntryRow> entries;
  std::vector<OutcomeRow> outcomes;
  for (size_t i = 0; i < t0s.size(); ++i) {
    const std::string unit = absl::StrCat("u", i);
    entries.push_back(Entry(unit, 0, t0s[i].first));
    outcomes.push_back(Order("o" + unit, unit, t0s[i].first + 1, i + 1.0, 0.5));
  }
  ASSERT_TRUE(f.store().RecordEntries(entries).ok());
  ASSERT_TRUE(f.store().RecordOutcomes(outcomes).ok());
  AnalysisQuery q;
  q.journeys = {{kJ, kW, 0, 0, {{"v1", kW, 0, 0}}, 0}};
  q.from = 0;
  q.to = kMaxTimeMicros;
  q.as_of = kMaxTimeMicros;
  for (const bool by_day : {false, true}) {
    SCOPED_TRACE(by_day ? "by day" : "not by day");
    q.cells_by_day = by_day;
    absl::StatusOr<AnalysisAggregates> got = f.store().AggregateAnalysis(q, 0, 0);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->cells.size(), 1u);
    std::map<int64_t, std::pair<int64_t, double>> want;  // day -> entries, revenue
    for (size_t i = 0; i < t0s.size(); ++i) {
      auto& w = want[by_day ? t0s[i].second : 0];
      ++w.first;
      w.second += i + 1.0;
    }
    std::map<int64_t, std::pair<int64_t, double>> cells;
    for (const AnalysisCell& c : got->cells[0]) {
      ASSERT_TRUE(c.mature);
      EXPECT_TRUE(cells.emplace(c.day, std::pair<int64_t, double>{
                                           c.entries, c.s1[kCellRevenue] + c.entries * c.shift[kCellRevenue]})
                      .second)
          << "day " << c.day << " twice";
    }
    EXPECT_EQ(cells, want);
  }
}

// With segment_by the cells are those of each segment value, whatever else
// the attribute sets hold (sets with the same value merged into one cell),
// with the entry stream's rule for absent keys and repeated keys; beyond
// kMaxCellAttributeSets distinct sets in a journey no cells are computed.
TEST_P(StoreConformanceTest, AnalysisCellsBySegmentMergeAttributeSets) {
  HF_FIXTURE(f);
  using Attributes = std::vector<std::pair<std::string, std::string>>;
  const std::vector<Attributes> sets = {
      {{"tier", "vip"}},
      {{"tier", "vip"}, {"country", "de"}},
      {{"country", "de"}, {"tier", "std"}},
      {},
      {{"tier", ""}},
      {{"tier", "std"}, {"tier", "vip"}},  // the first pair with the key counts
      {{"tier", std::string("v:1\0x", 5)}},  // any bytes
      {{"tiers", "vip"}, {"tie", "std"}},    // neither key is "tier"
  };
  std::vector<EntryRow> entries;
  std::vector<OutcomeRow> outcomes;
  for (int i = 0; i < 40; ++i) {
    const std::string unit = absl::StrCat("u", i);
    EntryRow e = Entry(unit, 0, 10 + i, i % 3 == 0 ? EntryGroup::kHoldout : EntryGroup::kTreatment);
    e.attributes = sets[i % sets.size()];
    entries.push_back(e);
    outcomes.push_back(Order("o" + unit, unit, 10 + i + 1, i + 1.0, 0.25 * i));
  }
  // Journey k: one attribute set per entry, past the bound.
  for (int64_t i = 0; i <= kMaxCellAttributeSets; ++i) {
    EntryRow e = Entry(absl::StrCat("k", i), 0, 10);
    e.journey = "k";
    e.attributes = {{"tier", "vip"}, {"visit", absl::StrCat(i)}};
    entries.push_back(e);
  }
  ASSERT_TRUE(f.store().RecordEntries(entries).ok());
  ASSERT_TRUE(f.store().RecordOutcomes(outcomes).ok());
  AnalysisQuery q;
  q.journeys = {{kJ, kW, 0, 0, {{"v1", kW, 0, 0}}, 0}};
  q.from = 0;
  q.to = 1000;
  q.as_of = 1000;
  q.segment_by = "tier";
  // What the entry stream says, per (group, segment): entries, revenue.
  using Key = std::pair<int, std::string>;
  std::map<Key, std::pair<int64_t, double>> want;
  ASSERT_TRUE(f.store()
                  .ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
                    auto& w = want[{static_cast<int>(e.group), e.segment}];
                    ++w.first;
                    w.second += e.y;
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_EQ(want.size(), 8u);  // 4 segments ("", std, vip, the bytes) x 2 groups
  absl::StatusOr<AnalysisAggregates> got = f.store().AggregateAnalysis(q, 0, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->too_many_attribute_sets);
  ASSERT_EQ(got->cells.size(), 1u);
  std::map<Key, std::pair<int64_t, double>> cells;
  for (size_t i = 0; i < got->cells[0].size(); ++i) {
    const AnalysisCell& c = got->cells[0][i];
    ASSERT_TRUE(c.mature);
    EXPECT_TRUE(cells.emplace(Key{static_cast<int>(c.group), c.segment},
                              std::pair<int64_t, double>{
                                  c.entries, c.s1[kCellRevenue] + c.entries * c.shift[kCellRevenue]})
                    .second)
        << "segment '" << c.segment << "' twice";
    if (i > 0) {
      const AnalysisCell& p = got->cells[0][i - 1];
      EXPECT_LT(std::tie(p.group, p.segment), std::tie(c.group, c.segment)) << "the promised order";
    }
  }
  EXPECT_EQ(cells, want);
  // Past the bound: nothing computed, the caller streams.
  q.journeys.push_back({"k", kW, 0, 0, {{"v1", kW, 0, 0}}, 0});
  got = f.store().AggregateAnalysis(q, 0, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->too_many_attribute_sets);
  EXPECT_TRUE(got->cells.empty());
  EXPECT_TRUE(got->units.empty());
  // Without segments the attribute sets do not matter.
  q.segment_by.clear();
  got = f.store().AggregateAnalysis(q, 0, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->too_many_attribute_sets);
  ASSERT_EQ(got->cells.size(), 2u);
  EXPECT_EQ(got->cells[1].size(), 1u);
  EXPECT_EQ(got->cells[1][0].entries, kMaxCellAttributeSets + 1);
}

// Horizons in the database over the messy two-journey store (versions
// with their own windows and refund horizons, an unknown version, washout,
// global holdout, refunds, immature entries): every horizon cell equals the
// fold of the entry stream's horizon events done here — counts exactly,
// means and central co-moments (shift-free) and the curve differences to
// 1e-9.
TEST_P(StoreConformanceTest, HorizonCellsEqualTheFoldOfTheEntryStream) {
  HF_FIXTURE(f);
  RecordMessyTwoJourneyStore(f.store());
  const AnalysisQuery q = MessyHorizonQuery();
  absl::StatusOr<AnalysisAggregates> got = f.store().AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->horizon_cells.size(), 2u);
  // The fold: per (journey, group, arm, period) and horizon, the entries, the
  // overlaps, the sums and the sums of products of the raw variables; and
  // the curve's differences.
  struct Want {
    int64_t entries = 0;
    std::array<int64_t, 2> n{}, overlapping{};
    std::array<std::array<double, kNumHorizonCellVariables>, 2> sum{};
    std::array<std::array<double, kNumHorizonCellPairs>, 2> prod{};
    std::array<int64_t, 4> curve_n{};
    std::array<double, 4> curve_y{}, curve_yy{};
  };
  using Key = std::tuple<std::string, int, std::string, int64_t>;
  std::map<Key, Want> want;
  ASSERT_TRUE(f.store()
                  .ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
                    if (!e.mature || e.in_washout || e.group == EntryGroup::kGlobalHoldout) {
                      return absl::OkStatus();
                    }
                    Want& w = want[Key{e.journey, static_cast<int>(e.group), e.arm, e.period}];
                    ++w.entries;
                    for (size_t k = 0; k < 2; ++k) {
                      const int64_t h = k == 0 ? 100 : 150;
                      if (e.t0 + h > q.as_of) continue;
                      double y = 0, m = 0;
                      int64_t orders = 0;
                      for (const HorizonEvent& ev : e.horizon_events) {
                        if (ev.offset_us >= h) continue;
                        y += ev.revenue;
                        m += ev.margin;
                        orders += ev.order ? 1 : 0;
                      }
                      const std::array<double, kNumHorizonCellVariables> v = {
                          y, m, orders >= 1 ? 1.0 : 0.0, orders >= 2 ? 1.0 : 0.0,
                          static_cast<double>(orders), e.c};
                      ++w.n[k];
                      if (e.next_t0.has_value() && *e.next_t0 - e.t0 < h) ++w.overlapping[k];
                      for (int a = 0; a < kNumHorizonCellVariables; ++a) {
                        w.sum[k][a] += v[a];
                        for (int b = a; b < kNumHorizonCellVariables; ++b) {
                          w.prod[k][HorizonPairIndex(a, b)] += v[a] * v[b];
                        }
                      }
                    }
                    // Mature points: all 3 when as_of - t0 >= 150, else floor(/ 50).
                    const int64_t mature = q.as_of - e.t0 >= 150 ? 3 : std::min<int64_t>(3, (q.as_of - e.t0) / 50);
                    if (mature == 0) return absl::OkStatus();
                    double before = 0;
                    for (int64_t p = 0; p < mature; ++p) {
                      double value = 0;  // revenue over [t0, t0 + 50 (p + 1))
                      for (const HorizonEvent& ev : e.horizon_events) {
                        if (ev.offset_us < 50 * (p + 1)) value += ev.revenue;
                      }
                      w.curve_y[p] += value - before;
                      w.curve_yy[p] += value * value - before * before;
                      before = value;
                    }
                    w.curve_n[0] += 1;
                    w.curve_n[mature] -= 1;
                    w.curve_y[mature] -= before;
                    w.curve_yy[mature] -= before * before;
                    return absl::OkStatus();
                  })
                  .ok());
  size_t cells = 0;
  int64_t measured = 0;
  auto near = [](double x, double y, double scale) {
    return std::fabs(x - y) <= 1e-9 * (1.0 + scale);
  };
  for (size_t j = 0; j < 2; ++j) {
    for (const AnalysisHorizonCell& c : got->horizon_cells[j]) {
      const Key key{q.journeys[j].journey, static_cast<int>(c.group), c.arm, c.period};
      SCOPED_TRACE(absl::StrCat(std::get<0>(key), " group ", std::get<1>(key), " arm ", c.arm,
                                " period ", c.period));
      auto it = want.find(key);
      ASSERT_NE(it, want.end());
      const Want& w = it->second;
      ++cells;
      EXPECT_EQ(c.entries, w.entries);
      for (size_t k = 0; k < 2; ++k) {
        const HorizonCellMoments& h = c.horizons[k];
        ASSERT_EQ(h.entries, w.n[k]) << k;
        EXPECT_EQ(h.overlapping, w.overlapping[k]) << k;
        measured += h.entries;
        if (h.entries == 0) continue;
        const double n = static_cast<double>(h.entries);
        for (int a = 0; a < kNumHorizonCellVariables; ++a) {
          const double mean = w.sum[k][a] / n;
          EXPECT_PRED3(near, h.shift[a] + h.s1[a] / n, mean, std::fabs(mean)) << k << " " << a;
          for (int b = a; b < kNumHorizonCellVariables; ++b) {
            const int i = HorizonPairIndex(a, b);
            if (!HorizonPairSummed(a, b)) {
              EXPECT_TRUE(std::isnan(h.s2[i])) << a << "," << b;
              continue;
            }
            const double central = w.prod[k][i] - w.sum[k][a] * w.sum[k][b] / n;
            const double got_central = h.s2[i] - h.s1[a] * h.s1[b] / n;
            EXPECT_PRED3(near, got_central, central, std::fabs(w.prod[k][i])) << k << " " << a << "," << b;
          }
        }
      }
      for (size_t p = 0; p < 4; ++p) {
        EXPECT_EQ(c.curve_n[p], w.curve_n[p]) << p;
        EXPECT_PRED3(near, c.curve_y[p], w.curve_y[p], std::fabs(w.curve_y[p])) << p;
        EXPECT_PRED3(near, c.curve_yy[p], w.curve_yy[p], std::fabs(w.curve_yy[p])) << p;
      }
    }
  }
  EXPECT_EQ(cells, want.size());
  EXPECT_GT(measured, 50);
}

TEST_P(StoreConformanceTest, AnalysisCellsSumTheEntryStream) {
  HF_FIXTURE(f);
  RecordMessyTwoJourneyStore(f.store());
  const AnalysisQuery q = MessyQuery();
  using Key = std::tuple<std::string, int, std::string, int64_t, std::string, bool, bool>;
  std::map<Key, AnalysisCell> cells;
  std::map<std::string, std::array<double, kNumCellVariables>> shifts;
  absl::StatusOr<AnalysisAggregates> aggregates = f.store().AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(aggregates.ok()) << aggregates.status();
  ASSERT_EQ(aggregates->cells.size(), q.journeys.size());
  for (size_t k = 0; k < q.journeys.size(); ++k) {
    const std::vector<AnalysisCell>& list = aggregates->cells[k];
    for (size_t i = 0; i < list.size(); ++i) {
      const AnalysisCell& c = list[i];
      const Key key{q.journeys[k].journey, static_cast<int>(c.group), c.arm, c.period,
                    c.config_version, c.in_washout, c.mature};
      EXPECT_TRUE(cells.emplace(key, c).second) << "a cell twice";
      auto [it, fresh] = shifts.emplace(q.journeys[k].journey, c.shift);
      EXPECT_EQ(it->second, c.shift) << "one shift per journey";
      if (i > 0) {  // the promised order
        const AnalysisCell& p = list[i - 1];
        EXPECT_LT(std::tie(p.group, p.arm, p.period, p.config_version, p.in_washout, p.mature),
                  std::tie(c.group, c.arm, c.period, c.config_version, c.in_washout, c.mature));
      }
    }
  }
  // The same sums folded here from the entry stream, with each journey's shift.
  std::map<Key, AnalysisCell> want;
  std::map<std::string, bool> shift_is_an_entry;
  ASSERT_TRUE(f.store()
                  .ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
                    const Key key{e.journey, static_cast<int>(e.group), e.arm, e.period,
                                  e.config_version, e.in_washout, e.mature};
                    AnalysisCell& c = want[key];
                    if (c.entries == 0) {
                      c.first_t0 = e.t0;
                      c.last_t0 = e.t0;
                      c.version_known = e.version_known;
                    }
                    ++c.entries;
                    c.window_cut += e.window_cut ? 1 : 0;
                    c.in_refund_horizon += e.in_refund_horizon ? 1 : 0;
                    c.first_t0 = std::min(c.first_t0, e.t0);
                    c.last_t0 = std::max(c.last_t0, e.t0);
                    if (!e.mature) return absl::OkStatus();
                    const std::array<double, kNumCellVariables> v = CellValuesOf(e);
                    if (v == shifts[e.journey]) shift_is_an_entry[e.journey] = true;
                    const std::array<double, kNumCellVariables>& s = shifts[e.journey];
                    std::array<double, kNumCellVariables> d;
                    for (int a = 0; a < kNumCellVariables; ++a) d[a] = v[a] - s[a];
                    for (int a = 0; a < kNumCellVariables; ++a) {
                      c.s1[a] += d[a];
                      for (int b = a; b < kNumCellVariables; ++b) c.s2[CellPairIndex(a, b)] += d[a] * d[b];
                    }
                    for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
                      for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
                        for (int k = b; k < kNumCellThirdOrderVariables; ++k) {
                          c.s3[CellTripleIndex(a, b, k)] += d[a] * d[b] * d[k];
                        }
                      }
                    }
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_EQ(shifts.size(), 2u);
  // Each journey's shift is the values of one of its mature entries.
  EXPECT_TRUE(shift_is_an_entry["j"]);
  EXPECT_TRUE(shift_is_an_entry["k"]);
  ASSERT_EQ(cells.size(), want.size());
  int mature_cells = 0, immature_cells = 0, cut = 0;
  for (const auto& [key, w] : want) {
    auto it = cells.find(key);
    ASSERT_NE(it, cells.end()) << std::get<0>(key) << " period " << std::get<3>(key);
    const AnalysisCell& c = it->second;
    EXPECT_EQ(c.entries, w.entries);
    EXPECT_EQ(c.window_cut, w.window_cut);
    EXPECT_EQ(c.in_refund_horizon, w.in_refund_horizon);
    EXPECT_EQ(c.first_t0, w.first_t0);
    EXPECT_EQ(c.last_t0, w.last_t0);
    EXPECT_EQ(c.version_known, w.version_known);
    cut += c.window_cut;
    if (!c.mature) {
      ++immature_cells;
      continue;
    }
    ++mature_cells;
    auto near = [](double got, double expected) {
      return std::fabs(got - expected) <= 1e-9 * (1.0 + std::fabs(expected));
    };
    for (int a = 0; a < kNumCellVariables; ++a) EXPECT_PRED2(near, c.s1[a], w.s1[a]) << a;
    // The sums the statement computes equal the fold; those it leaves out
    // (no estimator reads them) are NaN, never a silent 0.
    for (int a = 0; a < kNumCellVariables; ++a) {
      for (int b = a; b < kNumCellVariables; ++b) {
        const int i = CellPairIndex(a, b);
        if (CellPairSummed(a, b)) {
          EXPECT_PRED2(near, c.s2[i], w.s2[i]) << a << "," << b;
        } else {
          EXPECT_TRUE(std::isnan(c.s2[i])) << a << "," << b;
        }
      }
    }
    for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
      for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
        for (int k = b; k < kNumCellThirdOrderVariables; ++k) {
          const int i = CellTripleIndex(a, b, k);
          if (CellTripleSummed(a, b, k)) {
            EXPECT_PRED2(near, c.s3[i], w.s3[i]) << a << "," << b << "," << k;
          } else {
            EXPECT_TRUE(std::isnan(c.s3[i])) << a << "," << b << "," << k;
          }
        }
      }
    }
  }
  // The data exercise what the cells classify by.
  EXPECT_GT(mature_cells, 20);
  EXPECT_GT(immature_cells, 2);
  EXPECT_GT(cut, 10);
}

TEST_P(StoreConformanceTest, AnalysedUnitsAreCountedPerSetOfJourneys) {
  HF_FIXTURE(f);
  RecordMessyTwoJourneyStore(f.store());
  const AnalysisQuery q = MessyQuery();
  for (const auto& [first, last] : {std::pair<int64_t, int64_t>{0, 1000}, {1, 1}}) {
    std::map<std::string, uint64_t> mask;
    ASSERT_TRUE(f.store()
                    .ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
                      if (e.group == EntryGroup::kGlobalHoldout || e.in_washout || !e.mature ||
                          e.period < first || e.period > last) {
                        return absl::OkStatus();
                      }
                      mask[e.unit] |= e.journey == "j" ? 1u : 2u;
                      return absl::OkStatus();
                    })
                    .ok());
    std::map<uint64_t, int64_t> want;
    for (const auto& [unit, m] : mask) ++want[m];
    absl::StatusOr<AnalysisAggregates> got = f.store().AggregateAnalysis(q, first, last);
    ASSERT_TRUE(got.ok()) << got.status();
    std::map<uint64_t, int64_t> got_map;
    for (const AnalysedUnitSet& s : got->units) got_map[s.journeys] += s.units;
    EXPECT_EQ(got_map, want) << "periods " << first << ".." << last;
    EXPECT_EQ(want.size(), 3u);  // j only, k only, both
  }
  AnalysisQuery horizons = q;
  horizons.journeys[0].max_horizon_us = 500;
  EXPECT_EQ(f.store().AggregateAnalysis(horizons, 0, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Segments split cells, not customers: the same sets.
  AnalysisQuery segments = q;
  segments.segment_by = "tier";
  absl::StatusOr<AnalysisAggregates> by_segment = f.store().AggregateAnalysis(segments, 0, 10);
  absl::StatusOr<AnalysisAggregates> whole = f.store().AggregateAnalysis(q, 0, 10);
  ASSERT_TRUE(by_segment.ok()) << by_segment.status();
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(by_segment->units.size(), whole->units.size());
  for (size_t i = 0; i < whole->units.size(); ++i) {
    EXPECT_EQ(by_segment->units[i].journeys, whole->units[i].journeys);
    EXPECT_EQ(by_segment->units[i].units, whole->units[i].units);
  }
  EXPECT_EQ(f.store().AggregateAnalysis(q, 5, 4).status().code(), absl::StatusCode::kInvalidArgument);
  // Cancelled (SQLite: its progress handler interrupts the first statement;
  // PostgreSQL: before the journey's statements): CANCELLED, and the store
  // still serves.
  AnalysisQuery cancelled = q;
  cancelled.cancelled = [] { return true; };
  EXPECT_EQ(f.store().AggregateAnalysis(cancelled, 0, 10).status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(f.store().AggregateAnalysis(q, 0, 10).ok());
  // No mature entry at all: every cell immature, the shift zero.
  AnalysisQuery early = q;
  early.as_of = 1001;
  absl::StatusOr<AnalysisAggregates> none = f.store().AggregateAnalysis(early, 0, 10);
  ASSERT_TRUE(none.ok()) << none.status();
  for (const std::vector<AnalysisCell>& list : none->cells) {
    for (const AnalysisCell& c : list) {
      EXPECT_FALSE(c.mature);
      EXPECT_EQ(c.shift, (std::array<double, kNumCellVariables>{}));
    }
  }
  EXPECT_TRUE(none->units.empty());
}

TEST_P(StoreConformanceTest, MalformedQueriesAreRefused) {
  HF_FIXTURE(f);
  AnalysisQuery q;
  q.journeys = {{kJ, kW, kP, kH, {{"v1", kW, kP, kH}, {"v1", kW, kP, kH}}}};
  q.from = 0;
  q.to = 10;
  absl::Status s = f.store().ForEachAnalysisEntry(q, [](const AnalysisEntry&) { return absl::OkStatus(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  q.journeys = {{kJ, -1, kP, kH, {}}};
  s = f.store().ForEachAnalysisEntry(q, [](const AnalysisEntry&) { return absl::OkStatus(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

// ------------------------------------------------------------ channels

ChannelQuery Channels(UnixMicros as_of, UnixMicros from = 0, UnixMicros to = 1000000) {
  ChannelQuery q;
  q.journey = {kJ, kW, kP, kH, {{"v1", kW, kP, kH}}};
  q.from = from;
  q.to = to;
  q.as_of = as_of;
  return q;
}

// (group, arm, channel or "-" for unattributed) -> aggregate.
std::map<std::tuple<EntryGroup, std::string, std::string>, ChannelAggregate> ByChannel(
    const JourneyChannels& c) {
  std::map<std::tuple<EntryGroup, std::string, std::string>, ChannelAggregate> out;
  for (const ChannelAggregate& a : c.channels) {
    EXPECT_TRUE(
        out.emplace(std::make_tuple(a.group, a.arm, a.unattributed ? "-" : a.channel), a).second);
  }
  return out;
}

SendRow SendOn(const std::string& id, const std::string& unit, UnixMicros at, double cost,
               const std::string& channel, const std::string& journey = kJ) {
  return {id, unit, journey, channel, at, cost};
}

// Last touch, worked by hand (W = 100, H = 50; as_of 2000):
//   u1 (arm a, t0 1000, window [1000, 1100)): email s1@1010 (1), sms s2@1030 (2),
//   email s3@1070 (1), sms s4@1100 (outside), journey k's sms @1040 (not j's).
//   o1@1050 40: last j send before it s2 -> sms; its refund r1@1120 (-10, before
//   1150) follows it; o3@1070 5: s3 is at the same time, not before -> sms;
//   o2@1080 30 -> email (s3); r2@1160 of o2 is after the deadline; o4@1110 is
//   outside the window: credited nowhere.
//   sms: 1 send, cost 2, 2 orders, 40 - 10 + 5 = 35; email: 2 sends, cost 2, 1 order, 30.
//   u2 (arm b): order @1005 before its only send (email @1020): unattributed 7.
//   h (holdout): sms @1010 (3) is contamination; its order @1020 (9) -> sms.
//   Ties at one time: the greater send_id wins (u5: "x1" email, "x2" push @1010).
TEST_P(StoreConformanceTest, ChannelsCreditTheLastSendBeforeEachOrderInTheWindow) {
  HF_FIXTURE(f);
  std::vector<EntryRow> entries = {Entry("u1", 1, 1000), Entry("u2", 1, 1000),
                                   Entry("h", 1, 1000, EntryGroup::kHoldout), Entry("u5", 1, 1000)};
  entries[1].arm = "b";
  entries[3].arm = "c";
  ASSERT_TRUE(f.store().RecordEntries(entries).ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{
                      SendOn("s1", "u1", 1010, 1, "email"), SendOn("s2", "u1", 1030, 2, "sms"),
                      SendOn("s3", "u1", 1070, 1, "email"), SendOn("s4", "u1", 1100, 4, "sms"),
                      SendOn("k1", "u1", 1040, 5, "sms", "k"), SendOn("s5", "u2", 1020, 1, "email"),
                      SendOn("s6", "h", 1010, 3, "sms"), SendOn("x2", "u5", 1010, 1, "push"),
                      SendOn("x1", "u5", 1010, 1, "email")})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{
                      Order("o1", "u1", 1050, 40, 4), Order("o3", "u1", 1070, 5, 1),
                      Order("o2", "u1", 1080, 30, 3), Order("o4", "u1", 1110, 100, 10),
                      Refund("r1", "u1", 1120, 10, 1, "o1"), Refund("r2", "u1", 1160, 30, 3, "o2"),
                      Order("o5", "u2", 1005, 7, 1), Order("o6", "h", 1020, 9, 1),
                      Order("o7", "u5", 1011, 2, 0)})
                  .ok());
  absl::StatusOr<JourneyChannels> c = f.store().GetJourneyChannels(Channels(2000));
  ASSERT_TRUE(c.ok()) << c.status();
  auto by = ByChannel(*c);
  ASSERT_EQ(by.size(), 7u);
  const ChannelAggregate& sms = by.at({EntryGroup::kTreatment, "a", "sms"});
  EXPECT_EQ(sms.sends, 1);
  EXPECT_DOUBLE_EQ(sms.send_cost, 2);
  EXPECT_EQ(sms.attributed_orders, 2);
  EXPECT_DOUBLE_EQ(sms.attributed_revenue, 35);
  const ChannelAggregate& email = by.at({EntryGroup::kTreatment, "a", "email"});
  EXPECT_EQ(email.sends, 2);
  EXPECT_DOUBLE_EQ(email.send_cost, 2);
  EXPECT_EQ(email.attributed_orders, 1);
  EXPECT_DOUBLE_EQ(email.attributed_revenue, 30);
  const ChannelAggregate& b_email = by.at({EntryGroup::kTreatment, "b", "email"});
  EXPECT_EQ(b_email.sends, 1);
  EXPECT_EQ(b_email.attributed_orders, 0);
  const ChannelAggregate& none = by.at({EntryGroup::kTreatment, "b", "-"});
  EXPECT_TRUE(none.unattributed);
  EXPECT_EQ(none.sends, 0);
  EXPECT_EQ(none.attributed_orders, 1);
  EXPECT_DOUBLE_EQ(none.attributed_revenue, 7);
  const ChannelAggregate& h = by.at({EntryGroup::kHoldout, "", "sms"});
  EXPECT_EQ(h.sends, 1);
  EXPECT_DOUBLE_EQ(h.send_cost, 3);
  EXPECT_EQ(h.attributed_orders, 1);
  EXPECT_DOUBLE_EQ(h.attributed_revenue, 9);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "c", "push"}).attributed_orders, 1);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "c", "email"}).attributed_orders, 0);
  // Sorted: treatment before holdout, arms by name, attributed channels first.
  EXPECT_EQ(c->channels.front().arm, "a");
  EXPECT_EQ(c->channels.back().group, EntryGroup::kHoldout);
  // The channel sums are the entries' own: Σ c and Σ y of the window.
  auto rows = f.Read(2000);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).c, email.send_cost + sms.send_cost);
  EXPECT_DOUBLE_EQ(rows.at({"u1", 1}).y, email.attributed_revenue + sms.attributed_revenue);
  // Before the refund arrives (as_of 1115) it is not subtracted.
  c = f.store().GetJourneyChannels(Channels(1115));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(ByChannel(*c).at({EntryGroup::kTreatment, "a", "sms"}).attributed_revenue, 45);
}

// Only analysed entries count, with the report's window: a window cut by
// the next entry (u3: [3000, 3050), next entry at 3050) keeps its own sends,
// and the next entry's order at 3060 has no send of its own window before
// it: unattributed, never credited to the email of the earlier window.
// Immature (u4: 3100 + 100 > as_of 3150), washout, global-holdout and
// out-of-period entries contribute nothing.
TEST_P(StoreConformanceTest, ChannelsCountOnlyAnalysedEntriesAndTheirCutWindows) {
  HF_FIXTURE(f);
  std::vector<EntryRow> entries = {Entry("u3", 1, 3000), Entry("u3", 2, 3050),
                                   Entry("u4", 2, 3100), Entry("w", 1, 3000),
                                   Entry("g", 1, 3000, EntryGroup::kGlobalHoldout),
                                   Entry("p0", 0, 3000)};
  entries[3].in_washout = true;
  ASSERT_TRUE(f.store().RecordEntries(entries).ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{
                      SendOn("a1", "u3", 3010, 1, "email"), SendOn("a2", "u4", 3110, 1, "email"),
                      SendOn("a3", "w", 3010, 1, "email"), SendOn("a4", "g", 3010, 1, "email"),
                      SendOn("a5", "p0", 3010, 1, "email")})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{Order("b1", "u3", 3060, 11, 1),
                                                          Order("b2", "u4", 3120, 5, 1),
                                                          Order("b3", "w", 3020, 5, 1),
                                                          Order("b4", "p0", 3020, 5, 1)})
                  .ok());
  ChannelQuery q = Channels(3150);
  q.first_period = 1;
  absl::StatusOr<JourneyChannels> c = f.store().GetJourneyChannels(q);
  ASSERT_TRUE(c.ok()) << c.status();
  auto by = ByChannel(*c);
  ASSERT_EQ(by.size(), 2u);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "a", "email"}).sends, 1);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "a", "email"}).attributed_orders, 0);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "a", "-"}).attributed_orders, 1);
  EXPECT_DOUBLE_EQ(by.at({EntryGroup::kTreatment, "a", "-"}).attributed_revenue, 11);
  // Period 0 selected too: p0's send and order count.
  q.first_period = std::numeric_limits<int64_t>::min();
  c = f.store().GetJourneyChannels(q);
  ASSERT_TRUE(c.ok()) << c.status();
  by = ByChannel(*c);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "a", "email"}).sends, 2);
  EXPECT_EQ(by.at({EntryGroup::kTreatment, "a", "email"}).attributed_orders, 1);
}

// The channel query applies each entry's config-version windows like the
// entry stream: "short" (W = 50, its own windows: looked up) leaves an order
// at t0 + 60 out; "v1" (the fallback's windows: no lookup) counts it.
TEST_P(StoreConformanceTest, ChannelsUseTheWindowsOfEachEntrysVersion) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store()
                  .RecordEntries(std::vector<EntryRow>{
                      Entry("s", 1, 1000, EntryGroup::kTreatment, "short"), Entry("l", 1, 1000)})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordSends(std::vector<SendRow>{SendOn("ss", "s", 1010, 1, "email"),
                                                    SendOn("sl", "l", 1010, 1, "email")})
                  .ok());
  ASSERT_TRUE(f.store()
                  .RecordOutcomes(std::vector<OutcomeRow>{Order("os", "s", 1060, 20, 2),
                                                          Order("ol", "l", 1060, 30, 3)})
                  .ok());
  ChannelQuery q = Channels(2000);
  q.journey.versions.push_back({"short", 50, kP, kH});
  absl::StatusOr<JourneyChannels> c = f.store().GetJourneyChannels(q);
  ASSERT_TRUE(c.ok()) << c.status();
  auto by = ByChannel(*c);
  const ChannelAggregate& email = by.at({EntryGroup::kTreatment, "a", "email"});
  EXPECT_EQ(email.sends, 2);
  EXPECT_EQ(email.attributed_orders, 1);
  EXPECT_DOUBLE_EQ(email.attributed_revenue, 30);
}

// Fixed costs by category over the same cost range as the journey's F:
// [200, 700) holds 500/1000 of c1 (fee 100) and c2 (creative 50), nothing of
// c3; journey k's cost is not j's. The categories add up to F.
TEST_P(StoreConformanceTest, ChannelFixedCostCategoriesProRateOverTheCostRange) {
  HF_FIXTURE(f);
  ASSERT_TRUE(f.store()
                  .RecordFixedCosts(std::vector<FixedCostRow>{{"c1", kJ, 0, 1000, 100, "fee"},
                                                              {"c2", kJ, 0, 1000, 50, "creative"},
                                                              {"c3", kJ, 1000, 2000, 10, "fee"},
                                                              {"c4", "k", 0, 1000, 70, "fee"}})
                  .ok());
  ChannelQuery q = Channels(800, 200, 2000);
  q.cost_to = 800 - kW;
  absl::StatusOr<JourneyChannels> c = f.store().GetJourneyChannels(q);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->fixed_costs.size(), 2u);
  EXPECT_EQ(c->fixed_costs[0].category, "creative");
  EXPECT_DOUBLE_EQ(c->fixed_costs[0].amount, 25);
  EXPECT_EQ(c->fixed_costs[1].category, "fee");
  EXPECT_DOUBLE_EQ(c->fixed_costs[1].amount, 50);
  JourneyDiagnosticsQuery d;
  d.journey = kJ;
  d.from = 200;
  d.to = 2000;
  d.cost_to = 800 - kW;
  absl::StatusOr<JourneyDiagnostics> diag = f.store().GetJourneyDiagnostics(d);
  ASSERT_TRUE(diag.ok());
  EXPECT_DOUBLE_EQ(diag->fixed_cost, 75);
  // An empty cost range: no category.
  q.cost_to = 100;
  c = f.store().GetJourneyChannels(q);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->fixed_costs.empty());
  // A malformed query is refused.
  q.first_period = 3;
  q.last_period = 2;
  EXPECT_EQ(f.store().GetJourneyChannels(q).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace holdfast::testing
