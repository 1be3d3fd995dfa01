// A stop the store cannot finish, on the real holdfastd: with its writer
// stalled (test hook --test_stall_writes_while, as a frozen PostgreSQL server
// or a hung disk would), a SIGTERM must end the process within
// --shutdown_timeout_seconds, exit 1 with a "shutdown_forced" line, and a
// second SIGTERM must end it at once. (The write waits before it reaches the
// store, so the stop hangs where it does when a database stops answering:
// in gRPC's wait for the handler, which waits for its commit.) The unacknowledged write gets an
// error, never OK, and the store opens again afterwards. A stop that can
// finish still waits for the in-flight write and exits 0.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <libpq-fe.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Waits (up to 30 s) until a write waits in the stalled store: the hook
// creates `stall`.waiting then.
bool WriteIsWaiting(const std::string& stall) {
  for (int i = 0; i < 3000; ++i) {
    if (std::filesystem::exists(stall + ".waiting")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Sends `sig` and waits for the exit (DaemonProcess::Signal: up to 20 s,
// then SIGKILL, so an unbounded stop shows as a kill): the waitpid status
// and the seconds it took.
struct Stopped {
  int status = 0;
  double seconds = 0;
};
Stopped SignalAndWait(DaemonProcess& daemon, int sig) {
  const Clock::time_point start = Clock::now();
  Stopped out;
  out.status = daemon.Signal(sig);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

std::string ConfigFlag() { return "--config=" + SourceDir() + "/examples/holdfast.textproto"; }

// One RecordSends on its own thread; the future holds its status.
std::future<grpc::Status> SendOne(const std::string& address, const std::string& send_id) {
  return std::async(std::launch::async, [address, send_id] {
    auto stub = holdfast::v1::EventService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    holdfast::v1::RecordSendsRequest req;
    holdfast::v1::SendRecord* s = req.add_sends();
    s->set_send_id(send_id);
    s->set_unit("customer-1");
    s->set_journey("cart_abandon");
    s->set_channel("email");
    s->mutable_at()->set_seconds(1790000000);
    s->set_cost(0.01);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    holdfast::v1::WriteSummary summary;
    return stub->RecordSends(&context, req, &summary);
  });
}

class ShutdownE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(stall_).close(); }

  std::unique_ptr<DaemonProcess> StartDaemon(int shutdown_timeout_seconds) {
    auto daemon = std::make_unique<DaemonProcess>(
        HoldfastdPath(),
        std::vector<std::string>{ConfigFlag(), "--db=" + dir_.File("holdfast.db"),
                                 "--test_stall_writes_while=" + stall_,
                                 absl::StrCat("--shutdown_timeout_seconds=", shutdown_timeout_seconds)},
        dir_.path());
    EXPECT_TRUE(daemon->Start()) << daemon->log();
    return daemon;
  }

  TempDir dir_;
  const std::string stall_ = dir_.File("stall");
};

TEST_F(ShutdownE2eTest, AStopTheStoreCannotFinishEndsAfterTheTimeout) {
  std::unique_ptr<DaemonProcess> daemon = StartDaemon(/*shutdown_timeout_seconds=*/3);
  std::future<grpc::Status> call = SendOne(daemon->address(), "stuck-1");
  ASSERT_TRUE(WriteIsWaiting(stall_)) << daemon->log();
  const Stopped stop = SignalAndWait(*daemon, SIGTERM);
  ASSERT_TRUE(WIFEXITED(stop.status)) << "not exited by itself (killed after 20 s)\n" << daemon->log();
  EXPECT_EQ(WEXITSTATUS(stop.status), 1) << daemon->log();
  EXPECT_GE(stop.seconds, 2.5);
  EXPECT_LT(stop.seconds, 15.0);
  EXPECT_TRUE(absl::StrContains(daemon->log(), "shutdown_forced")) << daemon->log();
  EXPECT_TRUE(absl::StrContains(daemon->log(), "not stopped within --shutdown_timeout_seconds=3"))
      << daemon->log();
  EXPECT_FALSE(absl::StrContains(daemon->log(), "INFO stopped")) << daemon->log();
  // Never acknowledged.
  EXPECT_FALSE(call.get().ok());

  // The store opens again, and the retried write commits once the writer runs.
  std::filesystem::remove(stall_);
  std::unique_ptr<DaemonProcess> again = StartDaemon(/*shutdown_timeout_seconds=*/30);
  grpc::Status retried = SendOne(again->address(), "stuck-1").get();
  EXPECT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(WEXITSTATUS(again->Signal(SIGTERM)), 0) << again->log();
}

TEST_F(ShutdownE2eTest, ASecondSignalEndsAStuckStopAtOnce) {
  // No timeout: only the second signal ends the stop.
  std::unique_ptr<DaemonProcess> daemon = StartDaemon(/*shutdown_timeout_seconds=*/0);
  std::future<grpc::Status> call = SendOne(daemon->address(), "stuck-2");
  ASSERT_TRUE(WriteIsWaiting(stall_)) << daemon->log();
  ASSERT_EQ(kill(daemon->pid(), SIGTERM), 0);
  // The first signal alone does not end it.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(waitpid(daemon->pid(), nullptr, WNOHANG), 0) << daemon->log();
  const Stopped stop = SignalAndWait(*daemon, SIGTERM);
  ASSERT_TRUE(WIFEXITED(stop.status)) << "not exited by itself (killed after 20 s)\n" << daemon->log();
  EXPECT_EQ(WEXITSTATUS(stop.status), 1) << daemon->log();
  EXPECT_LT(stop.seconds, 10.0);
  EXPECT_TRUE(absl::StrContains(daemon->log(), "reason=\"second SIGTERM\"")) << daemon->log();
  EXPECT_FALSE(call.get().ok());
}

TEST_F(ShutdownE2eTest, AStopThatCanFinishWaitsForTheWriteAndExitsZero) {
  std::unique_ptr<DaemonProcess> daemon = StartDaemon(/*shutdown_timeout_seconds=*/60);
  std::future<grpc::Status> call = SendOne(daemon->address(), "slow-1");
  ASSERT_TRUE(WriteIsWaiting(stall_)) << daemon->log();
  ASSERT_EQ(kill(daemon->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // The writer resumes while the stop waits: the write commits and is acknowledged.
  std::filesystem::remove(stall_);
  // Signal 0 sends nothing (a second SIGTERM would force the exit); it waits.
  const int status = daemon->Signal(0);
  ASSERT_TRUE(WIFEXITED(status)) << daemon->log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << daemon->log();
  EXPECT_TRUE(absl::StrContains(daemon->log(), "INFO stopped")) << daemon->log();
  EXPECT_FALSE(absl::StrContains(daemon->log(), "shutdown_forced")) << daemon->log();
  const grpc::Status acknowledged = call.get();
  EXPECT_TRUE(acknowledged.ok()) << acknowledged.error_message();
}

// The case the bound is for, on a real PostgreSQL server: its writer
// backends stopped (SIGSTOP, as a frozen or swapped-out server would be;
// alive at the TCP level, so no keepalive or tcp_user_timeout notices).
// The write waits in the store's commit; SIGTERM still ends holdfastd
// within --shutdown_timeout_seconds, and once the backends run again
// nothing acknowledged is missing and the retried write lands once.
TEST(ShutdownPostgresE2eTest, AFrozenDatabaseDoesNotHoldTheStopForever) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> uri = (*pg)->CreateDatabase("hf_shutdown");
  ASSERT_TRUE(uri.ok()) << uri.status();
  TempDir dir;
  auto daemon = std::make_unique<DaemonProcess>(
      HoldfastdPath(),
      std::vector<std::string>{ConfigFlag(), "--db=" + *uri, "--metrics_listen=127.0.0.1:0",
                               "--shutdown_timeout_seconds=3"},
      dir.path());
  ASSERT_TRUE(daemon->Start()) << daemon->log();
  ASSERT_TRUE(SendOne(daemon->address(), "before-freeze").get().ok());
  // The metrics port, from the "started" line.
  int metrics_port = 0;
  for (absl::string_view part : absl::StrSplit(daemon->log(), ' ')) {
    if (absl::ConsumePrefix(&part, "metrics_port=")) ASSERT_TRUE(absl::SimpleAtoi(part, &metrics_port));
  }
  ASSERT_GT(metrics_port, 0) << daemon->log();

  // Freeze the replica's writer backends.
  std::vector<pid_t> frozen;
  {
    PGconn* conn = PQconnectdb(uri->c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* res =
        PQexec(conn, "SELECT pid FROM pg_stat_activity WHERE application_name = 'holdfastd-writer'");
    ASSERT_EQ(PQresultStatus(res), PGRES_TUPLES_OK) << PQerrorMessage(conn);
    for (int r = 0; r < PQntuples(res); ++r) frozen.push_back(std::atoi(PQgetvalue(res, r, 0)));
    PQclear(res);
    PQfinish(conn);
  }
  ASSERT_FALSE(frozen.empty());
  for (pid_t pid : frozen) ASSERT_EQ(kill(pid, SIGSTOP), 0);
  // Whatever happens below, the server's backends run again before it stops.
  struct Thaw {
    const std::vector<pid_t>& pids;
    ~Thaw() {
      for (pid_t pid : pids) kill(pid, SIGCONT);
    }
  } thaw{frozen};

  std::future<grpc::Status> stuck = SendOne(daemon->address(), "during-freeze");
  // Wait until the write is queued in the store (the gauge counts records
  // queued or being committed).
  bool queued = false;
  httplib::Client metrics("127.0.0.1", metrics_port);
  for (int i = 0; i < 1500 && !queued; ++i) {
    httplib::Result r = metrics.Get("/metrics");
    queued = r && absl::StrContains(r->body, "\nholdfast_write_queue_records 1\n");
    if (!queued) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(queued) << daemon->log();
  const Stopped stop = SignalAndWait(*daemon, SIGTERM);
  ASSERT_TRUE(WIFEXITED(stop.status)) << "not exited by itself (killed after 20 s)\n" << daemon->log();
  EXPECT_EQ(WEXITSTATUS(stop.status), 1) << daemon->log();
  EXPECT_LT(stop.seconds, 15.0);
  EXPECT_TRUE(absl::StrContains(daemon->log(), "shutdown_forced")) << daemon->log();
  EXPECT_FALSE(stuck.get().ok());

  // Thawed, the database aborts the dead session's transaction: the
  // acknowledged send is there, the unacknowledged one is not (or, had its
  // commit gone through, once), and its retry lands once.
  for (pid_t pid : frozen) kill(pid, SIGCONT);
  DaemonProcess again(HoldfastdPath(), {ConfigFlag(), "--db=" + *uri}, dir.path());
  ASSERT_TRUE(again.Start()) << again.log();
  ASSERT_TRUE(SendOne(again.address(), "during-freeze").get().ok());
  PGconn* conn = PQconnectdb(uri->c_str());
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
  PGresult* res = PQexec(conn, "SELECT send_id FROM sends ORDER BY send_id");
  ASSERT_EQ(PQresultStatus(res), PGRES_TUPLES_OK) << PQerrorMessage(conn);
  std::vector<std::string> ids;
  for (int r = 0; r < PQntuples(res); ++r) ids.emplace_back(PQgetvalue(res, r, 0));
  PQclear(res);
  PQfinish(conn);
  EXPECT_EQ(ids, (std::vector<std::string>{"before-freeze", "during-freeze"}));
  EXPECT_EQ(WEXITSTATUS(again.Signal(SIGTERM)), 0) << again.log();
}

}  // namespace
}  // namespace holdfast::testing
