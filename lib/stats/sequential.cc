#include "lib/stats/sequential.h"

#include <cmath>

namespace holdfast::stats {

Estimate AlwaysValidEstimate(double value, double std_error, double total_entries,
                             double tuning_entries, double confidence) {
  Estimate e;
  e.value = value;
  if (!std::isfinite(value) || !(std_error > 0.0) || !std::isfinite(std_error) ||
      !(total_entries > 0.0) || !(tuning_entries > 0.0) ||
      !(confidence > 0.0 && confidence < 1.0)) {
    return e;
  }
  const double log_alpha = std::log(1.0 - confidence);
  const double rho2 = (-2.0 * log_alpha + std::log(1.0 - 2.0 * log_alpha)) / tuning_entries;
  const double eta = total_entries * rho2;
  const double inflation = 1.0 + 1.0 / eta;
  const double half = std_error * std::sqrt(inflation * (std::log1p(eta) - 2.0 * log_alpha));
  const double t = value / std_error;
  e.std_error = std_error;
  e.df = INFINITY;
  e.lower = value - half;
  e.upper = value + half;
  e.p_value = std::fmin(1.0, std::sqrt(1.0 + eta) * std::exp(-t * t / (2.0 * inflation)));
  e.defined = true;
  return e;
}

}  // namespace holdfast::stats
