#include "lib/report/report_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace holdfast::report {

std::string FormatPercent(double fraction) { return absl::StrFormat("%g%%", 100.0 * fraction); }

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return absl::StrFormat("%.4g", v);
}

std::string FormatGrouped(double v, int decimals) {
  if (!std::isfinite(v)) return FormatNumber(v);
  const std::string digits = absl::StrFormat("%.*f", decimals, v);
  const size_t sign = digits[0] == '-' ? 1 : 0;
  const size_t point = digits.find('.');
  const size_t int_end = point == std::string::npos ? digits.size() : point;
  std::string out = digits.substr(0, sign);
  for (size_t i = sign; i < int_end; ++i) {
    if (i > sign && (int_end - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  out.append(digits, int_end, std::string::npos);
  return out;
}

std::string FormatInterval(double lower, double upper) {
  return absl::StrCat("[", FormatNumber(lower), ", ", FormatNumber(upper), "]");
}

std::string FormatFieller(const stats::FiellerSet& set) {
  switch (set.shape) {
    case stats::FiellerShape::kBounded: return FormatInterval(set.lower, set.upper);
    case stats::FiellerShape::kExclusive:
      return absl::StrCat("(-inf, ", FormatNumber(set.lower), "] U [", FormatNumber(set.upper),
                          ", +inf)");
    case stats::FiellerShape::kWholeLine: return "the whole line";
    case stats::FiellerShape::kUndefined: break;
  }
  return "undefined";
}

}  // namespace holdfast::report
