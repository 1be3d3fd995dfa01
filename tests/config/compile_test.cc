// Defaults, compilation to AssignmentConfig, and the version hash.
#include "lib/config/compile.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config.h"
#include "lib/config/defaults.h"
#include "lib/config/units.h"
#include "lib/config/version.h"

namespace holdfast::config {
namespace {

constexpr int64_t kDayUs = 86400LL * 1000000;
// ConfigsWithoutHorizonsKeepTheirVersion: the version main (66d70a3, before
// Journey.horizons) gives that config (holdfastd + `holdfast journeys`).
constexpr char kPinnedWithoutHorizons[] = "cfg-42416a6a057950ff";

LoadedConfig MustLoad(const std::string& text, const std::string& name = "c.textproto") {
  absl::StatusOr<LoadedConfig> loaded = LoadConfigText(name, text);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *std::move(loaded) : LoadedConfig{};
}

TEST(CompileTest, DefaultsAreFilledIn) {
  const LoadedConfig c = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }");
  ASSERT_EQ(c.compiled->journeys.size(), 1u);
  const JourneySpec& j = c.compiled->journeys[0];
  EXPECT_EQ(j.holdout.share_ppm, 100000u);
  EXPECT_EQ(j.holdout.seed, "a:holdout");
  EXPECT_EQ(j.arm_seed, "a:arm");
  EXPECT_EQ(j.holdout.hash_version, 1u);
  EXPECT_EQ(j.holdout.rotation.scheme, RotationScheme::kNone);
  ASSERT_EQ(j.arms.size(), 1u);
  EXPECT_EQ(j.arms[0].name, "treatment");
  EXPECT_EQ(j.arms[0].weight, 1u);
  EXPECT_EQ(j.attribution_window_us, 7 * kDayUs);
  EXPECT_EQ(j.pre_period_us, 28 * kDayUs);
  EXPECT_EQ(c.compiled->global_holdout.share_ppm, 0u);
  EXPECT_EQ(c.compiled->global_holdout.seed, "global:holdout");

  // The effective proto (ListJourneys) shows the same defaults.
  const holdfast::v1::Journey& e = c.effective.journeys(0);
  EXPECT_EQ(e.holdout_seed(), "a:holdout");
  EXPECT_EQ(e.arm_seed(), "a:arm");
  EXPECT_EQ(e.hash_version(), 1u);
  ASSERT_EQ(e.arms_size(), 1);
  EXPECT_EQ(e.arms(0).name(), "treatment");
  EXPECT_EQ(e.attribution_window().seconds(), 7 * 86400);
  EXPECT_EQ(e.pre_period().seconds(), 28 * 86400);
  EXPECT_FALSE(e.has_rotation());
  EXPECT_EQ(c.effective.global_holdout().seed(), "global:holdout");
  EXPECT_EQ(c.effective.global_holdout().hash_version(), 1u);
}

TEST(CompileTest, RotationDefaultsAndConversions) {
  const LoadedConfig c = MustLoad(R"pb(
    global_holdout { share: 0.02 seed: "g" rotation { scheme: RESALT period { seconds: 7776000 } } }
    journeys {
      id: "s"
      holdout_share: 0.125
      attribution_window { seconds: 259200 }
      rotation { scheme: SLIDING period { seconds: 604800 } epoch { seconds: 1767225600 }
                 washout { seconds: 86400 nanos: 500000000 } }
      arms { name: "x" weight: 3 }
      arms { name: "y" weight: 1 }
      channel_costs { channel: "sms" cost_per_send: 0.0075 }
      channel_costs { channel: "email" cost_per_send: 0.001 }
    }
    journeys { id: "p" holdout_share: 0.1 rotation { scheme: SLIDING period { seconds: 604800 } stride: 0.05 } }
  )pb");
  ASSERT_EQ(c.compiled->journeys.size(), 2u);
  const JourneySpec& p = c.compiled->journeys[0];
  const JourneySpec& s = c.compiled->journeys[1];
  EXPECT_EQ(p.id, "p");
  EXPECT_EQ(p.holdout.rotation.stride_ppm, 50000u);  // pinned
  EXPECT_EQ(s.holdout.rotation.scheme, RotationScheme::kSliding);
  EXPECT_EQ(s.holdout.rotation.period_us, 7 * kDayUs);
  EXPECT_EQ(s.holdout.rotation.epoch_us, 1767225600LL * 1000000);
  EXPECT_EQ(s.holdout.rotation.washout_us, kDayUs + 500000);
  EXPECT_EQ(s.holdout.rotation.stride_ppm, 125000u);  // default: the share
  EXPECT_EQ(s.attribution_window_us, 3 * kDayUs);
  ASSERT_EQ(s.arms.size(), 2u);
  EXPECT_EQ(s.arms[0].name, "x");  // arm order is kept: it decides the split
  EXPECT_EQ(s.arms[0].weight, 3u);
  EXPECT_EQ(s.channel_cost.at("sms"), 0.0075);
  EXPECT_EQ(s.channel_cost.at("email"), 0.001);
  EXPECT_EQ(c.compiled->global_holdout.rotation.scheme, RotationScheme::kResalt);
  EXPECT_EQ(c.compiled->global_holdout.rotation.period_us, 90 * kDayUs);
  EXPECT_EQ(c.compiled->global_holdout.seed, "g");
  // Effective proto: stride written out, channel costs sorted.
  EXPECT_EQ(c.effective.journeys(1).rotation().stride(), 0.125);
  EXPECT_EQ(c.effective.journeys(1).channel_costs(0).channel(), "email");
  EXPECT_TRUE(c.effective.journeys(1).rotation().has_epoch());
}

TEST(CompileTest, ShareToPpmIsExact) {
  EXPECT_EQ(ShareToPpm(0.1), 100000u);
  EXPECT_EQ(ShareToPpm(0.000001), 1u);
  EXPECT_EQ(ShareToPpm(0.3), 300000u);
  EXPECT_EQ(ShareToPpm(0.999999), 999999u);
  EXPECT_EQ(ShareToPpm(0.0), 0u);
  EXPECT_FALSE(ShareToPpm(0.1234567).has_value());
  EXPECT_FALSE(ShareToPpm(1e-7).has_value());
  EXPECT_FALSE(ShareToPpm(-0.1).has_value());
}

TEST(VersionTest, FormatIsCfgAnd16Hex) {
  const LoadedConfig c = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }");
  EXPECT_THAT(c.version(), ::testing::MatchesRegex("cfg-[0-9a-f]{16}"));
}

TEST(VersionTest, PinnedForAFixedConfig) {
  // Pins the canonical serialization: if this changes, every deployed
  // config gets a new version on upgrade. Change only on purpose. Checked
  // independently: the protobuf wire bytes of the effective config, encoded
  // by hand in Python (global_holdout{seed, hash_version}, journey{id, share,
  // seeds, hash_version, arms, attribution_window, pre_period}), hashed with
  // hashlib.sha256, give the same 16 hex digits.
  const LoadedConfig c = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }");
  EXPECT_EQ(c.version(), "cfg-1cfdd5baede2d603");
}

TEST(CompileTest, RefundHorizonDefaultsTo30DaysAndZeroMeansInsideTheWindow) {
  const LoadedConfig unset = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }");
  EXPECT_EQ(unset.compiled->journeys[0].refund_horizon_us, 30 * kDayUs);
  EXPECT_FALSE(unset.effective.journeys(0).has_refund_horizon());
  // The default written out is the same config: same version.
  const LoadedConfig explicit_default =
      MustLoad("journeys { id: \"a\" holdout_share: 0.1 refund_horizon { seconds: 2592000 } }");
  EXPECT_EQ(explicit_default.version(), unset.version());
  const LoadedConfig zero =
      MustLoad("journeys { id: \"a\" holdout_share: 0.1 refund_horizon { seconds: 0 } }");
  EXPECT_EQ(zero.compiled->journeys[0].refund_horizon_us, 0);
  EXPECT_NE(zero.version(), unset.version());
  const LoadedConfig week =
      MustLoad("journeys { id: \"a\" holdout_share: 0.1 refund_horizon { seconds: 604800 } }");
  EXPECT_EQ(week.compiled->journeys[0].refund_horizon_us, 7 * kDayUs);
}

TEST(VersionTest, StageIsOptionalAndKeepsExistingVersions) {
  // A config written before Journey.stage existed keeps its pinned version
  // (an unset stage is not serialized), and the stage compiles through.
  const LoadedConfig unset = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }");
  EXPECT_EQ(unset.version(), "cfg-1cfdd5baede2d603");
  EXPECT_EQ(unset.compiled->journeys[0].stage, "");
  EXPECT_EQ(MustLoad("journeys { id: \"a\" holdout_share: 0.1 stage: \"\" }").version(),
            unset.version());
  const LoadedConfig staged =
      MustLoad("journeys { id: \"a\" holdout_share: 0.1 stage: \"retention\" }");
  EXPECT_EQ(staged.compiled->journeys[0].stage, "retention");
  EXPECT_NE(staged.version(), unset.version());  // a reviewed value, as description
  EXPECT_EQ(MustLoad(R"json({"journeys": [{"id": "a", "holdoutShare": 0.1, "stage": "retention"}]})json",
                     "c.json")
                .version(),
            staged.version());
}

TEST(VersionTest, ConfigsWithoutHorizonsKeepTheirVersion) {
  // Pinned on main before Journey.horizons existed (a config using most
  // fields): an unset repeated field is not serialized, so the field's
  // arrival changed no deployed config's version.
  const LoadedConfig c = MustLoad(R"pb(
    global_holdout { share: 0.02 }
    journeys { id: "a" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "y" weight: 2 }
               rotation { scheme: RESALT period { seconds: 2419200 } washout { seconds: 86400 } }
               attribution_window { seconds: 1209600 } refund_horizon { seconds: 604800 }
               channel_costs { channel: "email" cost_per_send: 0.001 }
               guardrails { metric: UNSUBSCRIBE max_increase: 0.01 value_per_event: 2 } }
    journeys { id: "b" holdout_share: 0.05 }
  )pb");
  EXPECT_EQ(c.version(), kPinnedWithoutHorizons);
}

TEST(CompileTest, HorizonsAreSortedAndChangeTheVersion) {
  const std::string base = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }").version();
  const LoadedConfig h = MustLoad(
      "journeys { id: \"a\" holdout_share: 0.1 horizons { seconds: 7776000 } "
      "horizons { seconds: 2592000 } horizons { seconds: 5184000 } }");
  EXPECT_THAT(h.compiled->journeys[0].horizons_us,
              ::testing::ElementsAre(30 * kDayUs, 60 * kDayUs, 90 * kDayUs));
  EXPECT_NE(h.version(), base);
  // The declared order is not part of the config.
  EXPECT_EQ(MustLoad("journeys { id: \"a\" holdout_share: 0.1 horizons { seconds: 2592000 } "
                     "horizons { seconds: 5184000 } horizons { seconds: 7776000 } }")
                .version(),
            h.version());
  EXPECT_TRUE(MustLoad("journeys { id: \"a\" holdout_share: 0.1 }")
                  .compiled->journeys[0]
                  .horizons_us.empty());
}

TEST(VersionTest, CosmeticChangesKeepTheVersion) {
  const std::string base = MustLoad(R"pb(
    global_holdout { share: 0.02 }
    journeys { id: "a" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "y" weight: 1 }
               channel_costs { channel: "email" cost_per_send: 0.001 }
               channel_costs { channel: "sms" cost_per_send: 0.01 } }
    journeys { id: "b" holdout_share: 0.05 rotation { scheme: SLIDING period { seconds: 604800 } } }
  )pb").version();
  // Comments, whitespace, field order, journey order, channel order.
  EXPECT_EQ(MustLoad(R"pb(
    # journeys in another order, fields shuffled
    journeys {
      rotation { period { seconds: 604800 } scheme: SLIDING }
      holdout_share: 0.05
      id: "b"  # trailing comment
    }
    journeys {
      channel_costs { cost_per_send: 0.01 channel: "sms" }
      channel_costs { channel: "email" cost_per_send: 0.001 }
      arms { weight: 1 name: "x" }
      arms { name: "y" weight: 1 }
      holdout_share: 0.1
      id: "a"
    }
    global_holdout { share: 0.02 }
  )pb").version(),
            base);
  // Every default written out explicitly.
  EXPECT_EQ(MustLoad(R"pb(
    global_holdout { share: 0.02 seed: "global:holdout" hash_version: 1 }
    journeys { id: "a" holdout_share: 0.1 holdout_seed: "a:holdout" arm_seed: "a:arm"
               hash_version: 1 arms { name: "x" weight: 1 } arms { name: "y" weight: 1 }
               attribution_window { seconds: 604800 } pre_period { seconds: 2419200 }
               channel_costs { channel: "email" cost_per_send: 0.001 }
               channel_costs { channel: "sms" cost_per_send: 0.01 } }
    journeys { id: "b" holdout_share: 0.05
               rotation { scheme: SLIDING period { seconds: 604800 } stride: 0.05
                          epoch { seconds: 0 } washout { seconds: 0 } } }
  )pb").version(),
            base);
  // JSON of the same content.
  EXPECT_EQ(MustLoad(R"json({"journeys": [
      {"id": "b", "holdoutShare": 0.05, "rotation": {"scheme": "SLIDING", "period": "604800s"}},
      {"id": "a", "holdoutShare": 0.1, "arms": [{"name": "x", "weight": 1}, {"name": "y", "weight": 1}],
       "channelCosts": [{"channel": "sms", "costPerSend": 0.01}, {"channel": "email", "costPerSend": 0.001}]}],
      "globalHoldout": {"share": 0.02}})json",
                     "c.json")
                .version(),
            base);
}

TEST(VersionTest, ValueChangesChangeTheVersion) {
  const std::string base = MustLoad("journeys { id: \"a\" holdout_share: 0.1 }").version();
  EXPECT_NE(MustLoad("journeys { id: \"a\" holdout_share: 0.05 }").version(), base);
  EXPECT_NE(MustLoad("journeys { id: \"a\" holdout_share: 0.1 description: \"x\" }").version(),
            base);
  EXPECT_NE(MustLoad("journeys { id: \"a\" holdout_share: 0.1 holdout_seed: \"s\" }").version(),
            base);
  EXPECT_NE(MustLoad("journeys { id: \"a\" holdout_share: 0.1 arms { name: \"treatment\" weight: 2 } }")
                .version(),
            base);
}

TEST(CompileTest, RejectsUnvalidatedInput) {
  holdfast::v1::Config raw;
  raw.add_journeys()->set_id("a");
  raw.mutable_journeys(0)->set_holdout_share(0.1234567);
  EXPECT_FALSE(Compile(ApplyDefaults(raw)).ok());
  raw.mutable_journeys(0)->set_holdout_share(0.1);
  raw.add_journeys()->set_id("a");
  raw.mutable_journeys(1)->set_holdout_share(0.1);
  EXPECT_FALSE(Compile(ApplyDefaults(raw)).ok());  // duplicate ids
}

}  // namespace
}  // namespace holdfast::config
