// Channels and cost components of a journey (docs/report.md, "Channels" and
// "Cost components"): per send channel, the sends, their cost and what
// last-touch attribution credits to them over the journey's analysed
// entries, beside the journey's incremental revenue and iROAS from the
// holdout comparison; and the cost K of the journey split into sends by
// channel and fixed costs by category (plus the incentives that the
// incentive-inclusive iROAS adds).
//
// Last touch is not causal: an order in a treatment window is credited to
// the journey's last send before it, whether or not the send caused it. The
// report puts the credited sum next to the incremental revenue so the
// over-crediting shows; a channel's own incremental return is measured only
// by comparing arms that differ by channel (ArmComparisonResult).
//
// Example:
//   HF_ASSIGN_OR_RETURN(JourneyChannels data, source.GetJourneyChannels(query));
//   JourneyChannelsResult r = BuildJourneyChannels({spec, data, pooled_row, ...});
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_REPORT_CHANNELS_H_
#define HOLDFAST_LIB_REPORT_CHANNELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/assign/assignment_config.h"
#include "lib/report/analysis_source.h"
#include "lib/stats/lift.h"

namespace holdfast::report {

// One channel (or the unattributed orders) of a journey, for all arms pooled
// (arm "*") or one arm.
struct ChannelRowResult {
  // kPooledArm ("*") or an arm name (journeys with two or more arms).
  std::string arm;
  // The send channel; "" on the unattributed line.
  std::string channel;
  // Orders with no send of the journey before them in their window.
  bool unattributed = false;
  // Treatment (the arm, or all arms): sends in the analysed entries' windows
  // and their cost.
  int64_t sends = 0;
  double send_cost = 0.0;
  // Orders in treatment windows whose last prior send of the journey is on
  // this channel, and their revenue net of their refunds (refunds follow
  // their order, as the report's revenue).
  int64_t attributed_orders = 0;
  double attributed_revenue = 0.0;
  // attributed_revenue / send_cost: last-touch ROAS, not causal; NaN without
  // cost.
  double attributed_roas = stats::kNaN;
  // This line's share of the treatment's order revenue (all channels and the
  // unattributed line); NaN when that is 0.
  double revenue_share = stats::kNaN;
  // Holdout (pooled rows only): sends that reached held-out entries in their
  // windows (contamination), their cost, and what last touch credits them.
  int64_t holdout_sends = 0;
  double holdout_send_cost = 0.0;
  int64_t holdout_attributed_orders = 0;
  double holdout_attributed_revenue = 0.0;
  // Arms that declare this channel in the config (Arm.channels); empty when
  // none does.
  std::vector<std::string> declared_by_arms;
};

// One part of the journey's cost K.
enum class CostComponentKind : int {
  kSend = 1,       // send cost of one channel (treatment windows)
  kFixed = 2,      // fixed costs of one category, pro-rated like F
  kIncentive = 3,  // incentives granted on treatment orders (not in K)
};

struct CostComponentResult {
  CostComponentKind kind = CostComponentKind::kSend;
  // The channel, or the fixed-cost category ("" allowed), or "incentives".
  std::string name;
  double amount = 0.0;
};

struct JourneyChannelsResult {
  std::string journey;
  // Pooled rows first (channels by name, the unattributed line last), then
  // per arm in config order when the journey has two or more arms.
  std::vector<ChannelRowResult> rows;
  // Treatment totals over the pooled rows: what last touch credits to the
  // journey's channels, and the order revenue it credits to none.
  double attributed_revenue = 0.0;
  int64_t attributed_orders = 0;
  double unattributed_revenue = 0.0;
  int64_t unattributed_orders = 0;
  // From the journey's everyone row, arms pooled (its primary intervals):
  // n_T D and iROAS; NaN when undefined.
  double incremental_revenue = stats::kNaN;
  double iroas = stats::kNaN;
  double iroas_lower = stats::kNaN;
  double iroas_upper = stats::kNaN;
  // attributed_revenue / incremental_revenue: how many times the causal
  // revenue last touch credits; NaN when the incremental revenue is not > 0.
  double attributed_over_incremental = stats::kNaN;
  // Last-touch ROAS of the journey: attributed_revenue / send cost.
  double attributed_roas = stats::kNaN;

  // K by component: sends by channel (sum = send_cost), fixed costs by
  // category (sum = fixed_cost); then the incentives. Order: sends by
  // channel name, fixed by category, incentives.
  std::vector<CostComponentResult> cost_components;
  // Σ_T c (the send part of K) and F, and K = send_cost + fixed_cost as the
  // everyone row uses it (LiftResult::treatment_cost).
  double send_cost = 0.0;
  double fixed_cost = 0.0;
  double treatment_cost = 0.0;
  // Incentives granted on treatment orders (Σ_T incentive), and the
  // incremental incentives n_T (mean_T - mean_C) that the
  // incentive-inclusive iROAS adds to K (treatment_cost_with_incentives).
  double incentives = 0.0;
  double incremental_incentives = 0.0;
  double treatment_cost_with_incentives = 0.0;

  // At least two arms declare channels and their channel sets differ.
  bool arms_differ_by_channel = false;
  // Plain-words notes for every format: last touch is not causal;
  // channel-level incremental ROAS needs channel-level randomization; which
  // arm comparison measures the channel difference, if any.
  std::vector<std::string> notes;
};

// What BuildJourneyChannels reads besides the store's aggregates.
struct JourneyChannelsInput {
  const JourneySpec* spec = nullptr;
  // Arm names in report order (configured arms first).
  std::vector<std::string> arm_names;
  size_t configured_arms = 0;
  // The journey's everyone row (arms pooled) and which interval is primary.
  const stats::LiftResult* lift = nullptr;
  bool skew_corrected_primary = false;
  // Σ_T incentive and n_T (mean_T − mean_C) of the incentives.
  double incentives = 0.0;
  double incremental_incentives = 0.0;
  // Revenue return of each everyone arm pair with its arms (for the note):
  // "a vs b" -> estimate.
  struct ArmPair {
    std::string arm_a, arm_b;
    stats::Estimate revenue_return;
  };
  std::vector<ArmPair> arm_pairs;
};

JourneyChannelsResult BuildJourneyChannels(const JourneyChannelsInput& in,
                                           const JourneyChannels& data);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_CHANNELS_H_
