// The forest plot of the HTML reports (journey and program): one inline SVG
// per panel, each with its own axis, units and ticks, the reference lines
// (0 = no effect, 1 = break-even) drawn and labelled apart, the estimate and
// interval as text beside every row, and intervals far wider than the
// others clipped with an arrow at the edge instead of squashing every other
// row (docs/report.md, "Forest plot").
//
// Panels wrap: side by side on a wide page, one under the other on a phone
// (each SVG scales to the width of the page, never below readable size).
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_FOREST_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_FOREST_H_

#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// How a panel's numbers read: percent ("12.5%"), a plain ratio ("2.31") or
// money ("3.250").
enum class AxisUnit { kPercent, kRatio, kMoney };

struct ForestRow {
  // What the row shows (short: the arm or segment under its journey), and
  // the full row name for the tooltip ("" = the label).
  std::string label;
  std::string full_label;
  // Headline rows (pooled arm, pooled periods) are bold; segment rows are
  // indented under their journey.
  bool bold = false;
  bool indent = false;
  bool defined = false;
  double value = 0.0, lower = 0.0, upper = 0.0;
};

struct ForestReference {
  double at = 0.0;
  // Text at the top of the line ("0", "break-even 1").
  std::string label;
};

struct ForestPanel {
  std::string title;
  // Under the axis: what the numbers are, with the unit.
  std::string axis_caption;
  AxisUnit unit = AxisUnit::kRatio;
  std::vector<ForestReference> refs;
  // The line a bar is judged against: green when its interval lies entirely
  // above, red entirely below, grey otherwise; drawn solid orange, every other
  // reference dashed grey.
  double decision_ref = 0.0;
  std::vector<ForestRow> rows;
};

// An estimate as a row (scale multiplies every number, e.g. 100 for %).
ForestRow ToForestRow(const std::string& label, const holdfast::v1::Estimate& e,
                      double scale = 1.0);

// The axis range [lo, hi] of a panel: every reference line, and every
// interval except those more than kClipWidthFactor times wider than the
// median interval of the panel (those are clipped; their estimates stay in
// view when within one range width of the others), padded by 6 %.
inline constexpr double kClipWidthFactor = 4.0;
struct ForestDomain {
  double lo = 0.0, hi = 1.0;
};
ForestDomain ChooseForestDomain(const ForestPanel& panel);

// The estimate with its interval in the panel's unit: "+12.5% [4.1%, 20.9%]".
std::string ForestValueText(const ForestPanel& panel, const ForestRow& row);

// One <svg> of one panel.
std::string ForestPanelSvg(const ForestPanel& panel);

// <div class="forest"> holding every panel, then a note on how to read it.
std::string ForestHtml(const std::vector<ForestPanel>& panels);

// The journey report's panels: relative revenue lift (%, delta interval)
// and iROAS (primary interval): per journey its pooled row (bold, "journey
// (all arms)"), then indented its arms and, when segmented, its segment rows.
std::vector<ForestPanel> LiftForestPanels(const holdfast::v1::LiftReport& r);
// The program report's panels: revenue lift per customer and program iROAS,
// the pooled row first, then each period.
std::vector<ForestPanel> ProgramForestPanels(const holdfast::v1::ProgramReport& r);

// The CSS the forest plot needs (part of the page's <style>).
extern const char kForestStyle[];

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_FOREST_H_
