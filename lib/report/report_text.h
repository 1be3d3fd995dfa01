// Number formatting shared by warning messages and the text renderers, so a
// number reads the same in a warning and in the table beside it.
#ifndef HOLDFAST_LIB_REPORT_REPORT_TEXT_H_
#define HOLDFAST_LIB_REPORT_REPORT_TEXT_H_

#include <string>

#include "lib/stats/estimators.h"

namespace holdfast::report {

// 0.95 -> "95%", 0.999 -> "99.9%".
std::string FormatPercent(double fraction);

// "[lower, upper]" with 4 significant digits; "inf" for infinities, "n/a"
// for NaN.
std::string FormatInterval(double lower, double upper);

// A number with 4 significant digits, "inf"/"-inf", "n/a" for NaN.
std::string FormatNumber(double v);

// `decimals` fixed decimals with thousands separators in the integer part,
// as the text tables print totals: 233879.851 -> "233,879.85" (2). "inf" /
// "-inf" / "n/a" for non-finite values.
std::string FormatGrouped(double v, int decimals);

// "[a, b]", "(-inf, a] U [b, +inf)", "the whole line", or "undefined".
std::string FormatFieller(const stats::FiellerSet& set);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_REPORT_TEXT_H_
