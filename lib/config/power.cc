#include "lib/config/power.h"

#include <cmath>

namespace holdfast::config {

double NormalQuantile(double p) {
  // P. J. Acklam's rational approximation (relative error < 1.15e-9).
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  if (!(p > 0.0 && p < 1.0)) return std::nan("");
  // Upper half by symmetry: 1 − p is exact for p ≥ 0.5 (Sterbenz), while
  // Φ(x) − p near 1 would cancel in the refinement below.
  if (p > 0.5) return -NormalQuantile(1.0 - p);
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step on Φ(x) − p, with Φ from erfc, brings it to full precision.
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double MinimumDetectableEffect(double sigma, double n_t, double n_c, double alpha, double power) {
  const double z = NormalQuantile(1 - alpha / 2) + NormalQuantile(power);
  return z * sigma * std::sqrt(1 / n_t + 1 / n_c);
}

double RequiredTotalEntries(double sigma, double delta, double holdout_share, double alpha,
                            double power) {
  const double z = NormalQuantile(1 - alpha / 2) + NormalQuantile(power);
  const double s = holdout_share;
  return z * z * sigma * sigma * (1 / (1 - s) + 1 / s) / (delta * delta);
}

}  // namespace holdfast::config
