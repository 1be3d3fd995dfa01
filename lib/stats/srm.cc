#include "lib/stats/srm.h"

#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "lib/stats/distributions.h"

namespace holdfast::stats {

absl::StatusOr<SrmResult> SrmTest(absl::Span<const int64_t> observed,
                                  absl::Span<const double> expected_weights) {
  if (observed.size() != expected_weights.size()) {
    return absl::InvalidArgumentError("SRM: observed counts and weights differ in length");
  }
  if (observed.size() < 2) return absl::InvalidArgumentError("SRM: needs at least 2 groups");
  double total = 0.0;
  double weight_sum = 0.0;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (observed[i] < 0) return absl::InvalidArgumentError("SRM: negative count");
    const double w = expected_weights[i];
    if (!std::isfinite(w) || !(w > 0.0)) {
      return absl::InvalidArgumentError("SRM: every weight must be finite and > 0");
    }
    total += static_cast<double>(observed[i]);
    weight_sum += w;
  }
  SrmResult r;
  r.degrees_of_freedom = static_cast<int>(observed.size()) - 1;
  if (total == 0.0) return r;
  double chi2 = 0.0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double e = total * expected_weights[i] / weight_sum;
    const double d = static_cast<double>(observed[i]) - e;
    chi2 += d * d / e;
  }
  r.chi_square = chi2;
  r.p_value = ChiSquaredSurvival(chi2, r.degrees_of_freedom);
  r.flagged = r.p_value < kSrmAlpha;
  return r;
}

absl::StatusOr<SrmResult> StratifiedSrmTest(absl::Span<const SrmStratum> strata,
                                            std::vector<double>* expected) {
  if (strata.empty()) return absl::InvalidArgumentError("SRM: needs at least 1 stratum");
  const size_t g = strata[0].observed.size();
  if (g < 2) return absl::InvalidArgumentError("SRM: needs at least 2 groups");
  std::vector<double> d(g, 0.0), e(g, 0.0);
  std::vector<double> v((g - 1) * (g - 1), 0.0);
  double total = 0.0;
  for (const SrmStratum& k : strata) {
    if (k.observed.size() != g || k.weights.size() != g) {
      return absl::InvalidArgumentError("SRM: strata differ in their number of groups");
    }
    double n = 0.0, weight_sum = 0.0;
    for (size_t i = 0; i < g; ++i) {
      if (k.observed[i] < 0) return absl::InvalidArgumentError("SRM: negative count");
      if (!std::isfinite(k.weights[i]) || !(k.weights[i] > 0.0)) {
        return absl::InvalidArgumentError("SRM: every weight must be finite and > 0");
      }
      n += static_cast<double>(k.observed[i]);
      weight_sum += k.weights[i];
    }
    total += n;
    for (size_t i = 0; i < g; ++i) {
      const double p_i = k.weights[i] / weight_sum;
      e[i] += n * p_i;
      d[i] += static_cast<double>(k.observed[i]) - n * p_i;
      if (i + 1 == g) continue;
      for (size_t j = 0; j + 1 < g; ++j) {
        const double p_j = k.weights[j] / weight_sum;
        v[i * (g - 1) + j] += n * ((i == j ? p_i : 0.0) - p_i * p_j);
      }
    }
  }
  if (expected != nullptr) *expected = e;
  SrmResult r;
  r.degrees_of_freedom = static_cast<int>(g) - 1;
  if (total == 0.0) return r;
  // Solve V x = d (first g - 1 groups) by Gaussian elimination with partial
  // pivoting; V is symmetric positive definite when every p is > 0.
  const size_t m = g - 1;
  std::vector<double> x(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(m));
  for (size_t c = 0; c < m; ++c) {
    size_t pivot = c;
    for (size_t row = c + 1; row < m; ++row) {
      if (std::fabs(v[row * m + c]) > std::fabs(v[pivot * m + c])) pivot = row;
    }
    if (!(std::fabs(v[pivot * m + c]) > 0.0)) return r;
    if (pivot != c) {
      for (size_t j = 0; j < m; ++j) std::swap(v[c * m + j], v[pivot * m + j]);
      std::swap(x[c], x[pivot]);
    }
    for (size_t row = c + 1; row < m; ++row) {
      const double f = v[row * m + c] / v[c * m + c];
      for (size_t j = c; j < m; ++j) v[row * m + j] -= f * v[c * m + j];
      x[row] -= f * x[c];
    }
  }
  for (size_t c = m; c-- > 0;) {
    for (size_t j = c + 1; j < m; ++j) x[c] -= v[c * m + j] * x[j];
    x[c] /= v[c * m + c];
  }
  double chi2 = 0.0;
  for (size_t i = 0; i < m; ++i) chi2 += d[i] * x[i];
  r.chi_square = chi2;
  r.p_value = ChiSquaredSurvival(chi2, r.degrees_of_freedom);
  r.flagged = r.p_value < kSrmAlpha;
  return r;
}

}  // namespace holdfast::stats
