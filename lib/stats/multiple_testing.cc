#include "lib/stats/multiple_testing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "lib/stats/estimators.h"

namespace holdfast::stats {
namespace {

// Indices of the non-NaN p-values, sorted by p (stable, so ties keep input
// order and the result does not depend on the sort implementation).
absl::StatusOr<std::vector<size_t>> SortedFamily(absl::Span<const double> p) {
  std::vector<size_t> idx;
  idx.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i])) continue;
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
      return absl::InvalidArgumentError("p-values must lie in [0, 1]");
    }
    idx.push_back(i);
  }
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  return idx;
}

}  // namespace

absl::StatusOr<std::vector<double>> HolmAdjust(absl::Span<const double> p_values) {
  absl::StatusOr<std::vector<size_t>> order = SortedFamily(p_values);
  if (!order.ok()) return order.status();
  std::vector<double> out(p_values.size(), kNaN);
  const double m = static_cast<double>(order->size());
  double running_max = 0.0;
  for (size_t j = 0; j < order->size(); ++j) {
    const size_t i = (*order)[j];
    running_max = std::max(running_max, std::min(1.0, (m - static_cast<double>(j)) * p_values[i]));
    out[i] = running_max;
  }
  return out;
}

absl::StatusOr<std::vector<double>> BenjaminiHochbergAdjust(absl::Span<const double> p_values) {
  absl::StatusOr<std::vector<size_t>> order = SortedFamily(p_values);
  if (!order.ok()) return order.status();
  std::vector<double> out(p_values.size(), kNaN);
  const double m = static_cast<double>(order->size());
  double running_min = 1.0;
  for (size_t j = order->size(); j-- > 0;) {
    const size_t i = (*order)[j];
    running_min = std::min(running_min, m * p_values[i] / static_cast<double>(j + 1));
    out[i] = running_min;
  }
  return out;
}

}  // namespace holdfast::stats
