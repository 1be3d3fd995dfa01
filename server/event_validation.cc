#include "server/event_validation.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/text.h"
#include "lib/config/limits.h"
#include "lib/storage/records.h"
#include "server/request_validation.h"

namespace holdfast::server {
namespace {

// A channel the config may name must also be storable with its sends.
static_assert(config::kMaxChannelBytes <= kMaxStoredChannelBytes);

absl::Status Invalid(absl::string_view prefix, absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, ".", field, ": ", reason));
}

absl::Status CheckJourney(absl::string_view prefix, const std::string& journey,
                          const AssignmentConfig& config) {
  if (journey.empty()) return Invalid(prefix, "journey", "must not be empty");
  if (config.FindJourney(journey) == nullptr) {
    return Invalid(prefix, "journey", absl::StrCat("'", EchoInput(journey), "' is not configured"));
  }
  return absl::OkStatus();
}

// A time that must be present.
absl::Status CheckRequiredTime(absl::string_view prefix, absl::string_view field, bool has,
                               const google::protobuf::Timestamp& ts) {
  if (!has) return Invalid(prefix, field, "is required");
  return TimestampToMicros(absl::StrCat(prefix, ".", field), true, ts, 0).status();
}

absl::Status CheckFinite(absl::string_view prefix, absl::string_view field, double v) {
  if (!std::isfinite(v)) return Invalid(prefix, field, absl::StrCat("must be finite, got ", v));
  if (std::fabs(v) > kMaxMoney) {
    return Invalid(prefix, field, absl::StrCat("|", v, "| exceeds the limit ", kMaxMoney));
  }
  return absl::OkStatus();
}

// A cost: finite, >= 0, at most kMaxMoney.
absl::Status CheckCost(absl::string_view prefix, absl::string_view field, double v) {
  if (!std::isfinite(v) || v < 0 || v > kMaxMoney) {
    return Invalid(prefix, field, absl::StrCat("must be finite and >= 0 (at most ", kMaxMoney, "), got ", v));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSendRecord(absl::string_view prefix, const holdfast::v1::SendRecord& send,
                                const AssignmentConfig& config) {
  HF_RETURN_IF_ERROR(ValidateId(absl::StrCat(prefix, ".send_id"), send.send_id()));
  HF_RETURN_IF_ERROR(ValidateUnit(absl::StrCat(prefix, ".unit"), send.unit()));
  HF_RETURN_IF_ERROR(CheckJourney(prefix, send.journey(), config));
  if (send.channel().empty() || send.channel().size() > config::kMaxChannelBytes) {
    return Invalid(prefix, "channel", absl::StrCat("must be 1-", config::kMaxChannelBytes, " bytes"));
  }
  HF_RETURN_IF_ERROR(ValidateNoNul(absl::StrCat(prefix, ".channel"), send.channel()));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "at", send.has_at(), send.at()));
  if (send.has_cost()) HF_RETURN_IF_ERROR(CheckCost(prefix, "cost", send.cost()));
  return absl::OkStatus();
}

absl::Status ValidateOutcomeRecord(absl::string_view prefix, const holdfast::v1::OutcomeRecord& outcome) {
  HF_RETURN_IF_ERROR(ValidateId(absl::StrCat(prefix, ".outcome_id"), outcome.outcome_id()));
  HF_RETURN_IF_ERROR(ValidateUnit(absl::StrCat(prefix, ".unit"), outcome.unit()));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "at", outcome.has_at(), outcome.at()));
  if (outcome.type() == holdfast::v1::OUTCOME_TYPE_UNSPECIFIED ||
      !holdfast::v1::OutcomeType_IsValid(outcome.type())) {
    return Invalid(prefix, "type", "must be CONVERSION, ORDER, REFUND, UNSUBSCRIBE or COMPLAINT");
  }
  HF_RETURN_IF_ERROR(CheckFinite(prefix, "revenue", outcome.revenue()));
  HF_RETURN_IF_ERROR(CheckFinite(prefix, "margin", outcome.margin()));
  if (outcome.type() == holdfast::v1::ORDER && outcome.revenue() < 0) {
    return Invalid(prefix, "revenue", "an ORDER's revenue must be >= 0 (report returns as REFUND)");
  }
  if (outcome.has_incentive_cost()) {
    if (outcome.type() != holdfast::v1::ORDER && outcome.type() != holdfast::v1::CONVERSION) {
      return Invalid(prefix, "incentive_cost", "only a CONVERSION or ORDER carries an incentive");
    }
    HF_RETURN_IF_ERROR(CheckCost(prefix, "incentive_cost", outcome.incentive_cost()));
  }
  if (outcome.type() == holdfast::v1::REFUND) {
    HF_RETURN_IF_ERROR(ValidateId(absl::StrCat(prefix, ".order_id"), outcome.order_id()));
  } else if (!outcome.order_id().empty()) {
    return Invalid(prefix, "order_id", "only a REFUND names an order");
  }
  return absl::OkStatus();
}

absl::Status ValidateFixedCostRecord(absl::string_view prefix, const holdfast::v1::FixedCostRecord& cost,
                                     const AssignmentConfig& config) {
  HF_RETURN_IF_ERROR(ValidateId(absl::StrCat(prefix, ".cost_id"), cost.cost_id()));
  HF_RETURN_IF_ERROR(CheckJourney(prefix, cost.journey(), config));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "start", cost.has_start(), cost.start()));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "end", cost.has_end(), cost.end()));
  const int64_t start = cost.start().seconds() * 1000000 + cost.start().nanos() / 1000;
  const int64_t end = cost.end().seconds() * 1000000 + cost.end().nanos() / 1000;
  if (end <= start) return Invalid(prefix, "end", "must be after start");
  HF_RETURN_IF_ERROR(CheckCost(prefix, "amount", cost.amount()));
  if (cost.category().size() > 64) return Invalid(prefix, "category", "at most 64 bytes");
  HF_RETURN_IF_ERROR(ValidateNoNul(absl::StrCat(prefix, ".category"), cost.category()));
  return absl::OkStatus();
}

absl::Status ValidateEntryRecord(absl::string_view prefix, const holdfast::v1::EntryRecord& entry,
                                 const AssignmentConfig& config) {
  HF_RETURN_IF_ERROR(CheckJourney(prefix, entry.journey(), config));
  HF_RETURN_IF_ERROR(ValidateUnit(absl::StrCat(prefix, ".unit"), entry.unit()));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "at", entry.has_at(), entry.at()));
  HF_RETURN_IF_ERROR(ValidateAttributes(absl::StrCat(prefix, ".attributes"), entry.attributes()).status());
  return absl::OkStatus();
}

absl::Status ValidateCustomerRecord(absl::string_view prefix, const holdfast::v1::CustomerRecord& customer) {
  HF_RETURN_IF_ERROR(ValidateUnit(absl::StrCat(prefix, ".unit"), customer.unit()));
  HF_RETURN_IF_ERROR(CheckRequiredTime(prefix, "first_seen", customer.has_first_seen(), customer.first_seen()));
  return absl::OkStatus();
}

}  // namespace holdfast::server
