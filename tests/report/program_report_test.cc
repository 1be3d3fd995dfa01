// BuildProgramReport over the in-memory source: argument checks, periods
// with different global shares, and a simulation in which the global
// holdout's customers trigger fewer journeys — the randomized-population
// estimate recovers the true effect, the entered-only comparison does not.
// (Hand-computed cases through the SQLite store: program_store_test.cc.)
#include "lib/report/program_report.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "lib/assign/assigner.h"
#include "lib/report/in_memory_source.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig Config(RotationScheme scheme = RotationScheme::kNone) {
  AssignmentConfig config;
  config.version = "cfg-program";
  config.global_holdout.share_ppm = 200000;  // 20 %
  config.global_holdout.seed = "global";
  config.global_holdout.rotation.scheme = scheme;
  if (scheme != RotationScheme::kNone) config.global_holdout.rotation.period_us = 28 * kDay;
  return config;
}

ProgramReportOptions Options(int64_t from, int64_t to, int64_t as_of) {
  ProgramReportOptions o;
  o.range = {from, to};
  o.as_of = as_of;
  return o;
}

TEST(ProgramReportTest, ArgumentsAreChecked) {
  InMemoryAnalysisSource source;
  AssignmentConfig none = Config();
  none.global_holdout.share_ppm = 0;
  EXPECT_EQ(BuildProgramReport(none, source, Options(0, kDay, kDay)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // No rotation: `from` is required, and the end must be bounded.
  EXPECT_EQ(BuildProgramReport(Config(), source, Options(kMinTimeMicros, kDay, kDay)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildProgramReport(Config(), source, Options(0, kMaxTimeMicros, kMaxTimeMicros)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // as_of before the range.
  EXPECT_EQ(BuildProgramReport(Config(), source, Options(10 * kDay, 20 * kDay, kDay)).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Rotation: at most kMaxProgramPeriods periods.
  EXPECT_EQ(BuildProgramReport(Config(RotationScheme::kResalt), source,
                               Options(0, 28 * kDay * (kMaxProgramPeriods + 1), kMaxTimeMicros))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  ProgramReportOptions bad = Options(0, kDay, kDay);
  bad.confidence = 1.0;
  EXPECT_EQ(BuildProgramReport(Config(), source, bad).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProgramReportTest, PeriodsWithDifferentSharesAreNotPooled) {
  AssignmentConfig config = Config(RotationScheme::kResalt);
  // A ramp from 10 % to 20 % taking effect in period 1.
  config.global_holdout.previous_share_ppm = 100000;
  config.global_holdout.share_change_period = 1;
  InMemoryAnalysisSource source;
  for (int i = 0; i < 50; ++i) source.AddCustomer({"c" + std::to_string(i), -kDay});
  absl::StatusOr<ProgramReportResult> r =
      BuildProgramReport(config, source, Options(0, 56 * kDay, 56 * kDay));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows.size(), 2u);  // no pooled row
  EXPECT_EQ(r->rows[0].period, 0);
  EXPECT_EQ(r->rows[0].share_ppm, 100000u);
  EXPECT_EQ(r->rows[1].share_ppm, 200000u);
  bool warned = false;
  for (const ReportWarning& w : r->warnings) warned |= w.kind == WarningKind::kProgramNotPooled;
  EXPECT_TRUE(warned);
  // Customers only in the holdout of each period's own split.
  int64_t held0 = 0;
  for (int i = 0; i < 50; ++i) held0 += InHoldout(config.global_holdout, "c" + std::to_string(i), 0);
  EXPECT_EQ(r->rows[0].lift.holdout.entries, held0);
}

// A CRM program whose messages raise order rates by 20 % and also make
// low-engagement customers trigger journeys: exposed customers trigger more
// often than global-holdout ones, so "customers who entered a journey" is a
// post-treatment selection. Truth per customer: D = 0.5 E[w] 0.2 E[V].
TEST(ProgramReportTest, RandomizedPopulationIsUnbiasedWhereEnteredOnlyIsNot) {
  constexpr int kReps = 200, kCustomers = 4000;
  constexpr double kBaseRate = 0.5, kLift = 0.2, kMu = 3.0, kSigma = 0.8;
  const double mean_order = std::exp(kMu + kSigma * kSigma / 2);
  const double truth = kBaseRate * 1.0 * kLift * mean_order;
  std::mt19937_64 rng(20261201);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::lognormal_distribution<double> value(kMu, kSigma);
  double sum_program = 0, sum_program2 = 0, sum_entered = 0, sum_entered2 = 0;
  int covered = 0;
  for (int rep = 0; rep < kReps; ++rep) {
    AssignmentConfig config = Config();
    config.global_holdout.seed = "sim-" + std::to_string(rep);
    InMemoryAnalysisSource source;
    // The entered-only view: customers who triggered a journey in the period.
    double entered_sum[2] = {0, 0};
    int64_t entered_n[2] = {0, 0};
    for (int i = 0; i < kCustomers; ++i) {
      const std::string unit = "cust-" + std::to_string(i);
      source.AddCustomer({unit, 70 * kDay});
      const bool exposed = !InHoldout(config.global_holdout, unit, 0);
      const double u = unif(rng);
      const double w = u < 0.4 ? 0.5 : (u < 0.8 ? 1.0 : 2.0);
      const bool entered = unif(rng) < std::min(1.0, 0.25 * w + (exposed ? 0.25 : 0.0));
      if (entered && exposed) source.AddProgramSend({unit, 101 * kDay, 0.01});
      std::poisson_distribution<int> orders(kBaseRate * w * (exposed ? 1 + kLift : 1.0));
      double y = 0;
      for (int k = orders(rng); k > 0; --k) {
        const double v = value(rng);
        y += v;
        source.AddProgramOutcome(
            {unit, 100 * kDay + static_cast<int64_t>(unif(rng) * 28 * kDay), true, v, 0.3 * v});
      }
      if (entered) {
        entered_sum[exposed] += y;
        ++entered_n[exposed];
      }
    }
    absl::StatusOr<ProgramReportResult> r =
        BuildProgramReport(config, source, Options(100 * kDay, 128 * kDay, 128 * kDay));
    ASSERT_TRUE(r.ok()) << r.status();
    const stats::Estimate& d = r->rows[0].lift.revenue_per_entry_lift;
    ASSERT_TRUE(d.defined);
    ASSERT_EQ(r->rows[0].lift.treatment.entries + r->rows[0].lift.holdout.entries, kCustomers);
    sum_program += d.value;
    sum_program2 += d.value * d.value;
    covered += d.lower <= truth && truth <= d.upper;
    const double entered_d = entered_sum[1] / entered_n[1] - entered_sum[0] / entered_n[0];
    sum_entered += entered_d;
    sum_entered2 += entered_d * entered_d;
  }
  const double mean_program = sum_program / kReps, mean_entered = sum_entered / kReps;
  const double mc_program = std::sqrt((sum_program2 / kReps - mean_program * mean_program) / kReps);
  const double mc_entered = std::sqrt((sum_entered2 / kReps - mean_entered * mean_entered) / kReps);
  RecordProperty("truth", std::to_string(truth));
  RecordProperty("program_mean", std::to_string(mean_program));
  RecordProperty("entered_only_mean", std::to_string(mean_entered));
  RecordProperty("program_coverage", std::to_string(static_cast<double>(covered) / kReps));
  std::printf("truth %.4f  program mean %.4f (MC se %.4f, coverage %.3f)  entered-only mean %.4f (MC se %.4f)\n",
              truth, mean_program, mc_program, static_cast<double>(covered) / kReps, mean_entered, mc_entered);
  EXPECT_LT(std::fabs(mean_program - truth), 4 * mc_program);
  EXPECT_GT(truth - mean_entered, 6 * mc_entered);  // the entered-only view is biased down
  EXPECT_GE(covered, static_cast<int>(0.89 * kReps));
  EXPECT_LE(covered, static_cast<int>(0.99 * kReps));
}

}  // namespace
}  // namespace holdfast::report
