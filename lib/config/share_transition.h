// Share changes take effect at a period boundary (DESIGN.md, "Assignment
// contract"). When a new config lowers or raises a rotating holdout's share
// in the middle of a period, the units of the current period must keep their
// answer: the new share applies from the next period on.
//
// Every rotating holdout's state is summarized as a HoldoutState (its draw
// identity, share and stride in force, and any pending change), which the
// server writes into each config-history row as a "state:" line. Comparing
// the state serving before (from memory on a reload, from the last history
// row on a restart) with the config being loaded gives the ShareTransitions:
// per holdout whose share or stride changes mid-period, the period the change
// takes effect and the values in force until then. ApplyShareTransitions
// writes them into the loaded config and gives it its own version, a hash of
// the content version and the transitions, so (version, journey, unit, time)
// still fixes every answer.
//
// Holdouts without rotation have no period boundary: their changes apply at
// once (lint warns; docs/config.md). A change of seed, scheme, period, epoch
// or hash version reshuffles anyway and is not deferred.
#ifndef HOLDFAST_LIB_CONFIG_SHARE_TRANSITION_H_
#define HOLDFAST_LIB_CONFIG_SHARE_TRANSITION_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"

namespace holdfast::config {

// Names of holdouts: "global", or "journey:<id>" (':' cannot occur in a
// journey id, so the two never meet).
std::string GlobalHoldoutName();
std::string JourneyHoldoutName(absl::string_view journey_id);

// What decides a rotating holdout's membership, as persisted in history.
struct HoldoutState {
  std::string holdout;
  // 16 hex digits of SHA-256 over seed, hash version, scheme, period, epoch:
  // equal draws mean only the share or stride can have moved.
  std::string draw;
  uint32_t share_ppm = 0;
  uint32_t stride_ppm = 0;
  int64_t change_period = HoldoutSpec::kNoShareChange;
  uint32_t previous_share_ppm = 0;
  uint32_t previous_stride_ppm = 0;
};

struct ShareTransition {
  std::string holdout;
  // First period of the new share.
  int64_t period = 0;
  uint32_t previous_share_ppm = 0;
  uint32_t previous_stride_ppm = 0;
};

// States of every rotating holdout of `config`.
std::vector<HoldoutState> HoldoutStates(const AssignmentConfig& config);

// Transitions needed when `next` replaces a config whose holdouts were in
// `current`, at time `now`.
std::vector<ShareTransition> PlanShareTransitions(const std::vector<HoldoutState>& current,
                                                  const AssignmentConfig& next, UnixMicros now);
inline std::vector<ShareTransition> PlanShareTransitions(const AssignmentConfig& current,
                                                         const AssignmentConfig& next, UnixMicros now) {
  return PlanShareTransitions(HoldoutStates(current), next, now);
}

// Writes `transitions` into `config` and, when there are any, sets
// config->version to "cfg-" + 16 hex digits of SHA-256 over the content
// version and the transitions.
void ApplyShareTransitions(const std::vector<ShareTransition>& transitions, AssignmentConfig* config);

// For history rows: one "pending: ..." line per transition (for people), and
// one "state: ..." line per rotating holdout (read back on restart).
std::string FormatShareTransitions(const std::vector<ShareTransition>& transitions,
                                   const AssignmentConfig& config);
std::string FormatHoldoutStates(const std::vector<HoldoutState>& states);
// Parses the "state:" lines of a history row (other lines ignored).
std::vector<HoldoutState> ParseHoldoutStates(absl::string_view text);

// Holdout named `holdout`, or nullptr.
const HoldoutSpec* FindHoldout(const AssignmentConfig& config, absl::string_view holdout);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_SHARE_TRANSITION_H_
