// The lift report over a real holdfastd names the replicas that served
// different config versions during its range (REPLICAS_SERVED_DIFFERENT_VERSIONS,
// docs/report.md): the store's config history already holds another
// replica's load of another version when this replica starts and records its
// own, so from that moment on the two disagree.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/holdfast_client.h"
#include "lib/base/clock.h"
#include "lib/storage/sqlite_store.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

constexpr char kConfig[] =
    "journeys { id: \"cart_abandon\" holdout_share: 0.3 arms { name: \"a\" weight: 1 } }\n";

TEST(ReportReplicasTest, ReportNamesReplicasServingDifferentVersions) {
  holdfast::testing::TempDir dir;
  {
    // Another replica loaded another version an hour ago.
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("holdfast.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    ConfigVersionRow other;
    other.version = "cfg-other";
    other.loaded_at = RealClock::Get()->NowMicros() - 3600LL * 1000000;
    other.source_path = "other.textproto";
    other.replica = "replica-b";
    ASSERT_TRUE((*store)->AppendConfigVersion(other).ok());
  }
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.replica_id = "replica-a";
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  options.log = &log;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  std::unique_ptr<client::HoldfastClient> client =
      client::HoldfastClient::Connect("127.0.0.1:" + std::to_string((*daemon)->port()));

  grpc::ClientContext context;
  holdfast::v1::LiftReportRequest request;
  holdfast::v1::LiftReport report;
  const grpc::Status status = client->reports()->GetLiftReport(&context, request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int found = 0;
  for (const holdfast::v1::Warning& w : report.warnings()) {
    if (w.kind() != holdfast::v1::Warning::REPLICAS_SERVED_DIFFERENT_VERSIONS) continue;
    ++found;
    EXPECT_EQ(w.severity(), holdfast::v1::Warning::INFO);
    EXPECT_TRUE(absl::StrContains(w.message(), "replica-b=cfg-other")) << w.message();
    EXPECT_TRUE(absl::StrContains(w.message(), "replica-a=" + report.config_version())) << w.message();
  }
  EXPECT_EQ(found, 1);
}

}  // namespace
}  // namespace holdfast::server
