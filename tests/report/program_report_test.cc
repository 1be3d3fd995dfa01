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

StoredEntry Entry(const std::string& journey, const std::string& unit, EntryGroup group,
                  int64_t t0, double y, double c = 0.0) {
  StoredEntry e;
  e.journey = journey;
  e.unit = unit;
  e.group = group;
  e.arm = group == EntryGroup::kTreatment ? "default" : "";
  e.t0 = t0;
  e.values.y = y;
  e.values.m = y / 4;
  e.values.x = y > 0;
  e.values.c = c;
  e.sends = c > 0 ? 1 : 0;
  return e;
}

constexpr EntryGroup kT = EntryGroup::kTreatment;
constexpr EntryGroup kH = EntryGroup::kHoldout;
constexpr EntryGroup kG = EntryGroup::kGlobalHoldout;

// Period 0: u1 enters cart (day 1) and winback (day 2) and both windows see
// its one order of 10; u2 enters cart; g1 is globally held out. Period 1
// (days 30-60): u1 again, g1 again, g2 new; u3 is in cart's own holdout and
// counts as exposed.
void AddProgram(InMemoryAnalysisSource& s) {
  s.AddEntry(Entry("cart", "u1", kT, 1 * kDay, 10, 1));
  s.AddEntry(Entry("winback", "u1", kT, 2 * kDay, 10, 2));
  s.AddEntry(Entry("cart", "u2", kT, 1 * kDay, 20, 1));
  s.AddEntry(Entry("cart", "g1", kG, 1 * kDay, 5));
  s.AddEntry(Entry("cart", "u1", kT, 31 * kDay, 30, 1));
  s.AddEntry(Entry("cart", "g1", kG, 31 * kDay, 5));
  s.AddEntry(Entry("winback", "g2", kG, 32 * kDay, 15));
  s.AddEntry(Entry("cart", "u3", kH, 33 * kDay, 0));
  s.AddFixedCost({"cart", 0, 60 * kDay, 120.0});
  s.AddFixedCost({"winback", 0, 30 * kDay, 30.0});
}

TEST(ProgramReportTest, CountsEachCustomerOncePerPeriod) {
  InMemoryAnalysisSource source;
  AddProgram(source);
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->multi_journey_units, 1);  // u1 in period 0
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0].period, kAllPeriods);
  EXPECT_EQ(r->rows[1].period, 0);
  EXPECT_EQ(r->rows[2].period, 1);

  // Period 0: exposed {u1: y 10 once, cost 1 + 2; u2: y 20, cost 1}, held {5}.
  const ProgramRowResult& p0 = r->rows[1];
  EXPECT_EQ(p0.lift.treatment.entries, 2);
  EXPECT_DOUBLE_EQ(p0.lift.treatment.total_revenue, 30.0);
  EXPECT_NEAR(p0.lift.revenue_per_entry_lift.value, 10.0, 1e-12);  // 15 - 5
  EXPECT_DOUBLE_EQ(p0.fixed_cost, 90.0);                           // 60 + 30
  EXPECT_DOUBLE_EQ(p0.lift.treatment_cost, 94.0);
  EXPECT_EQ(p0.exposed_sends, 3);

  // Period 1: exposed {u1: 30, u3: 0}, held {5, 15}.
  const ProgramRowResult& p1 = r->rows[2];
  EXPECT_EQ(p1.lift.treatment.entries, 2);
  EXPECT_EQ(p1.lift.holdout.entries, 2);
  EXPECT_NEAR(p1.lift.revenue_per_entry_lift.value, 15.0 - 10.0, 1e-12);
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

TEST(ProgramReportTest, GlobalWashoutExcludesCustomers) {
  AssignmentConfig config = ProgramConfig();
  config.global_holdout.rotation.washout_us = 2 * kDay;  // day 1 and day 31 entries fall in it
  InMemoryAnalysisSource source;
  AddProgram(source);
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(config, source, {});
  ASSERT_TRUE(r.ok()) << r.status();
  // Excluded by their first entry: u1, u2, g1 (period 0), u1, g1 (period 1).
  EXPECT_EQ(r->washout_excluded, 5);
  EXPECT_EQ(r->rows[0].lift.treatment.entries, 1);  // u3
  EXPECT_EQ(r->rows[0].lift.holdout.entries, 1);    // g2
}

TEST(ProgramReportTest, HoldoutSendsAreContamination) {
  InMemoryAnalysisSource source;
  source.AddEntry(Entry("cart", "u1", kT, kDay, 10, 1));
  source.AddEntry(Entry("cart", "g1", kG, kDay, 5, 0.75));
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_EQ(r->warnings[0].kind, WarningKind::kContamination);
  EXPECT_EQ(r->rows[0].holdout_sends, 1);
  EXPECT_DOUBLE_EQ(r->rows[0].holdout_send_cost, 0.75);
}

TEST(ProgramReportTest, SrmAgainstGlobalShare) {
  InMemoryAnalysisSource source;
  // 10 % configured; 700 vs 300 is far off.
  for (int i = 0; i < 700; ++i) source.AddEntry(Entry("cart", "e" + std::to_string(i), kT, kDay, i % 4));
  for (int i = 0; i < 300; ++i) source.AddEntry(Entry("cart", "h" + std::to_string(i), kG, kDay, i % 4));
  absl::StatusOr<ProgramReportResult> r = BuildProgramReport(ProgramConfig(), source, {});
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
