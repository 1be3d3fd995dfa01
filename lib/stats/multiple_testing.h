// Adjusted p-values across the rows of one report (journeys x arms):
// Holm (family-wise error rate) and Benjamini-Hochberg (false discovery
// rate). Same definitions as statsmodels multipletests(method="holm" /
// "fdr_bh").
//
// Example:
//   absl::StatusOr<std::vector<double>> holm = HolmAdjust({0.01, 0.04, 0.03});
//   // *holm == {0.03, 0.06, 0.06}
//
// NaN p-values (rows whose test is undefined) are not part of the family:
// they stay NaN and the family size m counts only the others.
#ifndef HOLDFAST_LIB_STATS_MULTIPLE_TESTING_H_
#define HOLDFAST_LIB_STATS_MULTIPLE_TESTING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace holdfast::stats {

// Holm step-down: with p_(1) <= ... <= p_(m),
//   adj_(i) = min(1, max_{j <= i} (m - j + 1) p_(j)).
// Error if a p-value is outside [0, 1].
[[nodiscard]] absl::StatusOr<std::vector<double>> HolmAdjust(absl::Span<const double> p_values);

// Benjamini-Hochberg step-up:
//   adj_(i) = min(1, min_{j >= i} m p_(j) / j).
// Error if a p-value is outside [0, 1].
[[nodiscard]] absl::StatusOr<std::vector<double>> BenjaminiHochbergAdjust(
    absl::Span<const double> p_values);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_MULTIPLE_TESTING_H_
