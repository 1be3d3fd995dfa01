// One small bad config per lint rule, with the exact message and position
// expected. Positions are 1-based line:col of the offending field (or of the
// nearest enclosing field written in the file when the value is a default).
#include "lib/config/validate.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/limits.h"
#include "tests/config/test_util.h"

namespace holdfast::config {
namespace {

using ::holdfast::config::testing::Findings;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct RuleCase {
  const char* rule;
  const char* text;
  std::vector<std::string> expected;
};

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, ReportsExactMessageAndPosition) {
  const RuleCase& c = GetParam();
  EXPECT_EQ(Findings(c.text), c.expected) << "rule " << c.rule;
}

const RuleCase kRuleCases[] = {
    {"syntax",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  colour: 3\n}\n",
     {"c.textproto:4:9: error: Message type \"holdfast.v1.Journey\" has no field named "
      "\"colour\". [syntax]"}},
    {"journey-id (charset)",
     "journeys {\n  id: \"Cart Abandon\"\n  holdout_share: 0.1\n}\n",
     {"c.textproto:2:3: error: journey id \"Cart Abandon\" must match [a-z0-9_.-]{1,64} "
      "[journey-id]"}},
    {"journey-id (missing)",
     "journeys {\n  holdout_share: 0.1\n}\n",
     {"c.textproto:1:1: error: journey #1: id is required [journey-id]"}},
    {"journey-id (length)",
     "journeys {\n  id: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
     "  holdout_share: 0.1\n}\n",
     {"c.textproto:2:3: error: journey id "
      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...(65 bytes)\" must match "
      "[a-z0-9_.-]{1,64} [journey-id]"}},
    {"duplicate-journey",
     "journeys { id: \"a\" holdout_share: 0.1 }\njourneys { id: \"a\" holdout_share: 0.2 }\n",
     {"c.textproto:2:12: error: duplicate journey id \"a\" (first defined at c.textproto:1:1) "
      "[duplicate-journey]"}},
    {"seed-reuse (across journeys)",
     "journeys { id: \"a\" holdout_share: 0.1 holdout_seed: \"s\" }\n"
     "journeys { id: \"b\" holdout_share: 0.1 holdout_seed: \"s\" }\n",
     {"c.textproto:2:39: error: seed \"s\" of journey b (holdout) is already used by journey a "
      "(holdout) (c.textproto:1:39); every journey and purpose needs its own seed [seed-reuse]"}},
    {"seed-reuse (holdout vs arm)",
     "journeys { id: \"a\" holdout_share: 0.1 arm_seed: \"a:holdout\" }\n",
     {"c.textproto:1:39: error: seed \"a:holdout\" of journey a (arm split) is already used by "
      "journey a (holdout) (c.textproto:1:12); every journey and purpose needs its own seed "
      "[seed-reuse]"}},
    {"seed-reuse (global)",
     "global_holdout { share: 0.02 }\njourneys { id: \"a\" holdout_share: 0.1 holdout_seed: "
     "\"global:holdout\" }\n",
     {"c.textproto:2:39: error: seed \"global:holdout\" of journey a (holdout) is already used by "
      "the global holdout (c.textproto:1:18); every journey and purpose needs its own seed "
      "[seed-reuse]"}},
    {"share-range (journey zero)",
     "journeys {\n  id: \"a\"\n}\n",
     {"c.textproto:1:1: error: journey a: holdout_share 0 is outside (0, 1) [share-range]"}},
    {"share-range (journey one)",
     "journeys {\n  id: \"a\"\n  holdout_share: 1\n}\n",
     {"c.textproto:3:3: error: journey a: holdout_share 1 is outside (0, 1) [share-range]"}},
    {"share-range (global)",
     "global_holdout {\n  share: 1.0\n}\n",
     {"c.textproto:2:3: error: global_holdout: share 1 is outside [0, 1) [share-range]"}},
    {"share-precision",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1234567\n}\n",
     {"c.textproto:3:3: error: journey a: holdout_share 0.1234567 is not a whole number of "
      "millionths (steps of 0.000001) [share-precision]"}},
    {"arm-weight",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  arms { name: \"x\" weight: 1 }\n"
     "  arms { name: \"y\" }\n}\n",
     {"c.textproto:5:3: error: journey a: arm \"y\" needs a positive weight [arm-weight]"}},
    {"arm-name",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  arms { name: \"big win!\" weight: 1 }\n}\n",
     {"c.textproto:4:10: error: journey a: arm name \"big win!\" must match "
      "[A-Za-z0-9_.-]{1,64} [arm-name]"}},
    {"duplicate-arm",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  arms { name: \"x\" weight: 1 }\n"
     "  arms { name: \"x\" weight: 2 }\n}\n",
     {"c.textproto:5:10: error: journey a: duplicate arm name \"x\" [duplicate-arm]"}},
    {"arm-channel (duplicate)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  arms { name: \"x\" weight: 1 channels: \"email\" channels: \"email\" }\n}\n",
     {"c.textproto:4:48: error: journey a: arm \"x\" lists channel \"email\" twice [arm-channel]"}},
    {"arm-channel (syntax)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  arms { name: \"x\" weight: 1 channels: \"in app\" }\n}\n",
     {"c.textproto:4:30: error: journey a: arm \"x\" channel \"in app\" must be 1-64 bytes "
      "without whitespace or control characters [arm-channel]"}},
    {"arm-total-weight",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  arms { name: \"x\" weight: 4294967295 }\n"
     "  arms { name: \"y\" weight: 1 }\n}\n",
     {"c.textproto:4:3: error: journey a: total arm weight 4294967296 must be below 2^32 "
      "[arm-total-weight]"}},
    {"rotation-period (missing)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  rotation { scheme: RESALT }\n}\n",
     {"c.textproto:4:3: error: journey a: rotation.period must be > 0 when a rotation scheme is "
      "set [rotation-period]"}},
    {"rotation-period (fractional)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  attribution_window { seconds: 1 }\n"
     "  rotation { scheme: RESALT period { seconds: 86400 nanos: 500 } }\n}\n",
     {"c.textproto:5:29: error: journey a: rotation.period must be a whole number of seconds "
      "(seconds 86400, nanos 500) [rotation-period]"}},
    {"rotation-washout (too long)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  rotation {\n    scheme: RESALT\n"
     "    period { seconds: 604800 }\n    washout { seconds: 604800 }\n  }\n}\n",
     {"c.textproto:7:5: error: journey a: rotation.washout 7d must be shorter than "
      "rotation.period 7d [rotation-washout]"}},
    {"rotation-washout (negative)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  rotation {\n    scheme: RESALT\n"
     "    period { seconds: 604800 }\n    washout { seconds: -3600 }\n  }\n}\n",
     {"c.textproto:7:5: error: journey a: rotation.washout -1h must not be negative "
      "[rotation-washout]"}},
    {"rotation-stride",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  rotation {\n    scheme: SLIDING\n"
     "    period { seconds: 604800 }\n    stride: 1.5\n  }\n}\n",
     {"c.textproto:7:5: error: journey a: rotation.stride 1.5 is outside (0, 1] "
      "[rotation-stride]"}},
    {"rotation-epoch",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  rotation {\n    scheme: RESALT\n"
     "    period { seconds: 604800 }\n    epoch { seconds: 1 nanos: 5 }\n  }\n}\n",
     {"c.textproto:7:5: error: journey a: rotation.epoch is not a valid timestamp in whole "
      "microseconds [rotation-epoch]"}},
    {"hash-version",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  hash_version: 2\n}\n",
     {"c.textproto:4:3: error: journey a: hash_version 2 is not supported by this build "
      "(latest: 1) [hash-version]"}},
    {"channel-cost (negative)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  channel_costs { channel: \"sms\" cost_per_send: -0.01 }\n}\n",
     {"c.textproto:4:34: error: journey a: channel \"sms\" cost_per_send -0.01 must be a finite "
      "number >= 0 [channel-cost]"}},
    {"channel-cost (duplicate)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  channel_costs { channel: \"sms\" cost_per_send: 0.01 }\n"
     "  channel_costs { channel: \"sms\" cost_per_send: 0.02 }\n}\n",
     {"c.textproto:5:19: error: journey a: channel \"sms\" has more than one cost "
      "[channel-cost]"}},
    {"attribution-window",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  attribution_window { seconds: 0 }\n}\n",
     {"c.textproto:4:3: error: journey a: attribution_window must be > 0 "
      "[attribution-window]"}},
    {"pre-period",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  pre_period { seconds: -86400 }\n}\n",
     {"c.textproto:4:3: error: journey a: pre_period must be > 0 [pre-period]"}},
    {"refund-horizon",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  refund_horizon { seconds: -1 }\n}\n",
     {"c.textproto:4:3: error: journey a: refund_horizon must be in [0, 3650 days] [refund-horizon]"}},
    {"refund-horizon (too long)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  refund_horizon { seconds: 315446400 }\n}\n",
     {"c.textproto:4:3: error: journey a: refund_horizon must be in [0, 3650 days] [refund-horizon]"}},
    {"horizons (shorter than the window)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  horizons { seconds: 86400 }\n}\n",
     {"c.textproto:4:3: error: journey a: horizon 1d is shorter than attribution_window 7d (the "
      "window already measures that span) [horizons]"}},
    {"horizons (duplicate)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  horizons { seconds: 2592000 }\n"
     "  horizons { seconds: 2592000 }\n}\n",
     {"c.textproto:5:3: error: journey a: horizon 30d is listed twice [horizons]"}},
    {"horizons (too long)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  horizons { seconds: 315446400 }\n}\n",
     {"c.textproto:4:3: error: journey a: horizon 3651d must be at most 3650 days [horizons]"}},
    {"horizons (fraction of a second)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  horizons { seconds: 2592000 nanos: 1000 }\n}\n",
     {"c.textproto:4:3: error: journey a: horizon must be a whole number of seconds (seconds "
      "2592000, nanos 1000) [horizons]"}},
    {"horizon-longer-than-rotation",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  rotation { scheme: RESALT period { seconds: 2419200 } }\n  horizons { seconds: 5184000 }\n}\n",
     {"c.textproto:5:3: warning: journey a: horizon 60d is longer than rotation.period 28d; a "
      "unit's next entries overlap it, so the horizon measures the effect of one period's "
      "assignment, diluted by later periods' (docs/report.md, \"Horizons\") "
      "[horizon-longer-than-rotation]"}},
    {"guardrail (duplicate)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  guardrails { metric: UNSUBSCRIBE max_increase: 0.01 }\n"
     "  guardrails { metric: UNSUBSCRIBE max_increase: 0.02 }\n}\n",
     {"c.textproto:5:16: error: journey a: guardrail UNSUBSCRIBE is declared twice [guardrail]"}},
    {"guardrail (share)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  guardrails { metric: COMPLAINT max_increase: 2 }\n}\n",
     {"c.textproto:4:34: error: journey a: guardrail max_increase must be a share in [0, 1] "
      "(0.002 = 0.2 percentage points) [guardrail]"}},
    {"guardrail (value on complaints)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  guardrails { metric: COMPLAINT max_increase: 0.001 value_per_event: 3 }\n}\n",
     {"c.textproto:4:54: error: journey a: value_per_event is only for the UNSUBSCRIBE "
      "guardrail [guardrail]"}},
    {"stage (charset)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  stage: \"Win Back\"\n}\n",
     {"c.textproto:4:3: error: journey a: stage \"Win Back\" must match [a-z0-9_-]{1,32} "
      "(onboarding, activation, retention, reactivation, renewal or a custom label) [stage]"}},
    {"stage (length)",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  stage: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n}\n",
     {"c.textproto:4:3: error: journey a: stage \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" must match "
      "[a-z0-9_-]{1,32} (onboarding, activation, retention, reactivation, renewal or a custom "
      "label) [stage]"}},
    {"stage-typo",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  stage: \"retension\"\n}\n",
     {"c.textproto:4:3: warning: journey a: stage \"retension\" is not a standard stage but close "
      "to \"retention\"; journeys with different labels are rolled up separately [stage-typo]"}},
    {"planning",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  planning { baseline_conversion_rate: 1.5 }\n}\n",
     {"c.textproto:4:14: error: journey a: planning.baseline_conversion_rate 1.5 must be in "
      "(0, 1) [planning]"}},
    {"rotation-shorter-than-window",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  rotation { scheme: RESALT period { seconds: 86400 } }\n}\n",
     {"c.textproto:4:29: warning: journey a: rotation.period 1d is shorter than "
      "attribution_window 7d; outcomes of late entries fall into the next period, after the "
      "unit may have changed group [rotation-shorter-than-window]"}},
    {"sliding-uneven-cycle",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.3\n"
     "  rotation { scheme: SLIDING period { seconds: 604800 } }\n}\n",
     {"c.textproto:4:3: warning: journey a: SLIDING window of share 0.3: 1/share = 3.333 is not "
      "an integer, so the window wraps mid-cycle and units are not held out exactly once every "
      "1/share periods [sliding-uneven-cycle]"}},
    {"sliding-stride",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  rotation { scheme: SLIDING period { seconds: 604800 } stride: 0.05 }\n}\n",
     {"c.textproto:4:57: warning: journey a: rotation.stride 0.05 differs from the holdout share "
      "0.1; consecutive holdouts overlap, so some units are held out in consecutive periods "
      "[sliding-stride]"}},
    {"rotation-ignored",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  rotation { period { seconds: 604800 } }\n}\n",
     {"c.textproto:4:3: warning: journey a: rotation has no scheme, so its period, epoch, "
      "washout and stride have no effect (set scheme: SLIDING or RESALT) [rotation-ignored]"}},
    {"planning-incomplete",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
     "  planning { expected_entries_per_period: 1000 }\n}\n",
     {"c.textproto:4:3: warning: journey a: planning needs expected_entries_per_period, "
      "target_relative_mde and a baseline (conversion rate, or revenue mean and sd); the power "
      "check was skipped [planning-incomplete]"}},
    // 10,000 entries, 10 % held out: n_C = 1,000, n_T = 9,000; p = 0.05:
    // MDE = 2.8016 * sqrt(0.0475 * (1/9000 + 1/1000)) = 0.020353 -> 40.7 % of p.
    // Periods for 5 %: ceil((0.40706/0.05)^2) = 67.
    {"holdout-underpowered",
     "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  planning {\n"
     "    expected_entries_per_period: 10000\n    baseline_conversion_rate: 0.05\n"
     "    target_relative_mde: 0.05\n  }\n}\n",
     {"c.textproto:7:5: warning: journey a: holdout too small: the minimum detectable relative "
      "lift in conversion rate is 40.7% (80% power, two-sided alpha 0.05, ~1000 holdout vs ~9000 "
      "treatment entries over 1 period), above the target 5.0%; pool about 67 periods or raise "
      "holdout_share [holdout-underpowered]"}},
};

INSTANTIATE_TEST_SUITE_P(AllRules, RuleTest, ::testing::ValuesIn(kRuleCases));

TEST(ValidateTest, PlanningThatMeetsTheTargetIsQuiet) {
  // 1,000,000 entries, 10 % holdout, p = 0.05: MDE = 4.07 % relative < 5 %.
  EXPECT_THAT(Findings("journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  planning {\n"
                       "    expected_entries_per_period: 1000000\n"
                       "    baseline_conversion_rate: 0.05\n    target_relative_mde: 0.05\n"
                       "  }\n}\n"),
              IsEmpty());
}

TEST(ValidateTest, PlanningCountsGlobalHoldoutWashoutArmsAndPooledPeriods) {
  // entries = 100000 * 4 periods * (1 - 0.5 global) * (1 - 1d/4d washout) = 150,000;
  // n_C = 30,000 (20 %), smallest arm = 120,000 * 1/4 = 30,000; revenue sd/mean = 4:
  // MDE = 2.8016 * 4 * sqrt(2/30000) = 9.15 % > 5 %; periods: ceil(4 * (0.0915/0.05)^2) = 14.
  EXPECT_THAT(
      Findings("global_holdout { share: 0.5 }\n"
               "journeys {\n  id: \"a\"\n  holdout_share: 0.2\n"
               "  arms { name: \"x\" weight: 1 }\n  arms { name: \"y\" weight: 3 }\n"
               "  attribution_window { seconds: 86400 }\n"
               "  rotation { scheme: RESALT period { seconds: 345600 } washout { seconds: 86400 } }\n"
               "  planning {\n    expected_entries_per_period: 100000\n"
               "    baseline_revenue_mean: 10\n    baseline_revenue_sd: 40\n"
               "    target_relative_mde: 0.05\n    periods_pooled: 4\n  }\n}\n"),
      ElementsAre("c.textproto:13:5: warning: journey a: holdout too small: the minimum "
                  "detectable relative lift in revenue per entry is 9.1% (80% power, two-sided "
                  "alpha 0.05, ~30000 holdout vs ~30000 smallest-arm entries over 4 periods), "
                  "above the target 5.0%; pool about 14 periods or raise holdout_share "
                  "[holdout-underpowered]"));
}

TEST(ValidateTest, DefaultSeedsOfDistinctJourneysDoNotCollide) {
  EXPECT_THAT(Findings("global_holdout { share: 0.02 }\n"
                       "journeys { id: \"a\" holdout_share: 0.1 }\n"
                       "journeys { id: \"b\" holdout_share: 0.1 }\n"),
              IsEmpty());
}

TEST(ValidateTest, JourneyNamedGlobalCollidesOnlyWithAnActiveGlobalHoldout) {
  EXPECT_THAT(Findings("journeys { id: \"global\" holdout_share: 0.1 }\n"), IsEmpty());
  EXPECT_THAT(
      Findings("global_holdout { share: 0.01 }\njourneys { id: \"global\" holdout_share: 0.1 }\n"),
      ElementsAre("c.textproto:2:12: error: seed \"global:holdout\" of journey global (holdout) "
                  "is already used by the global holdout (c.textproto:1:18); every journey and "
                  "purpose needs its own seed [seed-reuse]"));
}

TEST(ValidateTest, ShareOfOneMillionthIsRepresentable) {
  EXPECT_THAT(Findings("journeys { id: \"a\" holdout_share: 0.000001 }\n"), IsEmpty());
  EXPECT_THAT(Findings("journeys { id: \"a\" holdout_share: 0.999999 }\n"), IsEmpty());
}

TEST(ValidateTest, IdAndArmNameCharsets) {
  EXPECT_TRUE(IsValidJourneyId("cart_abandon.v2-eu"));
  EXPECT_FALSE(IsValidJourneyId("Cart"));
  EXPECT_FALSE(IsValidJourneyId(""));
  EXPECT_FALSE(IsValidJourneyId(std::string(65, 'a')));
  EXPECT_TRUE(IsValidJourneyId(std::string(64, 'a')));
  EXPECT_TRUE(IsValidArmName("No_Discount-2.b"));
  EXPECT_FALSE(IsValidArmName("a b"));
  EXPECT_FALSE(IsValidArmName("caf\xc3\xa9"));
}

// Config strings must be UTF-8: a proto3 string that is not breaks every
// client that reads the config back (ListJourneys, ConfigHistory).
TEST(ValidateTest, InvalidUtf8StringIsAnErrorAtItsPosition) {
  EXPECT_THAT(Findings("journeys {\n  id: \"a\"\n  holdout_share: 0.1\n"
                       "  channel_costs { channel: \"push\\377\" cost_per_send: 0.1 }\n}\n"),
              ElementsAre("c.textproto:4:19: error: journeys[0].channel_costs[0].channel: not valid UTF-8 "
                          "(\"push\\377\"); config strings are UTF-8 [utf8]"));
  EXPECT_THAT(Findings("journeys { id: \"a\" holdout_share: 0.1 description: \"caf\\303\\251\" }\n"), IsEmpty());
}

// Every size the server refuses, lint refuses first (lib/config/limits.h).
TEST(ValidateTest, SizeLimitsAreLintErrors) {
  const std::string long_description(kMaxDescriptionBytes + 1, 'd');
  EXPECT_THAT(Findings("journeys { id: \"a\" holdout_share: 0.1 description: \"" + long_description + "\" }\n"),
              ElementsAre("c.textproto:1:39: error: journeys[0].description: 4097 bytes, at most 4096 [limit]"));
  EXPECT_THAT(Findings("journeys { id: \"a\" holdout_share: 0.1 description: \"" +
                       std::string(kMaxDescriptionBytes, 'd') + "\" }\n"),
              IsEmpty());

  std::string arms = "journeys { id: \"a\" holdout_share: 0.1\n";
  for (int i = 0; i <= kMaxArmsPerJourney; ++i) arms += "arms { name: \"arm" + std::to_string(i) + "\" weight: 1 }\n";
  arms += "}\n";
  EXPECT_THAT(Findings(arms), ElementsAre("c.textproto:2:1: error: journeys[0].arms: 101 entries, at most 100 [limit]"));

  std::string journeys;
  for (int i = 0; i <= kMaxJourneys; ++i) {
    journeys += "journeys { id: \"j" + std::to_string(i) + "\" holdout_share: 0.1 }\n";
  }
  std::vector<std::string> found = Findings(journeys);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0], "c.textproto:1:1: error: journeys: 1001 entries, at most 1000 [limit]");
}

}  // namespace
}  // namespace holdfast::config
