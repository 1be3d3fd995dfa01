// Prints, for a lift report over deterministic synthetic data (three
// journeys, one and several arms, a segment attribute with three values),
// every row's raw and adjusted p-values, so multiplicity_reference_check.py
// can recompute the declared families with statsmodels' multipletests:
//   run <with|without segments> journey arm segment p holm bh be_p be_holm be_bh
// Values print with %.17g ("nan" for undefined).
#include <cstdio>
#include <random>
#include <string>

#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"

namespace holdfast::report {
namespace {

AssignmentConfig Config() {
  AssignmentConfig config;
  config.version = "cfg-multiplicity";
  JourneySpec a;
  a.id = "alpha";
  a.holdout.share_ppm = 200000;
  a.arms = {{"x", 1}, {"y", 1}, {"z", 1}};
  JourneySpec b;
  b.id = "beta";
  b.holdout.share_ppm = 100000;
  b.arms = {{"default", 1}};
  JourneySpec c;
  c.id = "gamma";
  c.holdout.share_ppm = 300000;
  c.arms = {{"p", 1}, {"q", 1}};
  config.journeys = {a, b, c};
  return config;
}

void Fill(InMemoryAnalysisSource& source) {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::lognormal_distribution<double> order(3.0, 0.7);
  struct Group {
    const char* journey;
    EntryGroup group;
    const char* arm;
    int n;
    double p;
    double coupon;
  };
  const Group groups[] = {
      {"alpha", EntryGroup::kHoldout, "", 400, 0.10, 0.0},
      {"alpha", EntryGroup::kTreatment, "x", 500, 0.16, 0.1},
      {"alpha", EntryGroup::kTreatment, "y", 500, 0.11, 0.0},
      {"alpha", EntryGroup::kTreatment, "z", 500, 0.13, 0.0},
      {"beta", EntryGroup::kHoldout, "", 300, 0.20, 0.0},
      {"beta", EntryGroup::kTreatment, "default", 2700, 0.215, 0.0},
      {"gamma", EntryGroup::kHoldout, "", 600, 0.05, 0.0},
      {"gamma", EntryGroup::kTreatment, "p", 700, 0.09, 0.2},
      {"gamma", EntryGroup::kTreatment, "q", 700, 0.05, 0.0},
  };
  const char* countries[] = {"DE", "FR", "US"};
  for (const Group& g : groups) {
    for (int i = 0; i < g.n; ++i) {
      StoredEntry e;
      e.journey = g.journey;
      e.unit = std::string(g.journey) + "-" + g.arm + "-" + std::to_string(i);
      e.group = g.group;
      e.arm = g.arm;
      e.t0 = 1000;
      e.attributes["country"] = countries[i % 3];
      const double country_effect = 1.0 + 0.5 * (i % 3);
      const bool converted = unif(rng) < g.p * country_effect / 1.5;
      const double y = converted ? order(rng) : 0.0;
      e.SetValues({y, 0.3 * y, converted ? 1.0 : 0.0,
                   g.group == EntryGroup::kTreatment ? 0.5 + g.coupon * y : 0.0, 0.0});
      source.AddEntry(std::move(e));
    }
  }
}

int Run(const char* label, const std::string& segment_by, InMemoryAnalysisSource& source) {
  LiftReportOptions options;
  options.segment_by = segment_by;
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(Config(), source, options);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  for (const LiftRowResult& row : r->rows) {
    const stats::Estimate& d = row.primary == IntervalVariant::kSkewCorrected
                                   ? row.lift.revenue_per_entry_lift_skew_corrected
                                   : row.lift.revenue_per_entry_lift;
    std::printf("%s\t%s\t%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", label,
                row.journey.c_str(), row.arm.c_str(), row.segment.empty() ? "-" : row.segment.c_str(),
                d.defined ? d.p_value : stats::kNaN, row.p_value_holm, row.p_value_bh,
                row.lift.iroas.break_even_p_value, row.breakeven_p_value_holm,
                row.breakeven_p_value_bh);
  }
  for (const MultiplicityFamily& f : r->families) {
    std::printf("family\t%s\t%s\t%lld\n", label, f.name.c_str(), static_cast<long long>(f.size));
  }
  return 0;
}

}  // namespace
}  // namespace holdfast::report

int main() {
  holdfast::report::InMemoryAnalysisSource source;
  holdfast::report::Fill(source);
  if (holdfast::report::Run("without", "", source) != 0) return 1;
  return holdfast::report::Run("with", "country", source);
}
