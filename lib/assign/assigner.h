// The assignment function: global holdout, then the journey's rotating
// holdout, then the treatment arm. A pure function of (config, journey, unit,
// time); specified in docs/hashing.md.
//
// Example:
//   Assigner assigner(config);
//   absl::StatusOr<Decision> d = assigner.Assign("cart_abandon", "cust-42", now);
//
// Thread-safety: an Assigner is immutable and safe for concurrent use.
#ifndef HOLDFAST_LIB_ASSIGN_ASSIGNER_H_
#define HOLDFAST_LIB_ASSIGN_ASSIGNER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/assign/assignment_config.h"
#include "lib/base/clock.h"

namespace holdfast {

enum class AssignedGroup { kTreatment = 1, kHoldout = 2, kGlobalHoldout = 3 };

struct Decision {
  AssignedGroup group = AssignedGroup::kTreatment;
  // Index into JourneySpec::arms for kTreatment; -1 otherwise.
  int arm_index = -1;
  // Journey period index k = floor((t - epoch) / period); 0 without rotation.
  int64_t period = 0;
  // t falls in the washout at the start of the journey's period.
  bool in_washout = false;
};

// Unit ids are 1..kMaxUnitBytes bytes.
inline constexpr size_t kMaxUnitBytes = 256;

class Assigner {
 public:
  explicit Assigner(std::shared_ptr<const AssignmentConfig> config);

  // Decides for `unit` entering `journey` at time `t`.
  // NOT_FOUND: unknown journey. INVALID_ARGUMENT: unit empty or longer than
  // kMaxUnitBytes, or t outside the representable range.
  [[nodiscard]] absl::StatusOr<Decision> Assign(absl::string_view journey, absl::string_view unit,
                                                UnixMicros t) const;

  // Same, for a journey already looked up (no map lookup; for batches).
  // Preconditions: unit and t already validated.
  Decision AssignValidated(const JourneySpec& journey, absl::string_view unit, UnixMicros t) const;

  const AssignmentConfig& config() const { return *config_; }
  const std::shared_ptr<const AssignmentConfig>& shared_config() const { return config_; }

 private:
  std::shared_ptr<const AssignmentConfig> config_;
};

// Period index of `rotation` at time t: floor((t - epoch) / period), 0 for
// kNone.
int64_t PeriodIndex(const RotationSpec& rotation, UnixMicros t);

// Start of period k.
UnixMicros PeriodStart(const RotationSpec& rotation, int64_t k);

// Whether the holdout described by `spec` contains `unit` in period `k`.
bool InHoldout(const HoldoutSpec& spec, absl::string_view unit, int64_t k);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_ASSIGN_ASSIGNER_H_
