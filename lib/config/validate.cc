#include "lib/config/validate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assignment_config.h"
#include "lib/assign/hash.h"
#include "lib/base/text.h"
#include "lib/config/defaults.h"
#include "lib/config/limits.h"
#include "lib/config/power.h"
#include "lib/config/units.h"

namespace holdfast::config {
namespace {

using holdfast::v1::Rotation;

constexpr size_t kMaxNameBytes = 64;
constexpr int64_t kMicrosPerSecond = 1000000;

std::string Percent(double fraction) {
  return absl::StrFormat("%.1f%%", fraction * 100);
}

class Validator {
 public:
  Validator(const holdfast::v1::Config& raw, const SourceMap& map) : raw_(raw), map_(map) {}

  std::vector<Diagnostic> Run() {
    CheckGlobal();
    for (int i = 0; i < raw_.journeys_size(); ++i) CheckJourney(i);
    return std::move(out_);
  }

 private:
  void Add(Severity severity, const std::string& path, absl::string_view rule,
           std::string message) {
    SourceLocation at = map_.Locate(path);
    out_.push_back(Diagnostic{severity, std::move(at.file), at.line, at.col, std::string(rule),
                              std::move(message)});
  }
  void Error(const std::string& path, absl::string_view rule, std::string message) {
    Add(Severity::kError, path, rule, std::move(message));
  }
  void Warn(const std::string& path, absl::string_view rule, std::string message) {
    Add(Severity::kWarning, path, rule, std::move(message));
  }

  std::string Where(const std::string& path) const {
    const SourceLocation at = map_.Locate(path);
    if (at.line == 0) return at.file;
    return absl::StrCat(at.file, ":", at.line, ":", at.col);
  }

  // Returns the share in ppm, or nullopt after reporting why it is invalid.
  // Journeys need (0, 1); the global holdout [0, 1).
  std::optional<uint32_t> CheckShare(double share, const std::string& path,
                                     const std::string& label, absl::string_view field,
                                     bool zero_allowed) {
    const bool in_range = zero_allowed ? (share >= 0 && share < 1) : (share > 0 && share < 1);
    if (!in_range) {
      Error(path, "share-range",
            absl::StrCat(label, ": ", field, " ", FormatDouble(share), " is outside ",
                         zero_allowed ? "[0, 1)" : "(0, 1)"));
      return std::nullopt;
    }
    std::optional<uint32_t> ppm = ShareToPpm(share);
    if (!ppm) {
      Error(path, "share-precision",
            absl::StrCat(label, ": ", field, " ", FormatDouble(share),
                         " is not a whole number of millionths (steps of 0.000001)"));
    }
    return ppm;
  }

  void CheckHashVersion(uint32_t version, const std::string& path, const std::string& label) {
    if (version != 0 && !IsSupportedHashVersion(version)) {
      Error(path, "hash-version",
            absl::StrCat(label, ": hash_version ", version,
                         " is not supported by this build (latest: ", kLatestHashVersion, ")"));
    }
  }

  // Records a seed use; a seed used twice (any journey, any purpose) is an
  // error at the later use, because equal seeds make two draws identical.
  void UseSeed(const std::string& seed, std::string owner, const std::string& path) {
    auto [it, inserted] = seeds_.emplace(seed, SeedUse{owner, path});
    if (!inserted) {
      Error(path, "seed-reuse",
            absl::StrCat("seed \"", EchoInput(seed), "\" of ", owner, " is already used by ", it->second.owner,
                         " (", Where(it->second.path),
                         "); every journey and purpose needs its own seed"));
    }
  }

  // Optional duration field: returns its µs value, nullopt after an error.
  std::optional<int64_t> CheckDuration(const google::protobuf::Duration& d, const std::string& path,
                                       const std::string& label, absl::string_view field,
                                       absl::string_view rule) {
    std::optional<int64_t> us = DurationToMicros(d);
    if (!us) {
      Error(path, rule,
            absl::StrCat(label, ": ", field,
                         " is not a valid duration in whole microseconds (seconds ",
                         d.seconds(), ", nanos ", d.nanos(), ")"));
    }
    return us;
  }

  // Checks a rotation; returns the washout as a fraction of the period (for
  // planning) when valid. window_us is the journey's attribution window, or
  // nullopt for the global holdout.
  double CheckRotation(const holdfast::v1::Rotation& r, bool present, const std::string& path,
                       const std::string& label, std::optional<uint32_t> share_ppm,
                       std::optional<int64_t> window_us) {
    if (!present) return 0;
    if (r.scheme() == Rotation::SCHEME_UNSPECIFIED) {
      if (r.has_period() || r.has_washout() || r.has_epoch() || r.stride() != 0) {
        Warn(path, "rotation-ignored",
             absl::StrCat(label, ": rotation has no scheme, so its period, epoch, washout and "
                                 "stride have no effect (set scheme: SLIDING or RESALT)"));
      }
      return 0;
    }
    const std::string period_path = Field(path, "period");
    std::optional<int64_t> period_us;
    if (!r.has_period() || (r.period().seconds() <= 0 && r.period().nanos() <= 0)) {
      Error(period_path, "rotation-period",
            absl::StrCat(label, ": rotation.period must be > 0 when a rotation scheme is set"));
    } else if (r.period().nanos() != 0 || !DurationToMicros(r.period())) {
      Error(period_path, "rotation-period",
            absl::StrCat(label, ": rotation.period must be a whole number of seconds (seconds ",
                         r.period().seconds(), ", nanos ", r.period().nanos(), ")"));
    } else {
      period_us = *DurationToMicros(r.period());
    }
    if (r.has_epoch() && !TimestampToMicros(r.epoch())) {
      Error(Field(path, "epoch"), "rotation-epoch",
            absl::StrCat(label, ": rotation.epoch is not a valid timestamp in whole microseconds"));
    }
    double washout_fraction = 0;
    if (r.has_washout()) {
      const std::string washout_path = Field(path, "washout");
      std::optional<int64_t> washout_us =
          CheckDuration(r.washout(), washout_path, label, "rotation.washout", "rotation-washout");
      if (washout_us && *washout_us < 0) {
        Error(washout_path, "rotation-washout",
              absl::StrCat(label, ": rotation.washout ", FormatDurationMicros(*washout_us),
                           " must not be negative"));
      } else if (washout_us && period_us && *washout_us >= *period_us) {
        Error(washout_path, "rotation-washout",
              absl::StrCat(label, ": rotation.washout ", FormatDurationMicros(*washout_us),
                           " must be shorter than rotation.period ",
                           FormatDurationMicros(*period_us)));
      } else if (washout_us && period_us) {
        washout_fraction = static_cast<double>(*washout_us) / static_cast<double>(*period_us);
      }
    }
    const std::string stride_path = Field(path, "stride");
    if (r.scheme() == Rotation::RESALT && r.stride() != 0) {
      Warn(stride_path, "rotation-ignored",
           absl::StrCat(label, ": rotation.stride has no effect with RESALT (SLIDING only)"));
    }
    std::optional<uint32_t> stride_ppm;
    if (r.scheme() == Rotation::SLIDING) {
      if (r.stride() != 0) {
        if (!(r.stride() > 0 && r.stride() <= 1)) {
          Error(stride_path, "rotation-stride",
                absl::StrCat(label, ": rotation.stride ", FormatDouble(r.stride()),
                             " is outside (0, 1]"));
        } else if (!(stride_ppm = ShareToPpm(r.stride()))) {
          Error(stride_path, "rotation-stride",
                absl::StrCat(label, ": rotation.stride ", FormatDouble(r.stride()),
                             " is not a whole number of millionths (steps of 0.000001)"));
        }
      } else {
        stride_ppm = share_ppm;
      }
    }
    if (period_us && window_us && *window_us > 0 && *period_us < *window_us) {
      Warn(period_path, "rotation-shorter-than-window",
           absl::StrCat(label, ": rotation.period ", FormatDurationMicros(*period_us),
                        " is shorter than attribution_window ", FormatDurationMicros(*window_us),
                        "; outcomes of late entries fall into the next period, after the unit "
                        "may have changed group"));
    }
    if (r.scheme() == Rotation::SLIDING && share_ppm && *share_ppm > 0 && stride_ppm &&
        *stride_ppm > 0) {
      if (*stride_ppm != *share_ppm) {
        const bool overlap = *stride_ppm < *share_ppm;
        Warn(stride_path, "sliding-stride",
             absl::StrCat(label, ": rotation.stride ", FormatDouble(*stride_ppm / 1e6),
                          " differs from the holdout share ", FormatDouble(*share_ppm / 1e6),
                          overlap ? "; consecutive holdouts overlap, so some units are held out "
                                    "in consecutive periods"
                                  : "; the window skips part of the hash space, so some units "
                                    "are held out less often than others"));
      } else if (kShareScale % *stride_ppm != 0) {
        Warn(path, "sliding-uneven-cycle",
             absl::StrCat(label, ": SLIDING window of share ", FormatDouble(*share_ppm / 1e6),
                          ": 1/share = ", absl::StrFormat("%.4g", 1e6 / *stride_ppm),
                          " is not an integer, so the window wraps mid-cycle and units are not "
                          "held out exactly once every 1/share periods"));
      }
    }
    return washout_fraction;
  }

  void CheckGlobal() {
    if (!raw_.has_global_holdout()) return;
    const holdfast::v1::GlobalHoldout& g = raw_.global_holdout();
    const std::string path = "global_holdout";
    const std::string label = "global_holdout";
    global_ppm_ = CheckShare(g.share(), Field(path, "share"), label, "share", true);
    CheckHashVersion(g.hash_version(), Field(path, "hash_version"), label);
    CheckRotation(g.rotation(), g.has_rotation(), Field(path, "rotation"), label, global_ppm_,
                  std::nullopt);
    if (g.share() > 0) {
      UseSeed(g.seed().empty() ? kDefaultGlobalSeed : g.seed(), "the global holdout",
              Field(path, g.seed().empty() ? "share" : "seed"));
    }
  }

  void CheckJourney(int i) {
    const holdfast::v1::Journey& j = raw_.journeys(i);
    const std::string path = JourneyPath(i);
    const std::string label =
        j.id().empty() ? absl::StrCat("journey #", i + 1) : absl::StrCat("journey ", EchoInput(j.id()));

    bool duplicate = false;
    if (j.id().empty()) {
      Error(Field(path, "id"), "journey-id", absl::StrCat(label, ": id is required"));
    } else if (!IsValidJourneyId(j.id())) {
      Error(Field(path, "id"), "journey-id",
            absl::StrCat("journey id \"", EchoInput(j.id()),
                         "\" must match [a-z0-9_.-]{1,64}"));
    } else {
      auto [it, inserted] = journey_ids_.emplace(j.id(), i);
      if (!inserted) {
        duplicate = true;
        Error(Field(path, "id"), "duplicate-journey",
              absl::StrCat("duplicate journey id \"", j.id(), "\" (first defined at ",
                           Where(JourneyPath(it->second)), ")"));
      }
    }

    std::optional<uint32_t> share_ppm =
        CheckShare(j.holdout_share(), Field(path, "holdout_share"), label, "holdout_share", false);
    CheckHashVersion(j.hash_version(), Field(path, "hash_version"), label);

    if (!duplicate && !j.id().empty()) {
      UseSeed(j.holdout_seed().empty() ? DefaultHoldoutSeed(j.id()) : j.holdout_seed(),
              absl::StrCat(label, " (holdout)"),
              Field(path, j.holdout_seed().empty() ? "id" : "holdout_seed"));
      UseSeed(j.arm_seed().empty() ? DefaultArmSeed(j.id()) : j.arm_seed(),
              absl::StrCat(label, " (arm split)"),
              Field(path, j.arm_seed().empty() ? "id" : "arm_seed"));
    }

    // Arms.
    std::map<std::string, int> arm_names;
    uint64_t total_weight = 0;
    uint32_t min_weight = 0;
    for (int a = 0; a < j.arms_size(); ++a) {
      const holdfast::v1::Arm& arm = j.arms(a);
      const std::string arm_path = Index(Field(path, "arms"), a);
      if (!IsValidArmName(arm.name())) {
        Error(Field(arm_path, "name"), "arm-name",
              absl::StrCat(label, ": arm name \"", EchoInput(arm.name()),
                           "\" must match [A-Za-z0-9_.-]{1,64}"));
      } else if (!arm_names.emplace(arm.name(), a).second) {
        Error(Field(arm_path, "name"), "duplicate-arm",
              absl::StrCat(label, ": duplicate arm name \"", arm.name(), "\""));
      }
      std::map<std::string, int> arm_channels;
      for (int c = 0; c < arm.channels_size(); ++c) {
        const std::string& channel = arm.channels(c);
        const std::string cpath = Index(Field(arm_path, "channels"), c);
        if (!IsValidChannelName(channel)) {
          Error(cpath, "arm-channel",
                absl::StrCat(label, ": arm \"", EchoInput(arm.name()), "\" channel \"",
                             EchoInput(channel),
                             "\" must be 1-64 bytes without whitespace or control characters"));
        } else if (!arm_channels.emplace(channel, c).second) {
          Error(cpath, "arm-channel",
                absl::StrCat(label, ": arm \"", EchoInput(arm.name()), "\" lists channel \"",
                             channel, "\" twice"));
        }
      }
      if (arm.weight() == 0) {
        Error(Field(arm_path, "weight"), "arm-weight",
              absl::StrCat(label, ": arm \"", arm.name(), "\" needs a positive weight"));
      }
      total_weight += arm.weight();
      if (a == 0 || arm.weight() < min_weight) min_weight = arm.weight();
    }
    if (total_weight >= (uint64_t{1} << 32)) {
      Error(Field(path, "arms"), "arm-total-weight",
            absl::StrCat(label, ": total arm weight ", total_weight, " must be below 2^32"));
    }

    // Windows.
    std::optional<int64_t> window_us = kDefaultAttributionWindowSeconds * kMicrosPerSecond;
    if (j.has_attribution_window()) {
      const std::string wpath = Field(path, "attribution_window");
      window_us = CheckDuration(j.attribution_window(), wpath, label, "attribution_window",
                                "attribution-window");
      if (window_us && *window_us <= 0) {
        Error(wpath, "attribution-window",
              absl::StrCat(label, ": attribution_window must be > 0"));
        window_us.reset();
      }
    }
    if (j.has_pre_period()) {
      const std::string ppath = Field(path, "pre_period");
      std::optional<int64_t> pre =
          CheckDuration(j.pre_period(), ppath, label, "pre_period", "pre-period");
      if (pre && *pre <= 0) {
        Error(ppath, "pre-period", absl::StrCat(label, ": pre_period must be > 0"));
      }
    }
    if (j.has_refund_horizon()) {
      const std::string hpath = Field(path, "refund_horizon");
      std::optional<int64_t> horizon =
          CheckDuration(j.refund_horizon(), hpath, label, "refund_horizon", "refund-horizon");
      if (horizon && (*horizon < 0 || *horizon > kMaxRefundHorizonSeconds * kMicrosPerSecond)) {
        Error(hpath, "refund-horizon",
              absl::StrCat(label, ": refund_horizon must be in [0, 3650 days]"));
      }
    }

    // Stage: a short label for the report's roll-ups; a custom label close to
    // a standard one is probably a typo (it would form a stage of its own).
    if (!j.stage().empty()) {
      const std::string spath = Field(path, "stage");
      if (!IsValidStage(j.stage())) {
        Error(spath, "stage",
              absl::StrCat(label, ": stage \"", EchoInput(j.stage()),
                           "\" must match [a-z0-9_-]{1,32} (onboarding, activation, retention, "
                           "reactivation, renewal or a custom label)"));
      } else if (const char* near = NearStandardStage(j.stage()); near != nullptr) {
        Warn(spath, "stage-typo",
             absl::StrCat(label, ": stage \"", j.stage(), "\" is not a standard stage but close to \"",
                          near, "\"; journeys with different labels are rolled up separately"));
      }
    }

    // Horizons: whole seconds, >= the window, <= 3650 days, distinct, at
    // most kMaxHorizons; a warning when one is longer than the rotation
    // period (later entries of the unit overlap it: docs/report.md,
    // "Horizons").
    {
      std::set<int64_t> seen;
      const std::optional<int64_t> period_us =
          j.has_rotation() && j.rotation().scheme() != Rotation::SCHEME_UNSPECIFIED
              ? DurationToMicros(j.rotation().period())
              : std::nullopt;
      if (j.horizons_size() > kMaxHorizons) {
        Error(Index(Field(path, "horizons"), kMaxHorizons), "horizons",
              absl::StrCat(label, ": at most ", kMaxHorizons, " horizons, got ", j.horizons_size()));
      }
      for (int k = 0; k < j.horizons_size(); ++k) {
        const std::string kpath = Index(Field(path, "horizons"), k);
        std::optional<int64_t> h =
            CheckDuration(j.horizons(k), kpath, label, "horizons", "horizons");
        if (!h) continue;
        if (j.horizons(k).nanos() != 0) {
          Error(kpath, "horizons",
                absl::StrCat(label, ": horizon must be a whole number of seconds (seconds ",
                             j.horizons(k).seconds(), ", nanos ", j.horizons(k).nanos(), ")"));
        } else if (window_us && *h < *window_us) {
          Error(kpath, "horizons",
                absl::StrCat(label, ": horizon ", FormatDurationMicros(*h),
                             " is shorter than attribution_window ",
                             FormatDurationMicros(*window_us),
                             " (the window already measures that span)"));
        } else if (*h > kMaxHorizonSeconds * kMicrosPerSecond) {
          Error(kpath, "horizons",
                absl::StrCat(label, ": horizon ", FormatDurationMicros(*h),
                             " must be at most 3650 days"));
        } else if (!seen.insert(*h).second) {
          Error(kpath, "horizons",
                absl::StrCat(label, ": horizon ", FormatDurationMicros(*h), " is listed twice"));
        } else if (period_us && *period_us > 0 && *h > *period_us) {
          Warn(kpath, "horizon-longer-than-rotation",
               absl::StrCat(label, ": horizon ", FormatDurationMicros(*h),
                            " is longer than rotation.period ", FormatDurationMicros(*period_us),
                            "; a unit's next entries overlap it, so the horizon measures the "
                            "effect of one period's assignment, diluted by later periods' "
                            "(docs/report.md, \"Horizons\")"));
        }
      }
    }

    // Guardrails: one per metric, a share in [0, 1], a finite value >= 0.
    std::set<int> guarded;
    for (int g = 0; g < j.guardrails_size(); ++g) {
      const holdfast::v1::Guardrail& guard = j.guardrails(g);
      const std::string gpath = Index(Field(path, "guardrails"), g);
      if (guard.metric() == holdfast::v1::Guardrail::METRIC_UNSPECIFIED) {
        Error(Field(gpath, "metric"), "guardrail",
              absl::StrCat(label, ": guardrail metric is required (UNSUBSCRIBE or COMPLAINT)"));
      } else if (!guarded.insert(guard.metric()).second) {
        Error(Field(gpath, "metric"), "guardrail",
              absl::StrCat(label, ": guardrail ", holdfast::v1::Guardrail::Metric_Name(guard.metric()),
                           " is declared twice"));
      }
      if (!(guard.max_increase() >= 0.0 && guard.max_increase() <= 1.0)) {
        Error(Field(gpath, "max_increase"), "guardrail",
              absl::StrCat(label, ": guardrail max_increase must be a share in [0, 1] (0.002 = 0.2 "
                           "percentage points)"));
      }
      if (guard.has_value_per_event()) {
        if (guard.metric() != holdfast::v1::Guardrail::UNSUBSCRIBE) {
          Error(Field(gpath, "value_per_event"), "guardrail",
                absl::StrCat(label, ": value_per_event is only for the UNSUBSCRIBE guardrail"));
        } else if (!(guard.value_per_event() >= 0.0 && std::isfinite(guard.value_per_event()))) {
          Error(Field(gpath, "value_per_event"), "guardrail",
                absl::StrCat(label, ": value_per_event must be finite and >= 0"));
        }
      }
    }

    const double washout_fraction =
        CheckRotation(j.rotation(), j.has_rotation(), Field(path, "rotation"), label, share_ppm,
                      window_us);

    // Channel costs.
    std::map<std::string, int> channels;
    for (int c = 0; c < j.channel_costs_size(); ++c) {
      const holdfast::v1::ChannelCost& cost = j.channel_costs(c);
      const std::string cpath = Index(Field(path, "channel_costs"), c);
      if (cost.channel().empty()) {
        Error(Field(cpath, "channel"), "channel-cost",
              absl::StrCat(label, ": channel_costs entry needs a channel name"));
      } else if (!channels.emplace(cost.channel(), c).second) {
        Error(Field(cpath, "channel"), "channel-cost",
              absl::StrCat(label, ": channel \"", EchoInput(cost.channel()), "\" has more than one cost"));
      }
      if (!(cost.cost_per_send() >= 0) || !std::isfinite(cost.cost_per_send())) {
        Error(Field(cpath, "cost_per_send"), "channel-cost",
              absl::StrCat(label, ": channel \"", EchoInput(cost.channel()), "\" cost_per_send ",
                           FormatDouble(cost.cost_per_send()), " must be a finite number >= 0"));
      }
    }

    const bool arms_ok = j.arms_size() == 0 || (total_weight > 0 && min_weight > 0);
    if (j.has_planning() && share_ppm && arms_ok) {
      const double min_arm_fraction =
          j.arms_size() == 0 ? 1.0 : static_cast<double>(min_weight) / total_weight;
      CheckPlanning(j, path, label, *share_ppm, min_arm_fraction, j.arms_size() <= 1,
                    washout_fraction);
    }
  }

  void CheckPlanning(const holdfast::v1::Journey& j, const std::string& journey_path,
                     const std::string& label, uint32_t share_ppm, double min_arm_fraction,
                     bool default_arm, double washout_fraction) {
    const holdfast::v1::Planning& p = j.planning();
    const std::string path = Field(journey_path, "planning");
    bool ok = true;
    auto bad = [&](absl::string_view field, double v, absl::string_view need) {
      Error(Field(path, field), "planning",
            absl::StrCat(label, ": planning.", field, " ", FormatDouble(v), " must be ", need));
      ok = false;
    };
    if (!(p.expected_entries_per_period() >= 0) || !std::isfinite(p.expected_entries_per_period())) {
      bad("expected_entries_per_period", p.expected_entries_per_period(), ">= 0");
    }
    if (!(p.baseline_conversion_rate() >= 0 && p.baseline_conversion_rate() < 1)) {
      bad("baseline_conversion_rate", p.baseline_conversion_rate(), "in (0, 1)");
    }
    if (!(p.baseline_revenue_mean() >= 0) || !std::isfinite(p.baseline_revenue_mean())) {
      bad("baseline_revenue_mean", p.baseline_revenue_mean(), ">= 0");
    }
    if (!(p.baseline_revenue_sd() >= 0) || !std::isfinite(p.baseline_revenue_sd())) {
      bad("baseline_revenue_sd", p.baseline_revenue_sd(), ">= 0");
    }
    if (!(p.target_relative_mde() >= 0) || !std::isfinite(p.target_relative_mde())) {
      bad("target_relative_mde", p.target_relative_mde(), "> 0");
    }
    if (!ok) return;
    const bool has_conversion = p.baseline_conversion_rate() > 0;
    const bool has_revenue = p.baseline_revenue_mean() > 0 && p.baseline_revenue_sd() > 0;
    if (p.expected_entries_per_period() <= 0 || p.target_relative_mde() <= 0 ||
        (!has_conversion && !has_revenue)) {
      Warn(path, "planning-incomplete",
           absl::StrCat(label, ": planning needs expected_entries_per_period, "
                               "target_relative_mde and a baseline (conversion rate, or revenue "
                               "mean and sd); the power check was skipped"));
      return;
    }
    // Entries that reach the journey's analysis: not globally held out, not
    // in the washout; the holdout gets `share`, the smallest arm its weight
    // share of the rest.
    const uint32_t periods = p.periods_pooled() == 0 ? kDefaultPeriodsPooled : p.periods_pooled();
    const double global_share = global_ppm_.value_or(0) / 1e6;
    const double entries = p.expected_entries_per_period() * periods * (1 - global_share) *
                           (1 - washout_fraction);
    const double share = share_ppm / 1e6;
    const double n_c = entries * share;
    const double n_t = entries * (1 - share) * min_arm_fraction;
    if (n_c < 1 || n_t < 1) {
      Warn(path, "holdout-underpowered",
           absl::StrCat(label, ": holdout too small: fewer than one expected entry per group"));
      return;
    }
    struct Metric {
      const char* name;
      double sigma;
      double mean;
    };
    std::vector<Metric> metrics;
    if (has_conversion) {
      const double rate = p.baseline_conversion_rate();
      metrics.push_back({"conversion rate", std::sqrt(rate * (1 - rate)), rate});
    }
    if (has_revenue) {
      metrics.push_back({"revenue per entry", p.baseline_revenue_sd(), p.baseline_revenue_mean()});
    }
    for (const Metric& m : metrics) {
      const double mde = MinimumDetectableEffect(m.sigma, n_t, n_c) / m.mean;
      if (mde <= p.target_relative_mde()) continue;
      const double ratio = mde / p.target_relative_mde();
      const uint64_t periods_needed =
          static_cast<uint64_t>(std::ceil(periods * ratio * ratio - 1e-9));
      Warn(Field(path, "target_relative_mde"), "holdout-underpowered",
           absl::StrCat(label, ": holdout too small: the minimum detectable relative lift in ",
                        m.name, " is ", Percent(mde), " (80% power, two-sided alpha 0.05, ~",
                        absl::StrFormat("%.0f", n_c), " holdout vs ~",
                        absl::StrFormat("%.0f", n_t), default_arm ? " treatment" : " smallest-arm",
                        " entries over ", periods, periods == 1 ? " period" : " periods",
                        "), above the target ", Percent(p.target_relative_mde()),
                        "; pool about ", periods_needed,
                        " periods or raise holdout_share"));
    }
  }

  struct SeedUse {
    std::string owner;
    std::string path;
  };

  const holdfast::v1::Config& raw_;
  const SourceMap& map_;
  std::vector<Diagnostic> out_;
  std::map<std::string, int> journey_ids_;
  std::map<std::string, SeedUse> seeds_;
  std::optional<uint32_t> global_ppm_;
};

}  // namespace

bool IsValidJourneyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxNameBytes) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsValidStage(absl::string_view stage) {
  if (stage.empty() || stage.size() > kMaxStageBytes) return false;
  for (char c : stage) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

const char* NearStandardStage(absl::string_view stage) {
  // Levenshtein distance, bounded: labels are at most 32 bytes.
  auto distance = [](absl::string_view a, absl::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diag = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diag = up;
      }
    }
    return row[b.size()];
  };
  for (const char* standard : kStandardStages) {
    if (stage == standard) return nullptr;
  }
  for (const char* standard : kStandardStages) {
    if (distance(stage, standard) <= 2) return standard;
  }
  return nullptr;
}

bool IsValidChannelName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxChannelBytes) return false;
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool IsValidArmName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    if (!(absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

std::vector<Diagnostic> Validate(const holdfast::v1::Config& raw, const SourceMap& source_map) {
  std::vector<Diagnostic> out;
  // Sizes and encodings first: the checks below may echo these strings.
  CheckLimits(raw, source_map, &out);
  std::vector<Diagnostic> semantic = Validator(raw, source_map).Run();
  out.insert(out.end(), std::make_move_iterator(semantic.begin()), std::make_move_iterator(semantic.end()));
  return out;
}

}  // namespace holdfast::config
