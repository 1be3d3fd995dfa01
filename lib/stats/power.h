// Power and planning for the two-sided tests used in the lift report.
//
// Model (docs/statistics.md, "Power"): the test statistic is normal with
// standard error se; an effect delta is detected by a two-sided level-alpha
// test with probability
//   power(delta) = Phi(delta / se - z) + Phi(-delta / se - z),  z = z_{1-alpha/2}
// (both tails counted, as statsmodels NormalIndPower does). For proportions
// se is the unpooled standard error evaluated at the alternative
// (p_T = p_C + delta), matching the unpooled Wald test of the report.
//
// Used by the lift report (MDE for the sizes seen), `holdfast power` and the
// config linter's power warning.
//
// Example (how many entries to detect +5 % relative on a 3 % conversion rate
// with a 10 % holdout, at 2,000 entries per period?):
//   absl::StatusOr<SampleSizePlan> plan = PlanForProportion(
//       {.baseline_rate = 0.03, .relative_mde = 0.05, .holdout_share = 0.10}, PowerSpec{});
//   absl::StatusOr<int64_t> periods = PeriodsNeeded(*plan, 2000);
#ifndef HOLDFAST_LIB_STATS_POWER_H_
#define HOLDFAST_LIB_STATS_POWER_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace holdfast::stats {

struct PowerSpec {
  double alpha = 0.05;  // two-sided significance level, in (0, 1)
  double power = 0.80;  // target power, in (alpha, 1)
};

// Power of the two-sided z-test for an effect of `effect_in_std_errors`
// standard errors (formula above).
double ZTestPower(double effect_in_std_errors, double alpha);

// The effect, in standard errors, detected with probability spec.power
// (2.8016 for alpha 0.05, power 0.8). Error if spec is out of range.
[[nodiscard]] absl::StatusOr<double> DetectableEffectInStdErrors(const PowerSpec& spec);

// Minimum detectable absolute difference of means for groups of n_t and n_c
// entries with per-entry standard deviations sd_t, sd_c:
//   m * sqrt(sd_t^2 / n_t + sd_c^2 / n_c).
[[nodiscard]] absl::StatusOr<double> MeanMde(double sd_t, double n_t, double sd_c, double n_c,
                                             const PowerSpec& spec);

// Minimum detectable absolute increase delta > 0 of a conversion rate
// `baseline_rate` (holdout) for groups of n_t and n_c entries: the delta with
// delta / sqrt(p(1-p)/n_c + (p+delta)(1-p-delta)/n_t) = m. Error when even
// p_T -> 1 is not detectable.
[[nodiscard]] absl::StatusOr<double> ProportionMde(double baseline_rate, double n_t, double n_c,
                                                   const PowerSpec& spec);

struct ProportionPlanInput {
  double baseline_rate = 0.0;  // holdout conversion rate, in (0, 1)
  double relative_mde = 0.0;   // target relative lift, != 0, p(1 + r) in (0, 1)
  double holdout_share = 0.0;  // share of entries held out, in (0, 1)
};

struct MeanPlanInput {
  double baseline_mean = 0.0;  // holdout revenue per entry, != 0
  double baseline_sd = 0.0;    // per-entry standard deviation (both groups), > 0
  double relative_mde = 0.0;   // target relative lift, != 0
  double holdout_share = 0.0;  // in (0, 1)
};

struct SampleSizePlan {
  // Unrounded total entries N solving power(delta) = target with
  // n_T = N (1 - h), n_C = N h.
  double exact_total_entries = 0.0;
  int64_t treatment_entries = 0;  // ceil(N (1 - h))
  int64_t holdout_entries = 0;    // ceil(N h)
  int64_t total_entries = 0;      // treatment_entries + holdout_entries
};

[[nodiscard]] absl::StatusOr<SampleSizePlan> PlanForProportion(const ProportionPlanInput& in,
                                                               const PowerSpec& spec);
[[nodiscard]] absl::StatusOr<SampleSizePlan> PlanForMean(const MeanPlanInput& in,
                                                         const PowerSpec& spec);

// Periods (rotation periods, days...) needed to collect plan.total_entries at
// `entries_per_period` journey entries (treatment + holdout) per period:
// ceil(total / entries_per_period). Error unless entries_per_period > 0.
[[nodiscard]] absl::StatusOr<int64_t> PeriodsNeeded(const SampleSizePlan& plan,
                                                    double entries_per_period);

// Total entries at which a two-sided level-alpha test would reject
// `reference` with probability spec.power if the true value were `estimate`,
// for an estimator whose standard error is `std_error` at `total_entries`
// entries and shrinks as 1 / sqrt(N) when every group grows in proportion
// (the same split, the same per-entry variances):
//   N = total_entries * (m * std_error / |estimate - reference|)^2
// with m = DetectableEffectInStdErrors(spec). The lift report's decision
// uses it for "entries needed to decide" on break-even (docs/statistics.md
// section 9). +inf when estimate == reference (no sample size is expected to
// decide); INVALID_ARGUMENT unless std_error > 0, total_entries > 0 and the
// values are finite.
[[nodiscard]] absl::StatusOr<double> TotalEntriesToReject(double estimate, double std_error,
                                                          double reference, double total_entries,
                                                          const PowerSpec& spec);

// Relative MDE (delta / baseline) reachable with `total_entries` entries split
// by `holdout_share`; the inverse of PlanForProportion / PlanForMean, for the
// linter's "this holdout cannot detect less than X %" warning.
[[nodiscard]] absl::StatusOr<double> RelativeMdeForProportion(double baseline_rate,
                                                              double total_entries,
                                                              double holdout_share,
                                                              const PowerSpec& spec);
[[nodiscard]] absl::StatusOr<double> RelativeMdeForMean(double baseline_mean, double baseline_sd,
                                                        double total_entries, double holdout_share,
                                                        const PowerSpec& spec);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_POWER_H_
