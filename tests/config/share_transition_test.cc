// A share change loaded mid-period takes effect at the next period boundary.
#include "lib/config/share_transition.h"

#include <gtest/gtest.h>

#include "lib/assign/assigner.h"
#include "lib/config/config.h"

namespace holdfast::config {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

std::shared_ptr<const AssignmentConfig> Load(double share, const char* scheme = "RESALT") {
  const std::string text = absl::StrCat(R"pb(journeys { id: "winback" holdout_share: )pb", share,
                                        R"pb( rotation { scheme: )pb", scheme,
                                        R"pb( period { seconds: 2419200 } } })pb");
  auto loaded = LoadConfigText("c.textproto", text);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded->compiled;
}

TEST(ShareTransitionTest, LoweredShareWaitsForBoundaryThenOnlyReleasesUnits) {
  for (const char* scheme : {"RESALT", "SLIDING"}) {
    auto before = Load(0.15, scheme);
    auto after_file = Load(0.10, scheme);
    const RotationSpec& rot = before->journeys[0].holdout.rotation;
    const UnixMicros now = PeriodStart(rot, 700) + 10 * kDay;  // mid-period 700
    std::vector<ShareTransition> plan = PlanShareTransitions(*before, *after_file, now);
    ASSERT_EQ(plan.size(), 1u) << scheme;
    EXPECT_EQ(plan[0].holdout, "journey:winback");
    EXPECT_EQ(plan[0].period, 701);
    EXPECT_EQ(plan[0].previous_share_ppm, 150000u);

    auto after = std::make_shared<AssignmentConfig>(*after_file);
    ApplyShareTransitions(plan, after.get());
    EXPECT_NE(after->version, after_file->version);
    Assigner old_assigner(before), new_assigner(after), file_assigner(after_file);
    int moved_now = 0, entered_next = 0, left_next = 0;
    for (int i = 0; i < 20000; ++i) {
      const std::string unit = "u" + std::to_string(i);
      // Rest of period 700: nobody moves.
      if (old_assigner.Assign("winback", unit, now)->group != new_assigner.Assign("winback", unit, now)->group) {
        ++moved_now;
      }
      // Period 701: exactly the new file's answer, and only departures from the holdout.
      const UnixMicros next = PeriodStart(rot, 701) + kDay;
      const auto n = new_assigner.Assign("winback", unit, next)->group;
      EXPECT_EQ(n, file_assigner.Assign("winback", unit, next)->group);
      const auto o = old_assigner.Assign("winback", unit, next)->group;
      if (o != AssignedGroup::kHoldout && n == AssignedGroup::kHoldout) ++entered_next;
      if (o == AssignedGroup::kHoldout && n != AssignedGroup::kHoldout) ++left_next;
    }
    EXPECT_EQ(moved_now, 0) << scheme;
    if (std::string(scheme) == "RESALT") {
      EXPECT_EQ(entered_next, 0);
      EXPECT_GT(left_next, 500);  // ~5 % of 20,000
    }
  }
}

TEST(ShareTransitionTest, NoTransitionAtBoundaryWithoutRotationOrForReshuffles) {
  auto before = Load(0.15);
  auto after = Load(0.10);
  const RotationSpec& rot = before->journeys[0].holdout.rotation;
  EXPECT_TRUE(PlanShareTransitions(*before, *after, PeriodStart(rot, 700)).empty());
  EXPECT_TRUE(PlanShareTransitions(*before, *before, PeriodStart(rot, 700) + kDay).empty());
  auto a = LoadConfigText("a.textproto", R"pb(journeys { id: "r" holdout_share: 0.1 })pb");
  auto b = LoadConfigText("b.textproto", R"pb(journeys { id: "r" holdout_share: 0.05 })pb");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(PlanShareTransitions(*a->compiled, *b->compiled, 5 * kDay).empty());
}

TEST(ShareTransitionTest, StatesRoundTripThroughHistoryText) {
  auto before = Load(0.15);
  auto after = std::make_shared<AssignmentConfig>(*Load(0.10));
  const RotationSpec& rot = before->journeys[0].holdout.rotation;
  const UnixMicros now = PeriodStart(rot, 700) + 10 * kDay;
  ApplyShareTransitions(PlanShareTransitions(*before, *after, now), after.get());
  const std::vector<HoldoutState> states = HoldoutStates(*after);
  const std::string text = "replaces cfg-x\njourney winback: holdout_share 0.15 -> 0.1\n" + FormatHoldoutStates(states);
  std::vector<HoldoutState> back = ParseHoldoutStates(text);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].holdout, "journey:winback");
  EXPECT_EQ(back[0].draw, states[0].draw);
  EXPECT_EQ(back[0].share_ppm, 100000u);
  EXPECT_EQ(back[0].change_period, 701);
  EXPECT_EQ(back[0].previous_share_ppm, 150000u);
  // Planning from the parsed states gives the same transition, hence the same version.
  auto again = std::make_shared<AssignmentConfig>(*Load(0.10));
  ApplyShareTransitions(PlanShareTransitions(back, *again, now), again.get());
  EXPECT_EQ(again->version, after->version);
}

TEST(ShareTransitionTest, JourneyNamedGlobalDoesNotTouchTheGlobalHoldout) {
  auto load = [](double share) {
    auto loaded = LoadConfigText("c.textproto", absl::StrCat(
        R"pb(global_holdout { share: 0.02 }
             journeys { id: "global" holdout_seed: "g-journey" holdout_share: )pb", share,
        R"pb( rotation { scheme: RESALT period { seconds: 2419200 } } })pb"));
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded->compiled;
  };
  auto before = load(0.15);
  auto after = std::make_shared<AssignmentConfig>(*load(0.10));
  const UnixMicros now = PeriodStart(before->journeys[0].holdout.rotation, 700) + 10 * kDay;
  ApplyShareTransitions(PlanShareTransitions(*before, *after, now), after.get());
  EXPECT_EQ(after->global_holdout.share_change_period, HoldoutSpec::kNoShareChange);
  EXPECT_EQ(after->journeys[0].holdout.share_change_period, 701);
}

}  // namespace
}  // namespace holdfast::config
