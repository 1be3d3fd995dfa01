// A human summary of what changed between two effective configs, one line
// per change, for the server's config history and for `lint --against`:
//
//   journey renewal added
//   journey winback: holdout_share 0.1 -> 0.05
//   journey cart_abandon: rotation.period 7d -> 14d
//   journey cart_abandon: arm discount weight 1 -> 2
//   global_holdout: share 0.02 -> 0.03
#ifndef HOLDFAST_LIB_CONFIG_DIFF_H_
#define HOLDFAST_LIB_CONFIG_DIFF_H_

#include <string>
#include <vector>

#include "holdfast/v1/config.pb.h"

namespace holdfast::config {

// Lines describing how `after` differs from `before` (both ApplyDefaults
// outputs): global holdout first, then journeys by id; within a journey,
// fields in schema order; arms and channel costs matched by name. Empty
// when the configs are equal.
std::vector<std::string> DiffConfigs(const holdfast::v1::Config& before,
                                     const holdfast::v1::Config& after);

// DiffConfigs joined with '\n'; "no change" when empty. For
// ConfigVersion.diff_summary.
std::string DiffSummary(const holdfast::v1::Config& before, const holdfast::v1::Config& after);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_DIFF_H_
