// Impact check: what a config change does to assignments, measured with the
// real assigner (lib/assign) on synthetic units, plus the classification of
// changes that reshuffle units mid-experiment.
//
// For every journey in both configs (and for the global holdout) we sample
// `sample_size` unit ids ("impact-0", "impact-1", ...), assign each under the
// OLD and the NEW config at `now` and at the next period boundary of each
// rotation involved (journey and global, old and new), and count the units
// whose group or arm differs. Comparing OLD and NEW at the same instant
// isolates the change from the rotation that would have happened anyway.
//
// A journey whose compiled settings and global holdout are identical in OLD
// and NEW is not sampled: every decision is provably the same (0 moved).
//
// Cost: about 2 · sample_size · instants assignments per changed journey
// (~0.2 s per journey at 200,000 units on the reference machine).
//
// Causes classified as reshuffles (errors unless acknowledged):
//   reshuffle-seed          holdout_seed, or arm_seed with more than one arm,
//                           changed (global: seed)
//   reshuffle-hash-version  hash_version changed
//   reshuffle-arm-weights   the arm weight sequence changed mid-period
//   reshuffle-share-raised  the holdout share was raised mid-period
//   reshuffle-stride        the SLIDING stride changed
//   reshuffle-rotation      rotation scheme, period or epoch changed (the
//                           period index and so every draw moves)
// "Mid-period" means `now` is not exactly a period start of the NEW rotation;
// a holdout without rotation is always mid-period. Lowering a share is not a
// reshuffle: units only move from holdout to treatment (monotone ramp).
// A change is acknowledged when the NEW journey (or global holdout) has a
// non-empty `intended_change` that differs from the OLD one — so an old
// acknowledgement left in the file does not cover the next reshuffle.
#ifndef HOLDFAST_LIB_CONFIG_IMPACT_H_
#define HOLDFAST_LIB_CONFIG_IMPACT_H_

#include <string>
#include <vector>

#include "holdfast/v1/config.pb.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"

namespace holdfast::config {

struct ImpactOptions {
  // Synthetic units per journey. The standard error of a measured fraction f
  // is sqrt(f(1-f)/sample_size): ±0.05 percentage points at f = 5 %.
  int sample_size = 200000;
};

// Movement between OLD and NEW at one instant, as fractions in [0, 1].
struct Movement {
  UnixMicros at = 0;
  // "now" or "next period start of <whose> rotation".
  std::string label;
  // Units whose group or arm differs.
  double moved = 0;
  // Units whose group (treatment / holdout / global holdout) differs.
  double changed_group = 0;
  // Of the units in the holdout (the journey holdout, or the global holdout
  // for the global entry) under OLD, the fraction not in it under NEW; and
  // of the units treated under OLD (for the global entry: not globally held
  // out), the fraction in that holdout under NEW. 0 when the OLD group is
  // empty.
  double left_holdout = 0;
  double entered_holdout = 0;
  // Of the units treated under both, the fraction whose arm name differs.
  double changed_arm = 0;
};

// One reshuffling cause.
struct Reshuffle {
  // Rule id, e.g. "reshuffle-seed".
  std::string rule;
  // Field of the NEW journey (or global holdout) that changed, as a path
  // relative to it: "holdout_seed", "arms", "rotation.stride".
  std::string field;
  // What changed, e.g. "holdout_seed \"a:holdout\" -> \"b\"".
  std::string what;
};

struct SubjectImpact {
  // Journey id, or "global_holdout" for the global holdout.
  std::string subject;
  bool is_global = false;
  // Movement at now, then at each later boundary, in time order.
  std::vector<Movement> movements;
  std::vector<Reshuffle> reshuffles;
  // NEW intended_change when it acknowledges the reshuffles (see above).
  std::string acknowledged_by;
};

struct ImpactReport {
  int sample_size = 0;
  UnixMicros now = 0;
  // Global holdout first (when it exists in either config), then journeys
  // present in both configs, by id. Added and removed journeys move no one
  // and are listed by DiffConfigs.
  std::vector<SubjectImpact> subjects;
};

// Compares two compiled configs and their effective protos (for
// intended_change). Deterministic: same inputs, same report.
ImpactReport CheckImpact(const AssignmentConfig& old_compiled,
                         const holdfast::v1::Config& old_effective,
                         const AssignmentConfig& new_compiled,
                         const holdfast::v1::Config& new_effective, UnixMicros now,
                         const ImpactOptions& options = {});

// "4.98%" with two decimals: the precision the sample supports.
std::string FormatFraction(double f);

// One line for a subject: "journey winback: 200000 sampled units; now: 4.98%
// moved (group 4.98%, left holdout 49.80%, entered holdout 0.00%, arm
// 0.00%); ...".
std::string DescribeImpact(const SubjectImpact& s, int sample_size);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_IMPACT_H_
