#include "lib/stats/power.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "lib/stats/distributions.h"

namespace holdfast::stats {
namespace {

absl::Status CheckSpec(const PowerSpec& spec) {
  if (!(spec.alpha > 0.0 && spec.alpha < 1.0)) {
    return absl::InvalidArgumentError("alpha must be in (0, 1)");
  }
  if (!(spec.power > spec.alpha && spec.power < 1.0)) {
    return absl::InvalidArgumentError("power must be in (alpha, 1)");
  }
  return absl::OkStatus();
}

bool InOpenUnit(double v) { return v > 0.0 && v < 1.0; }

// Bisection for an increasing f on [lo, hi] with f(lo) < 0 < f(hi); 200 halvings
// reach the limit of double precision for any bracket we use.
template <typename F>
double Bisect(F f, double lo, double hi) {
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (f(mid) < 0.0) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

absl::StatusOr<SampleSizePlan> PlanFromVariance(double per_entry_variance, double delta,
                                                double holdout_share, const PowerSpec& spec) {
  absl::StatusOr<double> m = DetectableEffectInStdErrors(spec);
  if (!m.ok()) return m.status();
  // se^2 = V / N with V = v_T / (1 - h) + v_C / h, and delta / se = m.
  SampleSizePlan plan;
  plan.exact_total_entries = (*m) * (*m) * per_entry_variance / (delta * delta);
  if (!std::isfinite(plan.exact_total_entries) || plan.exact_total_entries > 9e18) {
    return absl::OutOfRangeError("required sample size is not finite");
  }
  plan.treatment_entries =
      static_cast<int64_t>(std::ceil(plan.exact_total_entries * (1.0 - holdout_share)));
  plan.holdout_entries = static_cast<int64_t>(std::ceil(plan.exact_total_entries * holdout_share));
  plan.total_entries = plan.treatment_entries + plan.holdout_entries;
  return plan;
}

}  // namespace

double ZTestPower(double effect_in_std_errors, double alpha) {
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  return NormalCdf(effect_in_std_errors - z) + NormalCdf(-effect_in_std_errors - z);
}

absl::StatusOr<double> DetectableEffectInStdErrors(const PowerSpec& spec) {
  if (absl::Status s = CheckSpec(spec); !s.ok()) return s;
  // power(m) rises from alpha at m = 0 towards 1; the one-tail approximation
  // z_{1-a/2} + z_power is a slight over-estimate, so [0, that + 1] brackets.
  const double hi = NormalQuantile(1.0 - spec.alpha / 2.0) + NormalQuantile(spec.power) + 1.0;
  return Bisect([&](double m) { return ZTestPower(m, spec.alpha) - spec.power; }, 0.0,
                std::fmax(hi, 1.0));
}

absl::StatusOr<double> MeanMde(double sd_t, double n_t, double sd_c, double n_c,
                               const PowerSpec& spec) {
  if (!(sd_t >= 0.0) || !(sd_c >= 0.0) || !(n_t > 0.0) || !(n_c > 0.0)) {
    return absl::InvalidArgumentError("MeanMde: need sd >= 0 and n > 0");
  }
  absl::StatusOr<double> m = DetectableEffectInStdErrors(spec);
  if (!m.ok()) return m.status();
  return *m * std::sqrt(sd_t * sd_t / n_t + sd_c * sd_c / n_c);
}

absl::StatusOr<double> ProportionMde(double baseline_rate, double n_t, double n_c,
                                     const PowerSpec& spec) {
  if (!InOpenUnit(baseline_rate) || !(n_t > 0.0) || !(n_c > 0.0)) {
    return absl::InvalidArgumentError("ProportionMde: need rate in (0, 1) and n > 0");
  }
  absl::StatusOr<double> m = DetectableEffectInStdErrors(spec);
  if (!m.ok()) return m.status();
  const double p = baseline_rate;
  // delta / se(delta) increases in delta on (0, 1 - p) (docs/statistics.md).
  auto ratio_minus_m = [&](double delta) {
    const double pt = p + delta;
    const double se = std::sqrt(p * (1.0 - p) / n_c + pt * (1.0 - pt) / n_t);
    return delta / se - *m;
  };
  const double hi = 1.0 - p;
  if (ratio_minus_m(hi) < 0.0) {
    return absl::OutOfRangeError("ProportionMde: no increase of the rate is detectable");
  }
  return Bisect(ratio_minus_m, 0.0, hi);
}

absl::StatusOr<SampleSizePlan> PlanForProportion(const ProportionPlanInput& in,
                                                 const PowerSpec& spec) {
  const double p = in.baseline_rate;
  const double pt = p * (1.0 + in.relative_mde);
  if (!InOpenUnit(p) || !InOpenUnit(in.holdout_share) || in.relative_mde == 0.0 ||
      !std::isfinite(in.relative_mde) || !InOpenUnit(pt)) {
    return absl::InvalidArgumentError(
        "PlanForProportion: need baseline_rate and holdout_share in (0, 1), relative_mde != 0 "
        "with baseline_rate * (1 + relative_mde) in (0, 1)");
  }
  const double h = in.holdout_share;
  const double v = pt * (1.0 - pt) / (1.0 - h) + p * (1.0 - p) / h;
  return PlanFromVariance(v, pt - p, h, spec);
}

absl::StatusOr<SampleSizePlan> PlanForMean(const MeanPlanInput& in, const PowerSpec& spec) {
  if (!(in.baseline_sd > 0.0) || !std::isfinite(in.baseline_sd) || in.baseline_mean == 0.0 ||
      !std::isfinite(in.baseline_mean) || in.relative_mde == 0.0 ||
      !std::isfinite(in.relative_mde) || !InOpenUnit(in.holdout_share)) {
    return absl::InvalidArgumentError(
        "PlanForMean: need baseline_sd > 0, baseline_mean != 0, relative_mde != 0, holdout_share "
        "in (0, 1)");
  }
  const double h = in.holdout_share;
  const double v = in.baseline_sd * in.baseline_sd / (h * (1.0 - h));
  return PlanFromVariance(v, in.baseline_mean * in.relative_mde, h, spec);
}

absl::StatusOr<int64_t> PeriodsNeeded(const SampleSizePlan& plan, double entries_per_period) {
  if (!(entries_per_period > 0.0) || !std::isfinite(entries_per_period)) {
    return absl::InvalidArgumentError("entries_per_period must be > 0");
  }
  return static_cast<int64_t>(
      std::ceil(static_cast<double>(plan.total_entries) / entries_per_period));
}

absl::StatusOr<double> TotalEntriesToReject(double estimate, double std_error, double reference,
                                            double total_entries, const PowerSpec& spec) {
  if (!std::isfinite(estimate) || !std::isfinite(reference) || !(std_error > 0.0) ||
      !std::isfinite(std_error) || !(total_entries > 0.0) || !std::isfinite(total_entries)) {
    return absl::InvalidArgumentError(
        "TotalEntriesToReject: need finite values, std_error > 0 and total_entries > 0");
  }
  absl::StatusOr<double> m = DetectableEffectInStdErrors(spec);
  if (!m.ok()) return m.status();
  const double distance = std::fabs(estimate - reference);
  if (distance == 0.0) return std::numeric_limits<double>::infinity();
  // se(N)^2 = se^2 * total / N, and the test reaches the target power at
  // distance / se(N) = m.
  const double ratio = *m * std_error / distance;
  return total_entries * ratio * ratio;
}

absl::StatusOr<double> RelativeMdeForProportion(double baseline_rate, double total_entries,
                                                double holdout_share, const PowerSpec& spec) {
  if (!InOpenUnit(holdout_share) || !(total_entries > 0.0)) {
    return absl::InvalidArgumentError("need total_entries > 0 and holdout_share in (0, 1)");
  }
  absl::StatusOr<double> delta = ProportionMde(baseline_rate, total_entries * (1.0 - holdout_share),
                                               total_entries * holdout_share, spec);
  if (!delta.ok()) return delta.status();
  return *delta / baseline_rate;
}

absl::StatusOr<double> RelativeMdeForMean(double baseline_mean, double baseline_sd,
                                          double total_entries, double holdout_share,
                                          const PowerSpec& spec) {
  if (!InOpenUnit(holdout_share) || !(total_entries > 0.0) || baseline_mean == 0.0 ||
      !std::isfinite(baseline_mean)) {
    return absl::InvalidArgumentError(
        "need total_entries > 0, holdout_share in (0, 1), baseline_mean != 0");
  }
  absl::StatusOr<double> delta =
      MeanMde(baseline_sd, total_entries * (1.0 - holdout_share), baseline_sd,
              total_entries * holdout_share, spec);
  if (!delta.ok()) return delta.status();
  return *delta / std::fabs(baseline_mean);
}

}  // namespace holdfast::stats
