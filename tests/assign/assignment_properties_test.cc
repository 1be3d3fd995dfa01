// Statistical and set properties of the assignment over large synthetic
// populations: shares within binomial bounds, SLIDING coverage, RESALT
// independence, the monotone ramp, and independence between journeys and
// between holdout and arm split. All seeds are fixed, so every run sees the
// same populations; bounds are ±5σ so a correct implementation passes with
// overwhelming margin while a biased or correlated one fails.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/assign/assigner.h"
#include "tests/assign/test_config.h"

namespace holdfast {
namespace {

using ::holdfast::testing::Config;
using ::holdfast::testing::ExpectBinomial;
using ::holdfast::testing::Journey;
using ::holdfast::testing::kDayUs;
using ::holdfast::testing::kEpoch2026;
using ::holdfast::testing::kWeekUs;
using ::holdfast::testing::RotatingHoldout;
using ::holdfast::testing::StaticHoldout;
using ::holdfast::testing::UnitId;

constexpr double kSigmas = 5.0;

std::vector<std::string> Population(int64_t n, const std::string& prefix = "u") {
  std::vector<std::string> units;
  units.reserve(n);
  for (int64_t i = 0; i < n; ++i) units.push_back(prefix + std::to_string(i));
  return units;
}

TEST(AssignmentPropertiesTest, SharesWithinBinomialBoundsOverOneMillionIds) {
  // Global 5 %, journey 10 %, arms 1:1:2 — one full decision per id.
  constexpr int64_t kN = 1000000;
  Assigner a(Config(StaticHoldout(50000, "global:v1"),
                    {Journey("j", StaticHoldout(100000, "holdout:j"), "arms:j", {1, 1, 2})}));
  const JourneySpec& j = *a.config().FindJourney("j");
  int64_t global = 0, holdout = 0, treatment = 0;
  int64_t arms[3] = {0, 0, 0};
  const std::vector<std::string> units = Population(kN);
  for (const std::string& u : units) {
    const Decision d = a.AssignValidated(j, u, 0);
    switch (d.group) {
      case AssignedGroup::kGlobalHoldout: ++global; break;
      case AssignedGroup::kHoldout: ++holdout; break;
      case AssignedGroup::kTreatment: ++treatment; ++arms[d.arm_index]; break;
    }
  }
  ExpectBinomial(global, kN, 0.05, kSigmas, "global holdout");
  // Journey holdout among those not globally held out.
  ExpectBinomial(holdout, kN - global, 0.10, kSigmas, "journey holdout");
  ExpectBinomial(arms[0], treatment, 0.25, kSigmas, "arm 0");
  ExpectBinomial(arms[1], treatment, 0.25, kSigmas, "arm 1");
  ExpectBinomial(arms[2], treatment, 0.50, kSigmas, "arm 2");
}

TEST(AssignmentPropertiesTest, StaticShareIsExactlyTheBucketThreshold) {
  // share_ppm is a count of the 10^6 equal buckets; 1 ppm holds ~1 in 10^6.
  constexpr int64_t kN = 1000000;
  int64_t one_ppm = 0, half = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    one_ppm += InHoldout(StaticHoldout(1, "s"), u, 0);
    half += InHoldout(StaticHoldout(500000, "s"), u, 0);
  }
  ExpectBinomial(one_ppm, kN, 1e-6, kSigmas, "1 ppm");
  ExpectBinomial(half, kN, 0.5, kSigmas, "50 %");
}

// SLIDING with stride = share: every run of m consecutive periods holds each
// unit out between min_times and max_times times, before and after the epoch.
// With share = 1/m that is exactly once (so consecutive holdouts are disjoint).
void CheckSlidingCoverage(uint32_t share_ppm, int m, int min_times, int max_times, int64_t n) {
  SCOPED_TRACE(absl::StrCat("share_ppm=", share_ppm, " m=", m));
  constexpr int kFirst = -23;  // periods -23..12: several cycles, most before the epoch
  constexpr int kPeriods = 36;
  const HoldoutSpec spec = RotatingHoldout(RotationScheme::kSliding, share_ppm, "holdout:renewal",
                                           kWeekUs, kEpoch2026, 0, share_ppm);
  std::vector<int64_t> held_per_period(kPeriods, 0);
  int64_t violations = 0;
  for (int64_t i = 0; i < n; ++i) {
    const std::string u = UnitId(i);
    std::vector<bool> in(kPeriods);
    for (int p = 0; p < kPeriods; ++p) {
      in[p] = InHoldout(spec, u, kFirst + p);
      held_per_period[p] += in[p];
    }
    for (int p = 0; p + m <= kPeriods; ++p) {
      int count = 0;
      for (int q = p; q < p + m; ++q) count += in[q];
      if (count < min_times || count > max_times) ++violations;
    }
  }
  EXPECT_EQ(violations, 0);
  const double share = static_cast<double>(share_ppm) / kShareScale;
  for (int p = 0; p < kPeriods; ++p) {
    ExpectBinomial(held_per_period[p], n, share, kSigmas, "period " + std::to_string(kFirst + p));
  }
}

TEST(AssignmentPropertiesTest, SlidingHoldsEachUnitOutOncePerCycle) {
  CheckSlidingCoverage(100000, 10, 1, 1, 200000);
  CheckSlidingCoverage(250000, 4, 1, 1, 200000);
}

TEST(AssignmentPropertiesTest, SlidingCoverageWhenShareDoesNotDivideTheCircle) {
  // 30 %: m windows tile an arc of m·30 %, so exactly 3 times in any 10
  // periods but 1 or 2 times in any 4 (docs/hashing.md §7).
  CheckSlidingCoverage(300000, 10, 3, 3, 50000);
  CheckSlidingCoverage(300000, 4, 1, 2, 50000);
}

TEST(AssignmentPropertiesTest, SlidingPeriodIndexWrapsAroundTheCircle) {
  // start = (k mod 10^6)·stride mod 10^6 must equal k·stride mod 10^6 for
  // any k, including huge and negative ones; stride 10 % gives cycle 10.
  const HoldoutSpec spec = RotatingHoldout(RotationScheme::kSliding, 100000, "s", kWeekUs,
                                           kEpoch2026, 0, 100000);
  for (int i = 0; i < 2000; ++i) {
    const std::string u = UnitId(i);
    for (int64_t k : {int64_t{-1000003}, int64_t{-7}, int64_t{3}, int64_t{999999},
                      int64_t{4000000000LL}}) {
      ASSERT_EQ(InHoldout(spec, u, k), InHoldout(spec, u, k + 10)) << u << " k=" << k;
      ASSERT_EQ(InHoldout(spec, u, k), InHoldout(spec, u, k + 1000000)) << u << " k=" << k;
    }
  }
}

TEST(AssignmentPropertiesTest, ResaltPeriodsAreIndependent) {
  constexpr int64_t kN = 1000000;
  constexpr double kShare = 0.10;
  const HoldoutSpec spec = RotatingHoldout(RotationScheme::kResalt, 100000, "holdout:winback",
                                           kDayUs, kEpoch2026);
  int64_t held[3] = {0, 0, 0};
  int64_t overlap_prev = 0, overlap_next = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    const bool a = InHoldout(spec, u, -1);
    const bool b = InHoldout(spec, u, 0);
    const bool c = InHoldout(spec, u, 1);
    held[0] += a;
    held[1] += b;
    held[2] += c;
    overlap_prev += a && b;
    overlap_next += b && c;
  }
  for (int64_t h : held) ExpectBinomial(h, kN, kShare, kSigmas, "period share");
  ExpectBinomial(overlap_prev, kN, kShare * kShare, kSigmas, "overlap periods -1,0");
  ExpectBinomial(overlap_next, kN, kShare * kShare, kSigmas, "overlap periods 0,1");
}

// Lowering the share only moves units out of the holdout, never in.
void CheckMonotoneRamp(const HoldoutSpec& base, const std::vector<int64_t>& periods) {
  const uint32_t shares[] = {500000, 250000, 100000, 99999, 10000, 1, 0};
  constexpr int64_t kN = 100000;
  for (int64_t k : periods) {
    int64_t previous_count = kN;
    for (size_t s = 0; s < std::size(shares); ++s) {
      HoldoutSpec spec = base;
      spec.share_ppm = shares[s];
      HoldoutSpec wider = base;
      wider.share_ppm = s == 0 ? 1000000 - 1 : shares[s - 1];
      int64_t moved_in = 0, count = 0;
      for (int64_t i = 0; i < kN; ++i) {
        const std::string u = UnitId(i);
        const bool in = InHoldout(spec, u, k);
        count += in;
        if (in && !InHoldout(wider, u, k)) ++moved_in;
      }
      EXPECT_EQ(moved_in, 0) << "share " << shares[s] << " period " << k;
      EXPECT_LE(count, previous_count);
      previous_count = count;
    }
    EXPECT_EQ(previous_count, 0);
  }
}

TEST(AssignmentPropertiesTest, LoweringShareOnlyMovesUnitsOutStatic) {
  CheckMonotoneRamp(StaticHoldout(0, "holdout:ramp"), {0});
}

TEST(AssignmentPropertiesTest, LoweringShareOnlyMovesUnitsOutResalt) {
  CheckMonotoneRamp(
      RotatingHoldout(RotationScheme::kResalt, 0, "holdout:ramp", kDayUs, kEpoch2026), {-1, 0, 5});
}

TEST(AssignmentPropertiesTest, LoweringShareOnlyMovesUnitsOutSlidingWithPinnedStride) {
  CheckMonotoneRamp(RotatingHoldout(RotationScheme::kSliding, 0, "holdout:ramp", kWeekUs,
                                    kEpoch2026, 0, /*stride_ppm=*/100000),
                    {-3, 0, 7});
}

TEST(AssignmentPropertiesTest, SlidingWithPinnedStrideAboveShareSkipsPartOfThePopulation) {
  // After ramping 10 % -> 5 % with the stride pinned at 10 %, each period
  // still holds out a random 5 %, but positions between the windows are
  // never held out: half the units over a full cycle of 10 periods.
  const HoldoutSpec spec = RotatingHoldout(RotationScheme::kSliding, 50000, "h", kWeekUs,
                                           kEpoch2026, 0, /*stride_ppm=*/100000);
  constexpr int64_t kN = 20000;
  int64_t never = 0, more_than_once = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    int count = 0;
    for (int64_t k = -4; k < 6; ++k) count += InHoldout(spec, u, k);
    never += count == 0;
    more_than_once += count > 1;
  }
  EXPECT_EQ(more_than_once, 0);
  ExpectBinomial(never, kN, 0.5, kSigmas, "never held out");
}

TEST(AssignmentPropertiesTest, SlidingWithStrideTiedToShareIsNotMonotone) {
  // The documented limit: if the stride follows the share (20 % -> 10 %),
  // the window in period 1 moves from [200000, 400000) to [100000, 200000),
  // so units enter the holdout. Configs must pin the stride to ramp down.
  const HoldoutSpec before = RotatingHoldout(RotationScheme::kSliding, 200000, "h", kWeekUs,
                                             kEpoch2026, 0, 200000);
  const HoldoutSpec after = RotatingHoldout(RotationScheme::kSliding, 100000, "h", kWeekUs,
                                            kEpoch2026, 0, 100000);
  int64_t moved_in = 0;
  for (int64_t i = 0; i < 10000; ++i) {
    const std::string u = UnitId(i);
    moved_in += InHoldout(after, u, 1) && !InHoldout(before, u, 1);
  }
  ExpectBinomial(moved_in, 10000, 0.10, kSigmas, "units moved in");
}

TEST(AssignmentPropertiesTest, PendingShareChangeAppliesFromItsPeriodOn) {
  // A reload lowered the share 20 % -> 10 % (stride pinned at 20 %) in the
  // middle of period 4: periods before 5 keep the old share and stride.
  HoldoutSpec spec = RotatingHoldout(RotationScheme::kSliding, 100000, "holdout:t", kWeekUs,
                                     kEpoch2026, 0, /*stride_ppm=*/200000);
  spec.share_change_period = 5;
  spec.previous_share_ppm = 200000;
  spec.previous_stride_ppm = 200000;
  HoldoutSpec before = spec;
  before.share_change_period = HoldoutSpec::kNoShareChange;
  before.share_ppm = 200000;
  HoldoutSpec after = spec;
  after.share_change_period = HoldoutSpec::kNoShareChange;
  constexpr int64_t kN = 20000;
  int64_t moved_in = 0, held_k5 = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    for (int64_t k : {-3, 0, 4}) ASSERT_EQ(InHoldout(spec, u, k), InHoldout(before, u, k)) << k;
    for (int64_t k : {5, 6, 40}) ASSERT_EQ(InHoldout(spec, u, k), InHoldout(after, u, k)) << k;
    // With the stride pinned, the change is a monotone ramp in every period.
    moved_in += InHoldout(after, u, 5) && !InHoldout(before, u, 5);
    held_k5 += InHoldout(spec, u, 5);
  }
  EXPECT_EQ(moved_in, 0);
  ExpectBinomial(held_k5, kN, 0.1, kSigmas, "period 5 share");
}

TEST(AssignmentPropertiesTest, JourneyHoldoutsAreIndependent) {
  constexpr int64_t kN = 1000000;
  const HoldoutSpec cart = StaticHoldout(100000, "holdout:cart_abandon");
  const HoldoutSpec winback = RotatingHoldout(RotationScheme::kSliding, 200000, "holdout:winback",
                                              kWeekUs, kEpoch2026, 0, 200000);
  int64_t a = 0, b = 0, both = 0;
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    const bool in_a = InHoldout(cart, u, 0);
    const bool in_b = InHoldout(winback, u, 3);
    a += in_a;
    b += in_b;
    both += in_a && in_b;
  }
  ExpectBinomial(a, kN, 0.1, kSigmas, "cart");
  ExpectBinomial(b, kN, 0.2, kSigmas, "winback");
  ExpectBinomial(both, kN, 0.1 * 0.2, kSigmas, "both");
}

TEST(AssignmentPropertiesTest, ArmSplitIsIndependentOfHoldout) {
  // The same journey with and without a 30 % holdout: treated units keep
  // their arm, and the units the holdout removes had the configured split.
  constexpr int64_t kN = 1000000;
  const std::vector<uint32_t> weights = {1, 1, 2};
  Assigner open(Config({}, {Journey("j", StaticHoldout(0, "holdout:j"), "arms:j", weights)}));
  Assigner held(Config({}, {Journey("j", StaticHoldout(300000, "holdout:j"), "arms:j", weights)}));
  const JourneySpec& jo = *open.config().FindJourney("j");
  const JourneySpec& jh = *held.config().FindJourney("j");
  int64_t held_out = 0, changed = 0;
  int64_t arms_of_held_out[3] = {0, 0, 0};
  for (int64_t i = 0; i < kN; ++i) {
    const std::string u = UnitId(i);
    const Decision o = open.AssignValidated(jo, u, 0);
    const Decision h = held.AssignValidated(jh, u, 0);
    if (h.group == AssignedGroup::kHoldout) {
      ++held_out;
      ++arms_of_held_out[o.arm_index];
    } else if (h.arm_index != o.arm_index) {
      ++changed;
    }
  }
  EXPECT_EQ(changed, 0);
  ExpectBinomial(held_out, kN, 0.3, kSigmas, "held out");
  ExpectBinomial(arms_of_held_out[0], held_out, 0.25, kSigmas, "arm 0 among held out");
  ExpectBinomial(arms_of_held_out[1], held_out, 0.25, kSigmas, "arm 1 among held out");
  ExpectBinomial(arms_of_held_out[2], held_out, 0.50, kSigmas, "arm 2 among held out");
}

}  // namespace
}  // namespace holdfast
