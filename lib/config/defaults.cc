#include "lib/config/defaults.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace holdfast::config {
namespace {

using holdfast::v1::Rotation;

void NormalizeRotation(double share, Rotation* rotation, bool* keep) {
  if (rotation->scheme() == Rotation::SCHEME_UNSPECIFIED) {
    *keep = false;
    return;
  }
  *keep = true;
  rotation->mutable_epoch();  // presence: an unset epoch is 1970-01-01T00:00:00Z
  rotation->mutable_washout();
  rotation->mutable_period();
  if (rotation->scheme() == Rotation::SLIDING) {
    if (rotation->stride() == 0) rotation->set_stride(share);
  } else {
    rotation->clear_stride();
  }
}

}  // namespace

std::string DefaultHoldoutSeed(absl::string_view journey_id) {
  return absl::StrCat(journey_id, ":holdout");
}
std::string DefaultArmSeed(absl::string_view journey_id) {
  return absl::StrCat(journey_id, ":arm");
}

holdfast::v1::Config ApplyDefaults(const holdfast::v1::Config& raw) {
  holdfast::v1::Config out = raw;

  holdfast::v1::GlobalHoldout* global = out.mutable_global_holdout();
  if (global->seed().empty()) global->set_seed(kDefaultGlobalSeed);
  if (global->hash_version() == 0) global->set_hash_version(kDefaultHashVersion);
  bool keep = false;
  NormalizeRotation(global->share(), global->mutable_rotation(), &keep);
  if (!keep) global->clear_rotation();

  for (holdfast::v1::Journey& j : *out.mutable_journeys()) {
    if (j.holdout_seed().empty()) j.set_holdout_seed(DefaultHoldoutSeed(j.id()));
    if (j.arm_seed().empty()) j.set_arm_seed(DefaultArmSeed(j.id()));
    if (j.hash_version() == 0) j.set_hash_version(kDefaultHashVersion);
    NormalizeRotation(j.holdout_share(), j.mutable_rotation(), &keep);
    if (!keep) j.clear_rotation();
    if (j.arms_size() == 0) {
      holdfast::v1::Arm* arm = j.add_arms();
      arm->set_name(kDefaultArmName);
      arm->set_weight(1);
    }
    if (!j.has_attribution_window()) {
      j.mutable_attribution_window()->set_seconds(kDefaultAttributionWindowSeconds);
    }
    if (!j.has_pre_period()) j.mutable_pre_period()->set_seconds(kDefaultPrePeriodSeconds);
    if (j.has_refund_horizon() && j.refund_horizon().seconds() == kDefaultRefundHorizonSeconds &&
        j.refund_horizon().nanos() == 0) {
      j.clear_refund_horizon();
    }
    std::stable_sort(j.mutable_channel_costs()->begin(), j.mutable_channel_costs()->end(),
                     [](const holdfast::v1::ChannelCost& a, const holdfast::v1::ChannelCost& b) {
                       return a.channel() < b.channel();
                     });
    // Horizons in ascending order: declaring them in another order is the
    // same config (same version). An empty list is not serialized, so the
    // field's arrival changed no existing version.
    std::stable_sort(j.mutable_horizons()->begin(), j.mutable_horizons()->end(),
                     [](const google::protobuf::Duration& a, const google::protobuf::Duration& b) {
                       return a.seconds() != b.seconds() ? a.seconds() < b.seconds()
                                                         : a.nanos() < b.nanos();
                     });
    std::stable_sort(j.mutable_guardrails()->begin(), j.mutable_guardrails()->end(),
                     [](const holdfast::v1::Guardrail& a, const holdfast::v1::Guardrail& b) {
                       return a.metric() < b.metric();
                     });
    if (j.has_planning() && j.planning().periods_pooled() == 0) {
      j.mutable_planning()->set_periods_pooled(kDefaultPeriodsPooled);
    }
  }
  std::stable_sort(out.mutable_journeys()->begin(), out.mutable_journeys()->end(),
                   [](const holdfast::v1::Journey& a, const holdfast::v1::Journey& b) {
                     return a.id() < b.id();
                   });
  return out;
}

}  // namespace holdfast::config
