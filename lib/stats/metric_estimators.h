// The estimators of the report's generic metrics (docs/statistics.md section
// 14), each a function of two groups' PairMoments (co_moments.h) only:
//
//   DifferenceOfMeansEstimate   mean_T(a) - mean_C(a), Welch t;
//   RateDifferenceEstimate      p_T - p_C of a 0/1 variable, unpooled normal;
//   RatioOfMeansContrast        mean_T(a)/mean_T(b) - mean_C(a)/mean_C(b),
//                               delta method (e.g. average order value);
//   RatioOfDifferencesEstimate  (mean_T(a) - mean_C(a)) /
//                               (mean_T(b) - k mean_C(b) + extra), delta
//                               method with the a-b covariance in each group
//                               (iROAS variants, the complier average effect,
//                               the return of an arm change).
//
// Conventions as estimators.h: two-sided intervals at `confidence`, two-sided
// p-values; an undefined estimate has defined = false and a reason.
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_STATS_METRIC_ESTIMATORS_H_
#define HOLDFAST_LIB_STATS_METRIC_ESTIMATORS_H_

#include <string>

#include "lib/stats/co_moments.h"
#include "lib/stats/estimators.h"

namespace holdfast::stats {

// An estimate, or why there is none.
struct MetricEstimate {
  Estimate estimate;
  // Set when !estimate.defined: one phrase ("no holdout entries", ...).
  std::string undefined_reason;
  // RatioOfDifferences only: the denominator is not significantly different
  // from 0 at `confidence` (its z below the critical value), so the delta
  // interval is unreliable (Fieller's set would be unbounded).
  bool weak_denominator = false;
};

// `difference` is mean_T(a) - mean_C(a) computed shift-first by the caller
// (CoMoments::ContrastOfMeans); NaN = take it from the means.
MetricEstimate DifferenceOfMeansEstimate(const PairMoments& t, const PairMoments& c,
                                         double confidence, double difference = kNaN);

// a is 0/1: variances p (1 - p) / n (n denominators, as the conversion lift).
MetricEstimate RateDifferenceEstimate(const PairMoments& t, const PairMoments& c,
                                      double confidence);

// R_g = mean_g(a) / mean_g(b); var(R_g) = var_g(a - R_g b) / (n_g mean_g(b)^2);
// Welch-Satterthwaite df of the two parts; p-value of R_T = R_C from the same
// t statistic (no numerator-difference test exists for a difference of ratios).
MetricEstimate RatioOfMeansContrast(const PairMoments& t, const PairMoments& c,
                                    double confidence);

// The per-group ratio R_g = mean_g(a) / mean_g(b) (NaN when mean_g(b) is 0).
double RatioOfMeans(const PairMoments& g);

// R = num / den with num = mean_T(a) - mean_C(a) (or `difference`), den =
// mean_T(b) - holdout_weight * mean_C(b) + extra_per_treatment_entry.
// var(R) = [var_T(a - R b) / n_T + var_C(a - holdout_weight R b) / n_C] /
// den^2, Welch-Satterthwaite df of the two parts; the p-value of "no effect"
// is the Welch test of num = 0 (DESIGN.md, "p-values for ratios"), so it
// agrees with whether the interval of num contains 0. Undefined when den <= 0.
MetricEstimate RatioOfDifferencesEstimate(const PairMoments& t, const PairMoments& c,
                                          double holdout_weight, double extra_per_treatment_entry,
                                          double confidence, double difference = kNaN);

// One-sided p-value that the true effect is <= `bound` (small: the data show
// the effect above the bound), from the estimate's t (or z) distribution.
double UpperTailPValue(const Estimate& e, double bound);
// One-sided p-value that the true effect is >= `bound` (small: the data show
// the effect below the bound).
double LowerTailPValue(const Estimate& e, double bound);

// One-sided confidence bounds at level `confidence` (the lower bound L with
// P(effect >= L) = confidence, and the upper bound likewise).
double OneSidedLower(const Estimate& e, double confidence);
double OneSidedUpper(const Estimate& e, double confidence);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_METRIC_ESTIMATORS_H_
