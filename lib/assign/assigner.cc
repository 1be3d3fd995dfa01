#include "lib/assign/assigner.h"

#include <algorithm>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/assign/hash.h"
#include "lib/base/time_util.h"

namespace holdfast {

const JourneySpec* AssignmentConfig::FindJourney(absl::string_view id) const {
  // Journeys are sorted by id; a binary search over string_views keeps the
  // hot path allocation-free (no std::string built for the key).
  auto it = std::lower_bound(
      journeys.begin(), journeys.end(), id,
      [](const JourneySpec& j, absl::string_view key) { return absl::string_view(j.id) < key; });
  if (it == journeys.end() || absl::string_view(it->id) != id) return nullptr;
  return &*it;
}

int64_t PeriodIndex(const RotationSpec& rotation, UnixMicros t) {
  if (rotation.scheme == RotationScheme::kNone || rotation.period_us <= 0) return 0;
  return FloorDiv(t - rotation.epoch_us, rotation.period_us);
}

UnixMicros PeriodStart(const RotationSpec& rotation, int64_t k) {
  if (rotation.scheme == RotationScheme::kNone || rotation.period_us <= 0) return 0;
  return rotation.epoch_us + k * rotation.period_us;
}

bool InHoldout(const HoldoutSpec& spec, absl::string_view unit, int64_t k) {
  const uint32_t share = spec.ShareAt(k);
  if (share == 0) return false;
  switch (spec.rotation.scheme) {
    case RotationScheme::kNone: {
      const uint64_t pos = ScaleToRange(HashV1({spec.seed, unit}), kShareScale);
      return pos < share;
    }
    case RotationScheme::kSliding: {
      // Window [start, start + share) on the circle of kShareScale positions,
      // start = k * stride mod kShareScale. Reduce k first so the product fits.
      const uint64_t pos = ScaleToRange(HashV1({spec.seed, unit}), kShareScale);
      int64_t k_mod = k % static_cast<int64_t>(kShareScale);
      if (k_mod < 0) k_mod += kShareScale;
      const uint64_t start = (static_cast<uint64_t>(k_mod) * spec.StrideAt(k)) % kShareScale;
      const uint64_t offset = (pos + kShareScale - start) % kShareScale;
      return offset < share;
    }
    case RotationScheme::kResalt: {
      // Per-period seed: the period index in decimal ASCII is its own field.
      char buf[24];
      char* end = absl::numbers_internal::FastIntToBuffer(k, buf);
      const absl::string_view period(buf, end - buf);
      const uint64_t pos = ScaleToRange(HashV1({spec.seed, period, unit}), kShareScale);
      return pos < share;
    }
  }
  return false;
}

Assigner::Assigner(std::shared_ptr<const AssignmentConfig> config) : config_(std::move(config)) {}

absl::StatusOr<Decision> Assigner::Assign(absl::string_view journey, absl::string_view unit,
                                          UnixMicros t) const {
  if (unit.empty()) return absl::InvalidArgumentError("unit: must not be empty");
  if (unit.size() > kMaxUnitBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit: ", unit.size(), " bytes, at most ", kMaxUnitBytes, " allowed"));
  }
  if (!IsRepresentableTime(t)) {
    return absl::InvalidArgumentError("at: outside 1970-01-01..9999-12-31");
  }
  const JourneySpec* spec = config_->FindJourney(journey);
  if (spec == nullptr) {
    return absl::NotFoundError(absl::StrCat("journey: '", journey, "' is not configured"));
  }
  return AssignValidated(*spec, unit, t);
}

Decision Assigner::AssignValidated(const JourneySpec& journey, absl::string_view unit,
                                   UnixMicros t) const {
  Decision d;
  const RotationSpec& rot = journey.holdout.rotation;
  d.period = PeriodIndex(rot, t);
  if (rot.scheme != RotationScheme::kNone && rot.washout_us > 0) {
    d.in_washout = (t - PeriodStart(rot, d.period)) < rot.washout_us;
  }
  const HoldoutSpec& global = config_->global_holdout;
  if (InHoldout(global, unit, PeriodIndex(global.rotation, t))) {
    d.group = AssignedGroup::kGlobalHoldout;
    return d;
  }
  if (InHoldout(journey.holdout, unit, d.period)) {
    d.group = AssignedGroup::kHoldout;
    return d;
  }
  d.group = AssignedGroup::kTreatment;
  if (journey.arms.size() <= 1) {
    d.arm_index = 0;
    return d;
  }
  uint64_t total = 0;
  for (const ArmSpec& arm : journey.arms) total += arm.weight;
  uint64_t r = ScaleToRange(HashV1({journey.arm_seed, unit}), total);
  for (size_t i = 0; i < journey.arms.size(); ++i) {
    if (r < journey.arms[i].weight) {
      d.arm_index = static_cast<int>(i);
      return d;
    }
    r -= journey.arms[i].weight;
  }
  d.arm_index = static_cast<int>(journey.arms.size()) - 1;  // unreachable: r < total
  return d;
}

}  // namespace holdfast
