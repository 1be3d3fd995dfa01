// Always-valid (sequential) inference for a difference of means: an
// asymptotic confidence sequence, valid simultaneously over every look at the
// data, so an analyst may peek at the report daily without inflating the
// error rate.
//
// Method: the normal-mixture boundary of Robbins (1970) / Howard et al.
// (2021) in its asymptotic form (Waudby-Smith, Arnold, Wu & Ramdas, "Time-
// uniform central limit theory and asymptotic confidence sequences", 2023),
// parametrized as GrowthBook does: with N = n_T + n_C entries, alpha = 1 -
// confidence and tuning size N*,
//   rho^2 = (-2 ln(alpha) + ln(1 - 2 ln(alpha))) / N*,   eta = N rho^2,
//   half-width = se * sqrt((1 + 1/eta) (ln(1 + eta) - 2 ln(alpha))).
// The sequence is narrowest when N is near N*; N* must be fixed before the
// data are seen (e.g. the planned size), never chosen after looking.
#ifndef HOLDFAST_LIB_STATS_SEQUENTIAL_H_
#define HOLDFAST_LIB_STATS_SEQUENTIAL_H_

#include "lib/stats/estimators.h"

namespace holdfast::stats {

// Confidence-sequence interval around `value` with standard error
// `std_error` after `total_entries` entries. The p-value is the always-valid
// p-value of value = 0: the smallest alpha whose sequence excludes 0 with the
// same rho, min(1, sqrt(1 + eta) exp(-t^2 / (2 (1 + 1/eta)))), t = value/se.
// df is +infinity (asymptotic normal). Undefined for non-positive se,
// total_entries or tuning_entries.
Estimate AlwaysValidEstimate(double value, double std_error, double total_entries,
                             double tuning_entries, double confidence);

}  // namespace holdfast::stats

#endif  // HOLDFAST_LIB_STATS_SEQUENTIAL_H_
