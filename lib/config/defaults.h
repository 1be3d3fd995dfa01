// Defaults of the config schema, applied in one place so the server's
// ListJourneys, the compiled config and the version hash all agree.
#ifndef HOLDFAST_LIB_CONFIG_DEFAULTS_H_
#define HOLDFAST_LIB_CONFIG_DEFAULTS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "holdfast/v1/config.pb.h"

namespace holdfast::config {

inline constexpr uint32_t kDefaultHashVersion = 1;
inline constexpr int64_t kDefaultAttributionWindowSeconds = 7 * 86400;
inline constexpr int64_t kDefaultPrePeriodSeconds = 28 * 86400;
inline constexpr int64_t kDefaultRefundHorizonSeconds = 30 * 86400;
inline constexpr int64_t kMaxRefundHorizonSeconds = 3650LL * 86400;
// Journey.horizons: at most this many, each at most kMaxHorizonSeconds.
inline constexpr int kMaxHorizons = 8;
inline constexpr int64_t kMaxHorizonSeconds = 3650LL * 86400;
// Guardrail thresholds of a journey that declares none for the metric
// (docs/config.md, "Guardrails"): increases in the share of entries that
// unsubscribe / complain, treatment vs holdout.
inline constexpr double kDefaultUnsubscribeMaxIncrease = 0.002;
inline constexpr double kDefaultComplaintMaxIncrease = 0.0005;
inline constexpr char kDefaultGlobalSeed[] = "global:holdout";
inline constexpr char kDefaultArmName[] = "treatment";
inline constexpr uint32_t kDefaultPeriodsPooled = 1;

// "<id>:holdout" and "<id>:arm".
std::string DefaultHoldoutSeed(absl::string_view journey_id);
std::string DefaultArmSeed(absl::string_view journey_id);

// The effective config: `raw` with every default written out, in canonical
// order. Values are copied, not checked (run Validate first):
// - global_holdout is always present (share 0 = disabled), seed
//   "global:holdout", hash_version 1;
// - per journey: holdout_seed "<id>:holdout", arm_seed "<id>:arm",
//   hash_version 1, arms [{treatment, 1}] when none, attribution_window 7d,
//   pre_period 28d, channel_costs sorted by channel, refund_horizon cleared
//   when it equals the 30-day default (unset is the canonical form, so the
//   field's introduction changed no existing version), planning.periods_pooled
//   1 when planning is present;
// - rotation: removed when scheme is unspecified (its other fields have no
//   effect); otherwise epoch and washout written out (0 when unset) and, for
//   SLIDING, stride = the share when unset; for RESALT stride is cleared
//   (it has no effect);
// - journeys sorted by id (stable for duplicates).
holdfast::v1::Config ApplyDefaults(const holdfast::v1::Config& raw);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_DEFAULTS_H_
