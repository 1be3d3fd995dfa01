#include "client/report_render_util.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace holdfast::cli::render {

namespace {

// Non-finite values in every column format.
bool NonFinite(double v, std::string* out) {
  if (std::isnan(v)) *out = "n/a";
  else if (std::isinf(v)) *out = v > 0 ? "inf" : "-inf";
  else return false;
  return true;
}

// Inserts thousands separators into the integer part of a formatted number.
std::string GroupIntegerPart(const std::string& s) {
  const size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  for (size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return out + s.substr(end);
}

}  // namespace

std::string Count(int64_t n) { return GroupIntegerPart(absl::StrCat(n)); }

std::string Fixed(double v, int decimals) {
  std::string out;
  if (NonFinite(v, &out)) return out;
  out = absl::StrFormat("%.*f", decimals, v);
  // "-0.000": a tiny negative value is zero at this precision.
  if (out[0] == '-' && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
  return GroupIntegerPart(out);
}

std::string PerEntry(double v) { return Fixed(v, 3); }
std::string Total(double v) { return Fixed(v, 2); }
std::string Ratio(double v) { return Fixed(v, 2); }

std::string Pct(double v) {
  std::string out;
  if (NonFinite(v, &out)) return out;
  return Fixed(100.0 * v, 1) + "%";
}

std::string Points(double v) {
  std::string out;
  if (NonFinite(v, &out)) return out;
  return Fixed(100.0 * v, 2) + "pp";
}

std::string PValue(double p) {
  if (std::isnan(p)) return "n/a";
  if (p < 1e-4) return "<0.0001";
  return absl::StrFormat("%.4f", p);
}

std::string WithInterval(const holdfast::v1::Estimate& e, std::string (*format)(double)) {
  if (!e.defined()) return "n/a";
  return absl::StrCat(format(e.value()), " [", format(e.lower()), ", ", format(e.upper()), "]");
}

std::string Num(double v) {
  std::string out;
  if (NonFinite(v, &out)) return out;
  if (v == 0.0) return "0";
  if (std::fabs(v) >= 1e4 && std::fabs(v) < 1e15) return Fixed(v, 0);
  return absl::StrFormat("%.4g", v);
}

std::string Exact(double v) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.10g", v);
}

std::string RowLabel(const holdfast::v1::LiftRow& row) {
  std::string label = row.journey();
  if (row.arm() != "*") absl::StrAppend(&label, " / ", row.arm());
  if (!row.segment().empty()) absl::StrAppend(&label, row.arm() == "*" ? " / * / " : " / ", row.segment());
  return label;
}

std::string SeverityName(holdfast::v1::Warning::Severity s) {
  switch (s) {
    case holdfast::v1::Warning::CRITICAL: return "CRITICAL";
    case holdfast::v1::Warning::CAUTION: return "CAUTION";
    case holdfast::v1::Warning::INFO: return "INFO";
    default: return "WARNING";
  }
}

namespace {
bool LooksNumeric(const std::string& s) {
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                        s[0] == '+' || s[0] == '<' || s == "n/a" || s == "inf");
}
}  // namespace

std::string TextTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string l;
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(width[c] - cell.size(), ' ');
      if (c > 0) l += "  ";
      l += (!is_header && c > 0 && LooksNumeric(cell)) ? pad + cell : cell + pad;
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    absl::StrAppend(&out, l, "\n");
  };
  line(header, true);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule, true);
  for (const auto& r : rows) line(r, false);
  return out;
}

std::string HtmlEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string CsvField(absl::string_view s) {
  if (s.find_first_of(",\"\n\r") == absl::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += "\"\"";
    else out.push_back(ch);
  }
  out += "\"";
  return out;
}

namespace {
bool Corrected(const holdfast::v1::LiftRow& row) {
  return row.primary_interval() == holdfast::v1::SKEW_CORRECTED;
}
}  // namespace

const holdfast::v1::Estimate& PrimaryRevenueLift(const holdfast::v1::LiftRow& row) {
  return Corrected(row) ? row.revenue_lift_skew_corrected() : row.revenue_lift();
}
const holdfast::v1::Estimate& PrimaryIncrementalRevenue(const holdfast::v1::LiftRow& row) {
  return Corrected(row) ? row.incremental_revenue_skew_corrected() : row.incremental_revenue();
}
const holdfast::v1::Estimate& PrimaryIroas(const holdfast::v1::LiftRow& row) {
  return Corrected(row) ? row.iroas_skew_corrected() : row.iroas();
}
const holdfast::v1::Estimate& PrimaryMarginIroas(const holdfast::v1::LiftRow& row) {
  return Corrected(row) ? row.margin_iroas_skew_corrected() : row.margin_iroas();
}

std::string PrimaryIntervalsNote(const holdfast::v1::LiftReport& r) {
  bool any = false;
  for (const holdfast::v1::LiftRow& row : r.rows()) any = any || Corrected(row);
  if (!any) return "Intervals: Welch (revenue), delta method (ratios), normal (conversion).";
  return "Intervals: revenue lift, incremental revenue and iROAS (with and without incentives) are "
         "skewness-corrected (Hall; docs/statistics.md section 11), their p-values likewise; "
         "relative lift delta method, conversion normal. Plain Welch / delta intervals are in JSON "
         "and CSV.";
}

double AxisTickStep(double range) {
  if (!(range > 0) || !std::isfinite(range)) return 1.0;
  const double raw = range / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) return m * mag;
  }
  return 10.0 * mag;
}

}  // namespace holdfast::cli::render
