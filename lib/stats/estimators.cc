#include "lib/stats/estimators.h"

#include <algorithm>
#include <cmath>

#include "lib/stats/distributions.h"

namespace holdfast::stats {
namespace {

bool Finite(double v) { return std::isfinite(v); }

}  // namespace

double WelchDf(const Contrast& c) {
  if (!(c.v_t >= 0.0) || !(c.v_c >= 0.0)) return kNaN;
  const double v = c.v_t + c.v_c;
  if (!(v > 0.0)) return kNaN;
  double denom = 0.0;
  if (c.v_t > 0.0) {
    if (c.n_t < 2.0) return kNaN;
    denom += c.v_t * c.v_t / (c.n_t - 1.0);
  }
  if (c.v_c > 0.0) {
    if (c.n_c < 2.0) return kNaN;
    denom += c.v_c * c.v_c / (c.n_c - 1.0);
  }
  return v * v / denom;
}

double TwoSidedCritical(double confidence, double df) {
  if (!(confidence > 0.0 && confidence < 1.0)) return kNaN;
  return StudentTQuantile(0.5 + confidence / 2.0, df);
}

Estimate WelchEstimate(const Contrast& c, double confidence, double null_value) {
  Estimate e;
  e.value = c.estimate;
  const double df = WelchDf(c);
  if (!Finite(c.estimate) || !(df > 0.0)) return e;
  const double se = std::sqrt(c.v_t + c.v_c);
  const double q = TwoSidedCritical(confidence, df);
  e.std_error = se;
  e.df = df;
  e.lower = c.estimate - q * se;
  e.upper = c.estimate + q * se;
  e.p_value = StudentTTwoSidedP((c.estimate - null_value) / se, df);
  e.defined = Finite(q);
  return e;
}

Estimate NormalEstimate(double value, double std_error, double confidence, double null_value) {
  Estimate e;
  e.value = value;
  if (!Finite(value) || !(std_error > 0.0) || !Finite(std_error)) return e;
  const double q = TwoSidedCritical(confidence, kInf);
  e.std_error = std_error;
  e.df = kInf;
  e.lower = value - q * std_error;
  e.upper = value + q * std_error;
  e.p_value = StudentTTwoSidedP((value - null_value) / std_error, kInf);
  e.defined = Finite(q);
  return e;
}

Estimate Scaled(const Estimate& e, double factor) {
  Estimate s = e;
  s.value *= factor;
  s.lower *= factor;
  s.upper *= factor;
  s.std_error *= factor;
  if (factor < 0.0) std::swap(s.lower, s.upper);
  s.std_error = std::fabs(s.std_error);
  return s;
}

FiellerSet Fieller(double num, double den, double v_num, double v_den, double cov, double q) {
  FiellerSet f;
  if (!Finite(num) || !Finite(den) || !(v_num >= 0.0) || !(v_den >= 0.0) || !Finite(cov) ||
      !(q > 0.0)) {
    return f;
  }
  // (num - rho den)^2 - q^2 (v_num - 2 rho cov + rho^2 v_den) <= 0
  //   <=>  a rho^2 - 2 b rho + c <= 0.
  const double q2 = q * q;
  const double a = den * den - q2 * v_den;
  const double b = num * den - q2 * cov;
  const double c = num * num - q2 * v_num;
  const double disc = b * b - a * c;
  if (a > 0.0) {
    // The point estimate num/den satisfies the inequality, so disc >= 0 up to
    // rounding.
    const double root = std::sqrt(std::max(disc, 0.0));
    f.shape = FiellerShape::kBounded;
    // Numerically stable pair of roots.
    if (b >= 0.0) {
      const double r1 = (b + root) / a;
      f.upper = r1;
      f.lower = (r1 != 0.0) ? c / (a * r1) : (b - root) / a;
    } else {
      const double r1 = (b - root) / a;
      f.lower = r1;
      f.upper = (r1 != 0.0) ? c / (a * r1) : (b + root) / a;
    }
    return f;
  }
  if (a < 0.0 && disc > 0.0) {
    const double root = std::sqrt(disc);
    double r1 = (b + root) / a;
    double r2 = (b - root) / a;
    if (r1 > r2) std::swap(r1, r2);
    f.shape = FiellerShape::kExclusive;
    f.lower = r1;
    f.upper = r2;
    return f;
  }
  f.shape = FiellerShape::kWholeLine;
  f.lower = -kInf;
  f.upper = kInf;
  return f;
}

double HallTransform(double t, double a) {
  return t + a * t * t / 3.0 + a * a * t * t * t / 27.0 + a / 6.0;
}

double HallInverse(double u, double a) {
  // g(t) = ((1 + a t / 3)^3 - 1) / a + a / 6, so
  // t = (3 / a) ((1 + a (u - a / 6))^(1/3) - 1).
  if (a == 0.0) return u;
  const double eps = a * (u - a / 6.0);
  // expm1(log1p(eps) / 3) = cbrt(1 + eps) - 1 without cancellation for small
  // eps; cbrt handles 1 + eps <= 0.
  const double cube_root_minus_one = eps > -0.5 ? std::expm1(std::log1p(eps) / 3.0)
                                                : std::cbrt(1.0 + eps) - 1.0;
  return 3.0 / a * cube_root_minus_one;
}

Estimate HallSkewCorrected(double value, double std_error, double df, double a,
                           double confidence, double null_value) {
  Estimate e;
  e.value = value;
  if (!Finite(value) || !(std_error > 0.0) || !Finite(std_error) || !(df > 0.0) || !Finite(a)) {
    return e;
  }
  const double q = TwoSidedCritical(confidence, df);
  if (!Finite(q)) return e;
  e.std_error = std_error;
  e.df = df;
  // (value - truth)/se in [g^-1(-q), g^-1(q)].
  e.lower = value - std_error * HallInverse(q, a);
  e.upper = value - std_error * HallInverse(-q, a);
  const double u = HallTransform((value - null_value) / std_error, a);
  e.p_value = StudentTTwoSidedP(u, df);
  e.defined = true;
  return e;
}

}  // namespace holdfast::stats
