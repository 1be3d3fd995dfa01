// The decision a report leads with (lib/report/decision.h): the verdict
// rules on fixed estimates, the entries needed to decide, the volume, and
// the decisions BuildLiftReport attaches to a real report.
#include "lib/report/decision.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_text.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

// A pooled row with the given primary (plain) iROAS interval and margin iROAS.
stats::LiftResult Lift(double iroas, double lower, double upper, double se,
                       int64_t n_t = 9000, int64_t n_c = 1000) {
  stats::LiftResult l;
  l.treatment.entries = n_t;
  l.holdout.entries = n_c;
  l.treatment_cost = 500.0;
  l.iroas.value = iroas;
  l.iroas.lower = lower;
  l.iroas.upper = upper;
  l.iroas.std_error = se;
  l.iroas.defined = true;
  l.iroas.break_even_p_value = 0.2;
  l.margin_iroas = l.iroas;
  return l;
}

DecisionInput Input(const stats::LiftResult* lift) {
  DecisionInput in;
  in.journey = "cart";
  in.lift = lift;
  in.volume.analysed_entries = 10000;
  in.volume.first_t0 = 0;
  in.volume.last_t0 = 14 * kDay;
  in.volume.rotation_period_us = 7 * kDay;
  return in;
}

ReportWarning Critical(WarningKind kind, const std::string& segment = "") {
  return ReportWarning{kind, Severity::kCritical, "cart", "", segment, "broken"};
}

TEST(DecisionTest, PaysWhenTheIntervalLiesAboveBreakEven) {
  const stats::LiftResult l = Lift(2.4, 1.6, 3.2, 0.4);
  const JourneyDecision d = DecideJourney(Input(&l));
  EXPECT_EQ(d.verdict, Verdict::kPays);
  EXPECT_EQ(d.money_verdict, Verdict::kPays);
  EXPECT_EQ(d.entries, 10000);
  EXPECT_EQ(d.additional_entries_needed, 0.0);
  EXPECT_EQ(d.periods_needed, 0.0);
  EXPECT_TRUE(std::isnan(d.entries_needed));
  EXPECT_EQ(d.sentence.rfind("cart pays: iROAS 2.40 (95% interval 1.60 to 3.20) is above break-even 1", 0), 0u)
      << d.sentence;
  // m = 2.8015818 at 95 % / 80 %.
  EXPECT_NEAR(d.iroas_mde, 2.8015818 * 0.4, 1e-6);
}

TEST(DecisionTest, LosesMoneyWhenTheIntervalLiesBelowBreakEven) {
  const stats::LiftResult l = Lift(0.4, 0.1, 0.7, 0.15);
  const JourneyDecision d = DecideJourney(Input(&l));
  EXPECT_EQ(d.verdict, Verdict::kLosesMoney);
  EXPECT_TRUE(absl::StrContains(d.sentence, "cart loses money: iROAS 0.40")) << d.sentence;
  EXPECT_TRUE(absl::StrContains(d.sentence, "below break-even 1")) << d.sentence;
}

// Inconclusive: N = n (m se / |R - 1|)^2, the missing entries, and the
// periods at the report's volume ((n - 1) entries over two weeks = 4999.5
// per weekly rotation period).
TEST(DecisionTest, InconclusiveSaysHowManyEntriesWouldDecide) {
  const stats::LiftResult l = Lift(1.3, 0.7, 1.9, 0.3);
  const JourneyDecision d = DecideJourney(Input(&l));
  EXPECT_EQ(d.verdict, Verdict::kInconclusive);
  const double n = 10000 * std::pow(2.8015818 * 0.3 / 0.3, 2);
  EXPECT_NEAR(d.entries_needed, n, 0.5);
  EXPECT_EQ(d.additional_entries_needed, std::ceil(d.entries_needed) - 10000);
  EXPECT_DOUBLE_EQ(d.entries_per_period, 9999.0 / 2.0);
  EXPECT_EQ(d.periods_needed, std::ceil(d.additional_entries_needed / d.entries_per_period));
  EXPECT_EQ(d.period_unit, "rotation period");
  EXPECT_TRUE(absl::StrContains(d.sentence, "includes break-even 1")) << d.sentence;
  // 78,488.6 total -> "about 79,000"; 68,489 more -> "about 69,000"; 14 periods.
  EXPECT_TRUE(absl::StrContains(d.sentence, "about 79,000 entries in total (69,000 more than the "
                                            "10,000 analysed)"))
      << d.sentence;
  EXPECT_TRUE(absl::StrContains(d.sentence, "about 14 rotation periods of 7 days at the current "
                                            "5,000 entries per rotation period"))
      << d.sentence;
}

TEST(DecisionTest, WithoutRotationThePeriodIsAWeek) {
  const stats::LiftResult l = Lift(1.3, 0.7, 1.9, 0.3);
  DecisionInput in = Input(&l);
  in.volume.rotation_period_us = 0;
  const JourneyDecision d = DecideJourney(in);
  EXPECT_EQ(d.period_unit, "week");
  EXPECT_EQ(d.period_us, 7 * kDay);
  EXPECT_TRUE(absl::StrContains(d.sentence, "weeks at the current 5,000 entries per week")) << d.sentence;
  // No span (every entry at one instant): the volume is unknown, the
  // entries needed are still given.
  in.volume.last_t0 = in.volume.first_t0;
  const JourneyDecision flat = DecideJourney(in);
  EXPECT_TRUE(std::isnan(flat.entries_per_period));
  EXPECT_TRUE(std::isnan(flat.periods_needed));
  EXPECT_TRUE(std::isfinite(flat.entries_needed));
}

TEST(DecisionTest, AnEstimateAtBreakEvenIsNeverDecided) {
  const stats::LiftResult l = Lift(1.0, 0.5, 1.5, 0.25);
  const JourneyDecision d = DecideJourney(Input(&l));
  EXPECT_EQ(d.verdict, Verdict::kInconclusive);
  EXPECT_TRUE(std::isinf(d.entries_needed));
  EXPECT_TRUE(absl::StrContains(d.sentence, "no number of entries")) << d.sentence;
}

// The verdict reads the primary interval: Hall's when the row says so.
TEST(DecisionTest, ReadsThePrimaryInterval) {
  stats::LiftResult l = Lift(1.3, 0.95, 1.65, 0.18);
  l.iroas_skew_corrected = {1.3, 1.02, 1.7, 0.18, 0.01, 500, true};
  DecisionInput in = Input(&l);
  EXPECT_EQ(DecideJourney(in).verdict, Verdict::kInconclusive);
  in.skew_corrected_primary = true;
  const JourneyDecision d = DecideJourney(in);
  EXPECT_EQ(d.verdict, Verdict::kPays);
  EXPECT_DOUBLE_EQ(d.iroas.lower, 1.02);
  EXPECT_TRUE(d.skew_corrected_primary);
}

TEST(DecisionTest, AGuardrailBreachOverridesPaysAndStatesTheMoney) {
  const stats::LiftResult l = Lift(2.4, 1.6, 3.2, 0.4);
  DecisionInput in = Input(&l);
  in.harms.push_back({"*", "unsubscribe_rate", "Unsubscribe rate", 0.009, 0.002});
  in.warnings.push_back(ReportWarning{WarningKind::kGuardrailHarm, Severity::kCritical, "cart", "*",
                                      "", "guardrail breached"});
  const JourneyDecision d = DecideJourney(in);
  EXPECT_EQ(d.verdict, Verdict::kHarmsGuardrail);
  EXPECT_EQ(d.money_verdict, Verdict::kPays);
  EXPECT_TRUE(d.blocking_kinds.empty());  // a breach is a verdict, not broken data
  EXPECT_TRUE(absl::StrContains(d.sentence, "cart harms a guardrail: unsubscribe rate up +0.90pp "
                                            "against the tolerated +0.20pp (all arms)"))
      << d.sentence;
  EXPECT_TRUE(absl::StrContains(d.sentence, "On money alone it pays: iROAS 2.40")) << d.sentence;
}

TEST(DecisionTest, CriticalWarningsOnEveryoneRowsMakeItUntrusted) {
  const stats::LiftResult l = Lift(2.4, 1.6, 3.2, 0.4);
  for (WarningKind kind : {WarningKind::kSampleRatioMismatch, WarningKind::kContamination}) {
    DecisionInput in = Input(&l);
    in.warnings.push_back(Critical(kind));
    in.harms.push_back({"*", "unsubscribe_rate", "Unsubscribe rate", 0.009, 0.002});
    const JourneyDecision d = DecideJourney(in);
    EXPECT_EQ(d.verdict, Verdict::kUntrusted);
    EXPECT_EQ(d.money_verdict, Verdict::kPays);  // still reported, not as the verdict
    ASSERT_EQ(d.blocking_kinds.size(), 1u);
    EXPECT_EQ(d.blocking_kinds[0], kind);
    EXPECT_TRUE(std::isnan(d.additional_entries_needed));
    EXPECT_EQ(d.sentence.rfind("cart cannot be trusted: ", 0), 0u) << d.sentence;
    EXPECT_FALSE(absl::StrContains(d.sentence, "pays")) << d.sentence;
    // The numbers as measured, marked as no verdict.
    EXPECT_TRUE(absl::StrContains(d.sentence, "As measured, not a verdict: guardrail unsubscribe "
                                              "rate up +0.90pp"))
        << d.sentence;
    EXPECT_TRUE(absl::StrContains(d.sentence, "iROAS 2.40 (95% interval 1.60 to 3.20).")) << d.sentence;
  }
  // A segment row's SRM is named but does not block the headline verdict.
  DecisionInput in = Input(&l);
  in.warnings.push_back(Critical(WarningKind::kSampleRatioMismatch, "country=DE"));
  const JourneyDecision d = DecideJourney(in);
  EXPECT_EQ(d.verdict, Verdict::kPays);
  EXPECT_TRUE(absl::StrContains(d.sentence, "Segment rows country=DE carry CRITICAL warnings"))
      << d.sentence;
}

TEST(DecisionTest, CautionsAreNamedAndMarginDisagreementsSaid) {
  stats::LiftResult l = Lift(2.4, 1.6, 3.2, 0.4);
  l.margin_iroas.value = 0.84;
  l.margin_iroas.lower = 0.5;
  l.margin_iroas.upper = 1.2;
  DecisionInput in = Input(&l);
  in.warnings.push_back(ReportWarning{WarningKind::kHeavyTail, Severity::kCaution, "cart", "", "", "x"});
  in.warnings.push_back(ReportWarning{WarningKind::kWindowsCut, Severity::kInfo, "cart", "", "", "x"});
  const JourneyDecision d = DecideJourney(in);
  EXPECT_EQ(d.verdict, Verdict::kPays);
  EXPECT_EQ(d.margin_verdict, Verdict::kInconclusive);
  EXPECT_EQ(d.caution_warnings, 1);
  EXPECT_TRUE(absl::StrContains(d.sentence, "Margin iROAS 0.84 (95% interval 0.50 to 1.20) "
                                            "includes 1: in profit it is undecided."))
      << d.sentence;
  EXPECT_TRUE(absl::StrContains(d.sentence, "Read the 1 CAUTION warning (heavy-tailed revenue)"))
      << d.sentence;
}

TEST(DecisionTest, NotEvaluatedWithoutCostOrEntries) {
  stats::LiftResult l;
  l.treatment.entries = 500;
  l.holdout.entries = 50;
  l.treatment_cost = 0.0;
  l.revenue_per_entry_lift = {1.5, 0.5, 2.5, 0.5, 0.01, 60, true};
  const JourneyDecision d = DecideJourney(Input(&l));
  EXPECT_EQ(d.verdict, Verdict::kNotEvaluated);
  EXPECT_TRUE(absl::StrContains(d.sentence, "no cost is recorded")) << d.sentence;
  EXPECT_TRUE(absl::StrContains(d.sentence, "revenue lift per entry 1.500")) << d.sentence;
  const JourneyDecision none = DecideJourney(Input(nullptr));
  EXPECT_EQ(none.verdict, Verdict::kNotEvaluated);
  EXPECT_TRUE(absl::StrContains(none.sentence, "no analysed entries")) << none.sentence;
}

// BuildLiftReport: one decision per journey in row order, read from the
// pooled everyone row, with the volume of the report's own entries.
TEST(DecisionTest, TheReportCarriesOneDecisionPerJourney) {
  AssignmentConfig config;
  config.version = "cfg-decision";
  for (const char* id : {"alpha", "beta"}) {
    JourneySpec j;
    j.id = id;
    j.holdout.share_ppm = 200000;
    j.holdout.rotation.scheme = RotationScheme::kSliding;
    j.holdout.rotation.period_us = 7 * kDay;
    j.holdout.rotation.stride_ppm = 200000;
    j.arms = {{"A", 1}};
    config.journeys.push_back(j);
  }
  InMemoryAnalysisSource s;
  // alpha: treatment earns 10 more per entry for a cost of 1 (pays);
  // beta: no difference for a cost of 0.05 (an iROAS interval far wider
  // than 1 around 0: inconclusive). 2,000 entries over 14 days.
  for (int i = 0; i < 2000; ++i) {
    for (const char* id : {"alpha", "beta"}) {
      StoredEntry e;
      e.journey = id;
      e.unit = std::string(id) + std::to_string(i);
      const bool holdout = i % 5 == 0;
      e.group = holdout ? EntryGroup::kHoldout : EntryGroup::kTreatment;
      e.arm = holdout ? "" : "A";
      e.t0 = kDay + i * (14 * kDay / 2000);
      e.period = e.t0 / (7 * kDay);
      const double base = (i % 7) * 3.0;
      const double y = base + (!holdout && std::string(id) == "alpha" ? 10.0 : 0.0);
      const double cost = holdout ? 0.0 : std::string(id) == "alpha" ? 1.0 : 0.05;
      e.SetValues({y, y / 2, y > 0 ? 1.0 : 0.0, cost, 0.0});
      e.sends = holdout ? 0 : 1;
      s.AddEntry(e);
    }
  }
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(config, s, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->decisions.size(), 2u);
  EXPECT_EQ(r->decisions[0].journey, "alpha");
  EXPECT_EQ(r->decisions[0].verdict, Verdict::kPays) << r->decisions[0].sentence;
  EXPECT_EQ(r->decisions[1].journey, "beta");
  EXPECT_EQ(r->decisions[1].verdict, Verdict::kInconclusive) << r->decisions[1].sentence;
  EXPECT_EQ(r->decisions[1].entries, 2000);
  // (2000 - 1) entries over the span of their t0, per 7-day period.
  const double span = static_cast<double>(1999 * (14 * kDay / 2000));
  EXPECT_NEAR(r->decisions[1].entries_per_period, 1999.0 * 7 * kDay / span, 1e-9);
  // The decision's iROAS is the pooled row's primary interval.
  for (const LiftRowResult& row : r->rows) {
    if (row.journey != "alpha" || row.arm != kPooledArm || !row.segment.empty()) continue;
    const double lower = row.primary == IntervalVariant::kSkewCorrected
                             ? row.lift.iroas_skew_corrected.lower
                             : row.lift.iroas.lower;
    EXPECT_DOUBLE_EQ(r->decisions[0].iroas.lower, lower);
  }
}

// The sentences' and notes' numbers: thousands separators, fixed decimals.
TEST(ReportTextTest, FormatGroupedSeparatesThousandsAndKeepsDecimals) {
  EXPECT_EQ(FormatGrouped(233879.851, 2), "233,879.85");
  EXPECT_EQ(FormatGrouped(-1234567.0, 0), "-1,234,567");
  EXPECT_EQ(FormatGrouped(999.996, 2), "1,000.00");
  EXPECT_EQ(FormatGrouped(12.5, 1), "12.5");
  EXPECT_EQ(FormatGrouped(0.0, 2), "0.00");
  EXPECT_EQ(FormatGrouped(std::nan(""), 2), "n/a");
}

}  // namespace
}  // namespace holdfast::report
