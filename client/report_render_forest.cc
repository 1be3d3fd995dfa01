#include "client/report_render_forest.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {

const char kForestStyle[] = R"css(
.forest{display:flex;flex-wrap:wrap;gap:16px 32px;align-items:flex-start}
.forest svg{flex:1 1 360px;min-width:0;width:100%;max-width:560px;height:auto}
svg text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
)css";

namespace {

// Geometry of one panel, in SVG user units (the SVG scales to the page:
// 420 wide fills a phone's 360-400 px at about 90 %, so 13-unit text stays
// near 12 px).
constexpr int kWidth = 420;
constexpr int kPlotLeft = 14;
constexpr int kPlotRight = kWidth - 14;
constexpr int kTop = 44;     // first row
constexpr int kRowH = 38;    // label line + bar line
constexpr double kCharW = 7.0;  // average width of a 13-unit character

bool Finite(const ForestRow& r) {
  return r.defined && std::isfinite(r.value) && std::isfinite(r.lower) && std::isfinite(r.upper);
}

// Tick step near range / 5 from {1, 2, 5} x 10^k.

std::string NumberIn(AxisUnit unit, double v) {
  switch (unit) {
    case AxisUnit::kPercent: return Fixed(v, 1) + (std::isfinite(v) ? "%" : "");
    case AxisUnit::kMoney: return Fixed(v, 3);
    case AxisUnit::kRatio: break;
  }
  return Fixed(v, 2);
}

std::string TickText(AxisUnit unit, double t) {
  const std::string n = Num(std::fabs(t) < 1e-12 ? 0.0 : t);
  return unit == AxisUnit::kPercent ? n + "%" : n;
}

}  // namespace

ForestRow ToForestRow(const std::string& label, const holdfast::v1::Estimate& e, double scale) {
  ForestRow r;
  r.label = label;
  if (!e.defined() || !std::isfinite(e.value())) return r;
  r.defined = true;
  r.value = e.value() * scale;
  r.lower = e.lower() * scale;
  r.upper = e.upper() * scale;
  return r;
}

ForestDomain ChooseForestDomain(const ForestPanel& panel) {
  double lo = panel.decision_ref, hi = panel.decision_ref;
  for (const ForestReference& r : panel.refs) lo = std::min(lo, r.at), hi = std::max(hi, r.at);
  std::vector<double> widths;
  for (const ForestRow& r : panel.rows) {
    if (Finite(r)) widths.push_back(r.upper - r.lower);
  }
  double median = 0.0;
  if (!widths.empty()) {
    std::sort(widths.begin(), widths.end());
    const size_t n = widths.size();
    median = n % 2 ? widths[n / 2] : 0.5 * (widths[n / 2 - 1] + widths[n / 2]);
  }
  // Regular intervals set the range.
  for (const ForestRow& r : panel.rows) {
    if (!Finite(r) || (median > 0.0 && r.upper - r.lower > kClipWidthFactor * median)) continue;
    lo = std::min({lo, r.lower, r.value});
    hi = std::max({hi, r.upper, r.value});
  }
  // Clipped rows keep their estimate in view unless it is itself far out.
  const double span = std::max(hi - lo, median);
  for (const ForestRow& r : panel.rows) {
    if (!r.defined || !std::isfinite(r.value)) continue;
    if (r.value >= lo - span && r.value <= hi + span) {
      lo = std::min(lo, r.value);
      hi = std::max(hi, r.value);
    }
  }
  if (hi - lo < 1e-12) lo -= 1.0, hi += 1.0;
  const double pad = 0.06 * (hi - lo);
  return {lo - pad, hi + pad};
}

std::string ForestValueText(const ForestPanel& panel, const ForestRow& row) {
  if (!row.defined) return "n/a";
  // Effects carry their sign; a ratio (iROAS) is not an effect around 0.
  std::string v = NumberIn(panel.unit, row.value);
  if (panel.unit != AxisUnit::kRatio && row.value > 0) v = "+" + v;
  return absl::StrCat(v, " [", NumberIn(panel.unit, row.lower), ", ",
                      NumberIn(panel.unit, row.upper), "]");
}

std::string ForestPanelSvg(const ForestPanel& panel) {
  const int n = static_cast<int>(panel.rows.size());
  const int axis_y = kTop + n * kRowH + 4;
  const int height = axis_y + 46;
  const ForestDomain d = ChooseForestDomain(panel);
  const double plot_w = kPlotRight - kPlotLeft;
  auto sx = [&](double v) {
    return kPlotLeft + (std::clamp(v, d.lo, d.hi) - d.lo) / (d.hi - d.lo) * plot_w;
  };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"forest-panel\" width=\"%d\" "
      "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n<title>%s</title>\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%d\" y=\"18\" font-size=\"15\" font-weight=\"600\">%s</text>\n",
      kWidth, height, kWidth, height, HtmlEscape(panel.title), HtmlEscape(panel.title), 4,
      HtmlEscape(panel.title));
  // Row backgrounds first, so lines draw over them.
  for (int i = 1; i < n; i += 2) {
    absl::StrAppend(&svg, absl::StrFormat(
                              "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f6f8fa\"/>\n",
                              kTop + i * kRowH, kWidth, kRowH));
  }
  // Axis, grid and ticks in the panel's unit.
  absl::StrAppend(&svg, absl::StrFormat(
                            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                            "stroke=\"#57606a\"/>\n",
                            kPlotLeft, axis_y, kPlotRight, axis_y));
  const double step = AxisTickStep(d.hi - d.lo);
  for (double k = std::ceil(d.lo / step); k * step <= d.hi + 1e-9 * step; k += 1.0) {
    const double t = k * step;
    const double x = sx(t);
    absl::StrAppend(&svg, absl::StrFormat(
                              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eaeef2\"/>"
                              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#57606a\"/>"
                              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" font-size=\"12\" "
                              "text-anchor=\"middle\" fill=\"#57606a\">%s</text>\n",
                              x, kTop, x, axis_y, x, axis_y, x, axis_y + 5, x, axis_y + 18,
                              HtmlEscape(TickText(panel.unit, t))));
  }
  absl::StrAppend(&svg, absl::StrFormat(
                            "<text class=\"axis-caption\" x=\"%d\" y=\"%d\" font-size=\"12\" "
                            "text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n",
                            (kPlotLeft + kPlotRight) / 2, axis_y + 36,
                            HtmlEscape(panel.axis_caption)));
  // Reference lines: the decision line solid orange and labelled, the others
  // dashed grey (their value is on the axis).
  for (const ForestReference& r : panel.refs) {
    if (r.at < d.lo || r.at > d.hi) continue;
    const bool decision = r.at == panel.decision_ref;
    const double x = sx(r.at);
    absl::StrAppend(&svg, absl::StrFormat(
                              "<line class=\"ref%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                              "stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
                              decision ? " decision" : "", x, kTop - 12, x, axis_y,
                              decision ? "#bf8700" : "#6e7781", decision ? "2" : "1.2",
                              decision ? "" : " stroke-dasharray=\"4 3\""));
    if (!r.label.empty()) {
      const bool right_half = x > (kPlotLeft + kPlotRight) / 2.0;
      absl::StrAppend(&svg, absl::StrFormat(
                                "<text class=\"ref-label\" x=\"%.1f\" y=\"%d\" font-size=\"12\" "
                                "text-anchor=\"%s\" fill=\"%s\">%s</text>\n",
                                right_half ? x - 4 : x + 4, kTop - 4, right_half ? "end" : "start",
                                decision ? "#9a6700" : "#57606a", HtmlEscape(r.label)));
    }
  }
  // Rows: the label and the numbers on one line, the interval under them.
  for (int i = 0; i < n; ++i) {
    const ForestRow& row = panel.rows[i];
    const int y_text = kTop + i * kRowH + 14;
    const int y_bar = kTop + i * kRowH + 28;
    const char* colour = !row.defined                        ? "#8c959f"
                         : row.lower > panel.decision_ref   ? "#1a7f37"
                         : row.upper < panel.decision_ref   ? "#cf222e"
                                                            : "#57606a";
    const std::string value = ForestValueText(panel, row);
    const int label_x = row.indent ? 18 : 4;
    const size_t max_chars = static_cast<size_t>(std::max(
        8.0, (kWidth - 8 - label_x - kCharW * static_cast<double>(value.size() + 2)) / kCharW));
    std::string label = row.label;
    if (label.size() > max_chars) label = label.substr(0, max_chars - 1) + "\xE2\x80\xA6";  // …
    absl::StrAppend(&svg, absl::StrFormat(
                              "<g class=\"forest-row\"><title>%s: %s</title>"
                              "<text class=\"row-label\" x=\"%d\" y=\"%d\" font-size=\"13\"%s>%s</text>"
                              "<text class=\"row-value\" x=\"%d\" y=\"%d\" font-size=\"13\" "
                              "text-anchor=\"end\" fill=\"%s\">%s</text>",
                              HtmlEscape(row.full_label.empty() ? row.label : row.full_label),
                              HtmlEscape(value), label_x, y_text,
                              row.bold ? " font-weight=\"600\"" : "", HtmlEscape(label), kWidth - 4,
                              y_text, colour, HtmlEscape(value)));
    if (row.defined && std::isfinite(row.value) && !std::isnan(row.lower) &&
        !std::isnan(row.upper)) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                                "stroke-width=\"2.5\"/>",
                                sx(row.lower), y_bar, sx(row.upper), y_bar, colour));
      if (row.value >= d.lo && row.value <= d.hi) {
        absl::StrAppend(&svg, absl::StrFormat(
                                  "<rect x=\"%.1f\" y=\"%d\" width=\"9\" height=\"9\" fill=\"%s\"/>",
                                  sx(row.value) - 4.5, y_bar - 4, colour));
      }
      // Arrow heads where the interval runs past the axis.
      if (!(row.lower >= d.lo)) {
        absl::StrAppend(&svg, absl::StrFormat(
                                  "<path class=\"clip\" d=\"M%d %d l9 -6 v12 z\" fill=\"%s\"/>",
                                  kPlotLeft - 6, y_bar, colour));
      }
      if (!(row.upper <= d.hi)) {
        absl::StrAppend(&svg, absl::StrFormat(
                                  "<path class=\"clip\" d=\"M%d %d l-9 -6 v12 z\" fill=\"%s\"/>",
                                  kPlotRight + 6, y_bar, colour));
      }
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

std::string ForestHtml(const std::vector<ForestPanel>& panels) {
  std::string out = "<div class=\"forest\">\n";
  for (const ForestPanel& p : panels) absl::StrAppend(&out, ForestPanelSvg(p));
  absl::StrAppend(
      &out, "</div>\n<p class=\"note\">Each row: the estimate (square) and its interval (line), "
            "with the numbers at the right. The orange line is the one that decides (no effect "
            "for lift, break-even 1 for iROAS); the dashed line is 0. Green: the interval lies "
            "entirely above the orange line; red: entirely below; grey: undecided. An arrow at "
            "an edge: the interval runs past the axis (clipped so the other rows stay readable; "
            "its numbers are beside it). n/a: undefined (see the warnings).</p>\n");
  return out;
}

std::vector<ForestPanel> LiftForestPanels(const holdfast::v1::LiftReport& r) {
  ForestPanel lift{"Relative revenue lift per entry",
                   "treatment vs holdout, % of holdout revenue per entry",
                   AxisUnit::kPercent,
                   {{0.0, "no effect"}},
                   0.0,
                   {}};
  ForestPanel roas{"Incremental ROAS",
                   "incremental revenue per 1 of cost (1 = break-even)",
                   AxisUnit::kRatio,
                   {{0.0, ""}, {1.0, "break-even 1"}},
                   1.0,
                   {}};
  for (const holdfast::v1::LiftRow& row : r.rows()) {
    // A tree: the journey on its pooled row, its arms and segments under it.
    const bool headline = row.arm() == "*" && row.segment().empty();
    std::string label;
    if (headline) {
      label = row.journey() + " (all arms)";
    } else if (row.segment().empty()) {
      label = row.arm();
    } else {
      label = row.arm() == "*" ? row.segment() : row.segment() + " / " + row.arm();
    }
    ForestRow l = ToForestRow(label, row.relative_revenue_lift(), 100.0);
    ForestRow i = ToForestRow(label, PrimaryIroas(row));
    for (ForestRow* f : {&l, &i}) {
      f->full_label = RowLabel(row);
      f->bold = headline;
      f->indent = !headline;
    }
    lift.rows.push_back(l);
    roas.rows.push_back(i);
  }
  return {lift, roas};
}

std::vector<ForestPanel> ProgramForestPanels(const holdfast::v1::ProgramReport& r) {
  ForestPanel lift{"Revenue lift per customer",
                   "exposed minus global holdout, revenue per customer",
                   AxisUnit::kMoney,
                   {{0.0, "no effect"}},
                   0.0,
                   {}};
  ForestPanel roas{"Program iROAS",
                   "incremental revenue per 1 of program cost (1 = break-even)",
                   AxisUnit::kRatio,
                   {{0.0, ""}, {1.0, "break-even 1"}},
                   1.0,
                   {}};
  for (const holdfast::v1::ProgramRow& row : r.rows()) {
    const std::string label =
        row.period() < 0 ? "all periods" : absl::StrCat("period ", row.period());
    ForestRow l = ToForestRow(label, row.revenue_lift());
    ForestRow i = ToForestRow(label, row.iroas());
    l.bold = i.bold = row.period() < 0;
    lift.rows.push_back(l);
    roas.rows.push_back(i);
  }
  return {lift, roas};
}

}  // namespace holdfast::cli::render
