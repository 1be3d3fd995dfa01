// Impact check: measured movement between OLD and NEW under the real
// assigner, and which changes are classified as reshuffles. Expected
// fractions come from the hash being uniform; tolerances are 4 standard
// errors of the sample (sqrt(f(1-f)/n)).
#include "lib/config/impact.h"

#include <cmath>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config.h"
#include "lib/config/diff.h"

namespace holdfast::config {
namespace {

constexpr int kSamples = 200000;
// 2026-11-23T10:00:00Z, a Monday mid-morning: mid-period for the weekly
// rotations below (epoch 1970-01-01 was a Thursday, so their periods start on
// Thursdays).
constexpr UnixMicros kNow = 1795428000LL * 1000000;

LoadedConfig MustLoad(const std::string& text) {
  absl::StatusOr<LoadedConfig> loaded = LoadConfigText("c.textproto", text);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *std::move(loaded) : LoadedConfig{};
}

ImpactReport Impact(const std::string& old_text, const std::string& new_text,
                    UnixMicros now = kNow, int samples = kSamples) {
  const LoadedConfig a = MustLoad(old_text);
  const LoadedConfig b = MustLoad(new_text);
  return CheckImpact(*a.compiled, a.effective, *b.compiled, b.effective, now,
                     ImpactOptions{samples});
}

const SubjectImpact& Subject(const ImpactReport& r, const std::string& id) {
  for (const SubjectImpact& s : r.subjects) {
    if (s.subject == id) return s;
  }
  ADD_FAILURE() << "no subject " << id;
  static const SubjectImpact kNone;
  return kNone;
}

std::vector<std::string> Rules(const SubjectImpact& s) {
  std::vector<std::string> out;
  for (const Reshuffle& r : s.reshuffles) out.push_back(r.rule);
  return out;
}

double Tol(double f, double n = kSamples) { return 4 * std::sqrt(f * (1 - f) / n) + 1e-9; }

constexpr char kBase[] = R"pb(
  journeys { id: "a" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "y" weight: 1 } }
)pb";

TEST(ImpactTest, CosmeticChangeMovesNobody) {
  const ImpactReport r = Impact(kBase, R"pb(
    # reformatted, a description added
    journeys {
      description: "now with a description"
      arms { weight: 1 name: "x" }
      arms { name: "y" weight: 1 }
      holdout_share: 0.1
      id: "a"
    }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  ASSERT_EQ(s.movements.size(), 1u);  // no rotation: only "now"
  EXPECT_EQ(s.movements[0].moved, 0.0);
  EXPECT_THAT(s.reshuffles, ::testing::IsEmpty());
}

TEST(ImpactTest, HoldoutSeedChangeReshufflesTheHoldout) {
  const ImpactReport r = Impact(kBase, R"pb(
    journeys { id: "a" holdout_share: 0.1 holdout_seed: "a:holdout:v2"
               arms { name: "x" weight: 1 } arms { name: "y" weight: 1 } }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  const Movement& m = s.movements[0];
  // Independent draws: P(group changes) = 2 * 0.1 * 0.9 = 0.18; 90 % of the
  // old holdout leaves it, 10 % of the treated enter it.
  EXPECT_NEAR(m.changed_group, 0.18, Tol(0.18));
  EXPECT_NEAR(m.left_holdout, 0.9, Tol(0.9, 0.1 * kSamples));
  EXPECT_NEAR(m.entered_holdout, 0.1, Tol(0.1, 0.9 * kSamples));
  EXPECT_EQ(m.changed_arm, 0.0);  // the arm seed did not change
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("reshuffle-seed"));
  EXPECT_EQ(s.reshuffles[0].field, "holdout_seed");
  EXPECT_EQ(s.reshuffles[0].what, "holdout_seed \"a:holdout\" -> \"a:holdout:v2\"");
  EXPECT_EQ(s.acknowledged_by, "");
}

TEST(ImpactTest, ArmSeedChangeMovesHalfTheTreated) {
  const ImpactReport r = Impact(kBase, R"pb(
    journeys { id: "a" holdout_share: 0.1 arm_seed: "a:arm:v2"
               arms { name: "x" weight: 1 } arms { name: "y" weight: 1 } }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  EXPECT_EQ(s.movements[0].changed_group, 0.0);
  EXPECT_NEAR(s.movements[0].changed_arm, 0.5, Tol(0.5, 0.9 * kSamples));
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("reshuffle-seed"));
  EXPECT_EQ(s.reshuffles[0].field, "arm_seed");
}

TEST(ImpactTest, LoweringTheShareMovesOnlyTheDifferenceOutOfTheHoldout) {
  const ImpactReport r = Impact(kBase, R"pb(
    journeys { id: "a" holdout_share: 0.05 arms { name: "x" weight: 1 } arms { name: "y" weight: 1 } }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  const Movement& m = s.movements[0];
  EXPECT_NEAR(m.moved, 0.05, Tol(0.05));
  EXPECT_EQ(m.moved, m.changed_group);
  EXPECT_NEAR(m.left_holdout, 0.5, Tol(0.5, 0.1 * kSamples));
  EXPECT_EQ(m.entered_holdout, 0.0);  // monotone: nobody enters
  EXPECT_EQ(m.changed_arm, 0.0);
  EXPECT_THAT(s.reshuffles, ::testing::IsEmpty());
}

TEST(ImpactTest, RaisingTheShareMidPeriodIsAReshuffle) {
  const ImpactReport r = Impact(R"pb(journeys { id: "a" holdout_share: 0.05 })pb",
                                R"pb(journeys { id: "a" holdout_share: 0.1 })pb");
  const SubjectImpact& s = Subject(r, "a");
  EXPECT_NEAR(s.movements[0].entered_holdout, 0.05 / 0.95, Tol(0.05 / 0.95, 0.95 * kSamples));
  EXPECT_EQ(s.movements[0].left_holdout, 0.0);
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("reshuffle-share-raised"));
  EXPECT_EQ(s.reshuffles[0].what, "holdout_share raised mid-period 0.05 -> 0.1");
}

TEST(ImpactTest, RaisingTheShareAtABoundaryIsNot) {
  // Weekly RESALT periods start on Thursdays 00:00 UTC; 2026-11-26 is one.
  const UnixMicros boundary = 1795651200LL * 1000000;
  const char* kOld = R"pb(journeys { id: "a" holdout_share: 0.05
      rotation { scheme: RESALT period { seconds: 604800 } } })pb";
  const char* kNew = R"pb(journeys { id: "a" holdout_share: 0.1
      rotation { scheme: RESALT period { seconds: 604800 } } })pb";
  EXPECT_THAT(Subject(Impact(kOld, kNew, boundary, 20000), "a").reshuffles, ::testing::IsEmpty());
  EXPECT_THAT(Rules(Subject(Impact(kOld, kNew, boundary + 1, 20000), "a")),
              ::testing::ElementsAre("reshuffle-share-raised"));
}

TEST(ImpactTest, ArmWeightChangeMidPeriod) {
  const ImpactReport r = Impact(kBase, R"pb(
    journeys { id: "a" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "y" weight: 3 } }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  // x held [0, 1/2) of the arm hash, now [0, 1/4): a quarter of the treated move.
  EXPECT_NEAR(s.movements[0].changed_arm, 0.25, Tol(0.25, 0.9 * kSamples));
  EXPECT_EQ(s.movements[0].changed_group, 0.0);
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("reshuffle-arm-weights"));
  EXPECT_EQ(s.reshuffles[0].what, "arm weights changed mid-period x:1,y:1 -> x:1,y:3");
}

TEST(ImpactTest, RenamingAnArmIsNotAReshuffleButIsVisible) {
  const ImpactReport r = Impact(kBase, R"pb(
    journeys { id: "a" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "z" weight: 1 } }
  )pb");
  const SubjectImpact& s = Subject(r, "a");
  EXPECT_THAT(s.reshuffles, ::testing::IsEmpty());
  // Units keep their hash position; those in the renamed arm change label.
  EXPECT_NEAR(s.movements[0].changed_arm, 0.5, Tol(0.5, 0.9 * kSamples));
}

TEST(ImpactTest, SlidingStrideAndRotationChanges) {
  const char* kOld = R"pb(journeys { id: "a" holdout_share: 0.1 attribution_window { seconds: 86400 }
      rotation { scheme: SLIDING period { seconds: 604800 } } })pb";
  const ImpactReport stride = Impact(kOld, R"pb(journeys { id: "a" holdout_share: 0.1
      attribution_window { seconds: 86400 }
      rotation { scheme: SLIDING period { seconds: 604800 } stride: 0.2 } })pb",
                                     kNow, 50000);
  const SubjectImpact& s = Subject(stride, "a");
  EXPECT_THAT(Rules(s), ::testing::ElementsAre("reshuffle-stride"));
  ASSERT_EQ(s.movements.size(), 2u);  // now, next Thursday
  EXPECT_EQ(s.movements[1].at, 1795651200LL * 1000000);
  EXPECT_EQ(s.movements[1].label, "next period start of the journey rotation");
  // The window start k*stride jumps from k*0.1 to k*0.2: disjoint windows,
  // so everyone held out moves.
  EXPECT_NEAR(s.movements[0].left_holdout, 1.0, 1e-9);

  const ImpactReport period = Impact(kOld, R"pb(journeys { id: "a" holdout_share: 0.1
      attribution_window { seconds: 86400 }
      rotation { scheme: SLIDING period { seconds: 1209600 } } })pb",
                                     kNow, 20000);
  EXPECT_THAT(Rules(Subject(period, "a")), ::testing::ElementsAre("reshuffle-rotation"));
}

TEST(ImpactTest, IntendedChangeAcknowledgesOnlyWhenNew) {
  const char* kNew = R"pb(journeys { id: "a" holdout_share: 0.1 holdout_seed: "v2"
      intended_change: "restart the holdout after the Q4 freeze" })pb";
  const SubjectImpact s =
      Subject(Impact(R"pb(journeys { id: "a" holdout_share: 0.1 })pb", kNew, kNow, 20000), "a");
  EXPECT_EQ(s.acknowledged_by, "restart the holdout after the Q4 freeze");
  // The same text left in place does not cover the next reshuffle.
  const SubjectImpact again = Subject(
      Impact(kNew, R"pb(journeys { id: "a" holdout_share: 0.1 holdout_seed: "v3"
          intended_change: "restart the holdout after the Q4 freeze" })pb",
             kNow, 20000),
      "a");
  EXPECT_THAT(Rules(again), ::testing::ElementsAre("reshuffle-seed"));
  EXPECT_EQ(again.acknowledged_by, "");
}

TEST(ImpactTest, GlobalHoldoutChanges) {
  const ImpactReport r = Impact(R"pb(global_holdout { share: 0.02 }
      journeys { id: "a" holdout_share: 0.1 })pb",
                                R"pb(global_holdout { share: 0.03 }
      journeys { id: "a" holdout_share: 0.1 })pb");
  const SubjectImpact& g = Subject(r, "global_holdout");
  EXPECT_TRUE(g.is_global);
  EXPECT_NEAR(g.movements[0].moved, 0.01, Tol(0.01));
  EXPECT_THAT(Rules(g), ::testing::ElementsAre("reshuffle-share-raised"));
  // Journey a sees the same 1 % leave its groups for the global holdout.
  const SubjectImpact& a = Subject(r, "a");
  EXPECT_NEAR(a.movements[0].changed_group, 0.01, Tol(0.01));
  EXPECT_THAT(a.reshuffles, ::testing::IsEmpty());
}

TEST(ImpactTest, DeterministicAndDescribed) {
  const char* kNew = R"pb(journeys { id: "a" holdout_share: 0.05 })pb";
  const char* kOld = R"pb(journeys { id: "a" holdout_share: 0.1 })pb";
  const ImpactReport r1 = Impact(kOld, kNew, kNow, 10000);
  const ImpactReport r2 = Impact(kOld, kNew, kNow, 10000);
  EXPECT_EQ(r1.subjects[0].movements[0].moved, r2.subjects[0].movements[0].moved);
  EXPECT_THAT(DescribeImpact(r1.subjects[0], r1.sample_size),
              ::testing::MatchesRegex(
                  "journey a: 10000 sampled units; now \\(2026-11-23T10:00:00Z\\): [0-9.]+% moved "
                  "\\(group [0-9.]+%, left holdout [0-9.]+%, entered holdout 0.00%, arm 0.00%\\)"));
}

TEST(DiffTest, OneLinePerChange) {
  const LoadedConfig a = MustLoad(R"pb(
    global_holdout { share: 0.02 }
    journeys { id: "winback" holdout_share: 0.1 arms { name: "x" weight: 1 } arms { name: "y" weight: 1 }
               channel_costs { channel: "sms" cost_per_send: 0.01 } }
    journeys { id: "old" holdout_share: 0.1 }
  )pb");
  const LoadedConfig b = MustLoad(R"pb(
    global_holdout { share: 0.03 }
    journeys { id: "winback" holdout_share: 0.05 description: "d"
               attribution_window { seconds: 1209600 }
               rotation { scheme: RESALT period { seconds: 2419200 } }
               arms { name: "x" weight: 2 } arms { name: "z" weight: 1 }
               channel_costs { channel: "sms" cost_per_send: 0.02 }
               channel_costs { channel: "email" cost_per_send: 0.001 } }
    journeys { id: "renewal" holdout_share: 0.05 }
  )pb");
  EXPECT_THAT(DiffConfigs(a.effective, b.effective),
              ::testing::ElementsAre(
                  "global_holdout: share 0.02 -> 0.03", "journey old removed",
                  "journey renewal added", "journey winback: description \"\" -> \"d\"",
                  "journey winback: holdout_share 0.1 -> 0.05", "journey winback: rotation added",
                  "journey winback: rotation.scheme SCHEME_UNSPECIFIED -> RESALT",
                  "journey winback: rotation.period (unset) -> 28d",
                  "journey winback: rotation.epoch (unset) -> 1970-01-01T00:00:00Z",
                  "journey winback: rotation.washout (unset) -> 0s",
                  "journey winback: attribution_window 7d -> 14d",
                  "journey winback: arm x weight 1 -> 2", "journey winback: arm y removed",
                  "journey winback: arm z added (weight 1)",
                  "journey winback: channel sms cost_per_send 0.01 -> 0.02",
                  "journey winback: channel email cost_per_send 0.001 added"));
  EXPECT_EQ(DiffSummary(a.effective, a.effective), "no change");
}

TEST(DiffTest, ArmChannelsAreDiffedAndCompiled) {
  const LoadedConfig a = MustLoad(R"pb(
    journeys { id: "cart" holdout_share: 0.1 arms { name: "e" weight: 1 channels: "email" }
               arms { name: "es" weight: 1 } }
  )pb");
  const LoadedConfig b = MustLoad(R"pb(
    journeys { id: "cart" holdout_share: 0.1 arms { name: "e" weight: 1 channels: "email" }
               arms { name: "es" weight: 1 channels: "email" channels: "sms" } }
  )pb");
  EXPECT_THAT(DiffConfigs(a.effective, b.effective),
              ::testing::ElementsAre("journey cart: arm es channels (none) -> email,sms"));
  EXPECT_NE(a.compiled->version, b.compiled->version);
  const JourneySpec* j = b.compiled->FindJourney("cart");
  ASSERT_NE(j, nullptr);
  EXPECT_THAT(j->arms[1].channels, ::testing::ElementsAre("email", "sms"));
}

}  // namespace
}  // namespace holdfast::config
