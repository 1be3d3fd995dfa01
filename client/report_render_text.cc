// Table, CSV and JSON renderers, and the format dispatch.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/report_render.h"
#include "client/report_render_channels.h"
#include "client/report_render_horizons.h"
#include "client/report_render_metrics.h"
#include "client/report_render_rollups.h"
#include "client/report_render_summary.h"
#include "client/report_render_util.h"
#include "client/report_render_warnings.h"
#include "google/protobuf/util/json_util.h"
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

std::string Time(const google::protobuf::Timestamp& ts) {
  return google::protobuf::util::TimeUtil::ToString(ts);
}

std::string RangeText(bool has_from, const google::protobuf::Timestamp& from, bool has_to,
                      const google::protobuf::Timestamp& to) {
  return absl::StrCat(has_from ? Time(from) : "(start)", " to ", has_to ? Time(to) : "(now)");
}

// CSV columns for one estimate: value, lower, upper, p-value.
void AppendEstimateHeader(std::vector<std::string>& h, const std::string& name) {
  for (const char* s : {"", "_lower", "_upper", "_p"}) h.push_back(name + s);
}
void AppendEstimate(std::vector<std::string>& cells, const Estimate& e) {
  if (!e.defined()) {
    cells.insert(cells.end(), 4, "");
    return;
  }
  for (double v : {e.value(), e.lower(), e.upper(), e.p_value()}) cells.push_back(Exact(v));
}

void AppendGroupHeader(std::vector<std::string>& h, const std::string& g) {
  for (const char* s : {"_entries", "_conversions", "_conversion_rate", "_revenue",
                        "_revenue_per_entry", "_margin", "_send_cost", "_sends"}) {
    h.push_back(g + s);
  }
}
void AppendGroup(std::vector<std::string>& cells, const holdfast::v1::GroupSummary& g) {
  cells.push_back(absl::StrCat(g.entries()));
  cells.push_back(absl::StrCat(g.conversions()));
  cells.push_back(Exact(g.conversion_rate()));
  cells.push_back(Exact(g.revenue()));
  cells.push_back(Exact(g.revenue_per_entry()));
  cells.push_back(Exact(g.margin()));
  cells.push_back(Exact(g.send_cost()));
  cells.push_back(absl::StrCat(g.sends()));
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::vector<std::string> quoted;
  quoted.reserve(cells.size());
  for (const std::string& c : cells) quoted.push_back(CsvField(c));
  return absl::StrCat(absl::StrJoin(quoted, ","), "\n");
}

}  // namespace

absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "json") return ReportFormat::kJson;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "html") return ReportFormat::kHtml;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: '", name, "' is not one of table, json, csv, html"));
}

std::string RenderJson(const google::protobuf::Message& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  // Serialization of a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(report, &out, options);
  return out;
}

// One line naming the multiple-testing families and their sizes.
std::string FamiliesText(const LiftReport& r) {
  std::string out = "Holm / BH adjust within families:";
  for (const holdfast::v1::MultiplicityFamily& f : r.families()) {
    absl::StrAppend(&out, " ", f.name(), " (", f.size(), " tests)");
  }
  return out + "\n";
}

std::string RenderLiftTable(const LiftReport& r) {
  std::string out = absl::StrCat(
      "Lift report  config ", r.config_version(), "  generated ", Time(r.generated_at()), "\n",
      "Range ", RangeText(r.has_from(), r.from(), r.has_to(), r.to()), "  confidence ",
      Pct(r.confidence()), "  intervals [lower, upper]\n", PrimaryIntervalsNote(r), "\n",
      "As of ", r.has_as_of() ? Time(r.as_of()) : "(all events)", "  immature excluded ",
      Count(r.immature_entries_excluded()), "  cut windows ", Count(r.cut_windows()),
      "  inside refund horizon ", Count(r.entries_inside_refund_horizon()), "  orphan refunds ",
      Count(r.orphan_refunds()), "  unknown-version entries ", Count(r.unknown_version_entries()), "\n\n");
  // The decision first, then what could undermine it, then the tables.
  const std::string summary = SummaryText(r);
  if (!summary.empty()) absl::StrAppend(&out, summary, "\n");
  absl::StrAppend(&out, GroupedWarningsText(r.warnings()), "\n");
  absl::StrAppend(&out, FamiliesText(r), "\n");

  std::vector<std::vector<std::string>> lift, roi, checks;
  for (const LiftRow& row : r.rows()) {
    const std::string label = RowLabel(row);
    lift.push_back({label, Count(row.treatment().entries()), Count(row.holdout().entries()),
                    Pct(row.treatment().conversion_rate()), Pct(row.holdout().conversion_rate()),
                    WithInterval(row.conversion_lift(), Points), PerEntry(row.treatment().revenue_per_entry()),
                    PerEntry(row.holdout().revenue_per_entry()), WithInterval(PrimaryRevenueLift(row), PerEntry),
                    WithInterval(row.relative_revenue_lift(), Pct),
                    PValue(PrimaryRevenueLift(row).defined() ? PrimaryRevenueLift(row).p_value() : NAN),
                    PValue(row.p_value_holm()), PValue(row.p_value_bh())});
    roi.push_back({label, WithInterval(PrimaryIncrementalRevenue(row), Total),
                   row.incremental_conversions().defined() ? Fixed(row.incremental_conversions().value(), 1) : "n/a",
                   Total(row.treatment_cost()), Total(row.fixed_cost()), WithInterval(PrimaryIroas(row), Ratio),
                   WithInterval(PrimaryMarginIroas(row), Ratio),
                   MetricEffectById(r, row, "iroas_with_incentives"),
                   MetricEffectById(r, row, "margin_iroas_with_incentives"), Ratio(row.attributed_roas()),
                   row.cost_per_incremental_conversion().defined()
                       ? Total(row.cost_per_incremental_conversion().value())
                       : "n/a",
                   PValue(row.iroas_breakeven_p_value()),
                   PValue(row.iroas_breakeven_p_value_holm())});
    std::vector<std::string> c = {label, PValue(row.srm_p_value()), PValue(row.srm_arms_p_value()),
                                  PerEntry(row.mde_revenue()), Pct(row.mde_revenue_relative()),
                                  Points(row.mde_conversion()), Count(row.washout_excluded()),
                                  Count(row.immature_excluded()), Count(row.cut_windows()),
                                  Count(row.inside_refund_horizon()), Count(row.contaminated_sends()),
                                  Fixed(row.revenue_lift_skewness(), 2)};
    if (r.cuped()) {
      c.push_back(WithInterval(row.cuped_revenue_lift(), PerEntry));
      c.push_back(Pct(row.cuped_variance_reduction()));
    }
    if (r.sequential()) c.push_back(WithInterval(row.sequential_revenue_lift(), PerEntry));
    checks.push_back(std::move(c));
  }
  absl::StrAppend(&out, "LIFT (treatment vs holdout, per entry)\n",
                  TextTable({"row", "n_T", "n_C", "conv_T", "conv_C", "conv lift", "rev/entry_T",
                             "rev/entry_C", "revenue lift", "relative lift", "p", "p_holm", "p_bh"},
                            lift),
                  "\n");
  absl::StrAppend(&out, "RETURN (K = send cost + fixed cost F; incl. incentives: K + the incremental "
                        "incentives granted on orders)\n",
                  TextTable({"row", "incremental revenue", "incr conv", "cost K", "F", "iROAS",
                             "margin iROAS", "iROAS incl incentives", "margin iROAS incl incentives",
                             "attributed ROAS", "cost/incr conv", "p(iROAS=1)", "p(iROAS=1)_holm"},
                            roi),
                  "\n");
  std::vector<std::string> check_header = {"row", "SRM p", "arms SRM p", "MDE rev", "MDE rev %",
                                           "MDE conv", "washout excl", "immature excl",
                                           "cut windows", "in refund horizon",
                                           "contaminated sends", "lift skewness"};
  if (r.cuped()) {
    check_header.push_back("CUPED revenue lift");
    check_header.push_back("CUPED var reduction");
  }
  if (r.sequential()) check_header.push_back("always-valid revenue lift");
  absl::StrAppend(&out, "CHECKS (MDE at 80% power)\n", TextTable(check_header, checks));
  if (r.arm_comparisons_size() > 0) {
    absl::StrAppend(&out, "\nARM VS ARM (b = the costlier arm; effect b - a; docs/report.md \"Arm vs "
                          "arm\")\n",
                    TextTable(ArmPairTableHeader(), ArmPairTableRows(r)));
  }
  absl::StrAppend(&out, "\n", ChannelSectionsText(r));
  absl::StrAppend(&out, RollupSectionsText(r));
  absl::StrAppend(&out, "METRICS (every declared metric; effect = treatment vs holdout, "
                        "docs/report.md \"Metrics\")\n",
                  TextTable(MetricTableHeader(), MetricTableRows(r)));
  absl::StrAppend(&out, HorizonsText(r));
  return out;
}

std::string RenderLiftCsv(const LiftReport& r) {
  std::vector<std::string> h = {"journey", "arm", "segment"};
  AppendGroupHeader(h, "treatment");
  AppendGroupHeader(h, "holdout");
  AppendEstimateHeader(h, "conversion_lift");
  AppendEstimateHeader(h, "relative_conversion_lift");
  AppendEstimateHeader(h, "revenue_lift");
  AppendEstimateHeader(h, "relative_revenue_lift");
  AppendEstimateHeader(h, "incremental_revenue");
  AppendEstimateHeader(h, "incremental_conversions");
  h.push_back("treatment_cost");
  h.push_back("fixed_cost");
  AppendEstimateHeader(h, "iroas");
  h.push_back("iroas_breakeven_p");
  AppendEstimateHeader(h, "margin_iroas");
  h.push_back("attributed_roas");
  h.push_back("cost_per_incremental_conversion");
  AppendEstimateHeader(h, "cuped_revenue_lift");
  h.push_back("cuped_variance_reduction");
  AppendEstimateHeader(h, "sequential_revenue_lift");
  AppendEstimateHeader(h, "revenue_lift_skew_corrected");
  for (const char* s : {"p_value_holm", "p_value_bh", "mde_revenue", "mde_conversion",
                        "srm_p_value", "srm_arms_p_value", "contaminated_sends",
                        "contaminated_cost", "washout_excluded", "iroas_breakeven_p_holm",
                        "iroas_breakeven_p_bh"}) {
    h.push_back(s);
  }
  h.push_back("primary_interval");
  AppendEstimateHeader(h, "iroas_skew_corrected");
  AppendEstimateHeader(h, "incremental_revenue_skew_corrected");
  AppendEstimateHeader(h, "margin_iroas_skew_corrected");
  h.push_back("revenue_lift_tail_error");
  h.push_back("iroas_tail_error");
  for (const char* s : {"immature_excluded", "cut_windows", "inside_refund_horizon"}) h.push_back(s);
  AppendMetricCsvHeader(r, h);
  const size_t arm_pair_column = h.size();
  AppendArmPairCsvHeader(r, h);
  const size_t rollup_column = h.size();
  AppendRollupCsvHeader(h);
  const size_t horizon_column = h.size();
  AppendHorizonCsvHeader(r, h);
  const size_t channel_column = h.size();
  AppendChannelCsvHeader(h);
  const size_t decision_column = h.size();
  AppendDecisionCsvHeader(h);
  AppendWarningCsvHeader(h);
  std::string out = CsvLine(h);
  for (const LiftRow& row : r.rows()) {
    std::vector<std::string> c = {row.journey(), row.arm(), row.segment()};
    AppendGroup(c, row.treatment());
    AppendGroup(c, row.holdout());
    AppendEstimate(c, row.conversion_lift());
    AppendEstimate(c, row.relative_conversion_lift());
    AppendEstimate(c, row.revenue_lift());
    AppendEstimate(c, row.relative_revenue_lift());
    AppendEstimate(c, row.incremental_revenue());
    AppendEstimate(c, row.incremental_conversions());
    c.push_back(Exact(row.treatment_cost()));
    c.push_back(Exact(row.fixed_cost()));
    AppendEstimate(c, row.iroas());
    c.push_back(Exact(row.iroas_breakeven_p_value()));
    AppendEstimate(c, row.margin_iroas());
    c.push_back(Exact(row.attributed_roas()));
    c.push_back(row.cost_per_incremental_conversion().defined()
                    ? Exact(row.cost_per_incremental_conversion().value())
                    : "");
    AppendEstimate(c, row.cuped_revenue_lift());
    c.push_back(r.cuped() ? Exact(row.cuped_variance_reduction()) : "");
    AppendEstimate(c, row.sequential_revenue_lift());
    AppendEstimate(c, row.revenue_lift_skew_corrected());
    for (double v : {row.p_value_holm(), row.p_value_bh(), row.mde_revenue(), row.mde_conversion(),
                     row.srm_p_value(), row.srm_arms_p_value()}) {
      c.push_back(Exact(v));
    }
    c.push_back(absl::StrCat(row.contaminated_sends()));
    c.push_back(Exact(row.contaminated_cost()));
    c.push_back(absl::StrCat(row.washout_excluded()));
    c.push_back(Exact(row.iroas_breakeven_p_value_holm()));
    c.push_back(Exact(row.iroas_breakeven_p_value_bh()));
    c.push_back(row.primary_interval() == holdfast::v1::SKEW_CORRECTED ? "skew_corrected" : "plain");
    AppendEstimate(c, row.iroas_skew_corrected());
    AppendEstimate(c, row.incremental_revenue_skew_corrected());
    AppendEstimate(c, row.margin_iroas_skew_corrected());
    c.push_back(Exact(row.revenue_lift_tail_error()));
    c.push_back(Exact(row.iroas_tail_error()));
    c.push_back(absl::StrCat(row.immature_excluded()));
    c.push_back(absl::StrCat(row.cut_windows()));
    c.push_back(absl::StrCat(row.inside_refund_horizon()));
    AppendMetricCsvCells(r, row, c);
    c.resize(horizon_column);  // no ap_ cells on a lift row
    AppendHorizonCsvCells(r, row, horizon_column, c);
    c.resize(decision_column);
    AppendDecisionCsvCells(r, row, c);
    c.resize(h.size());  // nor warning cells
    absl::StrAppend(&out, CsvLine(c));
  }
  for (const holdfast::v1::ArmComparison& pair : r.arm_comparisons()) {
    std::vector<std::string> c;
    ArmPairCsvCells(r, pair, arm_pair_column, c);
    c.resize(h.size());
    absl::StrAppend(&out, CsvLine(c));
  }
  for (std::vector<std::string>& c : RollupCsvRows(r, rollup_column)) {
    c.resize(h.size());
    absl::StrAppend(&out, CsvLine(c));
  }
  // The cv_ columns close the horizon header, right before the ch_ columns.
  for (std::vector<std::string>& c : HorizonCsvLines(r, channel_column)) {
    c.resize(h.size());
    absl::StrAppend(&out, CsvLine(c));
  }
  for (std::vector<std::string>& c : ChannelCsvRows(r, channel_column)) {
    c.resize(h.size());
    absl::StrAppend(&out, CsvLine(c));
  }
  // The warnings, one line each, after every row (warning_kind set).
  for (const std::vector<std::string>& c : WarningCsvLines(r.warnings(), h.size() - 3, true)) {
    absl::StrAppend(&out, CsvLine(c));
  }
  return out;
}

std::string RenderProgramTable(const ProgramReport& r) {
  std::string out = absl::StrCat(
      "Program report (global holdout vs everyone else)  config ", r.config_version(),
      "  generated ", Time(r.generated_at()), "\n", "Range ",
      RangeText(r.has_from(), r.from(), r.has_to(), r.to()), "  as of ",
      r.has_as_of() ? Time(r.as_of()) : "(unset)", "  confidence ", Pct(r.confidence()),
      "\nPopulation: every customer known before the period starts (roster or any earlier "
      "event); all of their outcomes and sends in the span\n");
  if (r.unfinished_periods_size() > 0) {
    absl::StrAppend(&out, "Not finished at as_of (not reported): periods ",
                    absl::StrJoin(r.unfinished_periods(), ", "), "\n");
  }
  absl::StrAppend(&out, "\n", GroupedWarningsText(r.warnings()), "\n");
  std::vector<std::vector<std::string>> rows;
  for (const ProgramRow& row : r.rows()) {
    rows.push_back({row.period() < 0 ? "all" : absl::StrCat(row.period()),
                    absl::StrCat(Time(row.start()), " to ", Time(row.end())),
                    Count(row.exposed().entries()), Count(row.global_holdout().entries()),
                    PerEntry(row.exposed().revenue_per_entry()),
                    PerEntry(row.global_holdout().revenue_per_entry()),
                    WithInterval(row.revenue_lift(), PerEntry), WithInterval(row.incremental_revenue(), Total),
                    Total(row.program_cost()), WithInterval(row.iroas(), Ratio),
                    WithInterval(row.iroas_total_cost(), Ratio), WithInterval(row.margin_lift(), PerEntry),
                    WithInterval(row.conversion_lift(), Points), PValue(row.iroas_breakeven_p_value()),
                    PValue(row.srm_p_value()), Count(row.joined_units())});
  }
  absl::StrAppend(&out,
                  TextTable({"period", "span", "n_exposed", "n_global_holdout", "rev/cust_exposed",
                             "rev/cust_holdout", "revenue lift", "incremental revenue",
                             "program cost", "iROAS", "iROAS all sends", "margin lift", "conv lift",
                             "p(iROAS=1)", "SRM p", "joined"},
                            rows));
  return out;
}

std::string RenderProgramCsv(const ProgramReport& r) {
  std::vector<std::string> h = {"period", "start", "end", "config_version", "global_holdout_share"};
  AppendGroupHeader(h, "exposed");
  AppendGroupHeader(h, "global_holdout");
  AppendEstimateHeader(h, "revenue_lift");
  AppendEstimateHeader(h, "relative_revenue_lift");
  AppendEstimateHeader(h, "conversion_lift");
  AppendEstimateHeader(h, "margin_lift");
  AppendEstimateHeader(h, "incremental_revenue");
  AppendEstimateHeader(h, "incremental_margin");
  h.push_back("program_cost");
  h.push_back("fixed_cost");
  AppendEstimateHeader(h, "iroas");
  h.push_back("iroas_breakeven_p");
  AppendEstimateHeader(h, "margin_iroas");
  h.push_back("attributed_roas");
  h.push_back("srm_p_value");
  for (const char* name : {"joined_units", "joined_sends", "joined_send_cost", "all_sends", "total_cost"}) {
    h.push_back(name);
  }
  AppendEstimateHeader(h, "iroas_total_cost");
  AppendWarningCsvHeader(h);
  std::string out = CsvLine(h);
  for (const ProgramRow& row : r.rows()) {
    std::vector<std::string> c = {row.period() < 0 ? "all" : absl::StrCat(row.period()),
                                  Time(row.start()), Time(row.end()), row.config_version(),
                                  Exact(row.global_holdout_share())};
    AppendGroup(c, row.exposed());
    AppendGroup(c, row.global_holdout());
    AppendEstimate(c, row.revenue_lift());
    AppendEstimate(c, row.relative_revenue_lift());
    AppendEstimate(c, row.conversion_lift());
    AppendEstimate(c, row.margin_lift());
    AppendEstimate(c, row.incremental_revenue());
    AppendEstimate(c, row.incremental_margin());
    c.push_back(Exact(row.program_cost()));
    c.push_back(Exact(row.fixed_cost()));
    AppendEstimate(c, row.iroas());
    c.push_back(Exact(row.iroas_breakeven_p_value()));
    AppendEstimate(c, row.margin_iroas());
    c.push_back(Exact(row.attributed_roas()));
    c.push_back(Exact(row.srm_p_value()));
    c.push_back(absl::StrCat(row.joined_units()));
    c.push_back(absl::StrCat(row.joined_sends()));
    c.push_back(Exact(row.joined_send_cost()));
    c.push_back(absl::StrCat(row.all_sends()));
    c.push_back(Exact(row.total_cost()));
    AppendEstimate(c, row.iroas_total_cost());
    c.resize(h.size());
    absl::StrAppend(&out, CsvLine(c));
  }
  // The warnings, one line each (warning_kind set, every other cell empty).
  for (const std::vector<std::string>& c : WarningCsvLines(r.warnings(), h.size() - 3, false)) {
    absl::StrAppend(&out, CsvLine(c));
  }
  return out;
}

std::string RenderLiftReport(const LiftReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kTable: return RenderLiftTable(report);
    case ReportFormat::kJson: return RenderJson(report);
    case ReportFormat::kCsv: return RenderLiftCsv(report);
    case ReportFormat::kHtml: return RenderLiftHtml(report);
  }
  return "";
}

std::string RenderProgramReport(const ProgramReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kTable: return RenderProgramTable(report);
    case ReportFormat::kJson: return RenderJson(report);
    case ReportFormat::kCsv: return RenderProgramCsv(report);
    case ReportFormat::kHtml: return RenderProgramHtml(report);
  }
  return "";
}

}  // namespace holdfast::cli
