#include "lib/stats/linear_combination.h"

#include <cmath>

#include "lib/stats/distributions.h"

namespace holdfast::stats {

double WelchSatterthwaiteDf(absl::Span<const VariancePart> parts) {
  double total = 0.0, denom = 0.0;
  for (const VariancePart& p : parts) {
    if (!(p.variance >= 0.0)) return kNaN;
    if (p.variance == 0.0) continue;
    if (p.n < 2.0) return kNaN;
    total += p.variance;
    denom += p.variance * p.variance / (p.n - 1.0);
  }
  if (!(total > 0.0) || !(denom > 0.0)) return kNaN;
  return total * total / denom;
}

Estimate TEstimate(double value, double std_error, double df, double confidence,
                   double null_value) {
  Estimate e;
  if (!std::isfinite(value) || !(std_error > 0.0) || !(df > 0.0)) return e;
  const double q = TwoSidedCritical(confidence, df);
  e.value = value;
  e.std_error = std_error;
  e.df = df;
  e.lower = value - q * std_error;
  e.upper = value + q * std_error;
  e.p_value = StudentTTwoSidedP((value - null_value) / std_error, df);
  e.defined = std::isfinite(e.lower) && std::isfinite(e.upper);
  return e;
}

Estimate SumEstimate(double value, absl::Span<const VariancePart> parts, double confidence,
                     double null_value) {
  double total = 0.0;
  for (const VariancePart& p : parts) total += p.variance;
  return TEstimate(value, std::sqrt(total), WelchSatterthwaiteDf(parts), confidence, null_value);
}

TrendTest InverseVarianceTrend(absl::Span<const double> x, absl::Span<const double> y,
                               absl::Span<const double> variance) {
  TrendTest t;
  const size_t n = y.size();
  if (x.size() != n || variance.size() != n) return t;
  double sw = 0.0, swx = 0.0, swy = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!(variance[i] > 0.0) || !std::isfinite(y[i])) return t;
    const double w = 1.0 / variance[i];
    sw += w;
    swx += w * x[i];
    swy += w * y[i];
  }
  t.points = static_cast<int>(n);
  if (n < 2) return t;
  const double xbar = swx / sw;
  t.weighted_mean = swy / sw;
  double q = 0.0, sxx = 0.0, sxy = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double w = 1.0 / variance[i];
    q += w * (y[i] - t.weighted_mean) * (y[i] - t.weighted_mean);
    sxx += w * (x[i] - xbar) * (x[i] - xbar);
    sxy += w * (x[i] - xbar) * (y[i] - t.weighted_mean);
  }
  t.q = q;
  t.q_df = static_cast<double>(n - 1);
  t.q_p_value = ChiSquaredSurvival(q, t.q_df);
  if (n >= 3 && sxx > 0.0) {
    t.slope = sxy / sxx;
    t.slope_std_error = std::sqrt(1.0 / sxx);
    t.slope_p_value = 2.0 * NormalCdf(-std::fabs(t.slope / t.slope_std_error));
  }
  return t;
}

}  // namespace holdfast::stats
