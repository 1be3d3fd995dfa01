#include "lib/config/compile.h"

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/config/defaults.h"
#include "lib/config/units.h"
#include "lib/config/version.h"

namespace holdfast::config {
namespace {

absl::StatusOr<uint32_t> Ppm(double share, absl::string_view what) {
  std::optional<uint32_t> ppm = ShareToPpm(share);
  if (!ppm || *ppm >= kShareScale) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", share, " is not a share in [0, 1) in steps of 1e-6"));
  }
  return *ppm;
}

absl::StatusOr<int64_t> Micros(const google::protobuf::Duration& d, absl::string_view what) {
  std::optional<int64_t> us = DurationToMicros(d);
  if (!us) return absl::InvalidArgumentError(absl::StrCat(what, ": not a valid duration"));
  return *us;
}

absl::StatusOr<HoldoutSpec> CompileHoldout(double share, const std::string& seed,
                                           uint32_t hash_version,
                                           const holdfast::v1::Rotation* rotation,
                                           absl::string_view what) {
  HoldoutSpec spec;
  HF_ASSIGN_OR_RETURN(spec.share_ppm, Ppm(share, what));
  spec.seed = seed;
  spec.hash_version = hash_version;
  if (rotation == nullptr || rotation->scheme() == holdfast::v1::Rotation::SCHEME_UNSPECIFIED) {
    return spec;
  }
  RotationSpec& r = spec.rotation;
  r.scheme = rotation->scheme() == holdfast::v1::Rotation::SLIDING ? RotationScheme::kSliding
                                                                   : RotationScheme::kResalt;
  HF_ASSIGN_OR_RETURN(r.period_us, Micros(rotation->period(), absl::StrCat(what, ".rotation.period")));
  HF_ASSIGN_OR_RETURN(r.washout_us,
                      Micros(rotation->washout(), absl::StrCat(what, ".rotation.washout")));
  std::optional<int64_t> epoch = TimestampToMicros(rotation->epoch());
  if (!epoch) return absl::InvalidArgumentError(absl::StrCat(what, ".rotation.epoch: invalid"));
  r.epoch_us = *epoch;
  if (r.period_us <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, ".rotation.period: must be > 0"));
  }
  if (r.scheme == RotationScheme::kSliding) {
    std::optional<uint32_t> stride = ShareToPpm(rotation->stride());
    if (spec.share_ppm > 0 && (!stride || *stride == 0)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ".rotation.stride: must be in (0, 1]"));
    }
    r.stride_ppm = stride.value_or(0);
  }
  return spec;
}

}  // namespace

absl::StatusOr<AssignmentConfig> Compile(const holdfast::v1::Config& effective) {
  AssignmentConfig out;
  const holdfast::v1::GlobalHoldout& g = effective.global_holdout();
  HF_ASSIGN_OR_RETURN(out.global_holdout,
                      CompileHoldout(g.share(), g.seed(), g.hash_version(),
                                     g.has_rotation() ? &g.rotation() : nullptr, "global_holdout"));
  for (const holdfast::v1::Journey& j : effective.journeys()) {
    const std::string what = absl::StrCat("journey ", j.id());
    JourneySpec spec;
    spec.id = j.id();
    HF_ASSIGN_OR_RETURN(spec.holdout,
                        CompileHoldout(j.holdout_share(), j.holdout_seed(), j.hash_version(),
                                       j.has_rotation() ? &j.rotation() : nullptr, what));
    spec.arm_seed = j.arm_seed();
    spec.stage = j.stage();
    uint64_t total = 0;
    for (const holdfast::v1::Arm& a : j.arms()) {
      if (a.weight() == 0) return absl::InvalidArgumentError(absl::StrCat(what, ": arm weight 0"));
      total += a.weight();
      spec.arms.push_back(ArmSpec{a.name(), a.weight(), {a.channels().begin(), a.channels().end()}});
    }
    if (spec.arms.empty() || total >= (uint64_t{1} << 32)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": arms must be non-empty with total weight < 2^32"));
    }
    HF_ASSIGN_OR_RETURN(spec.attribution_window_us,
                        Micros(j.attribution_window(), absl::StrCat(what, ".attribution_window")));
    HF_ASSIGN_OR_RETURN(spec.pre_period_us, Micros(j.pre_period(), absl::StrCat(what, ".pre_period")));
    spec.refund_horizon_us = kDefaultRefundHorizonSeconds * 1000000;
    if (j.has_refund_horizon()) {
      HF_ASSIGN_OR_RETURN(spec.refund_horizon_us,
                          Micros(j.refund_horizon(), absl::StrCat(what, ".refund_horizon")));
      if (spec.refund_horizon_us < 0 || spec.refund_horizon_us > kMaxRefundHorizonSeconds * 1000000) {
        return absl::InvalidArgumentError(absl::StrCat(what, ".refund_horizon: out of [0, 3650 days]"));
      }
    }
    for (const google::protobuf::Duration& h : j.horizons()) {
      HF_ASSIGN_OR_RETURN(const int64_t us, Micros(h, absl::StrCat(what, ".horizons")));
      if (us < spec.attribution_window_us || us > kMaxHorizonSeconds * 1000000 ||
          (!spec.horizons_us.empty() && us <= spec.horizons_us.back())) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ".horizons: each must be in [attribution_window, 3650 days], distinct"));
      }
      spec.horizons_us.push_back(us);
    }
    if (spec.horizons_us.size() > static_cast<size_t>(kMaxHorizons)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ".horizons: at most 8"));
    }
    for (const holdfast::v1::ChannelCost& c : j.channel_costs()) {
      spec.channel_cost[c.channel()] = c.cost_per_send();
    }
    spec.unsubscribe_max_increase = kDefaultUnsubscribeMaxIncrease;
    spec.complaint_max_increase = kDefaultComplaintMaxIncrease;
    for (const holdfast::v1::Guardrail& g : j.guardrails()) {
      if (!(g.max_increase() >= 0.0 && g.max_increase() <= 1.0)) {
        return absl::InvalidArgumentError(absl::StrCat(what, ".guardrails: max_increase out of [0, 1]"));
      }
      if (g.metric() == holdfast::v1::Guardrail::UNSUBSCRIBE) {
        spec.unsubscribe_max_increase = g.max_increase();
        if (g.has_value_per_event()) spec.unsubscribe_value = g.value_per_event();
      } else if (g.metric() == holdfast::v1::Guardrail::COMPLAINT) {
        spec.complaint_max_increase = g.max_increase();
      } else {
        return absl::InvalidArgumentError(absl::StrCat(what, ".guardrails: metric is required"));
      }
    }
    if (!out.journeys.empty() && out.journeys.back().id >= spec.id) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": journeys must be unique and sorted by id"));
    }
    out.journeys.push_back(std::move(spec));
  }
  out.version = ConfigVersion(effective);
  return out;
}

}  // namespace holdfast::config
