// Share changes take effect at a period boundary (DESIGN.md, "Assignment
// contract"). When a reload lowers or raises a rotating holdout's share in
// the middle of a period, the units of the current period must keep their
// answer: the new share applies from the next period on.
//
// PlanShareTransitions compares the config serving now with the one being
// loaded and returns, per holdout whose share (or SLIDING stride) changes
// mid-period, the period the change takes effect and the values in force
// until then. ApplyShareTransitions writes them into the loaded config and
// gives it its own version, a hash of the content version and the
// transitions, so (version, journey, unit, time) still fixes every answer.
//
// Transitions are recorded in the config history as lines
//   pending: holdout=<journey id or "global"> period=<k> previous_share_ppm=<p> previous_stride_ppm=<s>
// so that a restart serving the same file restores them (RestoreShareTransitions).
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

struct ShareTransition {
  // Journey id, or "global" for the global holdout.
  std::string holdout;
  // First period of the new share.
  int64_t period = 0;
  uint32_t previous_share_ppm = 0;
  uint32_t previous_stride_ppm = 0;
};

// Transitions needed when `next` replaces `current` at time `now`.
std::vector<ShareTransition> PlanShareTransitions(const AssignmentConfig& current,
                                                  const AssignmentConfig& next, UnixMicros now);

// Writes `transitions` into `config` and, when there are any, sets
// config->version to "cfg-" + 16 hex digits of SHA-256 over the content
// version and the transitions.
void ApplyShareTransitions(const std::vector<ShareTransition>& transitions, AssignmentConfig* config);

// One "pending: ..." line per transition, with the boundary as a date, e.g.
// "pending: holdout=winback period=12 previous_share_ppm=150000 previous_stride_ppm=0
//  (new share from 2026-12-28T00:00:00Z)".
std::string FormatShareTransitions(const std::vector<ShareTransition>& transitions,
                                   const AssignmentConfig& config);

// Parses the "pending:" lines of a history diff summary (other lines ignored).
std::vector<ShareTransition> ParseShareTransitions(absl::string_view diff_summary);

// Holdout with id `holdout` ("global" or a journey), or nullptr.
const HoldoutSpec* FindHoldout(const AssignmentConfig& config, absl::string_view holdout);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_SHARE_TRANSITION_H_
