// The assignment contract: end-to-end vectors from the independent Python
// reference (assign_vectors.tsv), order of checks, periods, washout, input
// validation and determinism.
#include "lib/assign/assigner.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "lib/assign/hash.h"
#include "lib/base/time_util.h"
#include "tests/assign/test_config.h"
#include "tests/assign/vector_file.h"

namespace holdfast {
namespace {

using ::holdfast::testing::Config;
using ::holdfast::testing::FromHex;
using ::holdfast::testing::ReadVectorFile;
using ::holdfast::testing::Journey;
using ::holdfast::testing::kDayUs;
using ::holdfast::testing::kEpoch2026;
using ::holdfast::testing::kWeekUs;
using ::holdfast::testing::RotatingHoldout;
using ::holdfast::testing::StaticHoldout;
using ::holdfast::testing::UnitId;

// Parses "scheme;share_ppm;period_us;epoch_us;washout_us;stride_ppm;seed_hex".
HoldoutSpec ParseHoldout(absl::string_view text) {
  std::vector<std::string> p = absl::StrSplit(text, ';');
  HoldoutSpec h;
  EXPECT_EQ(p.size(), 7u) << text;
  if (p.size() != 7) return h;
  if (p[0] == "sliding") h.rotation.scheme = RotationScheme::kSliding;
  if (p[0] == "resalt") h.rotation.scheme = RotationScheme::kResalt;
  EXPECT_TRUE(absl::SimpleAtoi(p[1], &h.share_ppm));
  EXPECT_TRUE(absl::SimpleAtoi(p[2], &h.rotation.period_us));
  EXPECT_TRUE(absl::SimpleAtoi(p[3], &h.rotation.epoch_us));
  EXPECT_TRUE(absl::SimpleAtoi(p[4], &h.rotation.washout_us));
  EXPECT_TRUE(absl::SimpleAtoi(p[5], &h.rotation.stride_ppm));
  h.seed = FromHex(p[6]);
  return h;
}

std::string GroupName(AssignedGroup g) {
  switch (g) {
    case AssignedGroup::kTreatment: return "TREATMENT";
    case AssignedGroup::kHoldout: return "HOLDOUT";
    case AssignedGroup::kGlobalHoldout: return "GLOBAL_HOLDOUT";
  }
  return "?";
}

TEST(AssignerTest, EndToEndVectorsMatchPythonReference) {
  const testing::VectorFile file = ReadVectorFile(testing::TestDataPath("assign_vectors.tsv"));
  ASSERT_GE(file.cells.size(), 100u) << "assign_vectors.tsv missing or truncated";
  int groups_seen[4] = {0, 0, 0, 0};
  for (const testing::VectorRow& row : file.Rows()) {
    const std::string unit = FromHex(row["unit_hex"]);
    SCOPED_TRACE(row["name"] + " unit=" + row["unit_hex"] + " t=" + row["t_us"]);
    std::vector<uint32_t> weights;
    for (absl::string_view w : absl::StrSplit(row["arm_weights"], ',')) {
      uint32_t v = 0;
      ASSERT_TRUE(absl::SimpleAtoi(w, &v));
      weights.push_back(v);
    }
    Assigner assigner(Config(ParseHoldout(row["global"]),
                             {Journey("j", ParseHoldout(row["journey"]), FromHex(row["arm_seed_hex"]),
                                      weights)}));
    UnixMicros t = 0;
    int arm = 0;
    int64_t period = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row["t_us"], &t));
    ASSERT_TRUE(absl::SimpleAtoi(row["arm_index"], &arm));
    ASSERT_TRUE(absl::SimpleAtoi(row["period"], &period));
    absl::StatusOr<Decision> d = assigner.Assign("j", unit, t);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(GroupName(d->group), row["group"]);
    EXPECT_EQ(d->arm_index, arm);
    EXPECT_EQ(d->period, period);
    EXPECT_EQ(d->in_washout, row["in_washout"] == "1");
    ++groups_seen[static_cast<int>(d->group)];
  }
  // The table exercises every outcome.
  EXPECT_GT(groups_seen[static_cast<int>(AssignedGroup::kTreatment)], 0);
  EXPECT_GT(groups_seen[static_cast<int>(AssignedGroup::kHoldout)], 0);
  EXPECT_GT(groups_seen[static_cast<int>(AssignedGroup::kGlobalHoldout)], 0);
}

TEST(AssignerTest, SameDecisionAcrossInstances) {
  auto make = [] {
    return Config(StaticHoldout(50000, "global:v1"),
                  {Journey("cart", RotatingHoldout(RotationScheme::kResalt, 100000, "h:cart", kDayUs,
                                                   kEpoch2026),
                           "arms:cart", {1, 2, 3})});
  };
  Assigner a(make());
  Assigner b(make());
  const UnixMicros t = kEpoch2026 + 3 * kDayUs + 17;
  for (int i = 0; i < 20000; ++i) {
    absl::StatusOr<Decision> da = a.Assign("cart", UnitId(i), t);
    absl::StatusOr<Decision> db = b.Assign("cart", UnitId(i), t);
    ASSERT_TRUE(da.ok() && db.ok());
    ASSERT_EQ(da->group, db->group) << i;
    ASSERT_EQ(da->arm_index, db->arm_index) << i;
    ASSERT_EQ(da->period, db->period) << i;
    // Asking again gives the same answer.
    absl::StatusOr<Decision> again = a.Assign("cart", UnitId(i), t);
    ASSERT_EQ(again->group, da->group);
    ASSERT_EQ(again->arm_index, da->arm_index);
  }
}

TEST(AssignerTest, AssignAndAssignValidatedAgree) {
  Assigner a(Config(StaticHoldout(100000, "g"),
                    {Journey("j", StaticHoldout(200000, "h"), "a", {1, 1, 1})}));
  const JourneySpec* j = a.config().FindJourney("j");
  ASSERT_NE(j, nullptr);
  for (int i = 0; i < 2000; ++i) {
    const Decision d1 = a.Assign("j", UnitId(i), 1000).value();
    const Decision d2 = a.AssignValidated(*j, UnitId(i), 1000);
    ASSERT_EQ(d1.group, d2.group);
    ASSERT_EQ(d1.arm_index, d2.arm_index);
  }
}

TEST(AssignerTest, GlobalHoldoutPrecedesJourney) {
  const HoldoutSpec global = StaticHoldout(200000, "global:v1");
  const HoldoutSpec journey = StaticHoldout(300000, "holdout:j");
  Assigner a(Config(global, {Journey("j", journey, "arms:j", {1, 1})}));
  int both = 0;
  for (int i = 0; i < 50000; ++i) {
    const std::string u = UnitId(i);
    const bool g = InHoldout(global, u, 0);
    const bool h = InHoldout(journey, u, 0);
    const Decision d = a.Assign("j", u, 1000).value();
    if (g) {
      EXPECT_EQ(d.group, AssignedGroup::kGlobalHoldout) << u;
      EXPECT_EQ(d.arm_index, -1);
      both += h;
    } else if (h) {
      EXPECT_EQ(d.group, AssignedGroup::kHoldout) << u;
      EXPECT_EQ(d.arm_index, -1);
    } else {
      EXPECT_EQ(d.group, AssignedGroup::kTreatment) << u;
      EXPECT_TRUE(d.arm_index == 0 || d.arm_index == 1);
    }
  }
  // Units in both holdouts exist and were all reported as GLOBAL_HOLDOUT.
  EXPECT_GT(both, 1000);
}

TEST(AssignerTest, GlobalHoldoutRotatesOnItsOwnPeriod) {
  // Global: SLIDING 50 % with 4-week periods; journey: static, no holdout.
  const HoldoutSpec global = RotatingHoldout(RotationScheme::kSliding, 500000, "global:rot",
                                             4 * kWeekUs, kEpoch2026, 0, 500000);
  Assigner a(Config(global, {Journey("j", StaticHoldout(0, "h"))}));
  for (int i = 0; i < 2000; ++i) {
    const std::string u = UnitId(i);
    // Journey period stays 0 (no rotation); the global holdout flips each 4 weeks.
    const Decision d0 = a.Assign("j", u, kEpoch2026 + kWeekUs).value();
    const Decision d1 = a.Assign("j", u, kEpoch2026 + 5 * kWeekUs).value();
    EXPECT_EQ(d0.period, 0);
    EXPECT_EQ(d1.period, 0);
    EXPECT_NE(d0.group == AssignedGroup::kGlobalHoldout,
              d1.group == AssignedGroup::kGlobalHoldout) << u;
  }
}

TEST(AssignerTest, PeriodIndexFloorsBeforeEpoch) {
  RotationSpec r;
  r.scheme = RotationScheme::kSliding;
  r.period_us = kWeekUs;
  r.epoch_us = kEpoch2026;
  EXPECT_EQ(PeriodIndex(r, kEpoch2026), 0);
  EXPECT_EQ(PeriodIndex(r, kEpoch2026 + kWeekUs - 1), 0);
  EXPECT_EQ(PeriodIndex(r, kEpoch2026 + kWeekUs), 1);
  EXPECT_EQ(PeriodIndex(r, kEpoch2026 - 1), -1);  // truncation would say 0
  EXPECT_EQ(PeriodIndex(r, kEpoch2026 - kWeekUs), -1);
  EXPECT_EQ(PeriodIndex(r, kEpoch2026 - kWeekUs - 1), -2);
  EXPECT_EQ(PeriodIndex(r, 0), -2923);  // 1970 is 2922.6 weeks before 2026-01-05
  EXPECT_EQ(PeriodStart(r, -1), kEpoch2026 - kWeekUs);
  EXPECT_EQ(PeriodStart(r, 2), kEpoch2026 + 2 * kWeekUs);
  // Without rotation everything is period 0.
  RotationSpec none;
  EXPECT_EQ(PeriodIndex(none, kEpoch2026 + 99 * kWeekUs), 0);

  Assigner a(Config(HoldoutSpec{},
                    {Journey("j", RotatingHoldout(RotationScheme::kResalt, 100000, "h", kWeekUs,
                                                  kEpoch2026))}));
  EXPECT_EQ(a.Assign("j", "u", kEpoch2026 - 1)->period, -1);
  EXPECT_EQ(a.Assign("j", "u", 0)->period, -2923);
}

TEST(AssignerTest, WashoutAtPeriodStartEdges) {
  const int64_t washout = kDayUs;
  Assigner a(Config(HoldoutSpec{},
                    {Journey("j", RotatingHoldout(RotationScheme::kSliding, 100000, "h", kWeekUs,
                                                  kEpoch2026, washout, 100000))}));
  struct Case {
    UnixMicros t;
    int64_t period;
    bool washout;
  };
  const Case cases[] = {
      {kEpoch2026, 0, true},
      {kEpoch2026 + washout - 1, 0, true},
      {kEpoch2026 + washout, 0, false},
      {kEpoch2026 + kWeekUs - 1, 0, false},
      {kEpoch2026 + kWeekUs, 1, true},
      {kEpoch2026 - 1, -1, false},
      {kEpoch2026 - kWeekUs, -1, true},
      {kEpoch2026 - kWeekUs + washout - 1, -1, true},
      {kEpoch2026 - kWeekUs + washout, -1, false},
  };
  for (const Case& c : cases) {
    const Decision d = a.Assign("j", "cust-1", c.t).value();
    EXPECT_EQ(d.period, c.period) << c.t;
    EXPECT_EQ(d.in_washout, c.washout) << c.t;
  }
  // Without rotation there is no period start, hence no washout.
  HoldoutSpec static_with_washout = StaticHoldout(100000, "h");
  static_with_washout.rotation.washout_us = washout;
  Assigner s(Config(HoldoutSpec{}, {Journey("j", static_with_washout)}));
  EXPECT_FALSE(s.Assign("j", "cust-1", 0)->in_washout);
}

TEST(AssignerTest, RejectsInvalidInputs) {
  Assigner a(Config(HoldoutSpec{}, {Journey("cart", StaticHoldout(100000, "h")),
                                    Journey("winback", StaticHoldout(100000, "w"))}));
  const UnixMicros t = kEpoch2026;
  EXPECT_EQ(a.Assign("cart", "", t).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(a.Assign("cart", std::string(kMaxUnitBytes, 'x'), t).ok());
  EXPECT_EQ(a.Assign("cart", std::string(kMaxUnitBytes + 1, 'x'), t).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(a.Assign("cart", "u", kMinTimeMicros).ok());
  EXPECT_TRUE(a.Assign("cart", "u", kMaxTimeMicros).ok());
  EXPECT_EQ(a.Assign("cart", "u", kMinTimeMicros - 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Assign("cart", "u", kMaxTimeMicros + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Assign("nope", "u", t).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(a.Assign("", "u", t).status().code(), absl::StatusCode::kNotFound);
  // Prefixes and extensions of configured ids are not matches.
  EXPECT_EQ(a.Assign("car", "u", t).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(a.Assign("cartx", "u", t).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(a.Assign("zzz", "u", t).status().code(), absl::StatusCode::kNotFound);
}

TEST(AssignerTest, FindJourneyFindsEverySortedId) {
  std::vector<JourneySpec> journeys;
  for (const char* id : {"a", "ab", "b", "cart_abandon", "renewal", "winback", "z"}) {
    journeys.push_back(Journey(id, StaticHoldout(0, id)));
  }
  auto config = Config(HoldoutSpec{}, journeys);
  for (const JourneySpec& j : config->journeys) {
    const JourneySpec* found = config->FindJourney(absl::string_view(j.id));
    ASSERT_NE(found, nullptr) << j.id;
    EXPECT_EQ(found->id, j.id);
  }
  EXPECT_EQ(config->FindJourney("aa"), nullptr);
  EXPECT_EQ(config->FindJourney(""), nullptr);
  EXPECT_EQ(config->FindJourney(std::string("winbac")), nullptr);
}

TEST(AssignerTest, ZeroShareHoldsNobodyAndSingleArmIsArmZero) {
  Assigner a(Config(StaticHoldout(0, "g"), {Journey("j", StaticHoldout(0, "h"), "a", {5})}));
  for (int i = 0; i < 1000; ++i) {
    const Decision d = a.Assign("j", UnitId(i), 1).value();
    ASSERT_EQ(d.group, AssignedGroup::kTreatment);
    ASSERT_EQ(d.arm_index, 0);
  }
}

}  // namespace
}  // namespace holdfast
