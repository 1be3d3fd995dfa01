// The config-version catalog: canonical content round-trips to its version
// (share transitions included), and a catalog built from a store's history
// returns each stored version's compiled config, skipping rows without
// content (files older than schema version 3).
#include "lib/catalog/config_catalog.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/time_util.h"
#include "lib/catalog/store_catalog.h"
#include "lib/config/config.h"
#include "lib/config/share_transition.h"
#include "lib/config/stored_config.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

config::LoadedConfig MustLoad(const std::string& text) {
  absl::StatusOr<config::LoadedConfig> loaded = config::LoadConfigText("c.textproto", text);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *std::move(loaded);
}

constexpr char kSevenDays[] = R"pb(
  journeys { id: "cart" holdout_share: 0.2 arms { name: "A" weight: 1 } arms { name: "B" weight: 3 }
             rotation { scheme: SLIDING period { seconds: 604800 } washout { seconds: 86400 } } }
)pb";
constexpr char kThreeDays[] = R"pb(
  journeys { id: "cart" holdout_share: 0.1 attribution_window { seconds: 259200 }
             arms { name: "A" weight: 1 } }
)pb";

TEST(StoredConfigTest, CanonicalTextCompilesBackToItsVersion) {
  const config::LoadedConfig c = MustLoad(kSevenDays);
  const std::string text = config::CanonicalConfigText(c.effective);
  absl::StatusOr<std::shared_ptr<const AssignmentConfig>> back =
      config::CompileStoredConfig(c.version(), text, "");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->version, c.version());
  const JourneySpec* j = (*back)->FindJourney("cart");
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->attribution_window_us, 7 * kDay);
  EXPECT_EQ(j->holdout.rotation.washout_us, kDay);
  ASSERT_EQ(j->arms.size(), 2u);
  EXPECT_EQ(j->arms[1].weight, 3u);
}

TEST(StoredConfigTest, PendingTransitionIsRebuiltFromStateLines) {
  const config::LoadedConfig before = MustLoad(kSevenDays);
  config::LoadedConfig after = MustLoad(std::string(kSevenDays).replace(
      std::string(kSevenDays).find("0.2"), 3, "0.1"));
  // Loaded 3 days into period 10: the lower share waits for period 11.
  const UnixMicros now = 10 * 7 * kDay + 3 * kDay;
  const std::vector<config::ShareTransition> t =
      config::PlanShareTransitions(*before.compiled, *after.compiled, now);
  ASSERT_EQ(t.size(), 1u);
  AssignmentConfig serving = *after.compiled;
  config::ApplyShareTransitions(t, &serving);
  const std::string states = config::FormatHoldoutStates(config::HoldoutStates(serving));
  absl::StatusOr<std::shared_ptr<const AssignmentConfig>> back = config::CompileStoredConfig(
      serving.version, config::CanonicalConfigText(after.effective), "replaces x\n" + states);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->version, serving.version);
  EXPECT_EQ((*back)->FindJourney("cart")->holdout.ShareAt(10), 200000u);
  EXPECT_EQ((*back)->FindJourney("cart")->holdout.ShareAt(11), 100000u);
  // Without the state lines the content alone is another version.
  EXPECT_EQ(config::CompileStoredConfig(serving.version, config::CanonicalConfigText(after.effective), "")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(StoredConfigTest, BadContentIsRefused) {
  EXPECT_EQ(config::CompileStoredConfig("cfg-x", "journeys { id: ", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  const config::LoadedConfig c = MustLoad(kSevenDays);
  EXPECT_EQ(config::CompileStoredConfig("cfg-0000000000000000",
                                        config::CanonicalConfigText(c.effective), "")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(ConfigCatalogTest, LoadsEveryStoredVersionAndFallsBackToCurrent) {
  holdfast::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  const config::LoadedConfig seven = MustLoad(kSevenDays);
  const config::LoadedConfig three = MustLoad(kThreeDays);
  ConfigVersionRow old_row{"cfg-before-content", 1, "c.textproto", "initial load\n", ""};
  ConfigVersionRow a{seven.version(), 2, "c.textproto", "initial load\n",
                     config::CanonicalConfigText(seven.effective)};
  ConfigVersionRow b{three.version(), 3, "c.textproto", "replaces ...\n",
                     config::CanonicalConfigText(three.effective)};
  for (const ConfigVersionRow* r : {&old_row, &a, &b}) {
    ASSERT_TRUE((*store)->AppendConfigVersion(*r).ok());
  }
  absl::StatusOr<std::vector<ConfigVersionRow>> listed = (*store)->ListConfigVersions(1);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].content, b.content);

  absl::StatusOr<StoreCatalog> loaded = LoadConfigCatalog(**store, three.compiled);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ConfigCatalog& catalog = loaded->catalog;
  ASSERT_NE(catalog.Find(seven.version()), nullptr);
  EXPECT_EQ(catalog.Find(seven.version())->FindJourney("cart")->attribution_window_us, 7 * kDay);
  EXPECT_EQ(catalog.Find(three.version())->FindJourney("cart")->attribution_window_us, 3 * kDay);
  EXPECT_EQ(catalog.Find("cfg-before-content"), nullptr);
  EXPECT_EQ(&catalog.FindOrCurrent("cfg-before-content"), three.compiled.get());
  EXPECT_EQ(catalog.Versions().size(), 2u);
  ASSERT_EQ(loaded->skipped.size(), 1u);
  EXPECT_NE(loaded->skipped[0].find("cfg-before-content"), std::string::npos);
}

TEST(ConfigCatalogTest, InForceAtFollowsTheLoadTimelineAcrossReloads) {
  holdfast::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir.File("s.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  const config::LoadedConfig seven = MustLoad(kSevenDays);
  const config::LoadedConfig three = MustLoad(kThreeDays);
  const std::string seven_text = config::CanonicalConfigText(seven.effective);
  const std::string three_text = config::CanonicalConfigText(three.effective);
  // seven from day 10, three from day 20, seven again from day 30, and a
  // version without content from day 40.
  for (const ConfigVersionRow& r :
       {ConfigVersionRow{seven.version(), 10 * kDay, "c.textproto", "initial load\n", seven_text},
        ConfigVersionRow{three.version(), 20 * kDay, "c.textproto", "replaces\n", three_text},
        ConfigVersionRow{seven.version(), 30 * kDay, "c.textproto", "replaces\n", seven_text},
        ConfigVersionRow{"cfg-no-content", 40 * kDay, "c.textproto", "replaces\n", ""}}) {
    ASSERT_TRUE((*store)->AppendConfigVersion(r).ok());
  }
  absl::StatusOr<StoreCatalog> loaded = LoadConfigCatalog(**store, three.compiled);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ConfigCatalog& catalog = loaded->catalog;
  EXPECT_EQ(catalog.InForceAt(10 * kDay - 1), nullptr) << "nothing loaded yet";
  ASSERT_NE(catalog.InForceAt(10 * kDay), nullptr);
  EXPECT_EQ(catalog.InForceAt(10 * kDay)->version, seven.version());
  EXPECT_EQ(catalog.InForceAt(20 * kDay - 1)->version, seven.version());
  EXPECT_EQ(catalog.InForceAt(20 * kDay)->version, three.version());
  EXPECT_EQ(catalog.InForceAt(35 * kDay)->version, seven.version());
  EXPECT_EQ(catalog.InForceAt(45 * kDay), nullptr) << "version in force is unknown to the catalog";
}

// Who served what (config history's replica column): the changes walked
// oldest first, and the ranges in which replicas disagreed.
TEST(MixedServingTest, RangesRunFromDisagreementToAgreement) {
  const std::vector<ConfigLoad> loads = {
      {100, "cfg-a", "r1"}, {150, "cfg-a", "r2"},  // both on a
      {200, "cfg-b", "r2"},                        // r1=a, r2=b: mixed from 200
      {210, "cfg-b", "r1"},                        // agree again at 210
      {300, "cfg-c", ""},                          // an unnamed replica: mixed from 300 on
  };
  const std::vector<ServingChange> changes = MixedServingChanges(loads);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].at, 200);
  EXPECT_TRUE(changes[0].mixed);
  EXPECT_EQ(changes[0].serving.at("r1"), "cfg-a");
  EXPECT_EQ(changes[1].at, 210);
  EXPECT_FALSE(changes[1].mixed);
  EXPECT_EQ(changes[2].serving.at("(unnamed)"), "cfg-c");
  const std::vector<MixedServingRange> ranges = MixedServingRanges(changes);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].from, 200);
  EXPECT_EQ(ranges[0].to, 210);
  EXPECT_EQ(ranges[1].from, 300);
  EXPECT_EQ(ranges[1].to, kMaxTimeMicros);
  // The catalog keeps the replica of each load and answers the same.
  ConfigCatalog catalog(std::make_shared<const AssignmentConfig>());
  for (const ConfigLoad& l : loads) catalog.AddLoad(l.loaded_at, l.version, l.replica);
  const std::vector<MixedServingRange> from_catalog = catalog.MixedServing();
  ASSERT_EQ(from_catalog.size(), 2u);
  EXPECT_EQ(from_catalog[0].from, 200);
  EXPECT_EQ(from_catalog[0].to, 210);
}

}  // namespace
}  // namespace holdfast
