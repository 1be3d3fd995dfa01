// Sample ratio mismatch: Pearson's chi-squared goodness-of-fit test of the
// observed entry counts per group against the configured split.
//
// Example:
//   absl::StatusOr<SrmResult> srm = SrmTest({9012, 1088}, {0.9, 0.1});
//   if (srm.ok() && srm->flagged) { /* warn: assignment or logging is broken */ }
#ifndef HOLDFAST_LIB_STATS_SRM_H_
#define HOLDFAST_LIB_STATS_SRM_H_

#include <cstdint>
#include <vector>

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

// Entries of one stratum (e.g. one rotation period, or one config version's
// span) with the split in force there.
struct SrmStratum {
  std::vector<int64_t> observed;  // per group
  std::vector<double> weights;    // per group, finite and > 0 (need not sum to 1)
};

// SRM over strata whose configured split differs (a share ramp): with
// p_k = weights_k / sum(weights_k) and n_k the stratum's entries,
//   d = sum_k (o_k - n_k p_k),  V = sum_k n_k (diag(p_k) - p_k p_k^T),
//   chi2 = d' V^-1 d over the first g - 1 groups, g - 1 degrees of freedom
// (the multinomial counts given each stratum's size). With one stratum, or
// equal splits in every stratum, this is exactly SrmTest on the summed
// counts (Pearson's statistic). `expected` gets sum_k n_k p_k per group.
// Errors as SrmTest; strata must agree on the number of groups.
[[nodiscard]] absl::StatusOr<SrmResult> StratifiedSrmTest(absl::Span<const SrmStratum> strata,
                                                          std::vector<double>* expected = nullptr);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_SRM_H_
