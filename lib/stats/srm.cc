#include "lib/stats/srm.h"

#include <cmath>

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

}  // namespace holdfast::stats
