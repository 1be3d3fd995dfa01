#include "client/import_rows.h"

#include <cmath>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/status_macros.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {
namespace {

struct Column {
  const char* name;
  bool required;
};

// Field order here is the index into RowParser::field_column_.
constexpr Column kEntryColumns[] = {{"journey", true}, {"unit", true}, {"at", true}};
enum EntryField { kEntryJourney, kEntryUnit, kEntryAt };

constexpr Column kSendColumns[] = {{"send_id", true}, {"unit", true},  {"journey", true},
                                   {"channel", true}, {"at", true},    {"cost", false}};
enum SendField { kSendId, kSendUnit, kSendJourney, kSendChannel, kSendAt, kSendCost };

constexpr Column kOutcomeColumns[] = {{"outcome_id", true}, {"unit", true},   {"at", true},
                                      {"type", true},       {"revenue", true}, {"margin", true},
                                      {"order_id", false},  {"incentive_cost", false}};
enum OutcomeField {
  kOutcomeId,
  kOutcomeUnit,
  kOutcomeAt,
  kOutcomeType,
  kOutcomeRevenue,
  kOutcomeMargin,
  kOutcomeOrderId,
  kOutcomeIncentiveCost
};

constexpr Column kCostColumns[] = {{"cost_id", true}, {"journey", true}, {"start", true},
                                   {"end", true},     {"amount", true},  {"category", false}};
enum CostField { kCostId, kCostJourney, kCostStart, kCostEnd, kCostAmount, kCostCategory };

constexpr Column kCustomerColumns[] = {{"unit", true}, {"first_seen", true}};
enum CustomerField { kCustomerUnit, kCustomerFirstSeen };

constexpr char kAttributePrefix[] = "attr.";

std::pair<const Column*, size_t> ColumnsOf(ImportKind kind) {
  switch (kind) {
    case ImportKind::kEntries:
      return {kEntryColumns, std::size(kEntryColumns)};
    case ImportKind::kSends:
      return {kSendColumns, std::size(kSendColumns)};
    case ImportKind::kOutcomes:
      return {kOutcomeColumns, std::size(kOutcomeColumns)};
    case ImportKind::kCosts:
      return {kCostColumns, std::size(kCostColumns)};
    case ImportKind::kCustomers:
      return {kCustomerColumns, std::size(kCustomerColumns)};
  }
  return {kSendColumns, std::size(kSendColumns)};
}

// A value shown in an error, shortened so one bad cell cannot flood the summary.
std::string Shown(absl::string_view value) {
  if (value.size() <= 40) return std::string(value);
  return absl::StrCat(value.substr(0, 37), "...");
}

absl::Status ColumnError(absl::string_view column, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(column, ": ", reason));
}

// Strict decimal number: surrounding blanks allowed, NaN and infinities not
// (the server rejects them for every numeric field).
absl::Status ParseNumber(absl::string_view column, absl::string_view text, double* out) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty() || !absl::SimpleAtod(s, out)) {
    return ColumnError(column, absl::StrCat("not a number '", Shown(text), "'"));
  }
  if (!std::isfinite(*out)) {
    return ColumnError(column, absl::StrCat("must be a finite number, got '", Shown(text), "'"));
  }
  return absl::OkStatus();
}

absl::Status ParseTimestamp(absl::string_view column, absl::string_view text,
                            google::protobuf::Timestamp* out) {
  absl::StatusOr<UnixMicros> t = ParseTime(text);
  if (!t.ok()) return ColumnError(column, t.status().message());
  // ParseTime guarantees 1970..9999, so t >= 0 and plain division is exact.
  out->set_seconds(*t / 1000000);
  out->set_nanos(static_cast<int32_t>(*t % 1000000) * 1000);
  return absl::OkStatus();
}

absl::StatusOr<holdfast::v1::OutcomeType> ParseOutcomeType(absl::string_view text) {
  const std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (s == "conversion") return holdfast::v1::CONVERSION;
  if (s == "order") return holdfast::v1::ORDER;
  if (s == "refund") return holdfast::v1::REFUND;
  if (s == "unsubscribe") return holdfast::v1::UNSUBSCRIBE;
  if (s == "complaint") return holdfast::v1::COMPLAINT;
  return ColumnError("type", absl::StrCat("'", Shown(text),
                                          "' is not one of conversion, order, refund, unsubscribe, "
                                          "complaint"));
}

}  // namespace

absl::StatusOr<ImportKind> ParseImportKind(absl::string_view name) {
  if (name == "entries") return ImportKind::kEntries;
  if (name == "sends") return ImportKind::kSends;
  if (name == "outcomes") return ImportKind::kOutcomes;
  if (name == "costs") return ImportKind::kCosts;
  if (name == "customers") return ImportKind::kCustomers;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown record kind '", name, "': want entries, sends, outcomes, costs or customers"));
}

absl::string_view ImportKindName(ImportKind kind) {
  switch (kind) {
    case ImportKind::kEntries:
      return "entries";
    case ImportKind::kSends:
      return "sends";
    case ImportKind::kOutcomes:
      return "outcomes";
    case ImportKind::kCosts:
      return "costs";
    case ImportKind::kCustomers:
      return "customers";
  }
  return "?";
}

std::string ImportColumnsHelp(ImportKind kind) {
  auto [columns, n] = ColumnsOf(kind);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += columns[i].required ? columns[i].name : absl::StrCat("[", columns[i].name, "]");
  }
  if (kind == ImportKind::kEntries) out += ",[attr.KEY]...";
  return out;
}

const std::string& RecordBatch::journey(int i) const {
  static const std::string* const kNone = new std::string();
  switch (kind) {
    case ImportKind::kEntries:
      return entries.entries(i).journey();
    case ImportKind::kSends:
      return sends.sends(i).journey();
    case ImportKind::kCosts:
      return costs.costs(i).journey();
    case ImportKind::kOutcomes:
    case ImportKind::kCustomers:
      break;
  }
  return *kNone;
}

RecordBatch RecordBatch::Slice(int begin, int end) const {
  RecordBatch out;
  out.kind = kind;
  out.lines.assign(lines.begin() + begin, lines.begin() + end);
  auto copy = [&](const auto& from, auto* to) {
    to->Reserve(end - begin);
    for (int i = begin; i < end; ++i) *to->Add() = from.Get(i);
  };
  switch (kind) {
    case ImportKind::kEntries:
      copy(entries.entries(), out.entries.mutable_entries());
      break;
    case ImportKind::kSends:
      copy(sends.sends(), out.sends.mutable_sends());
      break;
    case ImportKind::kOutcomes:
      copy(outcomes.outcomes(), out.outcomes.mutable_outcomes());
      break;
    case ImportKind::kCosts:
      copy(costs.costs(), out.costs.mutable_costs());
      break;
    case ImportKind::kCustomers:
      copy(customers.customers(), out.customers.mutable_customers());
      break;
  }
  return out;
}

void RecordBatch::PopBack() {
  switch (kind) {
    case ImportKind::kEntries:
      entries.mutable_entries()->RemoveLast();
      break;
    case ImportKind::kSends:
      sends.mutable_sends()->RemoveLast();
      break;
    case ImportKind::kOutcomes:
      outcomes.mutable_outcomes()->RemoveLast();
      break;
    case ImportKind::kCosts:
      costs.mutable_costs()->RemoveLast();
      break;
    case ImportKind::kCustomers:
      customers.mutable_customers()->RemoveLast();
      break;
  }
  lines.pop_back();
}

absl::StatusOr<RowParser> RowParser::Create(ImportKind kind, const std::vector<std::string>& header) {
  auto [columns, n] = ColumnsOf(kind);
  RowParser parser;
  parser.kind_ = kind;
  parser.num_columns_ = header.size();
  parser.field_column_.assign(n, -1);
  std::set<std::string> seen;
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string name(absl::StripAsciiWhitespace(header[c]));
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("header: column ", c + 1, " has no name"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("header: column '", name, "' appears twice"));
    }
    if (kind == ImportKind::kEntries && absl::StartsWith(name, kAttributePrefix)) {
      std::string key = name.substr(std::size(kAttributePrefix) - 1);
      if (key.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("header: column '", name, "' names no attribute (want attr.KEY)"));
      }
      parser.attribute_columns_.emplace_back(static_cast<int>(c), std::move(key));
      continue;
    }
    size_t f = 0;
    while (f < n && name != columns[f].name) ++f;
    if (f == n) {
      return absl::InvalidArgumentError(absl::StrCat("header: unknown column '", name, "' for ",
                                                     ImportKindName(kind), " (columns: ",
                                                     ImportColumnsHelp(kind), ")"));
    }
    parser.field_column_[f] = static_cast<int>(c);
  }
  std::vector<std::string> missing;
  for (size_t f = 0; f < n; ++f) {
    if (columns[f].required && parser.field_column_[f] < 0) missing.push_back(columns[f].name);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("header: missing required column", missing.size() > 1 ? "s " : " ",
                     absl::StrJoin(missing, ", "), " (", ImportKindName(kind),
                     " columns: ", ImportColumnsHelp(kind), ")"));
  }
  return parser;
}

absl::Status RowParser::Append(const std::vector<std::string>& row, int64_t line,
                               RecordBatch* batch) const {
  if (row.size() != num_columns_) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", num_columns_, " fields, got ", row.size()));
  }
  absl::Status status;
  switch (kind_) {
    case ImportKind::kEntries:
      status = AppendEntry(row, batch->entries.add_entries());
      break;
    case ImportKind::kSends:
      status = AppendSend(row, batch->sends.add_sends());
      break;
    case ImportKind::kOutcomes:
      status = AppendOutcome(row, batch->outcomes.add_outcomes());
      break;
    case ImportKind::kCosts:
      status = AppendCost(row, batch->costs.add_costs());
      break;
    case ImportKind::kCustomers:
      status = AppendCustomer(row, batch->customers.add_customers());
      break;
  }
  batch->lines.push_back(line);
  if (!status.ok()) batch->PopBack();
  return status;
}

absl::Status RowParser::AppendEntry(const std::vector<std::string>& row,
                                    holdfast::v1::EntryRecord* out) const {
  out->set_journey(row[field_column_[kEntryJourney]]);
  out->set_unit(row[field_column_[kEntryUnit]]);
  HF_RETURN_IF_ERROR(ParseTimestamp("at", row[field_column_[kEntryAt]], out->mutable_at()));
  // An empty cell means "no such attribute" so sparse attributes need no
  // placeholder values.
  for (const auto& [column, key] : attribute_columns_) {
    if (!row[column].empty()) (*out->mutable_attributes())[key] = row[column];
  }
  return absl::OkStatus();
}

absl::Status RowParser::AppendSend(const std::vector<std::string>& row,
                                   holdfast::v1::SendRecord* out) const {
  out->set_send_id(row[field_column_[kSendId]]);
  out->set_unit(row[field_column_[kSendUnit]]);
  out->set_journey(row[field_column_[kSendJourney]]);
  out->set_channel(row[field_column_[kSendChannel]]);
  HF_RETURN_IF_ERROR(ParseTimestamp("at", row[field_column_[kSendAt]], out->mutable_at()));
  // Empty cost: unset, so the server applies the journey's channel cost.
  if (const int c = field_column_[kSendCost]; c >= 0 && !absl::StripAsciiWhitespace(row[c]).empty()) {
    double cost = 0;
    HF_RETURN_IF_ERROR(ParseNumber("cost", row[c], &cost));
    out->set_cost(cost);
  }
  return absl::OkStatus();
}

absl::Status RowParser::AppendOutcome(const std::vector<std::string>& row,
                                      holdfast::v1::OutcomeRecord* out) const {
  out->set_outcome_id(row[field_column_[kOutcomeId]]);
  out->set_unit(row[field_column_[kOutcomeUnit]]);
  HF_RETURN_IF_ERROR(ParseTimestamp("at", row[field_column_[kOutcomeAt]], out->mutable_at()));
  HF_ASSIGN_OR_RETURN(holdfast::v1::OutcomeType type, ParseOutcomeType(row[field_column_[kOutcomeType]]));
  out->set_type(type);
  // Empty revenue/margin: 0 (unsubscribes and complaints carry no money).
  double value = 0;
  if (const std::string& v = row[field_column_[kOutcomeRevenue]]; !absl::StripAsciiWhitespace(v).empty()) {
    HF_RETURN_IF_ERROR(ParseNumber("revenue", v, &value));
    out->set_revenue(value);
  }
  if (const std::string& v = row[field_column_[kOutcomeMargin]]; !absl::StripAsciiWhitespace(v).empty()) {
    HF_RETURN_IF_ERROR(ParseNumber("margin", v, &value));
    out->set_margin(value);
  }
  if (const int c = field_column_[kOutcomeOrderId]; c >= 0) out->set_order_id(row[c]);
  // Empty incentive_cost: unset (0), so refund and unsubscribe rows of the
  // same file may leave it blank.
  if (const int c = field_column_[kOutcomeIncentiveCost];
      c >= 0 && !absl::StripAsciiWhitespace(row[c]).empty()) {
    HF_RETURN_IF_ERROR(ParseNumber("incentive_cost", row[c], &value));
    out->set_incentive_cost(value);
  }
  return absl::OkStatus();
}

absl::Status RowParser::AppendCost(const std::vector<std::string>& row,
                                   holdfast::v1::FixedCostRecord* out) const {
  out->set_cost_id(row[field_column_[kCostId]]);
  out->set_journey(row[field_column_[kCostJourney]]);
  HF_RETURN_IF_ERROR(ParseTimestamp("start", row[field_column_[kCostStart]], out->mutable_start()));
  HF_RETURN_IF_ERROR(ParseTimestamp("end", row[field_column_[kCostEnd]], out->mutable_end()));
  double amount = 0;
  HF_RETURN_IF_ERROR(ParseNumber("amount", row[field_column_[kCostAmount]], &amount));
  out->set_amount(amount);
  if (const int c = field_column_[kCostCategory]; c >= 0) out->set_category(row[c]);
  return absl::OkStatus();
}

absl::Status RowParser::AppendCustomer(const std::vector<std::string>& row,
                                       holdfast::v1::CustomerRecord* out) const {
  out->set_unit(row[field_column_[kCustomerUnit]]);
  return ParseTimestamp("first_seen", row[field_column_[kCustomerFirstSeen]], out->mutable_first_seen());
}

}  // namespace holdfast::cli
