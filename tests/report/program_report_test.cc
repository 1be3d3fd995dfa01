// BuildProgramReport over an in-memory source with hand-computed answers.
#include "lib/report/program_report.h"

#include <gtest/gtest.h>

#include "lib/report/in_memory_source.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig ProgramConfig() {
  AssignmentConfig config;
  config.version = "cfg-program";
  config.global_holdout.share_ppm = 100000;  // 10 %
  config.global_holdout.rotation.scheme = RotationScheme::kResalt;
  config.global_holdout.rotation.period_us = 30 * kDay;
  JourneySpec a;
  a.id = "cart";
  a.attribution_window_us = 3 * kDay;
  JourneySpec b;
  b.id = "winback";
  b.attribution_window_us = 14 * kDay;
  config.journeys = {a, b};
  return config;
}

StoredProgramUnit Unit(const std::string& unit, bool held, int64_t t_first, double y,
                       double c = 0.0, int64_t entries = 1) {
  StoredProgramUnit u;
  u.unit = unit;
  u.global_holdout = held;
  u.t_first = t_first;
  u.entries = entries;
  u.global_holdout_entries = held ? entries : 0;
  u.values.y = y;
  u.values.m = y / 4;
  u.values.x = y > 0;
  u.values.c = c;
  u.sends = c > 0 ? 1 : 0;
  return u;
}

// Global periods of 30 days. Period 0: u1 (two journeys, counted once by the
// store: y 10, cost 3), u2, g1 held out. Period 1: u1 again, g1, g2.
void AddProgram(InMemoryAnalysisSource& s) {
  s.AddProgramUnit(Unit("u1", false, 1 * kDay, 10, 3, /*entries=*/2));
  s.AddProgramUnit(Unit("u2", false, 1 * kDay, 20, 1));
  s.AddProgramUnit(Unit("g1", true, 1 * kDay, 5));
  s.AddProgramUnit(Unit("u1", false, 31 * kDay, 30, 1));
  s.AddProgramUnit(Unit("u3", false, 33 * kDay, 0));
  s.AddProgramUnit(Unit("g1", true, 31 * kDay, 5));
  s.AddProgramUnit(Unit("g2", true, 32 * kDay, 15));
  s.AddFixedCost({"cart", 0, 60 * kDay, 120.0});
  s.AddFixedCost({"winback", 0, 30 * kDay, 30.0});
}

ProgramReportOptions Until(int64_t now) {
  ProgramReportOptions o;
  o.now = now;
  return o;
}

TEST(ProgramReportTest, OneRowPerGlobalPeriodPlusPooled) {
  InMemoryAnalysisSource source;
  AddProgram(source);
  absl::StatusOr<ProgramReportResult> r =
      BuildProgramReport(ProgramConfig(), source, Until(59 * kDay));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->window_us, 14 * kDay);  // longest journey window
  EXPECT_EQ(r->multi_journey_units, 1);
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].period, kAllPeriods);
  EXPECT_EQ(r->rows[1].period, 0);
  EXPECT_EQ(r->rows[2].period, 1);

  // Period 0: exposed {10 (cost 3), 20 (cost 1)}, held {5}.
  const ProgramRowResult& p0 = r->rows[1];
  EXPECT_EQ(p0.lift.treatment.entries, 2);
  EXPECT_NEAR(p0.lift.revenue_per_entry_lift.value, 10.0, 1e-12);  // 15 - 5
  EXPECT_DOUBLE_EQ(p0.fixed_cost, 90.0);                           // 60 + 30
  EXPECT_DOUBLE_EQ(p0.lift.treatment_cost, 94.0);
  EXPECT_EQ(p0.exposed_sends, 2);

  // Period 1: exposed {30, 0}, held {5, 15}.
  const ProgramRowResult& p1 = r->rows[2];
  EXPECT_EQ(p1.lift.holdout.entries, 2);
  EXPECT_NEAR(p1.lift.revenue_per_entry_lift.value, 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(p1.fixed_cost, 60.0);

  // Pooled: exposed {10, 20, 30, 0} mean 15, held {5, 5, 15} mean 25/3.
  const ProgramRowResult& all = r->rows[0];
  EXPECT_EQ(all.lift.treatment.entries, 4);
  EXPECT_EQ(all.lift.holdout.entries, 3);
  EXPECT_NEAR(all.lift.revenue_per_entry_lift.value, 15.0 - 25.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(all.fixed_cost, 150.0);
  EXPECT_DOUBLE_EQ(all.lift.treatment_cost, 155.0);
  EXPECT_NEAR(all.lift.iroas.value, 4 * (15.0 - 25.0 / 3) / 155.0, 1e-12);
}

TEST(ProgramReportTest, RangeLimitsPeriods) {
  InMemoryAnalysisSource source;
  AddProgram(source);
  ProgramReportOptions o;
  o.range = {0, 30 * kDay};
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].lift.treatment.entries, 2);
  EXPECT_DOUBLE_EQ(r->rows[0].fixed_cost, 90.0);
  // Open-ended with a rotating global holdout and no clock: refused.
  EXPECT_EQ(BuildProgramReport(ProgramConfig(), source, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Too many periods in one report.
  EXPECT_EQ(BuildProgramReport(ProgramConfig(), source, Until(40000 * kDay)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProgramReportTest, GlobalWashoutAndSideChangesAreCounted) {
  AssignmentConfig config = ProgramConfig();
  config.global_holdout.rotation.washout_us = 2 * kDay;  // day 1 and day 31 fall in it
  InMemoryAnalysisSource source;
  AddProgram(source);
  StoredProgramUnit switcher = Unit("s1", false, 40 * kDay, 1, 0, /*entries=*/3);
  switcher.global_holdout_entries = 1;
  source.AddProgramUnit(switcher);
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(config, source, Until(59 * kDay));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->washout_excluded, 5);  // u1, u2, g1 (period 0); u1, g1 (period 1)
  EXPECT_EQ(r->inconsistent_units, 1);
  EXPECT_EQ(r->rows[0].lift.treatment.entries, 2);  // u3, s1
  EXPECT_EQ(r->rows[0].lift.holdout.entries, 1);    // g2
}

TEST(ProgramReportTest, HoldoutSendsAreContamination) {
  InMemoryAnalysisSource source;
  source.AddProgramUnit(Unit("u1", false, kDay, 10, 1));
  source.AddProgramUnit(Unit("g1", true, kDay, 5, 0.75));
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, Until(kDay));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_EQ(r->warnings[0].kind, WarningKind::kContamination);
  EXPECT_EQ(r->rows[0].holdout_sends, 1);
  EXPECT_DOUBLE_EQ(r->rows[0].holdout_send_cost, 0.75);
}

TEST(ProgramReportTest, SrmAgainstGlobalShare) {
  InMemoryAnalysisSource source;
  // 10 % configured; 700 vs 300 is far off.
  for (int i = 0; i < 700; ++i) source.AddProgramUnit(Unit("e" + std::to_string(i), false, kDay, i % 4));
  for (int i = 0; i < 300; ++i) source.AddProgramUnit(Unit("h" + std::to_string(i), true, kDay, i % 4));
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, Until(kDay));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->warnings[0].kind, WarningKind::kSampleRatioMismatch);
  EXPECT_LT(r->rows[0].lift.srm->p_value, 1e-10);
}

TEST(ProgramReportTest, NeedsGlobalHoldout) {
  AssignmentConfig config = ProgramConfig();
  config.global_holdout.share_ppm = 0;
  InMemoryAnalysisSource source;
  EXPECT_EQ(BuildProgramReport(config, source, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace holdfast::report
