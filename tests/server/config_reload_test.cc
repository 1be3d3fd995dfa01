// Reload over a real in-process server: concurrent Assign calls during
// reloads only ever see a whole config, and a rejected config leaves the old
// version serving.
#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/holdfast_client.h"
#include "lib/config/stored_config.h"
#include "server/config_manager_impl.h"
#include "server/server.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;

constexpr char kConfigA[] = R"pb(
journeys { id: "cart_abandon" holdout_share: 0.1 arms { name: "a" weight: 1 } arms { name: "b" weight: 1 } }
)pb";
// Same journey, different seed and arm weights: most units change answer.
constexpr char kConfigB[] = R"pb(
journeys { id: "cart_abandon" holdout_share: 0.3 holdout_seed: "other-seed" arm_seed: "other-arm"
           arms { name: "a" weight: 3 } arms { name: "b" weight: 1 } }
)pb";
constexpr char kBadConfig[] = R"pb(
journeys { id: "cart_abandon" holdout_share: 1.5 }
)pb";

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(ConfigReloadTest, ConcurrentAssignsSeeWholeConfigsAndBadReloadKeepsOld) {
  testing::TempDir dir;
  const std::string path_a = dir.File("a.textproto"), path_b = dir.File("b.textproto"),
                    path_bad = dir.File("bad.textproto");
  WriteFile(path_a, kConfigA);
  WriteFile(path_b, kConfigB);
  WriteFile(path_bad, kBadConfig);
  FakeClock clock(1767225600LL * 1000000);
  auto a = LoadServingConfig(path_a, clock.NowMicros());
  auto b = LoadServingConfig(path_b, clock.NowMicros());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_NE((*a)->version(), (*b)->version());
  std::map<std::string, std::shared_ptr<const ServingConfig>> by_version = {{(*a)->version(), *a},
                                                                             {(*b)->version(), *b}};
  ConfigHolder holder(*a);
  ConfigManagerImpl manager(&holder, &clock);
  ASSERT_TRUE(manager.RecordInitial().ok());
  HoldfastServer::Options options;
  options.listen_address = "127.0.0.1:0";
  HoldfastServer::Dependencies deps;
  deps.configs = &holder;
  deps.clock = &clock;
  deps.config_manager = &manager;
  auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
  ASSERT_TRUE(server.ok());
  HoldfastClient client((*server)->InProcessChannel());

  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0}, calls{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        holdfast::v1::AssignRequest req;
        req.set_journey("cart_abandon");
        req.set_unit("u" + std::to_string(t) + "-" + std::to_string(i % 500));
        req.set_dry_run(true);
        auto resp = client.Assign(req);
        if (!resp.ok()) { ++mismatches; continue; }
        auto it = by_version.find(resp->assignment().config_version());
        if (it == by_version.end()) { ++mismatches; continue; }
        // The answer must be exactly what that version's assigner says.
        auto want = it->second->assigner.Assign("cart_abandon", req.unit(), clock.NowMicros());
        const auto& arms = it->second->compiled->journeys[0].arms;
        const std::string want_arm = want->arm_index >= 0 ? arms[want->arm_index].name : "";
        if (static_cast<int>(resp->assignment().group()) != static_cast<int>(want->group) ||
            resp->assignment().arm() != want_arm) {
          ++mismatches;
        }
        ++calls;
      }
    });
  }
  for (int r = 0; r < 40; ++r) {
    auto reloaded = client.ReloadConfig(r % 2 == 0 ? path_b : path_a);
    ASSERT_TRUE(reloaded.ok()) << reloaded.status();
    EXPECT_TRUE(reloaded->changed());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& t : callers) t.join();
  EXPECT_GT(calls.load(), 100);
  EXPECT_EQ(mismatches.load(), 0);

  // Serving A now (40 reloads, even count). A bad config is rejected with its errors.
  const std::string before = holder.Get()->version();
  auto rejected = client.ReloadConfig(path_bad);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(rejected.status().message(), "bad.textproto:2:")) << rejected.status();
  EXPECT_EQ(holder.Get()->version(), before);
  auto missing = client.ReloadConfig(dir.File("missing.textproto"));
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(holder.Get()->version(), before);

  // Reloading the same content changes nothing and adds no history.
  auto same = client.ReloadConfig(path_a);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->changed());
  auto history = client.ConfigHistory(0);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->versions_size(), 41);  // initial + 40 swaps, newest first
  EXPECT_EQ(history->versions(0).version(), before);
}

// Replicas sharing one history: each replica's first start on a version is
// recorded under its own name (even when another replica already recorded
// that version), and a replica's restart on its own recorded version adds
// nothing.
TEST(ConfigReloadTest, ReplicasEachRecordTheirStartOnceOnASharedHistory) {
  testing::TempDir dir;
  const std::string path = dir.File("c.textproto");
  WriteFile(path, kConfigA);
  FakeClock clock(1700000000LL * 1000000);
  std::vector<holdfast::v1::ConfigVersion> persisted;  // newest last
  auto sink = [&](const holdfast::v1::ConfigVersion& v, const std::string&) {
    persisted.push_back(v);
    return absl::OkStatus();
  };
  auto source = [&](int limit) -> absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> {
    std::vector<holdfast::v1::ConfigVersion> out(persisted.rbegin(), persisted.rend());
    if (static_cast<int>(out.size()) > limit) out.resize(limit);
    return out;
  };
  auto start = [&](const std::string& replica) {
    auto loaded = LoadServingConfig(path, clock.NowMicros());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ConfigHolder holder(*loaded);
    ConfigManagerImpl manager(&holder, &clock, sink, source, replica);
    ASSERT_TRUE(manager.RecordInitial().ok());
  };
  start("r1");
  start("r2");
  ASSERT_EQ(persisted.size(), 2u);
  EXPECT_EQ(persisted[0].replica(), "r1");
  EXPECT_EQ(persisted[1].replica(), "r2");
  EXPECT_EQ(persisted[1].version(), persisted[0].version());
  EXPECT_TRUE(absl::StrContains(persisted[1].diff_summary(), "initial load (the version r1 serves)"))
      << persisted[1].diff_summary();
  start("r1");  // restarts on the versions they recorded
  start("r2");
  EXPECT_EQ(persisted.size(), 2u);
  WriteFile(path, kConfigB);  // r2 restarts on a new file: recorded, r1 still on the old one
  start("r2");
  ASSERT_EQ(persisted.size(), 3u);
  EXPECT_EQ(persisted[2].replica(), "r2");
  EXPECT_NE(persisted[2].version(), persisted[0].version());
}

TEST(ConfigReloadTest, MidPeriodShareChangeWaitsForBoundaryAcrossRestart) {
  testing::TempDir dir;
  const std::string path = dir.File("c.textproto");
  auto write = [&](double share) {
    WriteFile(path, absl::StrCat(R"pb(journeys { id: "winback" holdout_share: )pb", share,
                                 R"pb( rotation { scheme: RESALT period { seconds: 2419200 } } })pb"));
  };
  // Mid-period: 10 days into a 28-day period.
  FakeClock clock((2419200LL * 700 + 864000) * 1000000);
  std::vector<holdfast::v1::ConfigVersion> persisted;  // newest last
  std::vector<std::string> contents;                  // parallel to persisted
  auto sink = [&](const holdfast::v1::ConfigVersion& v, const std::string& content) {
    persisted.push_back(v);
    contents.push_back(content);
    return absl::OkStatus();
  };
  auto source = [&](int limit) -> absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> {
    std::vector<holdfast::v1::ConfigVersion> out(persisted.rbegin(), persisted.rend());
    if (static_cast<int>(out.size()) > limit) out.resize(limit);
    return out;
  };
  write(0.15);
  auto first = LoadServingConfig(path, clock.NowMicros());
  ASSERT_TRUE(first.ok());
  ConfigHolder holder(*first);
  ConfigManagerImpl manager(&holder, &clock, sink, source);
  ASSERT_TRUE(manager.RecordInitial().ok());

  write(0.10);
  auto plain = LoadServingConfig(path, clock.NowMicros());
  auto reloaded = manager.Reload("");
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_NE(reloaded->serving().version(), (*plain)->version());  // the pending change is part of the version
  EXPECT_TRUE(absl::StrContains(reloaded->serving().diff_summary(),
                                "pending: journey winback: holdout_share stays 0.15 until period 701"))
      << reloaded->serving().diff_summary();
  const std::string serving = holder.Get()->version();
  // The history row keeps the full config: it compiles back to the serving
  // version, pending transition included.
  absl::StatusOr<std::shared_ptr<const AssignmentConfig>> rebuilt = config::CompileStoredConfig(
      persisted.back().version(), contents.back(), persisted.back().diff_summary());
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ((*rebuilt)->version, serving);
  EXPECT_EQ((*rebuilt)->FindJourney("winback")->holdout.ShareAt(700), 150000u);
  EXPECT_EQ((*rebuilt)->FindJourney("winback")->holdout.ShareAt(701), 100000u);
  // Until the boundary, every unit keeps the old answer.
  for (int i = 0; i < 2000; ++i) {
    const std::string unit = "u" + std::to_string(i);
    EXPECT_EQ((*first)->assigner.Assign("winback", unit, clock.NowMicros())->group,
              holder.Get()->assigner.Assign("winback", unit, clock.NowMicros())->group);
  }

  // Restart on the same file: the pending change is restored, same version, no new history row.
  auto cold = LoadServingConfig(path, clock.NowMicros());
  ConfigHolder restarted(*cold);
  ConfigManagerImpl manager2(&restarted, &clock, sink, source);
  const size_t rows = persisted.size();
  ASSERT_TRUE(manager2.RecordInitial().ok());
  EXPECT_EQ(restarted.Get()->version(), serving);
  EXPECT_EQ(persisted.size(), rows);

  // The file edited while the server was down (0.10 -> 0.05), same period:
  // the units still keep the answer they had before the stop.
  write(0.05);
  auto edited = LoadServingConfig(path, clock.NowMicros());
  ConfigHolder restarted2(*edited);
  ConfigManagerImpl manager3(&restarted2, &clock, sink, source);
  ASSERT_TRUE(manager3.RecordInitial().ok());
  EXPECT_NE(restarted2.Get()->version(), (*edited)->version());
  EXPECT_EQ(persisted.size(), rows + 1);
  for (int i = 0; i < 2000; ++i) {
    const std::string unit = "u" + std::to_string(i);
    EXPECT_EQ((*first)->assigner.Assign("winback", unit, clock.NowMicros())->group,
              restarted2.Get()->assigner.Assign("winback", unit, clock.NowMicros())->group);
  }
  // After the boundary the edited file's share applies.
  const UnixMicros next_period = (2419200LL * 701 + 86400) * 1000000;
  for (int i = 0; i < 2000; ++i) {
    const std::string unit = "u" + std::to_string(i);
    EXPECT_EQ((*edited)->assigner.Assign("winback", unit, next_period)->group,
              restarted2.Get()->assigner.Assign("winback", unit, next_period)->group);
  }
}

}  // namespace
}  // namespace holdfast::server
