// Compiles an effective config (defaults.h) into the plain structs the
// assigner runs on (lib/assign/assignment_config.h).
#ifndef HOLDFAST_LIB_CONFIG_COMPILE_H_
#define HOLDFAST_LIB_CONFIG_COMPILE_H_

#include "absl/status/statusor.h"
#include "holdfast/v1/config.pb.h"
#include "lib/assign/assignment_config.h"

namespace holdfast::config {

// Converts `effective` (ApplyDefaults output that passed Validate) and sets
// `version` to ConfigVersion(effective). Shares become ppm, durations and
// times microseconds, rotation schemes the enum, channel costs a map.
// INVALID_ARGUMENT when a value cannot be converted exactly (a config that
// skipped validation); the check is cheap, so the assigner never sees one.
[[nodiscard]] absl::StatusOr<AssignmentConfig> Compile(const holdfast::v1::Config& effective);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_COMPILE_H_
