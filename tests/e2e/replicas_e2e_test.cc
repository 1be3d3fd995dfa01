// Three holdfastd replicas on one PostgreSQL database (a real server this
// test starts): writers and BatchAssign callers spread over all three, one
// replica killed with SIGKILL mid-load and restarted. Every acknowledged
// record is stored exactly once, re-sending adds nothing, and the lift
// report is identical from each replica. Bounded: about 10-30 s.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "absl/strings/str_cat.h"
#include "client/holdfast_client.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using holdfast::client::HoldfastClient;

constexpr int kReplicas = 3;
constexpr int kBatch = 200;
constexpr int64_t kT0Seconds = 1790000000;  // the assignments' time

holdfast::v1::SendRecord MakeSend(int writer, int64_t seq) {
  holdfast::v1::SendRecord s;
  s.set_send_id(absl::StrCat("w", writer, "-", seq));
  s.set_unit(absl::StrCat("c", writer, "-", seq % 5000));
  s.set_journey("cart_abandon");
  s.set_channel("email");
  s.mutable_at()->set_seconds(kT0Seconds + 60);
  s.set_cost(0.002);
  return s;
}

// Units assigned by caller `caller` in call `seq`.
std::string UnitOf(int caller, int64_t seq, int i) { return absl::StrCat("c", caller, "-", seq * kBatch + i); }

// Runs `sql` (one row, one column) over libpq.
std::vector<std::string> Column(const std::string& uri, const std::string& sql) {
  std::vector<std::string> out;
  PGconn* conn = PQconnectdb(uri.c_str());
  EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* res = PQexec(conn, sql.c_str());
  EXPECT_EQ(PQresultStatus(res), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  for (int r = 0; r < PQntuples(res); ++r) out.emplace_back(PQgetvalue(res, r, 0));
  PQclear(res);
  PQfinish(conn);
  return out;
}

struct Replica {
  std::unique_ptr<DaemonProcess> daemon;
  std::string address;  // guarded by Load::mu
};

struct Load {
  std::mutex mu;
  std::vector<std::vector<int64_t>> acked_sends{kReplicas};  // per writer (= replica index)
  std::vector<int64_t> attempted_sends = std::vector<int64_t>(kReplicas, 0);
  std::vector<std::string> acked_units;
  int64_t acked_calls = 0;
};

// Writer `w` sends batches to replica `w` from sequence `seq` until `stop`
// or an error (the replica died); returns the next sequence number.
int64_t WriteSends(Load& load, int w, const std::string& address, int64_t seq, std::atomic<bool>& stop) {
  auto client = HoldfastClient::Connect(address);
  client->set_timeout(std::chrono::seconds(10));
  while (!stop.load()) {
    holdfast::v1::RecordSendsRequest req;
    for (int i = 0; i < kBatch; ++i) *req.add_sends() = MakeSend(w, seq + i);
    holdfast::v1::WriteSummary summary;
    grpc::Status s = client->events()->RecordSends(client->NewContext().get(), req, &summary);
    std::lock_guard<std::mutex> lock(load.mu);
    load.attempted_sends[w] = std::max(load.attempted_sends[w], seq + kBatch);
    if (!s.ok()) return seq;
    for (int i = 0; i < kBatch; ++i) load.acked_sends[w].push_back(seq + i);
    ++load.acked_calls;
    seq += kBatch;
  }
  return seq;
}

// BatchAssign caller `c` on replica `c`: every call assigns (and records)
// kBatch new units.
int64_t Assign(Load& load, int c, const std::string& address, int64_t seq, std::atomic<bool>& stop) {
  auto client = HoldfastClient::Connect(address);
  client->set_timeout(std::chrono::seconds(10));
  while (!stop.load()) {
    holdfast::v1::BatchAssignRequest req;
    req.set_journey("cart_abandon");
    req.mutable_at()->set_seconds(kT0Seconds);
    for (int i = 0; i < kBatch; ++i) req.add_units(UnitOf(c, seq, i));
    absl::StatusOr<holdfast::v1::BatchAssignResponse> r = client->BatchAssign(req);
    if (!r.ok()) return seq;
    std::lock_guard<std::mutex> lock(load.mu);
    for (int i = 0; i < kBatch; ++i) load.acked_units.push_back(UnitOf(c, seq, i));
    ++load.acked_calls;
    ++seq;
  }
  return seq;
}

TEST(ReplicasE2eTest, ThreeReplicasOnePostgresSurviveAKilledReplica) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> uri = (*pg)->CreateDatabase("holdfast");
  ASSERT_TRUE(uri.ok()) << uri.status();
  TempDir dir;
  std::vector<Replica> replicas(kReplicas);
  // All three start at once: their migrations race on the empty database.
  std::vector<std::thread> starters;
  std::atomic<int> started{0};
  for (int r = 0; r < kReplicas; ++r) {
    replicas[r].daemon = std::make_unique<DaemonProcess>(
        HoldfastdPath(),
        std::vector<std::string>{"--config=" + SourceDir() + "/examples/holdfast.textproto",
                                 "--db=" + *uri, "--replica_id=r" + std::to_string(r)},
        dir.path() + "/r" + std::to_string(r));
    std::filesystem::create_directories(dir.path() + "/r" + std::to_string(r));
    starters.emplace_back([&, r] {
      if (replicas[r].daemon->Start()) ++started;
    });
  }
  for (std::thread& t : starters) t.join();
  ASSERT_EQ(started.load(), kReplicas) << replicas[0].daemon->log() << replicas[1].daemon->log()
                                       << replicas[2].daemon->log();
  for (Replica& r : replicas) r.address = r.daemon->address();

  Load load;
  std::atomic<bool> stop{false};
  std::vector<int64_t> send_seq(kReplicas, 0), assign_seq(kReplicas, 0);
  std::vector<std::thread> workers;
  for (int r = 0; r < kReplicas; ++r) {
    workers.emplace_back([&, r] { send_seq[r] = WriteSends(load, r, replicas[r].address, 0, stop); });
    workers.emplace_back([&, r] { assign_seq[r] = Assign(load, r, replicas[r].address, 0, stop); });
  }
  // Kill replica 1 once calls are being acknowledged everywhere (bounded).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(load.mu);
      if (load.acked_calls >= 60) break;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  replicas[1].daemon->Signal(SIGKILL);
  // The other two keep going while replica 1 is down; then it comes back
  // (same database, new port) and takes load again for a while.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(replicas[1].daemon->Start()) << replicas[1].daemon->log();
  std::atomic<bool> stop_late{false};
  std::thread late_sends([&] {
    // Writers resume past what they attempted, so no id is re-used with
    // different content.
    int64_t from;
    {
      std::lock_guard<std::mutex> lock(load.mu);
      from = load.attempted_sends[1];
    }
    WriteSends(load, 1, replicas[1].daemon->address(), from, stop_late);
  });
  std::thread late_assign([&] { Assign(load, 1, replicas[1].daemon->address(), 1000000, stop_late); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  stop_late = true;
  for (std::thread& t : workers) t.join();
  late_sends.join();
  late_assign.join();
  replicas[1].address = replicas[1].daemon->address();

  int64_t total_acked = 0;
  for (const auto& a : load.acked_sends) total_acked += a.size();
  ASSERT_GT(total_acked, 0);
  ASSERT_FALSE(load.acked_units.empty());

  // Exactly once: every acknowledged send and entry is in the database.
  std::vector<std::string> ids = Column(*uri, "SELECT send_id FROM sends");
  const std::set<std::string> stored(ids.begin(), ids.end());
  EXPECT_EQ(stored.size(), ids.size());
  for (int w = 0; w < kReplicas; ++w) {
    for (int64_t seq : load.acked_sends[w]) {
      ASSERT_TRUE(stored.count(MakeSend(w, seq).send_id())) << "acknowledged send lost: w" << w << "-" << seq;
    }
  }
  std::vector<std::string> units = Column(*uri, "SELECT unit FROM entries WHERE journey = 'cart_abandon'");
  const std::set<std::string> entered(units.begin(), units.end());
  EXPECT_EQ(entered.size(), units.size());  // one entry per unit (one period)
  for (const std::string& u : load.acked_units) ASSERT_TRUE(entered.count(u)) << "entry lost: " << u;

  // Re-sending every acknowledged send through another replica adds nothing.
  auto client = HoldfastClient::Connect(replicas[2].address);
  client->set_timeout(std::chrono::seconds(30));
  for (int w = 0; w < kReplicas; ++w) {
    for (size_t off = 0; off < load.acked_sends[w].size(); off += 5000) {
      const size_t end = std::min(load.acked_sends[w].size(), off + 5000);
      holdfast::v1::RecordSendsRequest req;
      for (size_t i = off; i < end; ++i) *req.add_sends() = MakeSend(w, load.acked_sends[w][i]);
      holdfast::v1::WriteSummary summary;
      grpc::Status s = client->events()->RecordSends(client->NewContext().get(), req, &summary);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(summary.inserted(), 0);
      EXPECT_EQ(summary.duplicates(), static_cast<int64_t>(end - off));
    }
  }
  EXPECT_EQ(Column(*uri, "SELECT count(*) FROM sends")[0], std::to_string(ids.size()));

  // The same report from every replica.
  holdfast::v1::LiftReportRequest req;
  req.add_journeys("cart_abandon");
  req.mutable_from()->set_seconds(kT0Seconds - 86400);
  req.mutable_to()->set_seconds(kT0Seconds + 86400);
  // One as_of for all three (unset, each replica would use its own arrival
  // time and echo it): every write is acknowledged, so now sees them all.
  req.mutable_as_of()->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count());
  std::vector<holdfast::v1::LiftReport> reports(kReplicas);
  for (int r = 0; r < kReplicas; ++r) {
    auto c = HoldfastClient::Connect(replicas[r].address);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status s = c->reports()->GetLiftReport(&ctx, req, &reports[r]);
    ASSERT_TRUE(s.ok()) << s.error_message();
    reports[r].clear_generated_at();
  }
  ASSERT_GT(reports[0].rows_size(), 0);
  // Identical to the bit (an undefined statistic is NaN on every replica).
  google::protobuf::util::DefaultFieldComparator exact;
  exact.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer diff;
  diff.set_field_comparator(&exact);
  std::string differences;
  diff.ReportDifferencesToString(&differences);
  for (int r = 1; r < kReplicas; ++r) {
    EXPECT_TRUE(diff.Compare(reports[0], reports[r])) << "replica " << r << " differs: " << differences;
  }
  // Config history is shared and names who loaded each version: every
  // replica's first start is recorded once, and the killed replica's restart
  // on the version it already recorded adds nothing — three rows of the one
  // version, one per replica, whichever replica is asked.
  absl::StatusOr<holdfast::v1::ConfigHistoryResponse> h = client->ConfigHistory(10);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->versions_size(), kReplicas);
  std::set<std::string> loaded_by;
  for (const auto& v : h->versions()) {
    EXPECT_EQ(v.version(), h->versions(0).version());
    loaded_by.insert(v.replica());
  }
  EXPECT_EQ(loaded_by, (std::set<std::string>{"r0", "r1", "r2"}));
  auto other = HoldfastClient::Connect(replicas[0].address);
  absl::StatusOr<holdfast::v1::ConfigHistoryResponse> h0 = other->ConfigHistory(10);
  ASSERT_TRUE(h0.ok()) << h0.status();
  EXPECT_EQ(h0->versions_size(), h->versions_size());
}

}  // namespace
}  // namespace holdfast::testing
