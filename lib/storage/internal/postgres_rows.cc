#include "lib/storage/internal/postgres_rows.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "lib/base/text.h"
#include "lib/storage/bad_record.h"

namespace holdfast::storage_internal {
namespace {

absl::Status Bad(absl::string_view what, size_t index, absl::string_view field) {
  return BadRecordError(what, index,
                        absl::StrCat(field, " must be valid UTF-8 without NUL bytes (PostgreSQL text)"));
}

}  // namespace

bool IsPostgresText(absl::string_view s) {
  // PostgreSQL text holds no NUL byte and only valid UTF-8 (one validator:
  // lib/base/text.h).
  return s.find('\0') == absl::string_view::npos && IsValidUtf8(s);
}

absl::Status ValidatePostgresText(absl::Span<const EntryRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const EntryRow& r = rows[i];
    if (!IsPostgresText(r.journey)) return Bad("entries", i, "journey");
    if (!IsPostgresText(r.unit)) return Bad("entries", i, "unit");
    if (!IsPostgresText(r.arm)) return Bad("entries", i, "arm");
    if (!IsPostgresText(r.config_version)) return Bad("entries", i, "config_version");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostgresText(absl::Span<const SendRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const SendRow& r = rows[i];
    if (!IsPostgresText(r.send_id)) return Bad("sends", i, "send_id");
    if (!IsPostgresText(r.unit)) return Bad("sends", i, "unit");
    if (!IsPostgresText(r.journey)) return Bad("sends", i, "journey");
    if (!IsPostgresText(r.channel)) return Bad("sends", i, "channel");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostgresText(absl::Span<const OutcomeRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const OutcomeRow& r = rows[i];
    if (!IsPostgresText(r.outcome_id)) return Bad("outcomes", i, "outcome_id");
    if (!IsPostgresText(r.unit)) return Bad("outcomes", i, "unit");
    if (!IsPostgresText(r.order_id)) return Bad("outcomes", i, "order_id");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostgresText(absl::Span<const FixedCostRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    const FixedCostRow& r = rows[i];
    if (!IsPostgresText(r.cost_id)) return Bad("fixed_costs", i, "cost_id");
    if (!IsPostgresText(r.journey)) return Bad("fixed_costs", i, "journey");
    if (!IsPostgresText(r.category)) return Bad("fixed_costs", i, "category");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostgresText(absl::Span<const CustomerRow> rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!IsPostgresText(rows[i].unit)) return Bad("customers", i, "unit");
  }
  return absl::OkStatus();
}

absl::Status ValidatePostgresText(const ConfigVersionRow& r) {
  if (!IsPostgresText(r.version)) return Bad("config_version", 0, "version");
  if (!IsPostgresText(r.source_path)) return Bad("config_version", 0, "source_path");
  if (!IsPostgresText(r.diff_summary)) return Bad("config_version", 0, "diff_summary");
  if (!IsPostgresText(r.content)) return Bad("config_version", 0, "content");
  if (!IsPostgresText(r.replica)) return Bad("config_version", 0, "replica");
  return absl::OkStatus();
}

std::string ByteaHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (const char ch : bytes) {
    const uint8_t c = static_cast<uint8_t>(ch);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

std::string FromByteaHex(absl::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return "";
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    const int hi = HexDigitValue(text[i]);
    const int lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return "";
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace holdfast::storage_internal
