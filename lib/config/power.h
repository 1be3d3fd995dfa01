// Power arithmetic for planning a holdout: the minimum detectable effect of
// a two-group comparison of means and the sample size that reaches a target.
// Normal approximation with a common standard deviation σ in both groups:
//
//   MDE = (z_{1-α/2} + z_{power}) · sqrt(σ²/n_T + σ²/n_C)
//
// For a conversion rate p, σ² = p(1 − p) at the baseline rate (the variance
// under the null, the convention of most planning calculators). Self-contained
// (no Boost) so the linter depends only on lib/.
#ifndef HOLDFAST_LIB_CONFIG_POWER_H_
#define HOLDFAST_LIB_CONFIG_POWER_H_

namespace holdfast::config {

// Quantile of the standard normal distribution, p in (0, 1); relative
// error below 1e-12 (Acklam's approximation refined by one Halley step).
double NormalQuantile(double p);

// Smallest absolute difference in means detectable with two-sided level
// `alpha` and `power`, for groups of n_t and n_c (> 0) with standard
// deviation `sigma`.
double MinimumDetectableEffect(double sigma, double n_t, double n_c, double alpha = 0.05,
                               double power = 0.8);

// Total entries N (both groups) so that the MDE is at most `delta` (> 0)
// when a share `holdout_share` in (0, 1) of them is held out:
//   N = (z_{1-α/2} + z_{power})² σ² (1/(1 − s) + 1/s) / δ².
// Not rounded.
double RequiredTotalEntries(double sigma, double delta, double holdout_share,
                            double alpha = 0.05, double power = 0.8);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_POWER_H_
