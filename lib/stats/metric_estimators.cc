#include "lib/stats/metric_estimators.h"

#include <cmath>

#include "lib/stats/distributions.h"

namespace holdfast::stats {
namespace {

bool Finite(double v) { return std::isfinite(v); }

MetricEstimate Undefined(double value, std::string reason) {
  MetricEstimate m;
  m.estimate.value = value;
  m.undefined_reason = std::move(reason);
  return m;
}

// A delta-method variance var_a - 2 r cov_ab + r^2 var_b that is 0 in exact
// arithmetic (every entry's residual a - r b is 0: say one entry with orders
// in the group) comes out as +-rounding, negative on one summation order and
// positive on another. Within 1e-9 of its terms' magnitude it is 0, so the
// entry stream and the cells, in any merge order, call it alike ("no
// variation") instead of one giving no interval and the other a zero-width
// one.
double DeltaVariance(double var_a, double cov_ab, double var_b, double r) {
  const double v = var_a - 2.0 * r * cov_ab + r * r * var_b;
  const double magnitude = std::fabs(var_a) + std::fabs(2.0 * r * cov_ab) + r * r * std::fabs(var_b);
  return std::fabs(v) <= 1e-9 * magnitude ? 0.0 : v;
}

// Both groups need entries; a contrast needs two per group for a variance.
const char* MissingGroup(const PairMoments& t, const PairMoments& c, double min_n) {
  if (t.n < min_n) return min_n > 1 ? "fewer than 2 treatment entries" : "no treatment entries";
  if (c.n < min_n) return min_n > 1 ? "fewer than 2 holdout entries" : "no holdout entries";
  return nullptr;
}

MetricEstimate FromWelch(const Contrast& lin, double confidence, const char* zero_variance) {
  MetricEstimate m;
  m.estimate = WelchEstimate(lin, confidence);
  if (!m.estimate.defined) m.undefined_reason = zero_variance;
  return m;
}

}  // namespace

MetricEstimate DifferenceOfMeansEstimate(const PairMoments& t, const PairMoments& c,
                                         double confidence, double difference) {
  if (const char* why = MissingGroup(t, c, 2.0)) return Undefined(kNaN, why);
  Contrast lin;
  lin.estimate = Finite(difference) ? difference : t.mean_a - c.mean_a;
  lin.v_t = t.var_a / t.n;
  lin.v_c = c.var_a / c.n;
  lin.n_t = t.n;
  lin.n_c = c.n;
  return FromWelch(lin, confidence, "no variation in either group");
}

MetricEstimate RateDifferenceEstimate(const PairMoments& t, const PairMoments& c,
                                      double confidence) {
  if (const char* why = MissingGroup(t, c, 1.0)) return Undefined(kNaN, why);
  const double p_t = t.mean_a, p_c = c.mean_a;
  const double se = std::sqrt(p_t * (1.0 - p_t) / t.n + p_c * (1.0 - p_c) / c.n);
  MetricEstimate m;
  m.estimate = NormalEstimate(p_t - p_c, se, confidence);
  if (!m.estimate.defined) m.undefined_reason = "no variation: each group's rate is 0 or 1";
  return m;
}

double RatioOfMeans(const PairMoments& g) {
  if (!(g.n > 0.0) || g.mean_b == 0.0) return kNaN;
  return g.mean_a / g.mean_b;
}

MetricEstimate RatioOfMeansContrast(const PairMoments& t, const PairMoments& c,
                                    double confidence) {
  if (const char* why = MissingGroup(t, c, 2.0)) return Undefined(kNaN, why);
  const double r_t = RatioOfMeans(t), r_c = RatioOfMeans(c);
  if (!Finite(r_t)) return Undefined(kNaN, "the treatment denominator is 0");
  if (!Finite(r_c)) return Undefined(kNaN, "the holdout denominator is 0");
  auto part = [](const PairMoments& g, double r) {
    return DeltaVariance(g.var_a, g.cov_ab, g.var_b, r) / (g.n * g.mean_b * g.mean_b);
  };
  Contrast lin;
  lin.estimate = r_t - r_c;
  lin.v_t = part(t, r_t);
  lin.v_c = part(c, r_c);
  lin.n_t = t.n;
  lin.n_c = c.n;
  return FromWelch(lin, confidence, "no variation in either group");
}

MetricEstimate RatioOfDifferencesEstimate(const PairMoments& t, const PairMoments& c,
                                          double holdout_weight, double extra_per_treatment_entry,
                                          double confidence, double difference) {
  if (const char* why = MissingGroup(t, c, 2.0)) return Undefined(kNaN, why);
  const double num = Finite(difference) ? difference : t.mean_a - c.mean_a;
  const double den = t.mean_b - holdout_weight * c.mean_b + extra_per_treatment_entry;
  if (!(den > 0.0)) return Undefined(kNaN, "the denominator is not positive");
  const double r = num / den;
  const double k = holdout_weight;
  Contrast lin;
  lin.estimate = r;
  lin.v_t = DeltaVariance(t.var_a, t.cov_ab, t.var_b, r) / (t.n * den * den);
  lin.v_c = DeltaVariance(c.var_a, c.cov_ab, c.var_b, k * r) / (c.n * den * den);
  lin.n_t = t.n;
  lin.n_c = c.n;
  MetricEstimate m = FromWelch(lin, confidence, "no variation in either group");
  // The p-value of "no effect" is the numerator's own Welch test.
  Contrast numerator;
  numerator.estimate = num;
  numerator.v_t = t.var_a / t.n;
  numerator.v_c = c.var_a / c.n;
  numerator.n_t = t.n;
  numerator.n_c = c.n;
  m.estimate.p_value = WelchEstimate(numerator, confidence).p_value;
  // Is the denominator's own contrast significant? (Its variance with the
  // extra cost treated as fixed.)
  const double v_den = t.var_b / t.n + k * k * c.var_b / c.n;
  const double q = TwoSidedCritical(confidence, kInf);
  m.weak_denominator = v_den > 0.0 && den / std::sqrt(v_den) < q;
  return m;
}

double UpperTailPValue(const Estimate& e, double bound) {
  if (!e.defined || !(e.std_error > 0.0)) return kNaN;
  const double t = (e.value - bound) / e.std_error;
  // P(T >= t) = CDF(-t): the lower tail keeps its digits where 1 - CDF(t)
  // would round a tiny p-value to 0.
  return StudentTCdf(-t, Finite(e.df) ? e.df : kInf);
}

double LowerTailPValue(const Estimate& e, double bound) {
  if (!e.defined || !(e.std_error > 0.0)) return kNaN;
  return StudentTCdf((e.value - bound) / e.std_error, Finite(e.df) ? e.df : kInf);
}

double OneSidedLower(const Estimate& e, double confidence) {
  if (!e.defined) return kNaN;
  return e.value - StudentTQuantile(confidence, Finite(e.df) ? e.df : kInf) * e.std_error;
}

double OneSidedUpper(const Estimate& e, double confidence) {
  if (!e.defined) return kNaN;
  return e.value + StudentTQuantile(confidence, Finite(e.df) ? e.df : kInf) * e.std_error;
}

}  // namespace holdfast::stats
