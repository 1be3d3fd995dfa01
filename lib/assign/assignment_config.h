// The compiled, validated form of a config that the assigner runs on. Built
// by lib/config from the protobuf schema; plain structs so the hot path
// touches no protobuf and no floating point.
//
// Thread-safety: immutable after construction; share via
// std::shared_ptr<const AssignmentConfig>.
#ifndef HOLDFAST_LIB_ASSIGN_ASSIGNMENT_CONFIG_H_
#define HOLDFAST_LIB_ASSIGN_ASSIGNMENT_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/base/clock.h"

namespace holdfast {

// Shares are integers in parts per million of the hash space.
inline constexpr uint32_t kShareScale = 1000000;

enum class RotationScheme { kNone, kSliding, kResalt };

struct RotationSpec {
  RotationScheme scheme = RotationScheme::kNone;
  // Period length in microseconds; > 0 when scheme != kNone.
  int64_t period_us = 0;
  // Start of period 0.
  UnixMicros epoch_us = 0;
  // Entries with (t - period start) < washout_us are excluded from analysis.
  int64_t washout_us = 0;
  // SLIDING: window movement per period, in ppm (1..kShareScale).
  uint32_t stride_ppm = 0;
};

struct HoldoutSpec {
  // Held-out share in ppm, 0..kShareScale-1. 0 = nobody held out.
  uint32_t share_ppm = 0;
  std::string seed;
  uint32_t hash_version = 1;
  RotationSpec rotation;

  // A share (or stride) change loaded in the middle of a period takes effect
  // at the next period boundary (DESIGN.md): periods k < share_change_period
  // still use previous_share_ppm and previous_stride_ppm. Set only by a
  // reload (lib/config/share_transition.h); kNoShareChange otherwise.
  int64_t share_change_period = kNoShareChange;
  uint32_t previous_share_ppm = 0;
  uint32_t previous_stride_ppm = 0;

  static constexpr int64_t kNoShareChange = std::numeric_limits<int64_t>::min();

  // Share and stride in force in period k.
  uint32_t ShareAt(int64_t k) const { return k < share_change_period ? previous_share_ppm : share_ppm; }
  uint32_t StrideAt(int64_t k) const {
    return k < share_change_period ? previous_stride_ppm : rotation.stride_ppm;
  }
};

struct ArmSpec {
  std::string name;
  uint32_t weight = 1;  // > 0
  // Send channels the arm uses (config Arm.channels; distinct, may be
  // empty): the report reads them to say which arm comparison measures a
  // channel's incremental return. Assignment ignores them.
  std::vector<std::string> channels;
};

struct JourneySpec {
  std::string id;
  HoldoutSpec holdout;
  std::string arm_seed;
  // Non-empty; weights > 0, total < 2^32.
  std::vector<ArmSpec> arms;
  int64_t attribution_window_us = 7LL * 24 * 3600 * 1000000;
  int64_t pre_period_us = 28LL * 24 * 3600 * 1000000;
  // Refunds of an order in an entry's window count until
  // t0 + attribution_window_us + refund_horizon_us (docs/storage.md).
  int64_t refund_horizon_us = 30LL * 24 * 3600 * 1000000;
  // Default cost per send by channel.
  std::map<std::string, double> channel_cost;
  // Report-only: guardrail thresholds (docs/config.md, "Guardrails"); the
  // config defaults when not declared. Assignment never reads them.
  double unsubscribe_max_increase = 0.002;
  double complaint_max_increase = 0.0005;
  // Value of one lost subscriber; NaN = not valued.
  double unsubscribe_value = std::numeric_limits<double>::quiet_NaN();
  // Report-only: lifecycle stage label for the stage roll-ups ("" = none).
  std::string stage;
  // Report-only: outcome horizons (µs), ascending, distinct, each >=
  // attribution_window_us (docs/report.md, "Horizons"). Empty: none.
  std::vector<int64_t> horizons_us;
};

// The standard lifecycle stages (Journey.stage), in lifecycle order: the
// report lists stage roll-ups in this order, then custom stages by name.
inline constexpr const char* kStandardStages[] = {"onboarding", "activation", "retention",
                                                  "reactivation", "renewal"};

struct AssignmentConfig {
  // Content hash of the canonical config, e.g. "cfg-0123456789abcdef".
  std::string version;
  // share_ppm == 0 disables the global holdout.
  HoldoutSpec global_holdout;
  // Sorted by id; ids unique.
  std::vector<JourneySpec> journeys;

  // Returns the journey with `id`, or nullptr. Binary search over the sorted
  // `journeys`; takes a string_view so the hot path allocates nothing.
  const JourneySpec* FindJourney(absl::string_view id) const;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_ASSIGN_ASSIGNMENT_CONFIG_H_
