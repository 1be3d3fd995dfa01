// Sample ratio mismatch: Pearson's chi-squared goodness-of-fit test of the
// observed entry counts per group against the configured split.
//
// Example:
//   absl::StatusOr<SrmResult> srm = SrmTest({9012, 1088}, {0.9, 0.1});
//   if (srm.ok() && srm->flagged) { /* warn: assignment or logging is broken */ }
#ifndef HOLDFAST_LIB_STATS_SRM_H_
#define HOLDFAST_LIB_STATS_SRM_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace holdfast::stats {

// SRM is flagged when the p-value is below this (DESIGN.md).
inline constexpr double kSrmAlpha = 0.001;

struct SrmResult {
  double chi_square = 0.0;
  int degrees_of_freedom = 0;  // groups - 1
  double p_value = 1.0;
  bool flagged = false;        // p_value < kSrmAlpha
};

// `observed[i]` entries were seen in group i, whose configured share is
// proportional to `expected_weights[i]` (weights need not sum to 1).
// Expected count e_i = N w_i / sum(w); chi2 = sum (o_i - e_i)^2 / e_i with
// k - 1 degrees of freedom. Errors: sizes differ, fewer than 2 groups, a
// negative count, a weight that is not finite and > 0. With N = 0 the result
// is chi2 = 0, p = 1 (nothing to test).
[[nodiscard]] absl::StatusOr<SrmResult> SrmTest(absl::Span<const int64_t> observed,
                                                absl::Span<const double> expected_weights);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_SRM_H_
