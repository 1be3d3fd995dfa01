// Runs the Store conformance suite (store_conformance_test.cc) on
// PostgresStore: each case gets a new database on this process's server.
// Also the PostgreSQL stream's slices (PostgresStoreOptions::
// report_connections): several connections give the one connection's
// stream, row for row, in the same order, on the same snapshot.
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/base/status_macros.h"
#include "lib/storage/internal/postgres_slice_bounds.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/store.h"
#include "tests/storage/store_conformance.h"
#include "tests/storage/test_store.h"

namespace holdfast::testing {
namespace {

absl::StatusOr<std::unique_ptr<Store>> MakePostgresStore(const std::string& /*dir*/) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  if (!uri.ok()) return uri.status();
  return Store::Open(*uri);
}

// The store in a schema of its own (docs/postgresql.md, "A schema of its
// own"): the URI's search_path names only that schema, so a statement that
// reached a table outside it (or created one elsewhere) would fail here.
absl::StatusOr<std::unique_ptr<Store>> MakePostgresStoreInItsOwnSchema(const std::string& /*dir*/) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  if (!uri.ok()) return uri.status();
  try {
    pqxx::connection conn(*uri);
    pqxx::nontransaction txn(conn);
    txn.exec("CREATE SCHEMA holdfast");
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  }
  return Store::Open(*uri + "&options=-c%20search_path%3Dholdfast");
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"postgres", &MakePostgresStore},
                                           StoreFactory{"postgres_own_schema",
                                                        &MakePostgresStoreInItsOwnSchema}),
                         StoreFactoryName);

// Every field of the entries, in stream order.
std::vector<AnalysisEntry> ReadAll(Store& store, const AnalysisQuery& q, absl::Status* status) {
  std::vector<AnalysisEntry> out;
  *status = store.ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
    out.push_back(e);
    return absl::OkStatus();
  });
  return out;
}

void ExpectSameStream(const std::vector<AnalysisEntry>& want, const std::vector<AnalysisEntry>& got) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const AnalysisEntry& a = want[i];
    const AnalysisEntry& b = got[i];
    SCOPED_TRACE(absl::StrCat("entry ", i, ": ", a.journey, "/", a.unit, "/", a.period));
    EXPECT_EQ(b.journey, a.journey);
    EXPECT_EQ(b.unit, a.unit);
    EXPECT_EQ(b.period, a.period);
    EXPECT_EQ(b.t0, a.t0);
    EXPECT_EQ(b.group, a.group);
    EXPECT_EQ(b.arm, a.arm);
    EXPECT_EQ(b.config_version, a.config_version);
    EXPECT_EQ(b.version_known, a.version_known);
    EXPECT_EQ(b.in_washout, a.in_washout);
    EXPECT_EQ(b.segment, a.segment);
    EXPECT_EQ(b.window_us, a.window_us);
    EXPECT_EQ(b.refund_horizon_us, a.refund_horizon_us);
    EXPECT_EQ(b.next_t0, a.next_t0);
    EXPECT_EQ(b.mature, a.mature);
    EXPECT_EQ(b.window_end, a.window_end);
    EXPECT_EQ(b.window_cut, a.window_cut);
    EXPECT_EQ(b.in_refund_horizon, a.in_refund_horizon);
    // Bit for bit: each row is the same SQL over the same rows.
    EXPECT_EQ(b.y, a.y);
    EXPECT_EQ(b.m, a.m);
    EXPECT_EQ(b.z, a.z);
    EXPECT_EQ(b.c, a.c);
    EXPECT_EQ(b.x, a.x);
    EXPECT_EQ(b.sends, a.sends);
    EXPECT_EQ(b.orders, a.orders);
    EXPECT_EQ(b.unsubscribed, a.unsubscribed);
    EXPECT_EQ(b.complained, a.complained);
    EXPECT_EQ(b.incentive, a.incentive);
    ASSERT_EQ(b.horizon_events.size(), a.horizon_events.size());
    for (size_t k = 0; k < a.horizon_events.size(); ++k) {
      EXPECT_EQ(b.horizon_events[k].offset_us, a.horizon_events[k].offset_us);
      EXPECT_EQ(b.horizon_events[k].revenue, a.horizon_events[k].revenue);
      EXPECT_EQ(b.horizon_events[k].margin, a.horizon_events[k].margin);
      EXPECT_EQ(b.horizon_events[k].order, a.horizon_events[k].order);
    }
  }
}

// The messy store read by one connection and by three, in slices of ~8
// entries (so ~30 per journey, more slices than fit in a queue).
class SlicedStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> uri = NewPostgresDatabase();
    ASSERT_TRUE(uri.ok()) << uri.status();
    uri_ = *uri;
    PostgresStoreOptions one;
    one.report_connections = 1;
    absl::StatusOr<std::unique_ptr<PostgresStore>> s = PostgresStore::Open(*uri, one);
    ASSERT_TRUE(s.ok()) << s.status();
    serial_ = *std::move(s);
    RecordMessyTwoJourneyStore(*serial_);
    PostgresStoreOptions three;
    three.report_connections = 3;
    three.min_slice_entries = 8;
    s = PostgresStore::Open(*uri, three);
    ASSERT_TRUE(s.ok()) << s.status();
    sliced_ = *std::move(s);
  }
  std::string uri_;
  std::unique_ptr<PostgresStore> serial_;
  std::unique_ptr<PostgresStore> sliced_;
};

TEST_F(SlicedStreamTest, SlicesGiveTheOneConnectionStreamRowForRowInOrder) {
  AnalysisQuery windowed = MessyQuery();
  windowed.from = 1100;  // entries of the later periods only
  AnalysisQuery horizons = MessyQuery();
  for (JourneyWindow& j : horizons.journeys) j.max_horizon_us = 300;
  for (const AnalysisQuery& q : {MessyQuery(), windowed, horizons}) {
    absl::Status serial_status, sliced_status;
    const std::vector<AnalysisEntry> want = ReadAll(*serial_, q, &serial_status);
    ASSERT_TRUE(serial_status.ok()) << serial_status;
    const int64_t slices_before = sliced_->GetStats().slices;
    const std::vector<AnalysisEntry> got = ReadAll(*sliced_, q, &sliced_status);
    ASSERT_TRUE(sliced_status.ok()) << sliced_status;
    ASSERT_GT(want.size(), 300u);
    ExpectSameStream(want, got);
    // Both journeys were cut (~8 entries a slice), so rows came from all three connections.
    EXPECT_GE(sliced_->GetStats().slices - slices_before, 20);
  }
  EXPECT_EQ(serial_->GetStats().sliced_journeys, 0);
  EXPECT_GE(sliced_->GetStats().sliced_journeys, 6);
}

TEST_F(SlicedStreamTest, EverySliceReadsTheSnapshotTheStreamStartedOn) {
  const AnalysisQuery q = MessyQuery();
  absl::Status status;
  const std::vector<AnalysisEntry> before = ReadAll(*serial_, q, &status);
  ASSERT_TRUE(status.ok()) << status;
  // Entries that sort into the first, a middle and the last slice of both
  // journeys, committed after the stream's snapshot was taken (once it was
  // exported, before the other connections start) and while it reads.
  auto late = [this](const std::string& suffix) {
    std::vector<EntryRow> rows;
    for (const std::string unit : {"a-late", "u150x", "zz-late"}) {
      rows.push_back(EntryRow{"j", unit + suffix, 0, 1100, EntryGroup::kTreatment, "a", "v1", false, {}});
      rows.push_back(EntryRow{"k", unit + suffix, 0, 1100, EntryGroup::kHoldout, "", "v1", false, {}});
    }
    return serial_->RecordEntries(rows).status();
  };
  PostgresStoreOptions options;
  options.report_connections = 3;
  options.min_slice_entries = 8;
  absl::Status hook_status;
  options.before_slice_connections = [&] { hook_status = late("1"); };
  absl::StatusOr<std::unique_ptr<PostgresStore>> hooked = PostgresStore::Open(uri_, options);
  ASSERT_TRUE(hooked.ok()) << hooked.status();
  bool wrote = false;
  std::vector<AnalysisEntry> got;
  status = (*hooked)->ForEachAnalysisEntry(q, [&](const AnalysisEntry& e) {
    if (!wrote) {
      wrote = true;
      HF_RETURN_IF_ERROR(late("2"));
    }
    got.push_back(e);
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_TRUE(hook_status.ok()) << hook_status;
  ASSERT_TRUE(wrote);
  ExpectSameStream(before, got);
  const std::vector<AnalysisEntry> after = ReadAll(*sliced_, q, &status);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(after.size(), before.size() + 12);
}

TEST_F(SlicedStreamTest, AStoppedStreamStopsEveryConnectionAndTheNextOneIsWhole) {
  const AnalysisQuery q = MessyQuery();
  absl::Status status;
  const std::vector<AnalysisEntry> want = ReadAll(*serial_, q, &status);
  ASSERT_TRUE(status.ok()) << status;
  // The caller's error after 40 rows ends the stream with that error.
  int rows = 0;
  status = sliced_->ForEachAnalysisEntry(q, [&](const AnalysisEntry&) {
    return ++rows == 40 ? absl::AbortedError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(rows, 40);
  // A cancelled report: CANCELLED, wherever the connections were.
  AnalysisQuery cancelled = q;
  std::atomic<int> polls{0};
  cancelled.cancelled = [&polls] { return ++polls > 3; };
  status = sliced_->ForEachAnalysisEntry(cancelled, [](const AnalysisEntry&) { return absl::OkStatus(); });
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  // The stopped connections were dropped, not pooled: the next stream is whole.
  for (int round = 0; round < 2; ++round) {
    const std::vector<AnalysisEntry> got = ReadAll(*sliced_, q, &status);
    ASSERT_TRUE(status.ok()) << status;
    ExpectSameStream(want, got);
  }
}

// Horizons in the database over three connections: the horizon statement
// is sliced like the cells, and its slices add up to the one-statement
// horizon cells (counts exactly, sums and curve differences to rounding).
TEST_F(SlicedStreamTest, SlicedHorizonCellsAddUpToTheOneStatementHorizonCells) {
  const AnalysisQuery q = MessyHorizonQuery();
  absl::StatusOr<AnalysisAggregates> want = serial_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(want.ok()) << want.status();
  const PostgresStoreStats before = sliced_->GetStats();
  absl::StatusOr<AnalysisAggregates> got = sliced_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(got.ok()) << got.status();
  // Two statements per journey, each in about three slices; the journeys
  // counted once.
  EXPECT_EQ(sliced_->GetStats().sliced_journeys - before.sliced_journeys, 2);
  EXPECT_GE(sliced_->GetStats().slices - before.slices, 10);
  auto near = [](double x, double y) {
    return (std::isnan(x) && std::isnan(y)) || std::fabs(x - y) <= 1e-9 * (1.0 + std::fabs(y));
  };
  ASSERT_EQ(got->horizon_cells.size(), 2u);
  int64_t measured = 0;
  for (size_t k = 0; k < got->horizon_cells.size(); ++k) {
    ASSERT_EQ(got->horizon_cells[k].size(), want->horizon_cells[k].size()) << "journey " << k;
    for (size_t i = 0; i < got->horizon_cells[k].size(); ++i) {
      const AnalysisHorizonCell& a = want->horizon_cells[k][i];
      const AnalysisHorizonCell& b = got->horizon_cells[k][i];
      SCOPED_TRACE(absl::StrCat("journey ", k, " horizon cell ", i));
      EXPECT_EQ(std::tie(b.group, b.arm, b.period, b.segment), std::tie(a.group, a.arm, a.period, a.segment));
      EXPECT_EQ(b.entries, a.entries);
      ASSERT_EQ(b.horizons.size(), 2u);
      for (size_t h = 0; h < 2; ++h) {
        EXPECT_EQ(b.horizons[h].entries, a.horizons[h].entries);
        EXPECT_EQ(b.horizons[h].overlapping, a.horizons[h].overlapping);
        measured += b.horizons[h].entries;
        for (size_t v = 0; v < a.horizons[h].s1.size(); ++v) {
          EXPECT_PRED2(near, b.horizons[h].s1[v], a.horizons[h].s1[v]) << v;
        }
        for (size_t v = 0; v < a.horizons[h].s2.size(); ++v) {
          EXPECT_PRED2(near, b.horizons[h].s2[v], a.horizons[h].s2[v]) << v;
        }
      }
      EXPECT_EQ(b.curve_n, a.curve_n);
      ASSERT_EQ(b.curve_yy.size(), a.curve_yy.size());
      for (size_t v = 0; v < a.curve_yy.size(); ++v) {
        EXPECT_PRED2(near, b.curve_y[v], a.curve_y[v]) << v;
        EXPECT_PRED2(near, b.curve_yy[v], a.curve_yy[v]) << v;
        EXPECT_PRED2(near, b.curve_mm[v], a.curve_mm[v]) << v;
      }
    }
  }
  EXPECT_GT(measured, 100);
}

// The analysis in the database over three connections (one slice each, on
// the shared snapshot) gives the one-statement cells: the same cells and
// counts, the sums to rounding (added per slice, then across slices); late
// writes after the snapshot are in no slice; a cancelled one ends CANCELLED
// and the next is whole.
TEST_F(SlicedStreamTest, SlicedCellsAddUpToTheOneStatementCells) {
  AnalysisQuery q = MessyQuery();
  absl::StatusOr<AnalysisAggregates> want = serial_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(want.ok()) << want.status();
  auto expect_same = [&](const AnalysisAggregates& got) {
    ASSERT_EQ(got.cells.size(), want->cells.size());
    for (size_t k = 0; k < got.cells.size(); ++k) {
      ASSERT_EQ(got.cells[k].size(), want->cells[k].size()) << "journey " << k;
      for (size_t i = 0; i < got.cells[k].size(); ++i) {
        const AnalysisCell& a = want->cells[k][i];
        const AnalysisCell& b = got.cells[k][i];
        SCOPED_TRACE(absl::StrCat("journey ", k, " cell ", i));
        EXPECT_EQ(std::tie(b.group, b.arm, b.period, b.config_version, b.in_washout, b.mature),
                  std::tie(a.group, a.arm, a.period, a.config_version, a.in_washout, a.mature));
        EXPECT_EQ(b.entries, a.entries);
        EXPECT_EQ(b.window_cut, a.window_cut);
        EXPECT_EQ(b.in_refund_horizon, a.in_refund_horizon);
        EXPECT_EQ(b.first_t0, a.first_t0);
        EXPECT_EQ(b.last_t0, a.last_t0);
        EXPECT_EQ(b.shift, a.shift);
        // A sum the statement leaves out is NaN on both sides.
        auto near = [](double x, double y) {
          return (std::isnan(x) && std::isnan(y)) || std::fabs(x - y) <= 1e-9 * (1.0 + std::fabs(y));
        };
        for (size_t v = 0; v < a.s1.size(); ++v) EXPECT_PRED2(near, b.s1[v], a.s1[v]) << v;
        for (size_t v = 0; v < a.s2.size(); ++v) EXPECT_PRED2(near, b.s2[v], a.s2[v]) << v;
        for (size_t v = 0; v < a.s3.size(); ++v) EXPECT_PRED2(near, b.s3[v], a.s3[v]) << v;
      }
    }
    ASSERT_EQ(got.units.size(), want->units.size());
    for (size_t i = 0; i < got.units.size(); ++i) {
      EXPECT_EQ(got.units[i].journeys, want->units[i].journeys);
      EXPECT_EQ(got.units[i].units, want->units[i].units);
    }
  };
  const PostgresStoreStats before = sliced_->GetStats();
  absl::StatusOr<AnalysisAggregates> got = sliced_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(got.ok()) << got.status();
  expect_same(*got);
  EXPECT_EQ(sliced_->GetStats().sliced_journeys - before.sliced_journeys, 2);
  EXPECT_GE(sliced_->GetStats().slices - before.slices, 5);  // 3 per journey, unless bounds merge

  // Entries written once the snapshot was exported are in no slice.
  PostgresStoreOptions options;
  options.report_connections = 3;
  options.min_slice_entries = 8;
  absl::Status hook_status;
  bool hook_ran = false;
  options.before_slice_connections = [&] {
    hook_ran = true;
    std::vector<EntryRow> rows;
    for (const std::string unit : {"a-late", "u150x", "zz-late"}) {
      rows.push_back(EntryRow{"j", unit, 0, 1100, EntryGroup::kTreatment, "a", "v1", false, {}});
    }
    hook_status = serial_->RecordEntries(rows).status();
  };
  absl::StatusOr<std::unique_ptr<PostgresStore>> hooked = PostgresStore::Open(uri_, options);
  ASSERT_TRUE(hooked.ok()) << hooked.status();
  got = (*hooked)->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(hook_ran);
  ASSERT_TRUE(hook_status.ok()) << hook_status;
  expect_same(*got);

  // Cancelled while the slices run: CANCELLED; then whole again (with the
  // late entries).
  AnalysisQuery cancelled = q;
  std::atomic<int> polls{0};
  cancelled.cancelled = [&polls] { return ++polls > 1; };
  EXPECT_EQ(sliced_->AggregateAnalysis(cancelled, 0, 1000).status().code(),
            absl::StatusCode::kCancelled);
  want = serial_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(want.ok()) << want.status();
  for (int round = 0; round < 2; ++round) {
    got = sliced_->AggregateAnalysis(q, 0, 1000);
    ASSERT_TRUE(got.ok()) << got.status();
    expect_same(*got);
  }
}

// A slice that fails stops the other slices of its statement (rather than
// the report waiting for the slowest one to finish): the report fails with
// that slice's error, not CANCELLED, the others are counted as stopped, and
// the next report is whole.
TEST_F(SlicedStreamTest, AFailedCellSliceStopsTheOtherSlices) {
  const AnalysisQuery q = MessyQuery();
  absl::StatusOr<AnalysisAggregates> want = serial_->AggregateAnalysis(q, 0, 1000);
  ASSERT_TRUE(want.ok()) << want.status();
  PostgresStoreOptions options;
  options.report_connections = 3;
  options.min_slice_entries = 8;
  std::atomic<bool> fail{true};
  std::atomic<int> stopped_before_statement{0};
  options.before_cell_slice = [&](int slice, const CancelCheck& stop) -> absl::Status {
    if (!fail) return absl::OkStatus();
    if (slice == 1) return absl::DataLossError("slice 1 lost its connection");
    if (slice == 0) {
      // Waits (bounded) for slice 1's failure to reach the stop check.
      for (int i = 0; i < 1000 && !stop(); ++i) absl::SleepFor(absl::Milliseconds(10));
      if (stop()) ++stopped_before_statement;
    }
    return absl::OkStatus();
  };
  absl::StatusOr<std::unique_ptr<PostgresStore>> hooked = PostgresStore::Open(uri_, options);
  ASSERT_TRUE(hooked.ok()) << hooked.status();
  const PostgresStoreStats before = (*hooked)->GetStats();
  absl::StatusOr<AnalysisAggregates> got = (*hooked)->AggregateAnalysis(q, 0, 1000);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << got.status();
  EXPECT_EQ(stopped_before_statement.load(), 1);
  // Slice 0 never ran its statement; slice 2 may have finished before the failure.
  EXPECT_GE((*hooked)->GetStats().slices_stopped - before.slices_stopped, 1);
  fail = false;
  for (int round = 0; round < 2; ++round) {
    got = (*hooked)->AggregateAnalysis(q, 0, 1000);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->cells.size(), want->cells.size());
    for (size_t k = 0; k < got->cells.size(); ++k) {
      ASSERT_EQ(got->cells[k].size(), want->cells[k].size());
      for (size_t i = 0; i < got->cells[k].size(); ++i) {
        EXPECT_EQ(got->cells[k][i].entries, want->cells[k][i].entries);
      }
    }
  }
  // The caller's own cancellation still reads as CANCELLED.
  AnalysisQuery cancelled = q;
  cancelled.cancelled = [] { return true; };
  EXPECT_EQ((*hooked)->AggregateAnalysis(cancelled, 0, 1000).status().code(),
            absl::StatusCode::kCancelled);
}

// A report whose first statement on the entries waits (here on a lock an
// administrator's session holds; in production a slow or busy server) is
// still cancelled within a poll: the store cancels that statement too, not
// only the stream's COPY and the cell statement, so the report thread and
// its connection are free long before the lock is released.
TEST_F(SlicedStreamTest, ACancelledReportStopsWhileItsFirstStatementWaits) {
  for (const bool in_database : {false, true}) {
    SCOPED_TRACE(in_database ? "AggregateAnalysis" : "ForEachAnalysisEntry");
    pqxx::connection admin(uri_);
    pqxx::work lock(admin);
    lock.exec("LOCK TABLE entries IN ACCESS EXCLUSIVE MODE");
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    AnalysisQuery q = MessyQuery();
    q.cancelled = [&cancel] { return cancel.load(); };
    absl::Status status;
    std::thread report([&] {
      if (in_database) {
        status = serial_->AggregateAnalysis(q, 0, 1000).status();
      } else {
        status = serial_->ForEachAnalysisEntry(q, [](const AnalysisEntry&) { return absl::OkStatus(); });
      }
      done = true;
    });
    absl::SleepFor(absl::Milliseconds(300));  // the report is now waiting on the lock
    EXPECT_FALSE(done.load());
    cancel = true;
    // Bounded wait; the lock is held all along.
    for (int i = 0; i < 500 && !done; ++i) absl::SleepFor(absl::Milliseconds(20));
    const bool stopped_while_locked = done.load();
    lock.commit();
    report.join();
    EXPECT_TRUE(stopped_while_locked) << "the report waited for the lock";
    EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  }
  // The cancelled sessions were dropped, not pooled: the next report is whole.
  absl::Status status;
  EXPECT_FALSE(ReadAll(*serial_, MessyQuery(), &status).empty());
  EXPECT_TRUE(status.ok()) << status;
}

// The sample that places the slice bounds (pg_relation_size, then a
// TABLESAMPLE of entries) waits on a lock like any statement; a cancel frees
// it within a poll instead of when the lock goes.
TEST_F(SlicedStreamTest, PlacingSliceBoundsStopsWhenCancelledWhileItWaits) {
  pqxx::connection admin(uri_);
  pqxx::work lock(admin);
  lock.exec("LOCK TABLE entries IN ACCESS EXCLUSIVE MODE");
  pqxx::connection reader(uri_);
  storage_internal::ReadTxn txn(reader);
  std::atomic<bool> cancel{false};
  std::atomic<bool> done{false};
  bool cancelled = false;
  std::vector<std::string> bounds = {"untouched"};
  std::thread place([&] {
    bounds = storage_internal::SampleSliceBounds(
        txn, reader, [&cancel] { return cancel.load(); }, "cart", 0, 1000000,
        [](double) -> size_t { return 4; }, &cancelled);
    done = true;
  });
  absl::SleepFor(absl::Milliseconds(300));  // now waiting on the lock
  EXPECT_FALSE(done.load());
  cancel = true;
  for (int i = 0; i < 500 && !done; ++i) absl::SleepFor(absl::Milliseconds(20));
  const bool stopped_while_locked = done.load();
  lock.commit();
  place.join();
  EXPECT_TRUE(stopped_while_locked) << "placing the bounds waited for the lock";
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(bounds.empty());
}

}  // namespace
}  // namespace holdfast::testing
