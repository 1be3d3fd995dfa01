#include "client/report_render_rollups.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/report_render_util.h"
#include "google/protobuf/util/time_util.h"

namespace holdfast::cli::render {
namespace {

using holdfast::v1::Estimate;
using holdfast::v1::LiftReport;
using holdfast::v1::StageRollup;
using holdfast::v1::TrendPoint;
using holdfast::v1::TrendSeries;

std::string Time(const google::protobuf::Timestamp& ts) {
  return google::protobuf::util::TimeUtil::ToString(ts);
}

std::string Date(const google::protobuf::Timestamp& ts) { return Time(ts).substr(0, 10); }

const char* ByName(holdfast::v1::TrendBy by) {
  switch (by) {
    case holdfast::v1::TREND_BY_PERIOD: return "period";
    case holdfast::v1::TREND_BY_WEEK: return "week";
    case holdfast::v1::TREND_BY_MONTH: return "month";
    default: return "";
  }
}

// The x-axis title of a trend chart.
std::string BucketAxisTitle(holdfast::v1::TrendBy by) {
  switch (by) {
    case holdfast::v1::TREND_BY_PERIOD: return "rotation period of entry";
    case holdfast::v1::TREND_BY_WEEK: return "week of entry (UTC, starting Monday)";
    case holdfast::v1::TREND_BY_MONTH: return "month of entry (UTC)";
    default: return "";
  }
}

void AppendEstimateCells(std::vector<std::string>& cells, const Estimate& e) {
  if (!e.defined()) {
    cells.insert(cells.end(), 4, "");
    return;
  }
  for (double v : {e.value(), e.lower(), e.upper(), e.p_value()}) cells.push_back(Exact(v));
}

void AppendEstimateHeader(std::vector<std::string>& h, const std::string& name) {
  for (const char* s : {"", "_lower", "_upper", "_p"}) h.push_back(absl::StrCat(name, s));
}

std::string SharedText(const StageRollup& s) {
  if (!s.overlap_measured()) return "not measured";
  if (s.customers() == 0) return "0";
  return absl::StrCat(Count(s.shared_customers()), " (",
                      Fixed(100.0 * static_cast<double>(s.shared_customers()) /
                                static_cast<double>(std::max<int64_t>(1, s.customers())),
                            1),
                      "%)");
}

std::vector<std::string> StageHeader() {
  return {"stage", "journeys", "n_T", "n_C", "incremental revenue", "cost K", "F", "iROAS",
          "iROAS any overlap", "margin iROAS", "p(iROAS=1)", "customers", "shared customers"};
}

std::vector<std::string> StageCells(const StageRollup& s) {
  return {StageLabel(s.stage()),
          absl::StrJoin(s.journeys(), ", "),
          Count(s.treatment_entries()),
          Count(s.holdout_entries()),
          WithInterval(s.incremental_revenue(), Total),
          Total(s.treatment_cost()),
          Total(s.fixed_cost()),
          WithInterval(s.iroas(), Ratio),
          WithInterval(s.iroas_any_overlap(), Ratio),
          WithInterval(s.margin_iroas(), Ratio),
          PValue(s.iroas_breakeven_p_value()),
          Count(s.customers()),
          SharedText(s)};
}

std::vector<std::string> TrendHeader() {
  return {"bucket", "start", "n_T", "n_C", "immature excl", "complete", "revenue lift",
          "incremental revenue", "cost K", "iROAS", "p(iROAS=1)"};
}

std::vector<std::string> TrendCells(const TrendPoint& p) {
  return {p.bucket(),
          p.has_start() ? Date(p.start()) : "-",
          Count(p.treatment_entries()),
          Count(p.holdout_entries()),
          Count(p.immature_excluded()),
          p.complete() ? "yes" : "partial",
          WithInterval(p.revenue_lift(), PerEntry),
          WithInterval(p.incremental_revenue(), Total),
          Total(p.treatment_cost()),
          WithInterval(p.iroas(), Ratio),
          PValue(p.iroas_breakeven_p_value())};
}

std::string DriftText(const TrendSeries& s, holdfast::v1::TrendBy by) {
  const holdfast::v1::TrendDrift& d = s.drift();
  if (d.buckets() < 2) {
    return absl::StrCat("drift test: needs 2 complete buckets with an iROAS (", d.buckets(), " here)");
  }
  std::string out = absl::StrCat("drift test over ", d.buckets(), " complete buckets: weighted iROAS ",
                                 Ratio(d.weighted_iroas()), ", heterogeneity Q = ", Fixed(d.q(), 2),
                                 " on ", d.buckets() - 1, " df (p = ", PValue(d.q_p_value()), ")");
  if (std::isfinite(d.slope())) {
    absl::StrAppend(&out, ", slope ", Fixed(d.slope(), 3), " per ", ByName(by), " (se ",
                    Fixed(d.slope_std_error(), 3), ", p = ", PValue(d.slope_p_value()), ")");
  }
  return out;
}

// --- the SVG time series ---

struct SeriesPoint {
  bool defined = false;
  bool complete = false;
  double value = 0, lower = 0, upper = 0;
};


// One panel: points over the buckets (x, labelled), y with ticks, reference
// lines (`refs`; `decision_ref` solid and labelled `decision_label`, the
// others dashed). An interval reaching past the axis is clipped with an arrow.
std::string SeriesSvg(const std::string& title, const std::string& y_title,
                      const std::string& x_title, const std::vector<std::string>& labels,
                      const std::vector<SeriesPoint>& points, const std::vector<double>& refs,
                      double decision_ref, const std::string& decision_label) {
  const int left = 70, right = 16, top = 34, plot_h = 190, bottom = 74;
  const int n = static_cast<int>(points.size());
  const int slot = std::clamp(560 / std::max(1, n), 14, 60);
  const int plot_w = std::max(240, slot * n);
  const int width = left + plot_w + right, height = top + plot_h + bottom;
  // Domain: reference lines and point estimates; interval bounds widen it up
  // to 1.5 times that spread on each side, beyond which they are clipped.
  double lo = refs.empty() ? 0.0 : refs[0], hi = lo;
  for (double r : refs) lo = std::min(lo, r), hi = std::max(hi, r);
  for (const SeriesPoint& p : points) {
    if (p.defined) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  }
  const double spread = std::max(hi - lo, 1e-9);
  const double cap_lo = lo - 1.5 * spread, cap_hi = hi + 1.5 * spread;
  for (const SeriesPoint& p : points) {
    if (!p.defined) continue;
    if (std::isfinite(p.lower)) lo = std::min(lo, std::max(p.lower, cap_lo));
    if (std::isfinite(p.upper)) hi = std::max(hi, std::min(p.upper, cap_hi));
  }
  if (hi - lo < 1e-12) lo -= 1.0, hi += 1.0;
  const double pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  auto sy = [&](double v) { return top + (hi - std::clamp(v, lo, hi)) / (hi - lo) * plot_h; };
  auto sx = [&](int i) { return left + (i + 0.5) * plot_w / std::max(1, n); };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" role=\"img\" style=\"max-width:100%%;height:auto\">\n"
      "<title>%s</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
      "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"600\">%s</text>\n",
      width, height, width, height, HtmlEscape(title), left, HtmlEscape(title));
  // Y axis, ticks, grid.
  absl::StrAppend(&svg, absl::StrFormat(
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8c959f\"/>\n",
                            left, top, left, top + plot_h));
  const double step = AxisTickStep(hi - lo);
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
    const double y = sy(t);
    absl::StrAppend(&svg, absl::StrFormat(
                              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                              "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
                              "dominant-baseline=\"middle\" fill=\"#57606a\">%s</text>\n",
                              left, y, left + plot_w, y, left - 6, y,
                              Num(std::fabs(t) < 1e-12 * step ? 0.0 : t)));
  }
  absl::StrAppend(&svg, absl::StrFormat(
                            "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
                            "transform=\"rotate(-90 14 %d)\">%s</text>\n",
                            top + plot_h / 2, top + plot_h / 2, HtmlEscape(y_title)));
  // X axis: a tick per bucket, labels thinned to at most 12.
  absl::StrAppend(&svg, absl::StrFormat(
                            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8c959f\"/>\n",
                            left, top + plot_h, left + plot_w, top + plot_h));
  const int every = std::max(1, (n + 11) / 12);
  for (int i = 0; i < n; ++i) {
    const double x = sx(i);
    absl::StrAppend(&svg, absl::StrFormat(
                              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#8c959f\"/>",
                              x, top + plot_h, x, top + plot_h + 4));
    if (i % every == 0) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"end\" "
                                "fill=\"#57606a\" transform=\"rotate(-35 %.1f %d)\">%s</text>",
                                x, top + plot_h + 16, x, top + plot_h + 16, HtmlEscape(labels[i])));
    }
    absl::StrAppend(&svg, "\n");
  }
  absl::StrAppend(&svg, absl::StrFormat(
                            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
                            left + plot_w / 2, height - 8, HtmlEscape(x_title)));
  // Reference lines.
  for (double r : refs) {
    const bool decision = r == decision_ref;
    const double y = sy(r);
    absl::StrAppend(&svg, absl::StrFormat(
                              "<line class=\"ref\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                              "stroke=\"%s\" stroke-width=\"1.5\"%s/>\n",
                              left, y, left + plot_w, y, decision ? "#bf8700" : "#57606a",
                              decision ? "" : " stroke-dasharray=\"4 3\""));
    if (decision && !decision_label.empty()) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" "
                                "fill=\"#9a6700\">%s</text>\n",
                                left + plot_w - 2, y - 4, HtmlEscape(decision_label)));
    }
  }
  // Points: filled when the bucket is complete, hollow otherwise.
  for (int i = 0; i < n; ++i) {
    const SeriesPoint& p = points[i];
    const double x = sx(i);
    if (!p.defined) {
      absl::StrAppend(&svg, absl::StrFormat(
                                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" "
                                "fill=\"#8c959f\">n/a</text>\n",
                                x, top + plot_h - 6));
      continue;
    }
    const char* colour = !p.complete               ? "#8c959f"
                         : p.lower > decision_ref  ? "#1a7f37"
                         : p.upper < decision_ref  ? "#cf222e"
                                                   : "#0969da";
    absl::StrAppend(&svg, absl::StrFormat(
                              "<g class=\"trend-point\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                              "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" "
                              "stroke-width=\"1.5\"/>",
                              x, sy(p.lower), x, sy(p.upper), colour,
                              p.complete ? "" : " stroke-dasharray=\"3 2\"", x, sy(p.value),
                              p.complete ? colour : "#fff", colour));
    if (!(p.upper <= hi)) {
      absl::StrAppend(&svg, absl::StrFormat("<path d=\"M%.1f %d l-5 8 h10 z\" fill=\"%s\"/>", x,
                                            top, colour));
    }
    if (!(p.lower >= lo)) {
      absl::StrAppend(&svg, absl::StrFormat("<path d=\"M%.1f %d l-5 -8 h10 z\" fill=\"%s\"/>", x,
                                            top + plot_h, colour));
    }
    absl::StrAppend(&svg, "</g>\n");
  }
  absl::StrAppend(&svg, "</svg>\n");
  return svg;
}

SeriesPoint ToPoint(const Estimate& e, bool complete) {
  SeriesPoint p;
  p.complete = complete;
  if (!e.defined() || !std::isfinite(e.value())) return p;
  p.defined = true;
  p.value = e.value();
  p.lower = e.lower();
  p.upper = e.upper();
  return p;
}

std::string HtmlTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table>\n<tr>";
  for (size_t i = 0; i < header.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "<th class=\"l\">" : "<th>", HtmlEscape(header[i]), "</th>");
  }
  absl::StrAppend(&out, "</tr>\n");
  for (const std::vector<std::string>& row : rows) {
    absl::StrAppend(&out, "<tr>");
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&out, i <= 1 ? "<td class=\"l\">" : "<td>", HtmlEscape(row[i]), "</td>");
    }
    absl::StrAppend(&out, "</tr>\n");
  }
  return out + "</table>\n";
}

std::vector<std::vector<std::string>> StageRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const StageRollup& s : r.stages()) rows.push_back(StageCells(s));
  if (r.has_programme()) rows.push_back(StageCells(r.programme()));
  return rows;
}

constexpr char kStageNote[] =
    "Each journey enters with its everyone row (arms pooled) against its own holdout; sums of "
    "n_T D and of K, iROAS = sum / sum. Intervals treat the journeys' estimates as independent: "
    "each journey draws its own holdout, so this holds for shared customers too, but their orders "
    "can count in two journeys' sums; \"any overlap\" holds whatever the dependence "
    "(docs/statistics.md section 16).";

}  // namespace

std::string StageLabel(const std::string& stage) { return stage.empty() ? "(no stage)" : stage; }

std::string RollupSectionsText(const LiftReport& r) {
  std::string out;
  if (r.stages_size() > 0) {
    absl::StrAppend(&out, "STAGES AND PROGRAMME (", kStageNote, ")\n",
                    TextTable(StageHeader(), StageRows(r)), "\n");
  }
  if (r.trends_size() > 0) {
    absl::StrAppend(&out, "TRENDS by ", ByName(r.trend_by()),
                    " (everyone row per bucket; partial = entries still immature at as_of, left out "
                    "of the drift test)\n");
    for (const TrendSeries& s : r.trends()) {
      std::vector<std::vector<std::string>> rows;
      for (const TrendPoint& p : s.points()) rows.push_back(TrendCells(p));
      absl::StrAppend(&out, s.journey(), "\n", TextTable(TrendHeader(), rows), DriftText(s, r.trend_by()),
                      "\n\n");
    }
  }
  return out;
}

std::string RollupSectionsHtml(const LiftReport& r) {
  std::string out;
  if (r.stages_size() > 0) {
    absl::StrAppend(&out, "<h2 id=\"stages\">Stages and the programme</h2>\n<p class=\"note\">",
                    HtmlEscape(kStageNote), "</p>\n", HtmlTable(StageHeader(), StageRows(r)));
  }
  if (r.trends_size() > 0) {
    absl::StrAppend(&out, "<h2 id=\"trends\">Trends by ", ByName(r.trend_by()),
                    "</h2>\n<p class=\"note\">Each point is the journey's everyone row over the "
                    "entries of one bucket, with its primary interval. Hollow grey points: "
                    "incomplete buckets (entries still inside their window at as_of), left out of "
                    "the drift test. Green: interval above the line, red: below.</p>\n");
    for (const TrendSeries& s : r.trends()) {
      std::vector<std::string> labels;
      std::vector<SeriesPoint> lift, iroas;
      std::vector<std::vector<std::string>> rows;
      for (const TrendPoint& p : s.points()) {
        labels.push_back(p.bucket());
        lift.push_back(ToPoint(p.revenue_lift(), p.complete()));
        iroas.push_back(ToPoint(p.iroas(), p.complete()));
        rows.push_back(TrendCells(p));
      }
      const std::string x_title = BucketAxisTitle(r.trend_by());
      absl::StrAppend(
          &out, "<h3>", HtmlEscape(s.journey()), "</h3>\n<div class=\"trend-charts\">\n",
          SeriesSvg(absl::StrCat(s.journey(), ": iROAS per ", ByName(r.trend_by())),
                    "iROAS (incremental revenue per unit of cost)", x_title, labels, iroas, {0.0, 1.0},
                    1.0, "break-even 1"),
          SeriesSvg(absl::StrCat(s.journey(), ": revenue lift per ", ByName(r.trend_by())),
                    "revenue lift per entry (currency)", x_title, labels, lift, {0.0}, 0.0, "no effect 0"),
          "</div>\n<p class=\"note\">", HtmlEscape(DriftText(s, r.trend_by())), "</p>\n",
          HtmlTable(TrendHeader(), rows));
    }
  }
  return out;
}

void AppendRollupCsvHeader(std::vector<std::string>& h) {
  for (const char* s : {"st_stage", "st_journeys", "st_treatment_entries", "st_holdout_entries"}) {
    h.push_back(s);
  }
  AppendEstimateHeader(h, "st_incremental_revenue");
  AppendEstimateHeader(h, "st_incremental_margin");
  h.push_back("st_treatment_cost");
  h.push_back("st_fixed_cost");
  AppendEstimateHeader(h, "st_iroas");
  h.push_back("st_iroas_breakeven_p");
  AppendEstimateHeader(h, "st_margin_iroas");
  h.push_back("st_margin_iroas_breakeven_p");
  AppendEstimateHeader(h, "st_incremental_revenue_any_overlap");
  AppendEstimateHeader(h, "st_iroas_any_overlap");
  for (const char* s : {"st_customers", "st_shared_customers", "tr_by", "tr_bucket", "tr_start",
                        "tr_end", "tr_treatment_entries", "tr_holdout_entries",
                        "tr_washout_excluded", "tr_immature_excluded", "tr_complete"}) {
    h.push_back(s);
  }
  AppendEstimateHeader(h, "tr_revenue_lift");
  AppendEstimateHeader(h, "tr_incremental_revenue");
  h.push_back("tr_treatment_cost");
  h.push_back("tr_fixed_cost");
  AppendEstimateHeader(h, "tr_iroas");
  AppendEstimateHeader(h, "tr_iroas_plain");
  h.push_back("tr_iroas_breakeven_p");
  h.push_back("tr_primary_interval");
}

std::vector<std::vector<std::string>> RollupCsvRows(const LiftReport& r, size_t first_column) {
  std::vector<std::vector<std::string>> out;
  constexpr size_t kStageColumns = 4 + 4 * 2 + 2 + 4 + 1 + 4 + 1 + 4 * 2 + 2;
  auto stage_line = [&](const StageRollup& s) {
    std::vector<std::string> c = {"", "", ""};
    c.resize(first_column);
    c.push_back(StageLabel(s.stage()));
    c.push_back(absl::StrJoin(s.journeys(), ";"));
    c.push_back(absl::StrCat(s.treatment_entries()));
    c.push_back(absl::StrCat(s.holdout_entries()));
    AppendEstimateCells(c, s.incremental_revenue());
    AppendEstimateCells(c, s.incremental_margin());
    c.push_back(Exact(s.treatment_cost()));
    c.push_back(Exact(s.fixed_cost()));
    AppendEstimateCells(c, s.iroas());
    c.push_back(Exact(s.iroas_breakeven_p_value()));
    AppendEstimateCells(c, s.margin_iroas());
    c.push_back(Exact(s.margin_iroas_breakeven_p_value()));
    AppendEstimateCells(c, s.incremental_revenue_any_overlap());
    AppendEstimateCells(c, s.iroas_any_overlap());
    c.push_back(absl::StrCat(s.customers()));
    c.push_back(absl::StrCat(s.shared_customers()));
    out.push_back(std::move(c));
  };
  for (const StageRollup& s : r.stages()) stage_line(s);
  if (r.has_programme() && r.stages_size() > 0) stage_line(r.programme());
  for (const TrendSeries& s : r.trends()) {
    for (const TrendPoint& p : s.points()) {
      std::vector<std::string> c = {s.journey(), "*", ""};
      c.resize(first_column + kStageColumns);
      c.push_back(ByName(r.trend_by()));
      c.push_back(p.bucket());
      c.push_back(p.has_start() ? Time(p.start()) : "");
      c.push_back(p.has_end() ? Time(p.end()) : "");
      c.push_back(absl::StrCat(p.treatment_entries()));
      c.push_back(absl::StrCat(p.holdout_entries()));
      c.push_back(absl::StrCat(p.washout_excluded()));
      c.push_back(absl::StrCat(p.immature_excluded()));
      c.push_back(p.complete() ? "true" : "false");
      AppendEstimateCells(c, p.revenue_lift());
      AppendEstimateCells(c, p.incremental_revenue());
      c.push_back(Exact(p.treatment_cost()));
      c.push_back(Exact(p.fixed_cost()));
      AppendEstimateCells(c, p.iroas());
      AppendEstimateCells(c, p.iroas_plain());
      c.push_back(Exact(p.iroas_breakeven_p_value()));
      c.push_back(p.primary_interval() == holdfast::v1::SKEW_CORRECTED ? "skew_corrected" : "plain");
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace holdfast::cli::render
