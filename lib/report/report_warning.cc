#include "lib/report/report_warning.h"

#include <algorithm>
#include <tuple>

namespace holdfast::report {

void SortWarnings(std::vector<ReportWarning>& warnings) {
  std::stable_sort(warnings.begin(), warnings.end(),
                   [](const ReportWarning& a, const ReportWarning& b) {
                     return std::make_tuple(-static_cast<int>(a.severity), std::cref(a.journey),
                                            std::cref(a.segment), std::cref(a.arm),
                                            static_cast<int>(a.kind)) <
                            std::make_tuple(-static_cast<int>(b.severity), std::cref(b.journey),
                                            std::cref(b.segment), std::cref(b.arm),
                                            static_cast<int>(b.kind));
                   });
}

}  // namespace holdfast::report
