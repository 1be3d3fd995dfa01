// CopyStore (lib/storage/store_copy.h) moves a store between backends
// without changing a record: SQLite -> PostgreSQL -> SQLite keeps every row
// of every table (read back with the paged scans) and the same lift report;
// a second copy inserts nothing; a copy stopped part-way and run again
// completes it.
#include "lib/storage/store_copy.h"

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_proto.h"
#include "lib/report/store_analysis_source.h"
#include "tests/storage/test_store.h"

namespace holdfast {
namespace {

using holdfast::testing::StoreBackend;
using holdfast::testing::TestStore;
using G = EntryGroup;

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig Config() {
  AssignmentConfig config;
  config.version = "cfg-copy";
  config.global_holdout.share_ppm = 50000;
  JourneySpec j;
  j.id = "cart";
  j.holdout.share_ppm = 300000;
  j.arms = {{"A", 1}, {"B", 1}};
  j.attribution_window_us = 3 * kDay;
  j.pre_period_us = 7 * kDay;
  config.journeys = {j};
  return config;
}

// Fills `s` with ~600 entries and their events: repeat entries, both arms,
// washout, global holdout, attributes, refunds (stored negative), orphan
// refunds, fixed costs, a roster and three config loads.
void Fill(Store& s) {
  std::mt19937_64 rng(20261202);
  std::uniform_real_distribution<double> u01(0, 1);
  std::vector<EntryRow> entries;
  std::vector<SendRow> sends;
  std::vector<OutcomeRow> outcomes;
  std::vector<CustomerRow> customers;
  for (int unit = 0; unit < 400; ++unit) {
    const std::string id = absl::StrCat("unit-", unit);
    customers.push_back({id, static_cast<int64_t>(u01(rng) * kDay)});
    const int n = 1 + static_cast<int>(u01(rng) * 2);
    for (int k = 0; k < n; ++k) {
      EntryRow e;
      e.journey = "cart";
      e.unit = id;
      e.period = k;
      e.t0 = (2 + 7 * k) * kDay + static_cast<int64_t>(u01(rng) * 2 * kDay);
      const double r = u01(rng);
      e.group = r < 0.05 ? G::kGlobalHoldout : (r < 0.35 ? G::kHoldout : G::kTreatment);
      if (e.group == G::kTreatment) e.arm = r > 0.7 ? "B" : "A";
      e.config_version = "cfg-copy";
      e.in_washout = u01(rng) < 0.05;
      e.attributes = {{"tier", u01(rng) < 0.3 ? "vip" : "std"}, {"note", "a:b"}};
      entries.push_back(e);
      if (e.group == G::kTreatment) {
        sends.push_back({absl::StrCat("s-", unit, "-", k), id, "cart", "email",
                         e.t0 + static_cast<int64_t>(u01(rng) * kDay), 0.01 + u01(rng) * 0.5});
      }
      if (u01(rng) < 0.6) {
        const std::string oid = absl::StrCat("o-", unit, "-", k);
        const double revenue = 1e6 + 40 * u01(rng);
        outcomes.push_back({oid, id, e.t0 + static_cast<int64_t>(u01(rng) * 2 * kDay), OutcomeType::kOrder,
                            revenue, revenue * 0.3, "", /*incentive_cost=*/k % 2 ? revenue * 0.05 : 0.0});
        if (u01(rng) < 0.2) {
          outcomes.push_back({"r-" + oid, id, e.t0 + 2 * kDay, OutcomeType::kRefund, revenue / 2,
                              revenue * 0.1, oid});
        }
      }
    }
    if (u01(rng) < 0.05) {
      outcomes.push_back({absl::StrCat("orphan-", unit), id, 10 * kDay, OutcomeType::kRefund, 5, 1, "nope"});
    }
  }
  ASSERT_TRUE(s.RecordEntries(entries).ok());
  ASSERT_TRUE(s.RecordSends(sends).ok());
  ASSERT_TRUE(s.RecordOutcomes(outcomes).ok());
  ASSERT_TRUE(s.RecordCustomers(customers).ok());
  ASSERT_TRUE(s.RecordFixedCosts({{"f1", "cart", 0, 20 * kDay, 500, "platform"},
                                  {"f2", "cart", 10 * kDay, 40 * kDay, 90, ""}})
                  .ok());
  ASSERT_TRUE(s.AppendConfigVersion({"cfg-0", 10, "/etc/holdfast/a.textproto", "initial", "x", "r1"}).ok());
  ASSERT_TRUE(s.AppendConfigVersion({"cfg-copy", 20, "/etc/holdfast/a.textproto", "changed", "y", "r1"}).ok());
  // The same load again (a second replica starting): two rows, both copied.
  ASSERT_TRUE(s.AppendConfigVersion({"cfg-copy", 20, "/etc/holdfast/a.textproto", "changed", "y", "r1"}).ok());
}

// Every row of every table, as the scans return them, in a comparable form.
struct Dump {
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t, int, std::string, std::string, bool,
                         std::vector<std::pair<std::string, std::string>>>>
      entries;
  std::vector<std::tuple<std::string, std::string, std::string, std::string, int64_t, double>> sends;
  std::vector<std::tuple<std::string, std::string, int64_t, int, double, double, std::string, double>>
      outcomes;
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t, double, std::string>> costs;
  std::vector<std::pair<std::string, int64_t>> customers;
  std::vector<std::tuple<std::string, int64_t, std::string, std::string, std::string, std::string>> configs;
  bool operator==(const Dump&) const = default;
};

template <typename Row, typename Key, typename Scan, typename KeyOf, typename Add>
void ScanAll(Scan&& scan, KeyOf&& key_of, Add&& add) {
  std::optional<Key> after;
  for (;;) {
    absl::StatusOr<std::vector<Row>> rows = scan(after, 97);
    ASSERT_TRUE(rows.ok()) << rows.status();
    if (rows->empty()) return;
    for (const Row& r : *rows) add(r);
    after = key_of(rows->back());
  }
}

Dump DumpStore(Store& s) {
  Dump d;
  ScanAll<EntryRow, EntryKey>(
      [&](const auto& a, int n) { return s.ScanEntries(a, n); },
      [](const EntryRow& r) { return EntryKey{r.journey, r.unit, r.period}; },
      [&](const EntryRow& r) {
        d.entries.emplace_back(r.journey, r.unit, r.period, r.t0, static_cast<int>(r.group), r.arm,
                               r.config_version, r.in_washout, r.attributes);
      });
  ScanAll<SendRow, std::string>(
      [&](const auto& a, int n) { return s.ScanSends(a, n); }, [](const SendRow& r) { return r.send_id; },
      [&](const SendRow& r) { d.sends.emplace_back(r.send_id, r.unit, r.journey, r.channel, r.at, r.cost); });
  ScanAll<OutcomeRow, std::string>(
      [&](const auto& a, int n) { return s.ScanOutcomes(a, n); },
      [](const OutcomeRow& r) { return r.outcome_id; },
      [&](const OutcomeRow& r) {
        d.outcomes.emplace_back(r.outcome_id, r.unit, r.at, static_cast<int>(r.type), r.revenue, r.margin,
                                r.order_id, r.incentive_cost);
      });
  ScanAll<FixedCostRow, std::string>(
      [&](const auto& a, int n) { return s.ScanFixedCosts(a, n); },
      [](const FixedCostRow& r) { return r.cost_id; },
      [&](const FixedCostRow& r) {
        d.costs.emplace_back(r.cost_id, r.journey, r.start, r.end, r.amount, r.category);
      });
  ScanAll<CustomerRow, std::string>(
      [&](const auto& a, int n) { return s.ScanCustomers(a, n); },
      [](const CustomerRow& r) { return r.unit; },
      [&](const CustomerRow& r) { d.customers.emplace_back(r.unit, r.first_seen); });
  absl::StatusOr<std::vector<ConfigVersionRow>> h = s.ListConfigVersions(1000);
  EXPECT_TRUE(h.ok()) << h.status();
  if (h.ok()) {
    for (const ConfigVersionRow& r : *h) {
      d.configs.emplace_back(r.version, r.loaded_at, r.source_path, r.diff_summary, r.content, r.replica);
    }
  }
  return d;
}

holdfast::v1::LiftReport Report(Store& s) {
  report::StoreAnalysisSource source(&s);
  report::LiftReportOptions o;
  o.range = {3 * kDay, 25 * kDay};
  o.segment_by = "tier";
  absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(Config(), source, o);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_GT(r->rows[0].lift.treatment.entries, 100);
  report::LiftProtoContext ctx;
  ctx.range = o.range;
  ctx.cuped = true;
  return report::ToProto(*r, ctx);
}

const TableCopyCounts& Counts(const StoreCopySummary& s, const std::string& table) {
  for (const TableCopyCounts& t : s.tables) {
    if (t.table == table) return t;
  }
  static const TableCopyCounts kNone;
  ADD_FAILURE() << "no counts for " << table;
  return kNone;
}

std::unique_ptr<TestStore> NewStore(StoreBackend b) {
  absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(b);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(*t) : nullptr;
}

TEST(StoreCopyTest, SqliteToPostgresToSqliteKeepsEveryRecordAndTheReport) {
  std::unique_ptr<TestStore> a = NewStore(StoreBackend::kSqlite);
  std::unique_ptr<TestStore> pg = NewStore(StoreBackend::kPostgres);
  std::unique_ptr<TestStore> b = NewStore(StoreBackend::kSqlite);
  ASSERT_TRUE(a && pg && b);
  Fill(*a->store());
  const Dump original = DumpStore(*a->store());
  ASSERT_GT(original.entries.size(), 500u);
  ASSERT_EQ(original.configs.size(), 3u);

  StoreCopyOptions options;
  options.batch_rows = 128;
  absl::StatusOr<StoreCopySummary> s1 = CopyStore(*a->store(), *pg->store(), options);
  ASSERT_TRUE(s1.ok()) << s1.status();
  EXPECT_EQ(Counts(*s1, "entries").read, static_cast<int64_t>(original.entries.size()));
  EXPECT_EQ(Counts(*s1, "entries").inserted, static_cast<int64_t>(original.entries.size()));
  EXPECT_EQ(Counts(*s1, "outcomes").inserted, static_cast<int64_t>(original.outcomes.size()));
  EXPECT_EQ(Counts(*s1, "config_versions").inserted, 3);
  absl::StatusOr<StoreCopySummary> s2 = CopyStore(*pg->store(), *b->store(), options);
  ASSERT_TRUE(s2.ok()) << s2.status();

  EXPECT_TRUE(DumpStore(*pg->store()) == original);
  EXPECT_TRUE(DumpStore(*b->store()) == original);
  // Same rows in the same kind of store: the same report to the last bit.
  // (NaN, an undefined estimate, equals NaN.)
  google::protobuf::util::DefaultFieldComparator bitwise;
  bitwise.set_float_comparison(google::protobuf::util::DefaultFieldComparator::EXACT);
  bitwise.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer exact;
  exact.set_field_comparator(&bitwise);
  std::string diff;
  exact.ReportDifferencesToString(&diff);
  EXPECT_TRUE(exact.Compare(Report(*a->store()), Report(*b->store()))) << diff;
  // PostgreSQL agrees with SQLite as the agreement test requires (1e-9).
  google::protobuf::util::DefaultFieldComparator cmp;
  cmp.set_float_comparison(google::protobuf::util::DefaultFieldComparator::APPROXIMATE);
  cmp.SetDefaultFractionAndMargin(1e-9, 1e-9);
  cmp.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer close;
  close.set_field_comparator(&cmp);
  std::string diff2;
  close.ReportDifferencesToString(&diff2);
  EXPECT_TRUE(close.Compare(Report(*a->store()), Report(*pg->store()))) << diff2;
}

TEST(StoreCopyTest, SecondCopyInsertsNothing) {
  for (StoreBackend to : {StoreBackend::kSqlite, StoreBackend::kPostgres}) {
    SCOPED_TRACE(to == StoreBackend::kSqlite ? "to sqlite" : "to postgres");
    std::unique_ptr<TestStore> a = NewStore(StoreBackend::kSqlite);
    std::unique_ptr<TestStore> b = NewStore(to);
    ASSERT_TRUE(a && b);
    Fill(*a->store());
    ASSERT_TRUE(CopyStore(*a->store(), *b->store(), {}).ok());
    absl::StatusOr<StoreCopySummary> again = CopyStore(*a->store(), *b->store(), {});
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_EQ(again->tables.size(), 6u);
    for (const TableCopyCounts& t : again->tables) {
      EXPECT_EQ(t.inserted, 0) << t.table;
      EXPECT_EQ(t.already_present, t.read) << t.table;
      EXPECT_GT(t.read, 0) << t.table;
    }
    EXPECT_TRUE(DumpStore(*b->store()) == DumpStore(*a->store()));
  }
}

TEST(StoreCopyTest, StoppedCopyRunAgainCompletes) {
  std::unique_ptr<TestStore> a = NewStore(StoreBackend::kSqlite);
  std::unique_ptr<TestStore> pg = NewStore(StoreBackend::kPostgres);
  ASSERT_TRUE(a && pg);
  Fill(*a->store());
  StoreCopyOptions options;
  options.batch_rows = 50;
  // Stops inside the entries table (config history is 1 page, customers 8).
  options.stop_after_batches = 12;
  int64_t pages = 0;
  options.on_batch = [&pages](const StoreCopySummary& s) { pages = s.batches; };
  absl::StatusOr<StoreCopySummary> stopped = CopyStore(*a->store(), *pg->store(), options);
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kAborted) << stopped.status();
  EXPECT_EQ(pages, 12);
  const Dump part = DumpStore(*pg->store());
  const Dump full = DumpStore(*a->store());
  EXPECT_EQ(part.customers, full.customers);
  EXPECT_GT(part.entries.size(), 0u);
  EXPECT_LT(part.entries.size(), full.entries.size());
  EXPECT_TRUE(part.sends.empty());

  options.stop_after_batches = 0;
  absl::StatusOr<StoreCopySummary> rest = CopyStore(*a->store(), *pg->store(), options);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(Counts(*rest, "entries").already_present, static_cast<int64_t>(part.entries.size()));
  EXPECT_EQ(Counts(*rest, "entries").inserted,
            static_cast<int64_t>(full.entries.size() - part.entries.size()));
  EXPECT_EQ(Counts(*rest, "config_versions").inserted, 0);
  EXPECT_TRUE(DumpStore(*pg->store()) == full);
}

// A source row the destination refuses (a NUL byte, which SQLite stores and
// PostgreSQL text cannot hold) is named by its key and its position in the
// source's table, not by its index in the copy's page; the pages before it
// stay committed (a run after fixing the row goes on from there).
TEST(StoreCopyTest, ARowTheDestinationRefusesIsNamedByItsKey) {
  std::unique_ptr<TestStore> a = NewStore(StoreBackend::kSqlite);
  std::unique_ptr<TestStore> pg = NewStore(StoreBackend::kPostgres);
  ASSERT_TRUE(a && pg);
  std::vector<SendRow> sends;
  for (int i = 0; i < 120; ++i) {
    sends.push_back({absl::StrCat("s-", 1000 + i), "u1", "cart", "email", 1000 + i, 0.01});
  }
  // Sorts 75th of 120 by send_id ("s-1074" < "s-1074\0x" < "s-1075").
  sends.push_back({std::string("s-1074\0x", 8), "u1", "cart", "email", 5, 0.01});
  ASSERT_TRUE(a->store()->RecordSends(sends).ok());
  StoreCopyOptions options;
  options.batch_rows = 50;
  absl::StatusOr<StoreCopySummary> r = CopyStore(*a->store(), *pg->store(), options);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_EQ(std::string(r.status().message()),
            "sends row 76 of the source (send_id 's-1074\\000x'): send_id must be valid UTF-8 "
            "without NUL bytes (PostgreSQL text)");
  absl::StatusOr<std::vector<SendRow>> copied = pg->store()->ScanSends(std::nullopt, 1000);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->size(), 50u);
}

TEST(StoreCopyTest, BadOptionsAreRefused) {
  std::unique_ptr<TestStore> a = NewStore(StoreBackend::kSqlite);
  std::unique_ptr<TestStore> b = NewStore(StoreBackend::kSqlite);
  ASSERT_TRUE(a && b);
  StoreCopyOptions o;
  o.batch_rows = 0;
  EXPECT_EQ(CopyStore(*a->store(), *b->store(), o).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CopyStore(*a->store(), *a->store(), {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace holdfast
