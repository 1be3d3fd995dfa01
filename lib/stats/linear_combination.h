// Estimates that are linear combinations of several independent groups'
// means — a sum over journeys of per-journey contrasts (the stage and
// programme roll-ups), or a weighted trend over independent per-period
// estimates — with Welch–Satterthwaite degrees of freedom over every part
// (docs/statistics.md section 16).
//
// Example:
//   std::vector<VariancePart> parts = {{n_t1 * var_t1, n_t1}, {n_t1 * n_t1 * var_c1 / n_c1, n_c1}};
//   Estimate e = SumEstimate(total, parts, 0.95);
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_STATS_LINEAR_COMBINATION_H_
#define HOLDFAST_LIB_STATS_LINEAR_COMBINATION_H_

#include <vector>

#include "absl/types/span.h"
#include "lib/stats/estimators.h"

namespace holdfast::stats {

// One independent part of an estimate's variance: `variance` is its
// (already scaled) contribution to Var(estimate), estimated from `n`
// observations (n - 1 degrees of freedom), e.g. n_T^2 s_T^2 / n_T.
struct VariancePart {
  double variance = 0.0;
  double n = 0.0;
};

// Welch–Satterthwaite: (sum v)^2 / sum v^2 / (n - 1). Parts with variance 0
// carry no weight. NaN when a part with variance > 0 has n < 2 or every
// variance is 0.
double WelchSatterthwaiteDf(absl::Span<const VariancePart> parts);

// value ± q_t(df) sqrt(sum v), two-sided p-value of value = null_value from
// the same t. Undefined when the df is.
Estimate SumEstimate(double value, absl::Span<const VariancePart> parts, double confidence,
                     double null_value = 0.0);

// value ± q_t(df) se for a given standard error and df (df = +inf: normal);
// p-value of value = null_value. Undefined unless se > 0 and df > 0.
Estimate TEstimate(double value, double std_error, double df, double confidence,
                   double null_value = 0.0);

// Inverse-variance (fixed-effect) meta-analysis of independent estimates
// y_i with variances v_i at positions x_i: Cochran's Q of heterogeneity
// (chi-squared, B - 1 df) and the weighted least-squares slope of y on x
// with its known-variance standard error and two-sided normal p-value (a
// linear trend test).
struct TrendTest {
  int points = 0;
  // Inverse-variance weighted mean of y.
  double weighted_mean = kNaN;
  double q = kNaN;
  double q_df = kNaN;
  double q_p_value = kNaN;
  // NaN with fewer than 3 points.
  double slope = kNaN;
  double slope_std_error = kNaN;
  double slope_p_value = kNaN;
};
TrendTest InverseVarianceTrend(absl::Span<const double> x, absl::Span<const double> y,
                               absl::Span<const double> variance);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_LINEAR_COMBINATION_H_
