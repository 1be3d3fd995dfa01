#include "client/report_render_horizons.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/report_render_metrics.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {
namespace {

using holdfast::v1::CumulativePoint;
using holdfast::v1::Estimate;
using holdfast::v1::HorizonResult;
using holdfast::v1::LiftReport;
using holdfast::v1::LiftRow;
using holdfast::v1::MetricDefinition;
using holdfast::v1::MetricResult;

double Days(const google::protobuf::Duration& d) {
  return (static_cast<double>(d.seconds()) + d.nanos() * 1e-9) / 86400.0;
}

std::string DaysText(const google::protobuf::Duration& d) { return absl::StrFormat("%gd", Days(d)); }

bool AnyHorizons(const LiftReport& r) {
  for (const LiftRow& row : r.rows()) {
    if (row.horizons_size() > 0) return true;
  }
  return false;
}

int MaxHorizons(const LiftReport& r) {
  int n = 0;
  for (const LiftRow& row : r.rows()) n = std::max(n, row.horizons_size());
  return n;
}

// Long-format lines: one per (row, horizon, metric).
std::vector<std::vector<std::string>> HorizonTableRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> out;
  for (const LiftRow& row : r.rows()) {
    const std::string label = RowLabel(row);
    for (const HorizonResult& h : row.horizons()) {
      for (int k = 0; k < h.metrics_size() && k < r.horizon_metric_definitions_size(); ++k) {
        const MetricDefinition& d = r.horizon_metric_definitions(k);
        const MetricResult& m = h.metrics(k);
        out.push_back({label, DaysText(h.horizon()), Count(h.treatment_entries()),
                       Count(h.holdout_entries()), Count(h.immature_excluded()), d.label(),
                       MetricValue(d, m.treatment()), MetricValue(d, m.holdout()),
                       MetricEffect(d, m),
                       PValue(m.effect().defined() ? m.effect().p_value() : NAN)});
      }
    }
  }
  return out;
}

const std::vector<std::string>& HorizonTableHeader() {
  static const std::vector<std::string> h = {
      "row", "horizon", "n_T", "n_C", "immature excl", "metric", "treatment", "holdout",
      "effect [interval]", "p"};
  return h;
}

// Points shown in the text and HTML tables: weekly, each declared horizon,
// and the last point (JSON and CSV carry every point).
bool ShownPoint(const LiftRow& row, int i) {
  const CumulativePoint& p = row.cumulative(i);
  if (i + 1 == row.cumulative_size()) return true;
  const int64_t s = p.since_entry().seconds();
  if (s % (7 * 86400) == 0) return true;
  for (const HorizonResult& h : row.horizons()) {
    if (h.horizon().seconds() == s) return true;
  }
  return false;
}

std::vector<std::vector<std::string>> CumulativeTableRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> out;
  for (const LiftRow& row : r.rows()) {
    const std::string label = RowLabel(row);
    for (int i = 0; i < row.cumulative_size(); ++i) {
      if (!ShownPoint(row, i)) continue;
      const CumulativePoint& p = row.cumulative(i);
      out.push_back({label, DaysText(p.since_entry()), Count(p.treatment_entries()),
                     Count(p.holdout_entries()), PerEntry(p.treatment_revenue()),
                     PerEntry(p.holdout_revenue()), WithInterval(p.revenue(), PerEntry),
                     WithInterval(p.margin(), PerEntry)});
    }
  }
  return out;
}

const std::vector<std::string>& CumulativeTableHeader() {
  static const std::vector<std::string> h = {
      "row", "days", "n_T", "n_C", "cum rev/entry T", "cum rev/entry C",
      "incr revenue/entry [interval]", "incr margin/entry [interval]"};
  return h;
}


double DayStep(double max_days) {
  for (double s : {1.0, 2.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0}) {
    if (max_days / s <= 8.0) return s;
  }
  return AxisTickStep(max_days);
}

std::string Num2(double v) { return absl::StrFormat("%.1f", v); }

// One panel: the estimate as a line over a shaded pointwise interval band.
std::string Panel(const LiftRow& row, bool margin, const std::string& title) {
  constexpr double kW = 560, kH = 260, kL = 78, kR = 16, kT = 30, kB = 46;
  struct P {
    double x, v, lo, hi;
  };
  std::vector<P> pts = {{0.0, 0.0, 0.0, 0.0}};  // nothing has happened at entry
  for (const CumulativePoint& c : row.cumulative()) {
    const Estimate& e = margin ? c.margin() : c.revenue();
    if (!e.defined() || !std::isfinite(e.lower()) || !std::isfinite(e.upper())) continue;
    pts.push_back({Days(c.since_entry()), e.value(), e.lower(), e.upper()});
  }
  const double max_x = std::max(1.0, pts.back().x);
  double lo = 0.0, hi = 0.0;
  for (const P& p : pts) {
    lo = std::min(lo, p.lo);
    hi = std::max(hi, p.hi);
  }
  if (hi - lo <= 0) hi = lo + 1.0;
  const double ystep = AxisTickStep(hi - lo);
  lo = std::floor(lo / ystep) * ystep;
  hi = std::ceil(hi / ystep) * ystep;
  auto X = [&](double x) { return kL + (kW - kL - kR) * x / max_x; };
  auto Y = [&](double y) { return kT + (kH - kT - kB) * (hi - y) / (hi - lo); };
  std::string s = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cumulative\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">\n",
      kW, kH, kW, kH, HtmlEscape(title));
  absl::StrAppend(&s, absl::StrFormat("<text x=\"%.0f\" y=\"18\" font-size=\"13\" "
                                      "font-weight=\"600\">%s</text>\n",
                                      kL, HtmlEscape(title)));
  // Grid and y ticks.
  for (double y = lo; y <= hi + ystep * 1e-9; y += ystep) {
    absl::StrAppend(&s, absl::StrFormat(
                            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>"
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                            kL, kW - kR, Y(y), Y(y), kL - 6, Y(y) + 4,
                            ystep < 0.1 ? absl::StrFormat("%.3f", y) : ystep < 1 ? absl::StrFormat("%.2f", y) : Num2(y)));
  }
  // x ticks in days.
  const double xstep = DayStep(max_x);
  for (double x = 0; x <= max_x + 1e-9; x += xstep) {
    absl::StrAppend(&s, absl::StrFormat(
                            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#57606a\"/>"
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
                            X(x), X(x), kH - kB, kH - kB + 4, X(x), kH - kB + 16, x));
  }
  // Axes and their labels.
  absl::StrAppend(&s, absl::StrFormat(
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#57606a\"/>"
                          "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#57606a\"/>\n",
                          kL, kW - kR, kH - kB, kH - kB, kL, kL, kT, kH - kB));
  absl::StrAppend(&s, absl::StrFormat(
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">days "
                          "since entry</text>\n",
                          (kL + kW - kR) / 2, kH - 8));
  absl::StrAppend(&s, absl::StrFormat(
                          "<text x=\"14\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
                          "transform=\"rotate(-90 14 %.1f)\">incremental %s per entry "
                          "(currency)</text>\n",
                          (kT + kH - kB) / 2, (kT + kH - kB) / 2, margin ? "margin" : "revenue"));
  // Zero line.
  if (lo < 0 && hi > 0) {
    absl::StrAppend(&s, absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                                        "stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>\n",
                                        kL, kW - kR, Y(0), Y(0)));
  }
  // Band and line.
  std::string band, line;
  for (const P& p : pts) absl::StrAppend(&band, absl::StrFormat("%.1f,%.1f ", X(p.x), Y(p.hi)));
  for (auto it = pts.rbegin(); it != pts.rend(); ++it) {
    absl::StrAppend(&band, absl::StrFormat("%.1f,%.1f ", X(it->x), Y(it->lo)));
  }
  for (const P& p : pts) absl::StrAppend(&line, absl::StrFormat("%.1f,%.1f ", X(p.x), Y(p.v)));
  absl::StrAppend(&s, "<polygon points=\"", band, "\" fill=\"#0969da\" fill-opacity=\"0.18\" stroke=\"none\"/>\n");
  absl::StrAppend(&s, "<polyline points=\"", line, "\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n");
  // Declared horizons.
  for (const HorizonResult& h : row.horizons()) {
    const double d = Days(h.horizon());
    if (d > max_x + 1e-9) continue;
    absl::StrAppend(&s, absl::StrFormat(
                            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#8250df\" "
                            "stroke-dasharray=\"2 3\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                            "fill=\"#8250df\" text-anchor=\"middle\">%s</text>\n",
                            X(d), X(d), kT, kH - kB, X(d), kT - 2, DaysText(h.horizon())));
  }
  absl::StrAppend(&s, "</svg>\n");
  return s;
}

void AppendCells(const Estimate& e, std::vector<std::string>& c) {
  if (!e.defined()) {
    c.insert(c.end(), {"", "", ""});
    return;
  }
  c.push_back(Exact(e.value()));
  c.push_back(Exact(e.lower()));
  c.push_back(Exact(e.upper()));
}

}  // namespace

std::string HorizonsText(const LiftReport& r) {
  if (!AnyHorizons(r)) return "";
  return absl::StrCat(
      "\nHORIZONS (entries mature at each horizon h; outcomes over [entry, entry + h), refunds "
      "following their order; docs/report.md \"Horizons\")\n",
      TextTable(HorizonTableHeader(), HorizonTableRows(r)),
      "\nCUMULATIVE INCREMENTAL VALUE (per entry, T - C, pointwise intervals; weekly, at each "
      "horizon and the last point; JSON/CSV carry every day)\n",
      TextTable(CumulativeTableHeader(), CumulativeTableRows(r)));
}

std::string CumulativeSvg(const LiftRow& row, const std::string& title) {
  if (row.cumulative_size() == 0) return "";
  return absl::StrCat("<div class=\"charts\">", Panel(row, false, title + ": revenue"),
                      Panel(row, true, title + ": margin"), "</div>\n");
}

std::string HorizonsHtml(const LiftReport& r) {
  if (!AnyHorizons(r)) return "";
  std::string out =
      "<h2>Horizons</h2>\n<p class=\"note\">Each horizon h is measured on the entries mature at "
      "h (t0 + h &le; as of): outcomes over [entry, entry + h), refunds following their order; "
      "n_T / n_C say how many entries each horizon is based on.</p>\n<table id=\"horizons\">\n<tr>";
  for (const std::string& h : HorizonTableHeader()) absl::StrAppend(&out, "<th>", HtmlEscape(h), "</th>");
  absl::StrAppend(&out, "</tr>\n");
  for (const std::vector<std::string>& line : HorizonTableRows(r)) {
    absl::StrAppend(&out, "<tr>");
    for (size_t i = 0; i < line.size(); ++i) {
      absl::StrAppend(&out, i == 0 || i == 5 ? "<td class=\"l\">" : "<td>", HtmlEscape(line[i]),
                      "</td>");
    }
    absl::StrAppend(&out, "</tr>\n");
  }
  absl::StrAppend(&out, "</table>\n<h2>Cumulative incremental value</h2>\n<p class=\"note\">"
                        "Incremental revenue and margin per entry (treatment minus holdout) "
                        "accumulated over the days since entry, each day over the entries mature "
                        "at it; the band is the pointwise interval. A curve that rises and stays "
                        "up is a lasting effect; one that rises then returns to 0 only pulled "
                        "purchases forward. Dotted lines: the declared horizons.</p>\n");
  for (const LiftRow& row : r.rows()) {
    if (!row.segment().empty() || row.cumulative_size() == 0) continue;
    absl::StrAppend(&out, CumulativeSvg(row, RowLabel(row)));
  }
  return out;
}

void AppendHorizonCsvHeader(const LiftReport& r, std::vector<std::string>& h) {
  if (!AnyHorizons(r)) return;
  for (int i = 1; i <= MaxHorizons(r); ++i) {
    const std::string p = absl::StrCat("hz", i, "_");
    for (const char* s : {"days", "treatment_entries", "holdout_entries", "immature_excluded",
                          "overlapping"}) {
      h.push_back(p + s);
    }
    for (const MetricDefinition& d : r.horizon_metric_definitions()) {
      for (const char* s : {"treatment", "holdout", "effect", "lower", "upper", "p"}) {
        h.push_back(absl::StrCat(p, d.id(), "_", s));
      }
    }
  }
  for (const char* s : {"cv_days", "cv_treatment_entries", "cv_holdout_entries"}) h.push_back(s);
  for (const char* v : {"revenue", "margin"}) {
    for (const char* s : {"treatment", "holdout", "effect", "lower", "upper"}) {
      h.push_back(absl::StrCat("cv_", v, "_", s));
    }
  }
}

void AppendHorizonCsvCells(const LiftReport& r, const LiftRow& row, size_t first,
                           std::vector<std::string>& c) {
  if (!AnyHorizons(r)) return;
  c.resize(first);
  for (const HorizonResult& h : row.horizons()) {
    c.push_back(absl::StrFormat("%g", Days(h.horizon())));
    c.push_back(absl::StrCat(h.treatment_entries()));
    c.push_back(absl::StrCat(h.holdout_entries()));
    c.push_back(absl::StrCat(h.immature_excluded()));
    c.push_back(absl::StrCat(h.overlapping_next_entry()));
    for (int k = 0; k < r.horizon_metric_definitions_size(); ++k) {
      if (k >= h.metrics_size()) {
        c.insert(c.end(), 6, "");
        continue;
      }
      const MetricResult& m = h.metrics(k);
      c.push_back(Exact(m.treatment()));
      c.push_back(Exact(m.holdout()));
      AppendCells(m.effect(), c);
      c.push_back(m.effect().defined() ? Exact(m.effect().p_value()) : "");
    }
  }
}

std::vector<std::vector<std::string>> HorizonCsvLines(const LiftReport& r, size_t width) {
  std::vector<std::vector<std::string>> out;
  if (!AnyHorizons(r)) return out;
  const size_t first_cv = width - 13;  // the 13 cv_ columns close the header
  for (const LiftRow& row : r.rows()) {
    for (const CumulativePoint& p : row.cumulative()) {
      std::vector<std::string> c = {row.journey(), row.arm(), row.segment()};
      c.resize(first_cv);
      c.push_back(absl::StrFormat("%g", Days(p.since_entry())));
      c.push_back(absl::StrCat(p.treatment_entries()));
      c.push_back(absl::StrCat(p.holdout_entries()));
      c.push_back(Exact(p.treatment_revenue()));
      c.push_back(Exact(p.holdout_revenue()));
      AppendCells(p.revenue(), c);
      c.push_back(Exact(p.treatment_margin()));
      c.push_back(Exact(p.holdout_margin()));
      AppendCells(p.margin(), c);
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace holdfast::cli::render
