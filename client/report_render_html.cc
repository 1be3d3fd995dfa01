// The HTML report: one self-contained file (inline CSS, inline SVG, no
// scripts, no external references) that opens with the decision per journey
// (report_render_summary.cc), then the grouped warnings
// (report_render_warnings.cc), the charts (the forest plot,
// report_render_forest.cc), then the tables. It reads at 400 px: the
// viewport meta, tables that scroll inside themselves, panels that wrap.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/report_render.h"
#include "client/report_render_forest.h"
#include "client/report_render_channels.h"
#include "client/report_render_horizons.h"
#include "client/report_render_metrics.h"
#include "client/report_render_rollups.h"
#include "client/report_render_summary.h"
#include "client/report_render_util.h"
#include "client/report_render_warnings.h"
#include "google/protobuf/util/time_util.h"

namespace holdfast::cli {
namespace {

using holdfast::v1::Estimate;
using holdfast::v1::LiftReport;
using holdfast::v1::LiftRow;
using holdfast::v1::ProgramReport;
using holdfast::v1::ProgramRow;
using holdfast::v1::Warning;
using namespace render;  // NOLINT: the renderers' own helpers

constexpr char kStyle[] = R"css(
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#57606a;font-size:13px;margin-bottom:16px}
.warnings{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin-bottom:16px}
.warning{padding:6px 8px;margin:4px 0;border-left:4px solid #999;font-size:14px}
.warning.critical{border-color:#cf222e;background:#ffebe9}
.warning.caution{border-color:#bf8700;background:#fff8c5}
.warning.info{border-color:#0969da;background:#ddf4ff}
.warning .sev{font-weight:600;margin-right:6px}.warning .where{font-family:monospace;margin-right:6px}
.ok{color:#1a7f37}
/* wide tables scroll inside themselves and the plot shrinks, so the page never scrolls sideways */
table{border-collapse:collapse;font-size:13px;margin-bottom:12px;display:block;max-width:100%;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f6f8fa}td.l,th.l{text-align:left}
tr.pooled td{font-weight:600}
tr.harm td{background:#ffebe9;color:#82071e}tr.caution td{background:#fff8c5}
svg.forest,svg.cumulative{max-width:100%;height:auto}
.charts{display:flex;flex-wrap:wrap;gap:8px}
svg text{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
.warning .count{font-weight:600;margin-right:6px}
.warning details{margin-top:4px}.warning ul{margin:4px 0;padding-left:18px}
.warning,.meta,.note,.decision{overflow-wrap:anywhere}
.note{color:#57606a;font-size:12px}
/* a phone: narrower margins, the same content */
@media (max-width:600px){body{margin:10px}h1{font-size:19px}
 td.l{white-space:normal}td.l:first-child{min-width:6em;max-width:9em;overflow-wrap:anywhere}}
)css";

std::string Time(const google::protobuf::Timestamp& ts) {
  return google::protobuf::util::TimeUtil::ToString(ts);
}

std::string Cell(const std::string& s, bool left = false) {
  return absl::StrCat(left ? "<td class=\"l\">" : "<td>", HtmlEscape(s), "</td>");
}

std::string HeaderRow(const std::vector<std::string>& h) {
  std::string out = "<tr>";
  for (size_t i = 0; i < h.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "<th class=\"l\">" : "<th>", HtmlEscape(h[i]), "</th>");
  }
  return out + "</tr>\n";
}

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
                      HtmlEscape(title), "</title>\n<style>", kStyle, kForestStyle, kSummaryStyle,
                      "</style>\n</head>\n<body>\n",
                      body, "</body>\n</html>\n");
}

}  // namespace

// The guardrail metrics of the everyone rows, the first table: red rows where the data show harm, yellow where it cannot be
// excluded.
std::string GuardrailsHtml(const LiftReport& r) {
  std::string rows;
  for (const LiftRow& row : r.rows()) {
    if (!row.segment().empty()) continue;
    for (int k = 0; k < row.metrics_size() && k < r.metric_definitions_size(); ++k) {
      const holdfast::v1::MetricResult& m = row.metrics(k);
      if (!m.has_guardrail()) continue;
      const holdfast::v1::MetricDefinition& d = r.metric_definitions(k);
      const auto status = m.guardrail().status();
      const char* tr = status == holdfast::v1::GuardrailVerdict::HARM             ? "<tr class=\"harm\">"
                       : status == holdfast::v1::GuardrailVerdict::CANNOT_EXCLUDE ? "<tr class=\"caution\">"
                                                                                  : "<tr>";
      // The verdict right after what it is about, so a phone shows it
      // without scrolling the table.
      absl::StrAppend(&rows, tr, Cell(RowLabel(row), true), Cell(d.label(), true),
                      Cell(MetricNote(m), true), Cell(MetricEffect(d, m)),
                      Cell(absl::StrCat("+", Points(m.guardrail().max_increase()))),
                      Cell(MetricValue(d, m.treatment())), Cell(MetricValue(d, m.holdout())),
                      Cell(PValue(m.guardrail().p_value_harm())), "</tr>\n");
    }
  }
  if (rows.empty()) return "";
  return absl::StrCat(
      "<h2>Guardrails</h2>\n<table id=\"guardrails\">\n",
      HeaderRow({"row", "metric", "verdict", "increase [interval]", "tolerated", "treatment",
                 "holdout", "p(harm), one-sided"}),
      rows,
      "</table>\n<p class=\"note\">Red: the increase is significant and above the tolerated one "
      "(CRITICAL). Yellow: an increase above it cannot be excluded yet (CAUTION). Thresholds: "
      "the journey's guardrails in the config, or the defaults (docs/config.md).</p>\n");
}

// Every declared metric of every row (LiftReport.metric_definitions).
std::string AllMetricsHtml(const LiftReport& r) {
  std::string out = absl::StrCat("<h2>All metrics</h2>\n<table id=\"metrics\">\n",
                                 HeaderRow(MetricTableHeader()));
  std::vector<std::vector<std::string>> cells = MetricTableRows(r);
  size_t line = 0;
  for (const LiftRow& row : r.rows()) {
    for (int k = 0; k < row.metrics_size() && k < r.metric_definitions_size(); ++k, ++line) {
      const std::vector<std::string>& c = cells[line];
      absl::StrAppend(&out, GuardrailHarm(row.metrics(k)) ? "<tr class=\"harm\">" : "<tr>");
      for (size_t i = 0; i < c.size(); ++i) absl::StrAppend(&out, Cell(c[i], i < 2 || i + 1 == c.size()));
      absl::StrAppend(&out, "</tr>\n");
    }
  }
  absl::StrAppend(&out, "</table>\n<p class=\"note\">Each metric's formula: docs/statistics.md "
                        "section 14; in plain words: docs/report.md, \"Metrics\".</p>\n");
  return out;
}

std::string RenderLiftHtml(const LiftReport& r) {
  std::string body = absl::StrCat(
      "<h1>Holdfast lift report</h1>\n<div class=\"meta\">config ", HtmlEscape(r.config_version()),
      " &middot; generated ", Time(r.generated_at()), " &middot; range ",
      r.has_from() ? Time(r.from()) : "(start)", " to ", r.has_to() ? Time(r.to()) : "(now)",
      " &middot; ", Pct(r.confidence()), " intervals</div>\n<p class=\"note\">",
      HtmlEscape(PrimaryIntervalsNote(r)), "</p>\n");
  absl::StrAppend(&body, "<div class=\"meta\">as of ", r.has_as_of() ? Time(r.as_of()) : "(all events)",
                  " &middot; immature entries excluded ", r.immature_entries_excluded(),
                  " &middot; cut windows ", r.cut_windows(), " &middot; inside refund horizon ",
                  r.entries_inside_refund_horizon(), " &middot; orphan refunds ", r.orphan_refunds(),
                  " &middot; unknown-version entries ", r.unknown_version_entries(), "</div>\n");
  // The decision first, then what could undermine it, the charts, the tables.
  absl::StrAppend(&body, SummaryHtml(r));
  absl::StrAppend(&body, GroupedWarningsHtml(r.warnings()));
  absl::StrAppend(&body, "<h2>Lift and iROAS by journey, arm and segment</h2>\n",
                  ForestHtml(LiftForestPanels(r)));
  absl::StrAppend(&body, GuardrailsHtml(r));
  absl::StrAppend(&body, ChannelSectionsHtml(r));

  std::string t1 = HeaderRow({"row", "n_T", "n_C", "conv_T", "conv_C", "conv lift",
                              "rev/entry T", "rev/entry C", "revenue lift", "relative lift", "p",
                              "p Holm", "p BH"});
  std::string t2 = HeaderRow({"row", "incremental revenue", "incr conversions", "cost K",
                              "fixed F", "iROAS", "margin iROAS", "iROAS incl. incentives",
                              "margin iROAS incl. incentives", "attributed ROAS",
                              "cost / incr conv", "p(iROAS=1)", "p(iROAS=1) Holm"});
  std::vector<std::string> h3 = {"row", "SRM p", "arms SRM p", "MDE rev", "MDE conv",
                                 "washout excluded", "immature excluded", "cut windows",
                                 "in refund horizon", "contaminated sends", "lift skewness",
                                 "plain Welch lift"};
  if (r.cuped()) h3.insert(h3.end(), {"CUPED revenue lift", "CUPED var reduction"});
  if (r.sequential()) h3.push_back("always-valid revenue lift");
  std::string t3 = HeaderRow(h3);
  for (const LiftRow& row : r.rows()) {
    const std::string tr = row.arm() == "*" ? "<tr class=\"pooled\">" : "<tr>";
    const std::string label = RowLabel(row);
    absl::StrAppend(
        &t1, tr, Cell(label, true), Cell(Count(row.treatment().entries())),
        Cell(Count(row.holdout().entries())), Cell(Pct(row.treatment().conversion_rate())),
        Cell(Pct(row.holdout().conversion_rate())), Cell(WithInterval(row.conversion_lift(), Points)),
        Cell(PerEntry(row.treatment().revenue_per_entry())), Cell(PerEntry(row.holdout().revenue_per_entry())),
        Cell(WithInterval(PrimaryRevenueLift(row), PerEntry)),
        Cell(WithInterval(row.relative_revenue_lift(), Pct)),
        Cell(PValue(PrimaryRevenueLift(row).defined() ? PrimaryRevenueLift(row).p_value() : NAN)),
        Cell(PValue(row.p_value_holm())), Cell(PValue(row.p_value_bh())), "</tr>\n");
    absl::StrAppend(
        &t2, tr, Cell(label, true), Cell(WithInterval(PrimaryIncrementalRevenue(row), Total)),
        Cell(row.incremental_conversions().defined() ? Fixed(row.incremental_conversions().value(), 1) : "n/a"),
        Cell(Total(row.treatment_cost())), Cell(Total(row.fixed_cost())),
        Cell(WithInterval(PrimaryIroas(row), Ratio)), Cell(WithInterval(PrimaryMarginIroas(row), Ratio)),
        Cell(MetricEffectById(r, row, "iroas_with_incentives")),
        Cell(MetricEffectById(r, row, "margin_iroas_with_incentives")), Cell(Ratio(row.attributed_roas())),
        Cell(row.cost_per_incremental_conversion().defined() ? Total(row.cost_per_incremental_conversion().value()) : "n/a"),
        Cell(PValue(row.iroas_breakeven_p_value())), Cell(PValue(row.iroas_breakeven_p_value_holm())),
        "</tr>\n");
    absl::StrAppend(&t3, tr, Cell(label, true), Cell(PValue(row.srm_p_value())),
                    Cell(PValue(row.srm_arms_p_value())), Cell(PerEntry(row.mde_revenue())),
                    Cell(Points(row.mde_conversion())), Cell(Count(row.washout_excluded())),
                    Cell(Count(row.immature_excluded())), Cell(Count(row.cut_windows())),
                    Cell(Count(row.inside_refund_horizon())),
                    Cell(Count(row.contaminated_sends())), Cell(Fixed(row.revenue_lift_skewness(), 2)),
                    Cell(WithInterval(row.revenue_lift(), PerEntry)));
    if (r.cuped()) {
      absl::StrAppend(&t3, Cell(WithInterval(row.cuped_revenue_lift(), PerEntry)),
                      Cell(Pct(row.cuped_variance_reduction())));
    }
    if (r.sequential()) absl::StrAppend(&t3, Cell(WithInterval(row.sequential_revenue_lift(), PerEntry)));
    absl::StrAppend(&t3, "</tr>\n");
  }
  absl::StrAppend(&body, "<h2>Lift (treatment vs holdout, per entry)</h2>\n<table id=\"lift\">\n", t1,
                  "</table>\n<h2>Return (K = send cost + fixed cost F; incl. incentives: K + the incremental incentives)</h2>\n<table id=\"return\">\n",
                  t2, "</table>\n<h2>Checks (MDE at 80% power)</h2>\n<table id=\"checks\">\n", t3,
                  "</table>\n<p class=\"note\">Column definitions: docs/report.md; formulas: "
                  "docs/statistics.md.</p>\n");
  if (r.arm_comparisons_size() > 0) {
    absl::StrAppend(&body, "<h2>Arm vs arm</h2>\n<table id=\"arm_pairs\">\n",
                    HeaderRow(ArmPairTableHeader()));
    for (const std::vector<std::string>& c : ArmPairTableRows(r)) {
      absl::StrAppend(&body, "<tr>");
      for (size_t i = 0; i < c.size(); ++i) absl::StrAppend(&body, Cell(c[i], i < 2 || i + 1 == c.size()));
      absl::StrAppend(&body, "</tr>\n");
    }
    absl::StrAppend(&body, "</table>\n<p class=\"note\">b is the costlier arm per entry; effects "
                           "are b minus a. Margin return above 1: the extra cost of b pays for "
                           "itself in profit. Its p-value is adjusted (Holm) across the report's "
                           "arm pairs.</p>\n");
  }
  absl::StrAppend(&body, RollupSectionsHtml(r));
  absl::StrAppend(&body, HorizonsHtml(r));
  absl::StrAppend(&body, AllMetricsHtml(r));
  return Page("Holdfast lift report", body);
}

std::string RenderProgramHtml(const ProgramReport& r) {
  std::string body = absl::StrCat(
      "<h1>Holdfast program report</h1>\n<div class=\"meta\">global holdout vs everyone else "
      "&middot; config ",
      HtmlEscape(r.config_version()), " &middot; generated ", Time(r.generated_at()),
      " &middot; as of ", r.has_as_of() ? Time(r.as_of()) : "(unset)", " &middot; ",
      Pct(r.confidence()),
      " intervals &middot; population: every customer known before the period starts (roster or "
      "any earlier event), all of their outcomes and sends in the span</div>\n");
  if (r.unfinished_periods_size() > 0) {
    absl::StrAppend(&body, "<p class=\"note\">Not finished at as_of (not reported): periods ",
                    absl::StrJoin(r.unfinished_periods(), ", "), "</p>\n");
  }
  absl::StrAppend(&body, GroupedWarningsHtml(r.warnings()));
  std::string table = HeaderRow({"period", "span", "n exposed", "n global holdout",
                                 "rev/customer exposed", "rev/customer holdout", "revenue lift",
                                 "incremental revenue", "program cost", "iROAS", "iROAS all sends",
                                 "margin lift", "conv lift", "p(iROAS=1)", "SRM p", "joined"});
  for (const ProgramRow& row : r.rows()) {
    const std::string label = row.period() < 0 ? "all periods" : absl::StrCat("period ", row.period());
    absl::StrAppend(&table, row.period() < 0 ? "<tr class=\"pooled\">" : "<tr>", Cell(label, true),
                    Cell(absl::StrCat(Time(row.start()), " to ", Time(row.end()))),
                    Cell(Count(row.exposed().entries())),
                    Cell(Count(row.global_holdout().entries())),
                    Cell(PerEntry(row.exposed().revenue_per_entry())),
                    Cell(PerEntry(row.global_holdout().revenue_per_entry())),
                    Cell(WithInterval(row.revenue_lift(), PerEntry)),
                    Cell(WithInterval(row.incremental_revenue(), Total)),
                    Cell(Total(row.program_cost())), Cell(WithInterval(row.iroas(), Ratio)),
                    Cell(WithInterval(row.iroas_total_cost(), Ratio)), Cell(WithInterval(row.margin_lift(), PerEntry)),
                    Cell(WithInterval(row.conversion_lift(), Points)), Cell(PValue(row.iroas_breakeven_p_value())),
                    Cell(PValue(row.srm_p_value())), Cell(Count(row.joined_units())), "</tr>\n");
  }
  absl::StrAppend(&body, "<h2>Program lift and iROAS by period</h2>\n", ForestHtml(ProgramForestPanels(r)),
                  "<h2>Table</h2>\n<table id=\"program\">\n", table, "</table>\n",
                  "<p class=\"note\">program cost = exposed customers' sends in the span + every "
                  "journey's fixed cost; iROAS all sends also charges sends to the global holdout and to "
                  "customers first seen during the period. Counting rule: docs/report.md.</p>\n");
  return Page("Holdfast program report", body);
}

}  // namespace holdfast::cli
