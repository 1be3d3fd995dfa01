// Renders the lift report's channels and cost components
// (LiftReport.journey_channels; docs/report.md, "Channels" and "Cost
// components"): the CHANNELS and COST COMPONENTS text sections, CSV lines
// (ch_ and kc_ columns) and the HTML tables with their notes. Each renderer
// calls one function here, so the page layout stays the renderer's.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_CHANNELS_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_CHANNELS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// The two text sections, each ending with a blank line; "" without journeys.
std::string ChannelSectionsText(const holdfast::v1::LiftReport& r);

// The same in HTML (two tables per report, one line per journey x channel
// and per journey x cost component, with the notes under them).
std::string ChannelSectionsHtml(const holdfast::v1::LiftReport& r);

// CSV: the ch_ and kc_ column names appended to `h`; one line per channel
// row (journey, arm, segment "", ch_ cells) and per cost component or total
// (journey, "*", "", kc_ cells), cells up to `first_column` (the index of
// the first ch_ column) empty.
void AppendChannelCsvHeader(std::vector<std::string>& h);
std::vector<std::vector<std::string>> ChannelCsvRows(const holdfast::v1::LiftReport& r,
                                                     size_t first_column);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_CHANNELS_H_
