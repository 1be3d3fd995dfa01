// Distribution functions used by the estimators: thin wrappers over
// Boost.Math with a no-throw policy, so nothing outside this file sees a
// Boost exception. Invalid arguments give NaN.
#ifndef HOLDFAST_LIB_STATS_DISTRIBUTIONS_H_
#define HOLDFAST_LIB_STATS_DISTRIBUTIONS_H_

namespace holdfast::stats {

// Standard normal CDF and quantile (p in (0, 1)).
double NormalCdf(double x);
double NormalQuantile(double p);

// Student t with `df` > 0 degrees of freedom (non-integer allowed; df =
// +infinity or df > 1e10 means the normal distribution).
double StudentTCdf(double t, double df);
double StudentTQuantile(double p, double df);

// Two-sided p-value 2 * P(T > |t|) for T ~ t(df); df = +infinity: normal.
double StudentTTwoSidedP(double t, double df);

// Upper tail P(X > x) for X ~ chi-squared(df).
double ChiSquaredSurvival(double x, double df);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_DISTRIBUTIONS_H_
