// Renders the lift report's lifecycle-stage / programme roll-ups and its
// trends (LiftReport.stages, .programme, .trends): text tables, CSV rows
// (st_ and tr_ columns) and HTML (tables, and per journey an inline-SVG time
// series of revenue lift and iROAS with labelled axes). Each renderer calls
// one function here, so the page layout stays the renderer's.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_ROLLUPS_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_ROLLUPS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// The STAGES section (when the report has journeys) and the TRENDS section
// (when it has trends), each ending with a blank line; "" when neither.
std::string RollupSectionsText(const holdfast::v1::LiftReport& r);

// The same sections in HTML: a stage table, then per journey a trend chart
// and its table.
std::string RollupSectionsHtml(const holdfast::v1::LiftReport& r);

// CSV: the st_ and tr_ column names appended to `h`, and one line's cells
// per roll-up (journey "", arm "", segment "", st_ cells) and per trend
// point (journey, arm "*", segment "", tr_ cells), each `width` wide up to
// `first_column` (the index of the first st_ column) and filled after it.
void AppendRollupCsvHeader(std::vector<std::string>& h);
std::vector<std::vector<std::string>> RollupCsvRows(const holdfast::v1::LiftReport& r,
                                                    size_t first_column);

// "retention", "(no stage)", "(programme)".
std::string StageLabel(const std::string& stage);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_ROLLUPS_H_
