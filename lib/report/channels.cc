#include "lib/report/channels.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_text.h"

namespace holdfast::report {
namespace {

double Ratio(double a, double b) { return b > 0.0 ? a / b : stats::kNaN; }

// Money in the notes: two decimals and thousands separators, as the tables
// print totals.
std::string Money(double v) { return FormatGrouped(v, 2); }

}  // namespace

JourneyChannelsResult BuildJourneyChannels(const JourneyChannelsInput& in,
                                           const JourneyChannels& data) {
  const JourneySpec& spec = *in.spec;
  JourneyChannelsResult out;
  out.journey = spec.id;

  // Declared channels per arm (config order).
  std::map<std::string, std::vector<std::string>> declared;  // channel -> arms
  std::vector<std::pair<std::string, std::set<std::string>>> arm_sets;
  for (const ArmSpec& a : spec.arms) {
    if (a.channels.empty()) continue;
    arm_sets.emplace_back(a.name, std::set<std::string>(a.channels.begin(), a.channels.end()));
    for (const std::string& c : a.channels) declared[c].push_back(a.name);
  }
  for (size_t i = 1; i < arm_sets.size(); ++i) {
    if (arm_sets[i].second != arm_sets[0].second) out.arms_differ_by_channel = true;
  }

  // Pooled rows keyed by (unattributed, channel): attributed channels by
  // name, then the unattributed line; per-arm rows likewise.
  using Key = std::pair<bool, std::string>;
  std::map<Key, ChannelRowResult> pooled;
  std::map<std::string, std::map<Key, ChannelRowResult>> by_arm;
  auto init = [&](ChannelRowResult& r, const std::string& arm, const ChannelAggregate& a) {
    r.arm = arm;
    r.channel = a.channel;
    r.unattributed = a.unattributed;
    auto it = declared.find(a.channel);
    if (!a.unattributed && it != declared.end()) r.declared_by_arms = it->second;
  };
  for (const ChannelAggregate& a : data.channels) {
    const Key key{a.unattributed, a.channel};
    auto [pit, pnew] = pooled.try_emplace(key);
    if (pnew) init(pit->second, kPooledArm, a);
    ChannelRowResult& p = pit->second;
    if (a.group == EntryGroup::kHoldout) {
      p.holdout_sends += a.sends;
      p.holdout_send_cost += a.send_cost;
      p.holdout_attributed_orders += a.attributed_orders;
      p.holdout_attributed_revenue += a.attributed_revenue;
      continue;
    }
    p.sends += a.sends;
    p.send_cost += a.send_cost;
    p.attributed_orders += a.attributed_orders;
    p.attributed_revenue += a.attributed_revenue;
    auto [ait, anew] = by_arm[a.arm].try_emplace(key);
    if (anew) init(ait->second, a.arm, a);
    ait->second.sends += a.sends;
    ait->second.send_cost += a.send_cost;
    ait->second.attributed_orders += a.attributed_orders;
    ait->second.attributed_revenue += a.attributed_revenue;
  }

  double order_revenue = 0.0;
  for (auto& [key, r] : pooled) {
    order_revenue += r.attributed_revenue;
    if (r.unattributed) {
      out.unattributed_revenue += r.attributed_revenue;
      out.unattributed_orders += r.attributed_orders;
    } else {
      out.attributed_revenue += r.attributed_revenue;
      out.attributed_orders += r.attributed_orders;
      out.send_cost += r.send_cost;
      if (r.sends > 0) out.cost_components.push_back({CostComponentKind::kSend, r.channel, r.send_cost});
    }
  }
  auto finish = [&](ChannelRowResult& r, double total_revenue) {
    r.attributed_roas = r.unattributed ? stats::kNaN : Ratio(r.attributed_revenue, r.send_cost);
    r.revenue_share = total_revenue != 0.0 ? r.attributed_revenue / total_revenue : stats::kNaN;
  };
  for (auto& [key, r] : pooled) {
    finish(r, order_revenue);
    out.rows.push_back(r);
  }
  if (in.configured_arms >= 2) {
    for (const std::string& arm : in.arm_names) {
      auto it = by_arm.find(arm);
      if (it == by_arm.end()) continue;
      double arm_revenue = 0.0;
      for (const auto& [key, r] : it->second) arm_revenue += r.attributed_revenue;
      for (auto& [key, r] : it->second) {
        finish(r, arm_revenue);
        out.rows.push_back(r);
      }
    }
  }

  for (const FixedCostCategory& f : data.fixed_costs) {
    out.fixed_cost += f.amount;
    out.cost_components.push_back({CostComponentKind::kFixed, f.category, f.amount});
  }
  out.incentives = in.incentives;
  out.incremental_incentives = in.incremental_incentives;
  out.cost_components.push_back({CostComponentKind::kIncentive, "incentives", in.incentives});

  const stats::LiftResult* l = in.lift;
  if (l != nullptr) {
    out.treatment_cost = l->treatment_cost;
    out.treatment_cost_with_incentives = l->treatment_cost + in.incremental_incentives;
    const stats::Estimate& inc =
        in.skew_corrected_primary ? l->incremental_revenue_skew_corrected : l->incremental_revenue;
    if (inc.defined) out.incremental_revenue = inc.value;
    if (in.skew_corrected_primary && l->iroas_skew_corrected.defined) {
      out.iroas = l->iroas_skew_corrected.value;
      out.iroas_lower = l->iroas_skew_corrected.lower;
      out.iroas_upper = l->iroas_skew_corrected.upper;
    } else if (l->iroas.defined) {
      out.iroas = l->iroas.value;
      out.iroas_lower = l->iroas.lower;
      out.iroas_upper = l->iroas.upper;
    }
  } else {
    out.treatment_cost = out.send_cost + out.fixed_cost;
    out.treatment_cost_with_incentives = out.treatment_cost + in.incremental_incentives;
  }
  out.attributed_over_incremental =
      out.incremental_revenue > 0.0 ? out.attributed_revenue / out.incremental_revenue : stats::kNaN;
  out.attributed_roas = Ratio(out.attributed_revenue, out.send_cost);

  // Notes, in plain words.
  if (!data.channels.empty()) {
    std::string causal;
    if (std::isfinite(out.incremental_revenue) && out.incremental_revenue > 0.0) {
      causal = absl::StrFormat(
          "last touch credits %s of revenue to the journey's channels, %.2f times the %s the "
          "holdout comparison shows the journey caused (iROAS %s)",
          Money(out.attributed_revenue), out.attributed_over_incremental,
          Money(out.incremental_revenue),
          std::isfinite(out.iroas) ? absl::StrFormat("%.2f [%.2f, %.2f]", out.iroas, out.iroas_lower,
                                                     out.iroas_upper)
                                   : std::string("n/a"));
    } else {
      causal = absl::StrFormat(
          "last touch credits %s of revenue to the journey's channels, while the holdout "
          "comparison shows no positive incremental revenue (%s)",
          Money(out.attributed_revenue),
          std::isfinite(out.incremental_revenue) ? Money(out.incremental_revenue)
                                                 : std::string("n/a"));
    }
    out.notes.push_back(absl::StrCat(
        "Attributed revenue and attributed ROAS are last-touch numbers, not causal: each order in "
        "a treatment entry's window is credited to the journey's last send before it, whether or "
        "not that send caused it; ",
        causal, "."));
    out.notes.push_back(
        "Channel-specific incremental ROAS needs channel-level randomization: only a comparison "
        "of randomized arms that differ by channel measures what a channel adds; per-channel "
        "attributed ROAS does not.");
  }
  // Sends on a channel an arm does not declare: the config and the journey
  // engine disagree (the arm comparison then does not measure what the
  // config says it does).
  for (const auto& [arm, set] : arm_sets) {
    auto it = by_arm.find(arm);
    if (it == by_arm.end()) continue;
    for (const auto& [key, r] : it->second) {
      if (r.unattributed || r.sends == 0 || set.count(r.channel) > 0) continue;
      out.notes.push_back(absl::StrFormat(
          "Arm %s declares %s but received %d %s sends: the journey engine does not send what the "
          "config says this arm sends.",
          arm, absl::StrJoin(set, "+"), r.sends, r.channel));
    }
  }
  if (out.arms_differ_by_channel) {
    std::vector<std::string> parts;
    for (const auto& [arm, set] : arm_sets) {
      parts.push_back(absl::StrCat(arm, ": ", absl::StrJoin(set, "+")));
    }
    std::string pairs;
    for (const JourneyChannelsInput::ArmPair& p : in.arm_pairs) {
      const stats::Estimate& e = p.revenue_return;
      absl::StrAppend(&pairs, pairs.empty() ? "" : "; ", p.arm_b, " vs ", p.arm_a, " ",
                      e.defined ? absl::StrFormat("%.2f [%.2f, %.2f]", e.value, e.lower, e.upper)
                                : std::string("n/a"));
    }
    out.notes.push_back(absl::StrCat(
        "The arms differ by channel (", absl::StrJoin(parts, ", "),
        "): the channel-specific incremental return is the arm-vs-arm comparison (ARM VS ARM, "
        "revenue return of the change",
        pairs.empty() ? "" : absl::StrCat(": ", pairs),
        "); it measures everything that differs between the arms, the channels included."));
  }
  return out;
}

}  // namespace holdfast::report
