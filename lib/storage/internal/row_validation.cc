#include "lib/storage/internal/row_validation.h"

#include "lib/storage/analysis_sql.h"

#include <cmath>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/base/status_macros.h"
#include "lib/base/time_util.h"
#include "lib/storage/bad_record.h"

namespace holdfast::storage_internal {
namespace {

absl::Status Bad(absl::string_view what, size_t index, absl::string_view problem) {
  return BadRecordError(what, index, problem);
}

// Required key-like string: 1..max bytes.
bool KeyOk(const std::string& s, size_t max) { return !s.empty() && s.size() <= max; }

bool TextOk(const std::string& s) { return s.size() <= kMaxStoredTextBytes; }

}  // namespace

absl::Status ValidateEntries(absl::Span<const EntryRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const EntryRow& r = rows[i];
    if (!KeyOk(r.journey, kMaxStoredIdBytes)) return Bad("entries", i, "journey must be 1-256 bytes");
    if (!KeyOk(r.unit, kMaxStoredIdBytes)) return Bad("entries", i, "unit must be 1-256 bytes");
    if (!IsRepresentableTime(r.t0)) return Bad("entries", i, "t0 out of range");
    int g = static_cast<int>(r.group);
    if (g < 1 || g > 3) return Bad("entries", i, "group must be 1, 2 or 3");
    if (!TextOk(r.arm) || !TextOk(r.config_version)) return Bad("entries", i, "text field too long");
    if (r.attributes.size() > kMaxStoredAttributes) return Bad("entries", i, "too many attributes");
    for (const auto& [k, v] : r.attributes) {
      if (k.empty() || k.size() > kMaxStoredIdBytes || v.size() > kMaxStoredIdBytes) {
        return Bad("entries", i, "attribute keys must be 1-256 bytes, values at most 256");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSends(absl::Span<const SendRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const SendRow& r = rows[i];
    if (!KeyOk(r.send_id, kMaxStoredIdBytes)) return Bad("sends", i, "send_id must be 1-256 bytes");
    if (!KeyOk(r.unit, kMaxStoredIdBytes)) return Bad("sends", i, "unit must be 1-256 bytes");
    if (!KeyOk(r.journey, kMaxStoredIdBytes)) return Bad("sends", i, "journey must be 1-256 bytes");
    if (!KeyOk(r.channel, kMaxStoredChannelBytes)) return Bad("sends", i, "channel must be 1-64 bytes");
    if (!IsRepresentableTime(r.at)) return Bad("sends", i, "at out of range");
    if (!std::isfinite(r.cost) || r.cost < 0) return Bad("sends", i, "cost must be finite and >= 0");
  }
  return absl::OkStatus();
}

absl::Status ValidateOutcomes(absl::Span<const OutcomeRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const OutcomeRow& r = rows[i];
    if (!KeyOk(r.outcome_id, kMaxStoredIdBytes)) {
      return Bad("outcomes", i, "outcome_id must be 1-256 bytes");
    }
    if (!KeyOk(r.unit, kMaxStoredIdBytes)) return Bad("outcomes", i, "unit must be 1-256 bytes");
    if (!IsRepresentableTime(r.at)) return Bad("outcomes", i, "at out of range");
    int t = static_cast<int>(r.type);
    if (t < 1 || t > 5) return Bad("outcomes", i, "type must be 1..5");
    if (!std::isfinite(r.revenue) || !std::isfinite(r.margin)) {
      return Bad("outcomes", i, "revenue and margin must be finite");
    }
    if (r.type == OutcomeType::kOrder && r.revenue < 0) {
      return Bad("outcomes", i, "order revenue must be >= 0");
    }
    if (!std::isfinite(r.incentive_cost) || r.incentive_cost < 0) {
      return Bad("outcomes", i, "incentive_cost must be finite and >= 0");
    }
    if (r.incentive_cost != 0 && r.type != OutcomeType::kOrder &&
        r.type != OutcomeType::kConversion) {
      return Bad("outcomes", i, "only a CONVERSION or ORDER carries an incentive_cost");
    }
    if (r.order_id.size() > kMaxStoredIdBytes) return Bad("outcomes", i, "order_id too long");
    if (r.type == OutcomeType::kRefund && r.order_id.empty()) {
      return Bad("outcomes", i, "refund must name its order_id");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFixedCosts(absl::Span<const FixedCostRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const FixedCostRow& r = rows[i];
    if (!KeyOk(r.cost_id, kMaxStoredIdBytes)) return Bad("fixed_costs", i, "cost_id must be 1-256 bytes");
    if (!KeyOk(r.journey, kMaxStoredIdBytes)) return Bad("fixed_costs", i, "journey must be 1-256 bytes");
    if (!IsRepresentableTime(r.start) || !IsRepresentableTime(r.end)) {
      return Bad("fixed_costs", i, "start/end out of range");
    }
    if (r.end <= r.start) return Bad("fixed_costs", i, "end must be after start");
    if (!std::isfinite(r.amount) || r.amount < 0) {
      return Bad("fixed_costs", i, "amount must be finite and >= 0");
    }
    if (!TextOk(r.category)) return Bad("fixed_costs", i, "category too long");
  }
  return absl::OkStatus();
}

absl::Status ValidateCustomers(absl::Span<const CustomerRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const CustomerRow& r = rows[i];
    if (!KeyOk(r.unit, kMaxStoredIdBytes)) return Bad("customers", i, "unit must be 1-256 bytes");
    if (!IsRepresentableTime(r.first_seen)) return Bad("customers", i, "first_seen out of range");
  }
  return absl::OkStatus();
}

absl::Status ValidateConfigVersion(const ConfigVersionRow& row) {
  if (!KeyOk(row.version, kMaxStoredIdBytes)) {
    return absl::InvalidArgumentError("config version must be 1-256 bytes");
  }
  if (!IsRepresentableTime(row.loaded_at)) return absl::InvalidArgumentError("loaded_at out of range");
  if (!TextOk(row.source_path) || row.diff_summary.size() > kMaxStoredConfigSummaryBytes) {
    return absl::InvalidArgumentError("config source_path/diff_summary too long");
  }
  if (row.content.size() > kMaxStoredConfigBytes) {
    return absl::InvalidArgumentError("config content: longer than 16 MiB");
  }
  if (row.replica.size() > kMaxStoredReplicaBytes) {
    return absl::InvalidArgumentError("config replica: longer than 256 bytes");
  }
  return absl::OkStatus();
}

absl::Status ValidateAnalysisQuery(const AnalysisQuery& query) {
  if (query.from > query.to) return absl::InvalidArgumentError("analysis range has from > to");
  absl::flat_hash_set<std::string> seen;
  for (const JourneyWindow& j : query.journeys) {
    if (j.journey.empty()) return absl::InvalidArgumentError("analysis journey id is empty");
    if (!seen.insert(j.journey).second) {
      return absl::InvalidArgumentError(absl::StrCat("journey ", j.journey, " listed twice"));
    }
    // Bounded so t0 + window + horizon (or t0 - pre-period) cannot overflow
    // int64 for representable t0.
    constexpr int64_t kMaxWindow = kMaxTimeMicros;
    auto windows_ok = [](int64_t w, int64_t p, int64_t h) {
      return w >= 0 && w <= kMaxWindow && p >= 0 && p <= kMaxWindow && h >= 0 && h <= kMaxWindow;
    };
    if (!windows_ok(j.attribution_window_us, j.pre_period_us, j.refund_horizon_us) ||
        !windows_ok(j.max_horizon_us, 0, 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("journey ", j.journey, ": windows must be in [0, ", kMaxWindow, "] us"));
    }
    // Each version is one row of a VALUES list with four bound parameters.
    if (j.versions.size() > kMaxAnalysisVersions) {
      return absl::InvalidArgumentError(absl::StrCat("journey ", j.journey, ": more than ",
                                                     kMaxAnalysisVersions, " config versions"));
    }
    absl::flat_hash_set<std::string> versions;
    for (const VersionWindow& v : j.versions) {
      if (!versions.insert(v.config_version).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("journey ", j.journey, ": config version listed twice"));
      }
      if (!windows_ok(v.attribution_window_us, v.pre_period_us, v.refund_horizon_us)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "journey ", j.journey, ": version windows must be in [0, ", kMaxWindow, "] us"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateProgramQuery(const ProgramQuery& query) {
  if (query.from > query.to) return absl::InvalidArgumentError("program range has from > to");
  return absl::OkStatus();
}

absl::Status ValidateDiagnosticsQuery(const JourneyDiagnosticsQuery& query) {
  if (query.journey.empty()) return absl::InvalidArgumentError("diagnostics journey id is empty");
  if (query.from > query.to) return absl::InvalidArgumentError("diagnostics range has from > to");
  if (query.period_us < 0) return absl::InvalidArgumentError("period_us must be >= 0");
  return absl::OkStatus();
}

absl::Status ValidateChannelQuery(const ChannelQuery& query) {
  // The journey's windows and versions follow the analysis query's rules.
  AnalysisQuery as_analysis;
  as_analysis.journeys.push_back(query.journey);
  as_analysis.from = query.from;
  as_analysis.to = query.to;
  HF_RETURN_IF_ERROR(ValidateAnalysisQuery(as_analysis));
  if (query.first_period > query.last_period) {
    return absl::InvalidArgumentError("channel query has first_period > last_period");
  }
  return absl::OkStatus();
}

}  // namespace holdfast::storage_internal
