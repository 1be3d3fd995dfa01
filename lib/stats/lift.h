// The lift / incremental-ROAS report for one comparison: a treatment group (or
// one arm) against its holdout, over one period range and optional segment.
// Everything is computed from the two groups' GroupMoments plus the fixed
// cost of the journey over the range; docs/statistics.md gives each formula
// and convention, so any number here can be recomputed by hand.
//
// Example:
//   GroupMoments treatment, holdout;
//   for (const Row& r : rows) {
//     (r.held_out ? holdout : treatment).Add({r.y, r.m, r.x, r.c, r.z});
//   }
//   absl::StatusOr<LiftResult> lift = ComputeLift(treatment, holdout,
//                                                 /*fixed_cost=*/1500.0, LiftOptions{});
//   if (lift.ok() && lift->iroas.defined) {
//     printf("iROAS %.2f [%.2f, %.2f]\n", lift->iroas.value, lift->iroas.lower,
//            lift->iroas.upper);
//   }
//
// Across the rows of one report use SrmTest (lib/stats/srm.h), HolmAdjust /
// BenjaminiHochbergAdjust (lib/stats/multiple_testing.h) on the rows'
// p-values, and lib/stats/power.h for planning.
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_STATS_LIFT_H_
#define HOLDFAST_LIB_STATS_LIFT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/stats/estimators.h"
#include "lib/stats/moments.h"
#include "lib/stats/srm.h"

namespace holdfast::stats {

struct LiftOptions {
  // Two-sided confidence level of every interval, in (0, 1). Default 0.95.
  double confidence = 0.95;
  // Power for the minimum detectable effects, in (1 - confidence, 1).
  // Default 0.80.
  double power = 0.80;
  // Also compute the always-valid (sequential) interval for the revenue lift.
  // Default false.
  bool sequential = false;
  // Total entries (n_T + n_C) at which the sequential interval is tuned to be
  // narrowest; fix it before looking at the data. Default 5,000 (GrowthBook's
  // default).
  double sequential_tuning_entries = 5000.0;
  // If in (0, 1): the configured share of treatment among treatment + holdout,
  // and an SRM test of the two counts is run. Default: not run.
  double expected_treatment_share = kNaN;
  // Below this many entries in either group, or fewer than
  // min_conversions_per_group conversions (or non-conversions), the
  // too_few_entries warning is raised. Defaults 100 and 10.
  int64_t min_entries_per_group = 100;
  int64_t min_conversions_per_group = 10;
  // heavy_tail is raised when Hall's first-order (Edgeworth) term estimates
  // that one tail of a plain interval (Welch D or delta iROAS) misses by more
  // than this probability (docs/statistics.md section 11). Default 0.01.
  double heavy_tail_max_tail_error = 0.01;
};

// Estimated one-sided coverage error of a plain two-sided interval at
// critical value q for an estimator whose studentized error has skewness
// coefficient a = kappa3 / se^3: Hall's first-order Edgeworth term
// |a| (2 q^2 + 1) phi(q) / 6 (one tail misses by this much more, the other by
// this much less, than (1 - confidence) / 2). NaN when a or q is not finite.
double OneSidedErrorEstimate(double a, double q);

// Descriptive numbers for one group.
struct GroupSummary {
  int64_t entries = 0;
  double conversions = 0.0;       // sum of x
  double conversion_rate = kNaN;  // mean of x
  double revenue_per_entry = kNaN;
  double revenue_sd = kNaN;        // sample sd (n - 1) of y
  double revenue_skewness = kNaN;  // g1 of y (n denominators)
  double margin_per_entry = kNaN;
  double cost_per_entry = kNaN;
  double total_revenue = 0.0;
  double total_margin = 0.0;
  double total_cost = 0.0;         // sum of c (sends only, no fixed cost)
};

// A ratio estimate: delta-method interval around the point estimate, Fieller's
// set beside it, and p-values taken from tests of differences (DESIGN.md,
// "p-values for ratios"), never from value / std_error.
struct RatioEstimate {
  double value = kNaN;
  double lower = kNaN;  // delta method
  double upper = kNaN;
  double std_error = kNaN;  // delta method
  double df = kNaN;         // of the delta-method critical value
  // p-value of "no effect" (numerator difference = 0) from the difference
  // test, so it agrees with the Fieller set containing 0 or not.
  double p_value = kNaN;
  // iROAS only (NaN elsewhere): p-value of iROAS = 1 from the Welch test of
  // mean(num_T - c_T) - F / n_T - mean(num_C) = 0.
  double break_even_p_value = kNaN;
  FiellerSet fieller;
  bool defined = false;

  // The delta-method interval as a plain Estimate (value, bounds, standard
  // error, df, p-value of no effect, defined); Fieller's set and the
  // break-even p-value are dropped.
  Estimate AsEstimate() const {
    Estimate e;
    e.value = value;
    e.lower = lower;
    e.upper = upper;
    e.std_error = std_error;
    e.df = df;
    e.p_value = p_value;
    e.defined = defined;
    return e;
  }
};

struct CupedEstimate {
  // Difference of CUPED-adjusted means with its Welch interval and p-value.
  Estimate lift;
  // theta = cov(y, z) / var(z) over the two groups merged.
  double theta = kNaN;
  // 1 - var(adjusted difference) / var(plain difference); can be negative.
  double variance_reduction = kNaN;
  bool defined = false;
};

struct MinimumDetectableEffects {
  // At the report's confidence (alpha = 1 - confidence) and LiftOptions::power.
  double revenue_per_entry = kNaN;           // absolute
  double revenue_per_entry_relative = kNaN;  // / |holdout mean|
  double conversion_rate = kNaN;             // absolute increase
  double conversion_rate_relative = kNaN;    // / holdout rate
};

struct LiftWarnings {
  // A group has < min_entries_per_group entries or < min_conversions_per_group
  // conversions or non-conversions: the normal approximations mean little.
  bool too_few_entries = false;
  // The estimated one-sided error of the plain Welch D or delta iROAS
  // interval exceeds LiftOptions::heavy_tail_max_tail_error: one tail of the
  // plain interval misses materially more often than stated (the estimate
  // lies on the far side); the skew-corrected intervals remove that term.
  bool heavy_tail = false;
  // The holdout mean is not significantly different from 0, so the relative
  // delta interval is unreliable and Fieller's set is unbounded.
  bool conversion_relative_unreliable = false;
  bool revenue_relative_unreliable = false;
  bool margin_relative_unreliable = false;
  // SRM test run (expected_treatment_share set) and p < 0.001.
  bool srm = false;
};

struct LiftResult {
  GroupSummary treatment;
  GroupSummary holdout;

  // p_T - p_C, unpooled normal (z); relative (p_T - p_C) / p_C by delta method.
  Estimate conversion_rate_lift;
  RatioEstimate conversion_rate_relative_lift;

  // D = mean(y_T) - mean(y_C), Welch t; relative D / mean(y_C).
  Estimate revenue_per_entry_lift;
  RatioEstimate revenue_per_entry_relative_lift;
  // Heavy-tail remedy: Hall's skewness-corrected interval for D.
  Estimate revenue_per_entry_lift_skew_corrected;
  // Skewness of the estimator D-hat: kappa3 / se^3 (see heavy_tail).
  double revenue_lift_skewness = kNaN;
  // OneSidedErrorEstimate of the Welch interval of D.
  double revenue_lift_tail_error = kNaN;
  // Hall's interval for the relative revenue lift D / mean(y_C), from the
  // skewness of its linearization (value and p-value as the delta estimate).
  // Evidence only: the simulation shows it covering worse than the delta
  // interval (the ratio's curvature in the small holdout's mean dominates),
  // so no report shows it (docs/statistics.md section 11).
  Estimate revenue_per_entry_relative_lift_skew_corrected;
  double relative_revenue_lift_skewness = kNaN;

  Estimate margin_per_entry_lift;
  RatioEstimate margin_per_entry_relative_lift;
  Estimate margin_per_entry_lift_skew_corrected;

  // n_T * D, n_T * D_margin, n_T * (p_T - p_C): intervals scaled from D.
  Estimate incremental_revenue;
  Estimate incremental_margin;
  Estimate incremental_conversions;
  // n_T * revenue_per_entry_lift_skew_corrected.
  Estimate incremental_revenue_skew_corrected;

  // K = sum_T c + F.
  double treatment_cost = kNaN;
  // iROAS = D / (mean(c_T) + F / n_T) = n_T D / K, delta method with the
  // revenue-cost covariance in T; margin iROAS likewise with m.
  RatioEstimate iroas;
  Estimate iroas_skew_corrected;
  // Skewness kappa3 / se^3 of the linearized iROAS estimator and the
  // OneSidedErrorEstimate of its delta interval.
  double iroas_skewness = kNaN;
  double iroas_tail_error = kNaN;
  RatioEstimate margin_iroas;
  Estimate margin_iroas_skew_corrected;
  // "ROAS with discount" (docs/statistics.md section 14.4): D / (mean(c_T +
  // i_T) - mean(i_C) + F / n_T), the incremental incentives i counted as
  // cost; delta method with both groups' numerator-cost covariances, and
  // Hall's interval from the third moments of the same linearization (the
  // report's primary interval for these two, as for iROAS).
  RatioEstimate iroas_with_incentives;
  Estimate iroas_with_incentives_skew_corrected;
  RatioEstimate margin_iroas_with_incentives;
  Estimate margin_iroas_with_incentives_skew_corrected;
  // sum_T y / K (no interval): what last-touch attribution would credit.
  double attributed_roas = kNaN;
  // K / (n_T (p_T - p_C)), defined when p_T > p_C; interval from the
  // conversion-lift bounds (K treated as fixed), upper = +inf when the
  // conversion lift's lower bound is <= 0.
  Estimate cost_per_incremental_conversion;

  CupedEstimate cuped_revenue_lift;
  // Set when LiftOptions::sequential.
  Estimate sequential_revenue_lift;

  MinimumDetectableEffects mde;
  std::optional<SrmResult> srm;
  LiftWarnings warnings;
};

// Computes every row estimate. Errors only for invalid arguments (confidence
// or power out of range, fixed_cost negative or not finite); too little data
// gives estimates with defined == false and warnings, not an error.
[[nodiscard]] absl::StatusOr<LiftResult> ComputeLift(const GroupMoments& treatment,
                                                     const GroupMoments& holdout,
                                                     double fixed_cost,
                                                     const LiftOptions& options);

// Human-readable sentences for the warnings that are set, in a fixed order.
std::vector<std::string> DescribeWarnings(const LiftWarnings& warnings);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_LIFT_H_
