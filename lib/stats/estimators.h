// Building blocks of the lift report: interval and test for a difference of
// two independent means (Welch t or normal), the delta method and Fieller's
// set for a ratio, and Hall's skewness-corrected interval. lib/stats/lift.h
// composes them; docs/statistics.md gives every formula.
//
// Conventions (stated once, used everywhere):
//   - intervals are two-sided at `confidence` (e.g. 0.95);
//   - p-values are two-sided;
//   - "se" is a standard error of the estimate, not of one observation.
#ifndef HOLDFAST_LIB_STATS_ESTIMATORS_H_
#define HOLDFAST_LIB_STATS_ESTIMATORS_H_

#include <limits>

namespace holdfast::stats {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// A point estimate with its two-sided interval and test of "value = 0" (or of
// the null named where the estimate is produced). When `defined` is false the
// numbers are NaN (too few entries, zero variance, zero denominator...).
struct Estimate {
  double value = kNaN;
  double lower = kNaN;
  double upper = kNaN;
  double std_error = kNaN;
  double p_value = kNaN;
  // Degrees of freedom of the t critical value; +infinity for normal (z).
  double df = kNaN;
  bool defined = false;
};

// A contrast of two independent group means, estimate = (T part) - (C part),
// where the T part has variance v_t = s_T^2 / n_t estimated with n_t - 1
// degrees of freedom, and likewise for C.
struct Contrast {
  double estimate = kNaN;
  double v_t = kNaN;
  double v_c = kNaN;
  double n_t = 0.0;
  double n_c = 0.0;
};

// Welch-Satterthwaite degrees of freedom
//   (v_t + v_c)^2 / (v_t^2 / (n_t - 1) + v_c^2 / (n_c - 1)).
// NaN when undefined (n < 2 with a positive variance, or both variances 0).
double WelchDf(const Contrast& c);

// Welch t interval and two-sided p-value of estimate = null_value:
// se = sqrt(v_t + v_c), t = (estimate - null_value) / se, df = WelchDf.
Estimate WelchEstimate(const Contrast& c, double confidence, double null_value = 0.0);

// Normal (z) interval and two-sided p-value of value = null_value.
Estimate NormalEstimate(double value, double std_error, double confidence,
                        double null_value = 0.0);

// Critical value q with P(|T| <= q) = confidence for T ~ t(df) (df =
// +infinity: normal).
double TwoSidedCritical(double confidence, double df);

// Returns `e` with value, bounds and se multiplied by `factor` > 0 (p-value and
// df unchanged). Used for incremental totals n_T * D.
Estimate Scaled(const Estimate& e, double factor);

enum class FiellerShape {
  kUndefined = 0,
  // [lower, upper].
  kBounded = 1,
  // (-inf, lower] U [upper, +inf): the denominator is not significantly
  // different from 0.
  kExclusive = 2,
  // Every value is in the set.
  kWholeLine = 3,
};

struct FiellerSet {
  FiellerShape shape = FiellerShape::kUndefined;
  double lower = kNaN;
  double upper = kNaN;
};

// Fieller's confidence set for rho = E[num] / E[den] given estimates with
// variances v_num, v_den and covariance cov: all rho with
//   (num - rho den)^2 <= q^2 (v_num - 2 rho cov + rho^2 v_den).
// It is bounded iff den^2 / v_den > q^2 (denominator significant).
FiellerSet Fieller(double num, double den, double v_num, double v_den, double cov, double q);

// Hall (1992) transformation g(t) = t + a t^2 / 3 + a^2 t^3 / 27 + a / 6 and
// its inverse (g is strictly increasing for every a, so the inverse exists).
// `a` is the skewness of the estimator, kappa3 / se^3.
double HallTransform(double t, double a);
double HallInverse(double u, double a);

// Skewness-corrected interval for an estimate whose studentized error
// T = (value - truth) / se has skewness coefficient a = kappa3 / se^3:
//   [value - se g^-1(q), value - se g^-1(-q)], q = t quantile at df;
// p-value of truth = null_value from g((value - null_value) / se).
// With a = 0 this is exactly the plain t interval.
Estimate HallSkewCorrected(double value, double std_error, double df, double a,
                           double confidence, double null_value = 0.0);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_ESTIMATORS_H_
