// The CLI renderers on a fixed report built from an in-memory source.
#include "client/report_render.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/report_render_util.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "lib/report/program_report.h"
#include "lib/report/report_proto.h"

namespace holdfast::cli {
namespace {

using report::EntryGroup;
using report::StoredEntry;

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig RenderConfig() {
  AssignmentConfig config;
  config.version = "cfg-render";
  config.global_holdout.share_ppm = 50000;
  JourneySpec cart;
  cart.id = "cart";
  cart.holdout.share_ppm = 200000;
  cart.arms = {{"A", 1}, {"B", 1}};
  JourneySpec odd;
  odd.id = "win<back>";  // must be escaped in HTML
  odd.holdout.share_ppm = 100000;
  odd.arms = {{"only", 1}};
  config.journeys = {cart, odd};
  return config;
}

void Add(report::InMemoryAnalysisSource& s, const std::string& journey, EntryGroup g,
         const std::string& arm, double y, const std::string& country, int i) {
  StoredEntry e;
  e.journey = journey;
  e.unit = journey + arm + std::to_string(i);
  e.group = g;
  e.arm = arm;
  e.t0 = kDay + i;
  const bool treated = g == EntryGroup::kTreatment;
  e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, treated ? 0.1 : 0.0, 0.0});
  e.sends = treated ? 1 : 0;
  e.attributes["country"] = country;
  s.AddEntry(e);
}

holdfast::v1::LiftReport FixedLiftReport() {
  report::InMemoryAnalysisSource s;
  for (int i = 0; i < 400; ++i) {
    const std::string country = i % 2 ? "DE" : "FR";
    Add(s, "cart", EntryGroup::kTreatment, "A", (i % 5) * 2.0, country, i);
    Add(s, "cart", EntryGroup::kTreatment, "B", (i % 5) * 1.0, country, i);
    if (i < 200) Add(s, "cart", EntryGroup::kHoldout, "", (i % 5) * 1.0, country, i);
    Add(s, "win<back>", EntryGroup::kTreatment, "only", (i % 4) * 1.0, country, i);
    if (i < 40) Add(s, "win<back>", EntryGroup::kHoldout, "", (i % 4) * 1.0, country, i);
  }
  s.AddContaminatedSend({"cart", "x", kDay, 0.5});
  s.AddFixedCost({"cart", 0, 2 * kDay, 20.0});
  report::LiftReportOptions o;
  o.segment_by = "country";
  absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(RenderConfig(), s, o);
  EXPECT_TRUE(r.ok()) << r.status();
  report::LiftProtoContext ctx;
  ctx.generated_at = 1767225600LL * 1000000;
  return report::ToProto(*r, ctx);
}

// The fixture with channel facts: cart's arm A sends email, B email + sms
// (declared in the config), a contaminating sms to the holdout, two
// fixed-cost categories.
holdfast::v1::LiftReport ChannelLiftReport() {
  report::InMemoryAnalysisSource s;
  for (int i = 0; i < 400; ++i) {
    Add(s, "cart", EntryGroup::kTreatment, "A", (i % 5) * 2.0, "", i);
    Add(s, "cart", EntryGroup::kTreatment, "B", (i % 5) * 1.0, "", i);
    if (i < 200) Add(s, "cart", EntryGroup::kHoldout, "", (i % 5) * 1.0, "", i);
  }
  using report::StoredChannelFact;
  s.AddChannelFact({"cart", 0, 0, {EntryGroup::kTreatment, "A", "email", false, 400, 4.0, 120, 600.0}});
  s.AddChannelFact({"cart", 0, 0, {EntryGroup::kTreatment, "B", "email", false, 400, 4.0, 40, 160.0}});
  s.AddChannelFact({"cart", 0, 0, {EntryGroup::kTreatment, "B", "sms", false, 400, 30.0, 60, 200.0}});
  s.AddChannelFact({"cart", 0, 0, {EntryGroup::kTreatment, "A", "", true, 0, 0.0, 5, 40.0}});
  s.AddChannelFact({"cart", 0, 0, {EntryGroup::kHoldout, "", "sms", false, 3, 0.2, 1, 2.0}});
  s.AddFixedCost({"cart", 0, 2 * kDay, 20.0, "platform"});
  s.AddFixedCost({"cart", 0, 2 * kDay, 6.0, "creative"});
  AssignmentConfig config = RenderConfig();
  config.journeys[0].arms = {{"A", 1, {"email"}}, {"B", 1, {"email", "sms"}}};
  config.journeys.resize(1);
  report::LiftReportOptions with_channels;
  with_channels.channels = true;  // off by default (holdfast report --channels)
  absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(config, s, with_channels);
  EXPECT_TRUE(r.ok()) << r.status();
  report::LiftProtoContext ctx;
  ctx.generated_at = 1767225600LL * 1000000;
  return report::ToProto(*r, ctx);
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

TEST(ReportRenderTest, ParsesFormats) {
  EXPECT_EQ(*ParseReportFormat("html"), ReportFormat::kHtml);
  EXPECT_EQ(*ParseReportFormat("csv"), ReportFormat::kCsv);
  EXPECT_FALSE(ParseReportFormat("pdf").ok());
}

TEST(ReportRenderTest, TableShowsWarningsFirstThenSections) {
  const holdfast::v1::LiftReport r = FixedLiftReport();
  const std::string t = RenderLiftTable(r);
  const size_t warnings = t.find("WARNINGS (");
  const size_t lift = t.find("LIFT (");
  const size_t ret = t.find("RETURN (");
  const size_t checks = t.find("CHECKS (");
  const size_t summary = t.find("SUMMARY (");
  ASSERT_NE(warnings, std::string::npos) << t;
  ASSERT_NE(summary, std::string::npos) << t;
  EXPECT_LT(summary, warnings);
  EXPECT_LT(warnings, lift);
  // Each journey's verdict, its sentence starting with the journey.
  EXPECT_LT(t.find("\n  UNTRUSTED       cart cannot be trusted: holdout contamination"), warnings) << t;
  EXPECT_NE(t.find("win<back> "), std::string::npos) << t;
  EXPECT_LT(lift, ret);
  EXPECT_LT(ret, checks);
  EXPECT_NE(t.find("CRITICAL CONTAMINATION [cart]"), std::string::npos) << t;
  EXPECT_NE(t.find("cart / A / country=DE"), std::string::npos);
  EXPECT_NE(t.find("config cfg-render"), std::string::npos);
  EXPECT_NE(t.find("generated 2026-01-01T00:00:00Z"), std::string::npos);
}

// The tables and the forest plot show the primary variant
// (LiftRow.primary_interval), and the header names the multiplicity families.
TEST(ReportRenderTest, TablesShowThePrimaryIntervalAndTheFamilies) {
  holdfast::v1::LiftReport r = FixedLiftReport();
  holdfast::v1::LiftRow& row = *r.mutable_rows(0);
  ASSERT_EQ(row.primary_interval(), holdfast::v1::SKEW_CORRECTED);
  holdfast::v1::Estimate marked;
  marked.set_defined(true);
  marked.set_value(7.125);
  marked.set_lower(6.5);
  marked.set_upper(7.75);
  marked.set_p_value(0.5);
  *row.mutable_revenue_lift_skew_corrected() = marked;
  marked.set_value(3.4);
  *row.mutable_iroas_skew_corrected() = marked;
  std::string t = RenderLiftTable(r);
  EXPECT_NE(t.find("7.125 [6.500, 7.750]"), std::string::npos) << t;  // money per entry: 3 decimals
  EXPECT_NE(t.find("3.40 [6.50, 7.75]"), std::string::npos) << t;     // ratios: 2 decimals
  // cart *, A, B and win<back> *; and each of them for DE and FR.
  EXPECT_NE(t.find("Holm / BH adjust within families: revenue_lift (4 tests) segment_revenue_lift "
                   "(8 tests) iroas_breakeven (4 tests) segment_iroas_breakeven (8 tests)"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("skewness-corrected (Hall"), std::string::npos) << t;
  const std::string html = RenderLiftHtml(r);
  EXPECT_NE(html.find("7.125 [6.500, 7.750]"), std::string::npos);
  // The plain variant when the row says so.
  row.set_primary_interval(holdfast::v1::PLAIN);
  t = RenderLiftTable(r);
  EXPECT_EQ(t.find("7.125 [6.500, 7.750]"), std::string::npos) << t;
}

TEST(ReportRenderTest, ColumnFormatsAreFixed) {
  EXPECT_EQ(render::Count(0), "0");
  EXPECT_EQ(render::Count(999), "999");
  EXPECT_EQ(render::Count(1234567), "1,234,567");
  EXPECT_EQ(render::Count(-1000), "-1,000");
  EXPECT_EQ(render::Fixed(-1234.5678, 2), "-1,234.57");
  EXPECT_EQ(render::Fixed(-0.0001, 3), "0.000");  // no "-0.000"
  EXPECT_EQ(render::PerEntry(3.2), "3.200");
  EXPECT_EQ(render::PerEntry(12345.6789), "12,345.679");
  EXPECT_EQ(render::Total(1234567.891), "1,234,567.89");
  EXPECT_EQ(render::Total(0.5), "0.50");
  EXPECT_EQ(render::Ratio(2.0), "2.00");
  EXPECT_EQ(render::Pct(0.0812), "8.1%");
  EXPECT_EQ(render::Points(0.0052), "0.52pp");
  EXPECT_EQ(render::Points(NAN), "n/a");  // was "n/app"
  EXPECT_EQ(render::PValue(0.05), "0.0500");
  EXPECT_EQ(render::PValue(1.0), "1.0000");
  EXPECT_EQ(render::PValue(1e-6), "<0.0001");
  EXPECT_EQ(render::PerEntry(NAN), "n/a");
  EXPECT_EQ(render::Total(INFINITY), "inf");
}

// Cells of the text table under `section` (e.g. "LIFT ("), by column name.
std::map<std::string, std::vector<std::string>> TableColumns(const std::string& text, const std::string& section) {
  std::map<std::string, std::vector<std::string>> out;
  const size_t at = text.find(section);
  if (at == std::string::npos) return out;
  std::vector<std::string> lines = absl::StrSplit(text.substr(at), '\n');
  if (lines.size() < 4) return out;
  // Columns are separated by at least two spaces; no cell holds two in a row.
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    for (absl::string_view c : absl::StrSplit(line, absl::ByString("  "), absl::SkipWhitespace())) {
      cells.emplace_back(absl::StripAsciiWhitespace(c));
    }
    return cells;
  };
  const std::vector<std::string> header = split(lines[1]);
  for (size_t l = 3; l < lines.size() && !lines[l].empty(); ++l) {
    const std::vector<std::string> cells = split(lines[l]);
    EXPECT_EQ(cells.size(), header.size()) << lines[l];
    for (size_t c = 0; c < cells.size() && c < header.size(); ++c) out[header[c]].push_back(cells[c]);
  }
  return out;
}

TEST(ReportRenderTest, EveryTableColumnHasOneNumberFormat) {
  const std::string t = RenderLiftTable(FixedLiftReport());
  const std::string count = "[0-9]{1,3}(,[0-9]{3})*";
  const std::string per_entry = "-?[0-9,]+\\.[0-9]{3}";
  const std::string ratio = "-?[0-9,]+\\.[0-9]{2}";
  const std::string pct = "-?[0-9,]+\\.[0-9]%";
  const std::string pp = "-?[0-9,]+\\.[0-9]{2}pp";
  const std::string p = "(<0\\.0001|[01]\\.[0-9]{4})";
  auto interval = [](const std::string& n) { return n + " \\[" + n + ", " + n + "\\]"; };
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> expected = {
      {"LIFT (", {{"n_T", count}, {"n_C", count}, {"conv_T", pct}, {"conv_C", pct},
                  {"conv lift", interval(pp)}, {"rev/entry_T", per_entry}, {"rev/entry_C", per_entry},
                  {"revenue lift", interval(per_entry)}, {"relative lift", interval(pct)}, {"p", p},
                  {"p_holm", p}, {"p_bh", p}}},
      {"RETURN (", {{"incremental revenue", interval(ratio)}, {"cost K", ratio}, {"F", ratio},
                    {"iROAS", interval(ratio)}, {"iROAS incl incentives", interval(ratio)},
                    {"margin iROAS incl incentives", interval(ratio)}, {"attributed ROAS", ratio},
                    {"p(iROAS=1)", p}}},
      {"CHECKS (", {{"SRM p", p}, {"MDE rev", per_entry}, {"MDE rev %", pct}, {"MDE conv", pp},
                    {"washout excl", count}, {"immature excl", count}, {"contaminated sends", count}}},
  };
  for (const auto& [section, columns] : expected) {
    const auto cells = TableColumns(t, section);
    for (const auto& [column, pattern] : columns) {
      ASSERT_TRUE(cells.count(column)) << section << column << "\n" << t;
      for (const std::string& cell : cells.at(column)) {
        EXPECT_TRUE(cell == "n/a" || std::regex_match(cell, std::regex(pattern)))
            << section << " " << column << ": '" << cell << "'";
      }
    }
  }
}

TEST(ReportRenderTest, JsonRoundTrips) {
  const holdfast::v1::LiftReport r = FixedLiftReport();
  const std::string json = RenderJson(r);
  EXPECT_NE(json.find("\"p_value_holm\""), std::string::npos);  // proto field names
  holdfast::v1::LiftReport back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &back).ok());
  // NaN fields compare unequal to themselves; compare the row count and a value.
  ASSERT_EQ(back.rows_size(), r.rows_size());
  EXPECT_DOUBLE_EQ(back.rows(0).revenue_lift().value(), r.rows(0).revenue_lift().value());
  EXPECT_EQ(back.warnings_size(), r.warnings_size());
}

// One CSV line split into its fields (RFC 4180 quoting; no newline in a field here).
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out.back().push_back(ch);
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(ch);
    }
  }
  return out;
}

TEST(ReportRenderTest, CsvHasOneLinePerRowArmPairAndWarning) {
  const holdfast::v1::LiftReport r = FixedLiftReport();
  const std::string csv = RenderLiftCsv(r);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  // The header, one line per row, one per arm comparison (cart: B vs A,
  // everyone and per country; equal costs, so b is the later arm), then one
  // per warning.
  ASSERT_EQ(r.arm_comparisons_size(), 3);
  // Then one per stage roll-up and the programme (st_ columns), then one per
  // warning.
  ASSERT_GT(r.warnings_size(), 0);
  const int rollups = r.stages_size() + 1;
  // Then per journey one line per channel row and per cost component, and
  // ten kc_ totals (ch_ / kc_ columns).
  int channel_lines = 0;
  for (const holdfast::v1::JourneyChannels& j : r.journey_channels()) {
    channel_lines += j.rows_size() + j.cost_components_size() + 10;
  }
  ASSERT_EQ(lines.size(), static_cast<size_t>(r.rows_size() + r.arm_comparisons_size() + rollups +
                                              channel_lines + r.warnings_size()) + 1);
  EXPECT_EQ(lines[r.rows_size() + 1].substr(0, 14), "cart,B vs A,,,") << lines[r.rows_size() + 1];
  const std::vector<std::string> header = CsvFields(lines[0]);
  for (const std::string& l : lines) EXPECT_EQ(CsvFields(l).size(), header.size()) << l;
  EXPECT_EQ(lines[0].rfind("journey,arm,segment,treatment_entries,", 0), 0u);
  EXPECT_EQ(lines[1].substr(0, 8), "cart,*,,");
  auto column = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const size_t decision = column("decision"), sentence = column("decision_sentence");
  const size_t kind = column("warning_kind"), message = column("warning_message");
  ASSERT_LT(message, header.size());
  EXPECT_EQ(message + 1, header.size());  // the warning columns come last
  // The decision on each journey's pooled everyone line only.
  int decided = 0;
  for (int i = 0; i < r.rows_size(); ++i) {
    const std::vector<std::string> f = CsvFields(lines[i + 1]);
    const bool headline = r.rows(i).arm() == "*" && r.rows(i).segment().empty();
    EXPECT_EQ(f[decision].empty(), !headline) << lines[i + 1];
    if (headline) {
      ++decided;
      EXPECT_EQ(f[sentence].rfind(r.rows(i).journey(), 0), 0u) << f[sentence];
    }
    EXPECT_TRUE(f[kind].empty());
  }
  EXPECT_EQ(decided, 2);
  EXPECT_EQ(CsvFields(lines[1])[decision], "DECISION_UNTRUSTED");  // cart is contaminated
  // Every warning, in report order, with its row and full message.
  for (int w = 0; w < r.warnings_size(); ++w) {
    const std::vector<std::string> f =
        CsvFields(lines[1 + r.rows_size() + r.arm_comparisons_size() + rollups + channel_lines + w]);
    EXPECT_EQ(f[0], r.warnings(w).journey());
    EXPECT_EQ(f[1], r.warnings(w).arm());
    EXPECT_EQ(f[2], r.warnings(w).segment());
    EXPECT_EQ(f[kind], holdfast::v1::Warning::Kind_Name(r.warnings(w).kind()));
    EXPECT_EQ(f[message], r.warnings(w).message());
    EXPECT_TRUE(f[decision].empty());
  }
}

TEST(ReportRenderTest, HtmlIsSelfContainedWithSummaryWarningsChartsThenTables) {
  const holdfast::v1::LiftReport r = FixedLiftReport();
  const std::string html = RenderLiftHtml(r);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
            std::string::npos);
  const size_t summary = html.find("id=\"summary\"");
  const size_t warnings = html.find("id=\"warnings\"");
  const size_t guardrails = html.find("id=\"guardrails\"");
  const size_t svg = html.find("<svg");
  const size_t table = html.find("<table id=\"lift\"");
  const size_t metrics = html.find("<table id=\"metrics\"");
  ASSERT_NE(summary, std::string::npos);
  ASSERT_NE(warnings, std::string::npos);
  ASSERT_NE(guardrails, std::string::npos);
  ASSERT_NE(svg, std::string::npos);
  ASSERT_NE(table, std::string::npos);
  ASSERT_NE(metrics, std::string::npos);
  // The decision, what could undermine it, the charts, then the tables
  // (guardrails first) and every declared metric last.
  EXPECT_LT(summary, warnings);
  EXPECT_LT(warnings, svg);
  EXPECT_LT(svg, guardrails);
  EXPECT_LT(guardrails, table);
  EXPECT_LT(table, metrics);
  // One decision box per journey, in journey order.
  EXPECT_EQ(Count(html, "<div class=\"decision "), 2u);
  EXPECT_LT(html.find("<span class=\"verdict\">", summary), warnings);
  // Self-contained: no scripts, no external resources.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // Two panels (relative lift, iROAS), each with every row: cart (*, A,
  // B) and win<back> (*) over everyone, then each journey's segment rows
  // (DE, FR): 4 + 8 = 12 rows per panel.
  EXPECT_EQ(Count(html, "</svg>"), 2u);
  EXPECT_EQ(Count(html, "class=\"row-label\""), 24u);
  EXPECT_NE(html.find(">cart (all arms)</text>"), std::string::npos);
  EXPECT_NE(html.find(">A</text>"), std::string::npos);  // under its journey
  EXPECT_NE(html.find("<title>cart / A: "), std::string::npos);  // the full name on hover
  EXPECT_NE(html.find(">country=DE / A</text>"), std::string::npos);
  EXPECT_NE(html.find("win&lt;back&gt; (all arms)"), std::string::npos);
  EXPECT_EQ(html.find("win<back>"), std::string::npos);
  EXPECT_EQ(Count(html, "class=\"warning critical\""), 1u) << RenderLiftTable(r);
}

// Trends: three weeks of two journeys (a stage each), rendered in every
// format; the HTML has two labelled charts per journey.
TEST(ReportRenderTest, TrendsAndStagesRenderInEveryFormat) {
  report::InMemoryAnalysisSource s;
  AssignmentConfig config = RenderConfig();
  config.journeys[0].stage = "retention";
  config.journeys[1].stage = "";
  const int64_t monday = 20731 * kDay;  // 2026-10-05
  for (int i = 0; i < 900; ++i) {
    for (const char* j : {"cart", "win<back>"}) {
      StoredEntry e;
      e.journey = j;
      e.unit = std::string(j) + std::to_string(i);
      const bool holdout = i % 4 == 0;
      e.group = holdout ? EntryGroup::kHoldout : EntryGroup::kTreatment;
      e.arm = holdout ? "" : (std::string(j) == "cart" ? (i % 2 ? "A" : "B") : "only");
      e.t0 = monday + (i % 3) * 7 * kDay + kDay;
      const double y = (i % 7 == 0 ? 30.0 : 0.0) + (holdout ? 0.0 : (i % 5) * 1.0);
      e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, holdout ? 0.0 : 0.4, 0.0});
      e.sends = holdout ? 0 : 1;
      e.mature = e.t0 + 7 * kDay <= monday + 23 * kDay;
      if (!e.mature) e.SetValues({0, 0, 0, 0, 0});
      s.AddEntry(e);
    }
  }
  report::LiftReportOptions o;
  o.trend_by = report::TrendBy::kWeek;
  o.as_of = monday + 23 * kDay;  // the third week cannot be complete yet
  absl::StatusOr<report::LiftReportResult> built = report::BuildLiftReport(config, s, o);
  ASSERT_TRUE(built.ok()) << built.status();
  const holdfast::v1::LiftReport r = report::ToProto(*built, {});
  ASSERT_EQ(r.trends_size(), 2);
  ASSERT_EQ(r.trends(0).points_size(), 3);
  EXPECT_FALSE(r.trends(0).points(2).complete());

  const std::string t = RenderLiftTable(r);
  EXPECT_NE(t.find("STAGES AND PROGRAMME ("), std::string::npos) << t;
  EXPECT_NE(t.find("(programme)"), std::string::npos) << t;
  EXPECT_NE(t.find("(no stage)"), std::string::npos) << t;
  EXPECT_NE(t.find("TRENDS by week"), std::string::npos) << t;
  EXPECT_NE(t.find("2026-10-19"), std::string::npos) << t;
  EXPECT_NE(t.find("partial"), std::string::npos) << t;
  EXPECT_NE(t.find("drift test"), std::string::npos) << t;

  const std::string csv = RenderLiftCsv(r);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  const size_t columns = Count(lines[0], ",") + 1;
  size_t trend_lines = 0, stage_lines = 0;
  for (const std::string& l : lines) {
    EXPECT_EQ(CsvFields(l).size(), columns) << l;  // warning messages hold quoted commas
    trend_lines += l.find(",week,2026-10-") != std::string::npos;
    stage_lines += l.rfind(",,,", 0) == 0;
  }
  EXPECT_EQ(trend_lines, 6u);
  EXPECT_EQ(stage_lines, 3u);  // retention, (no stage), (programme)
  EXPECT_NE(lines[0].find(",st_iroas_any_overlap_upper,"), std::string::npos);
  EXPECT_NE(lines[0].find(",tr_iroas_plain_lower,"), std::string::npos);

  const std::string html = RenderLiftHtml(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(Count(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\""), 4u);
  EXPECT_EQ(Count(html, ">iROAS (incremental revenue per unit of cost)</text>"), 2u);
  EXPECT_EQ(Count(html, ">revenue lift per entry (currency)</text>"), 2u);
  EXPECT_EQ(Count(html, ">week of entry (UTC, starting Monday)</text>"), 4u);
  // Two trend charts and the forest plot's iROAS panel label break-even.
  EXPECT_EQ(Count(html, ">break-even 1</text>"), 3u);
  EXPECT_NE(html.find(">2026-10-05</text>"), std::string::npos);
  EXPECT_NE(html.find("win&lt;back&gt;: iROAS per week"), std::string::npos);
  EXPECT_EQ(html.find("win<back>"), std::string::npos);
  EXPECT_NE(html.find("id=\"stages\""), std::string::npos);
  // Hollow (white-filled) markers for the partial third week of each journey.
  EXPECT_GE(Count(html, "fill=\"#fff\" stroke=\"#8c959f\""), 2u);
}

TEST(ReportRenderTest, ProgramRenderings) {
  report::InMemoryAnalysisSource s;
  for (int i = 0; i < 300; ++i) {
    const std::string unit = "u" + std::to_string(i);
    s.AddCustomer({unit, 0});
    s.AddProgramOutcome({unit, kDay + i, i % 6 > 3, (i % 6) * 1.0, 0.0});
    s.AddProgramSend({unit, kDay + i, 0.1});
  }
  s.AddCustomer({"late", kDay + 5});  // first seen during the range
  report::ProgramReportOptions o;
  o.range = {kDay, 2 * kDay};
  o.as_of = 3 * kDay;
  absl::StatusOr<report::ProgramReportResult> r = report::BuildProgramReport(RenderConfig(), s, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const holdfast::v1::ProgramReport p = report::ToProto(*r, 0, o.range);
  const std::string table = RenderProgramTable(p);
  EXPECT_NE(table.find("all"), std::string::npos);
  EXPECT_NE(table.find("known before the period starts"), std::string::npos);
  EXPECT_NE(table.find("iROAS all sends"), std::string::npos);
  EXPECT_NE(table.find("PROGRAM_JOINED_EXCLUDED"), std::string::npos);
  const std::string json = RenderJson(p);
  for (const char* field : {"\"joined_units\"", "\"iroas_total_cost\"", "\"as_of\"", "\"margin_lift\""}) {
    EXPECT_NE(json.find(field), std::string::npos) << field;
  }
  const std::string html = RenderProgramHtml(p);
  // The same forest panels: all periods + period 0, in each of two panels.
  EXPECT_EQ(Count(html, "class=\"row-label\""), 4u);
  EXPECT_NE(html.find(">Revenue lift per customer</text>"), std::string::npos);
  EXPECT_NE(html.find(">break-even 1</text>"), std::string::npos);
  EXPECT_LT(html.find("id=\"warnings\""), html.find("<svg"));
  EXPECT_NE(html.find("iROAS all sends"), std::string::npos);
  std::vector<std::string> lines = absl::StrSplit(RenderProgramCsv(p), '\n', absl::SkipEmpty());
  // Header, the pooled row and period 0, then one line per warning.
  ASSERT_GE(p.warnings_size(), 1);
  ASSERT_EQ(lines.size(), 3u + p.warnings_size());
  EXPECT_NE(lines[0].find(",joined_units,"), std::string::npos);
  EXPECT_NE(lines[0].find(",iroas_total_cost,"), std::string::npos);
  EXPECT_NE(lines[0].find(",warning_severity,warning_kind,warning_message"), std::string::npos);
  for (const std::string& l : lines) EXPECT_EQ(CsvFields(l).size(), CsvFields(lines[0]).size()) << l;
  bool joined = false;
  for (size_t l = 3; l < lines.size(); ++l) joined = joined || absl::StrContains(lines[l], ",PROGRAM_JOINED_EXCLUDED,");
  EXPECT_TRUE(joined);
}

}  // namespace
}  // namespace holdfast::cli

namespace holdfast::cli {
namespace {

// A journey that raises unsubscribes from 0.5 % to 3 %: every format shows
// every declared metric, and the guardrail breach is red in HTML, HARM in
// CSV and a CRITICAL warning everywhere.
holdfast::v1::LiftReport GuardrailReport() {
  report::InMemoryAnalysisSource s;
  for (int i = 0; i < 4000; ++i) {
    const bool holdout = i % 4 == 0;
    StoredEntry e;
    e.journey = "cart";
    e.unit = "u" + std::to_string(i);
    e.group = holdout ? EntryGroup::kHoldout : EntryGroup::kTreatment;
    e.arm = holdout ? "" : (i % 2 ? "A" : "B");
    e.t0 = kDay + i;
    const double y = i % 7 == 0 ? 30.0 + i % 11 : 0.0;
    e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, holdout ? 0.0 : 0.1, 0.0});
    e.orders = y > 0 ? 1 : 0;
    e.sends = holdout ? 0 : 1;
    e.unsubscribed = holdout ? ((i / 4) % 200 == 0) : (i % 33 == 1);
    s.AddEntry(e);
  }
  AssignmentConfig config = RenderConfig();
  config.journeys.resize(1);
  absl::StatusOr<report::LiftReportResult> r = report::BuildLiftReport(config, s, {});
  EXPECT_TRUE(r.ok()) << r.status();
  return report::ToProto(*r, report::LiftProtoContext{});
}

TEST(ReportRenderTest, EveryFormatIteratesTheMetricDefinitions) {
  const holdfast::v1::LiftReport r = GuardrailReport();
  ASSERT_GT(r.metric_definitions_size(), 10);
  ASSERT_EQ(r.rows(0).metrics_size(), r.metric_definitions_size());
  const std::string table = RenderLiftTable(r);
  const std::string csv = RenderLiftCsv(r);
  const std::string html = RenderLiftHtml(r);
  const std::vector<std::string> csv_lines = absl::StrSplit(csv, '\n');
  for (const holdfast::v1::MetricDefinition& d : r.metric_definitions()) {
    EXPECT_NE(table.find(d.label()), std::string::npos) << d.id();
    EXPECT_NE(html.find(d.label()), std::string::npos) << d.id();
    EXPECT_NE(csv_lines[0].find("m_" + d.id() + "_effect"), std::string::npos) << d.id();
  }
  // The breach: a CRITICAL warning, a red guardrail row, HARM in the CSV.
  // One line for the three breaching rows (grouped), the decision untrusted
  // (the arms' SRM), the breach quoted once for all arms.
  EXPECT_NE(table.find("CRITICAL GUARDRAIL_HARM [cart / *, cart / A, cart / B] (3 warnings; the "
                       "first): guardrail breached"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("UNTRUSTED       cart cannot be trusted: a sample ratio mismatch (CRITICAL) "
                       "breaks the comparison"),
            std::string::npos)
      << table;
  ASSERT_EQ(r.journey_summaries_size(), 1);
  EXPECT_EQ(Count(r.journey_summaries(0).sentence(), "against the tolerated"), 1u)
      << r.journey_summaries(0).sentence();
  EXPECT_NE(html.find("<tr class=\"harm\"><td class=\"l\">cart</td><td class=\"l\">Unsubscribe rate"),
            std::string::npos);
  const std::vector<std::string> header = absl::StrSplit(csv_lines[0], ',');
  const std::vector<std::string> pooled = absl::StrSplit(csv_lines[1], ',');
  const size_t status = std::find(header.begin(), header.end(), "m_unsubscribe_rate_status") - header.begin();
  ASSERT_LT(status, pooled.size());
  EXPECT_EQ(pooled[status], "HARM");
  // Undefined estimates say why, never a number.
  EXPECT_NE(table.find("n/a (no value_per_event on the journey's UNSUBSCRIBE guardrail)"),
            std::string::npos);
}

}  // namespace
}  // namespace holdfast::cli

#include "client/report_render_forest.h"
#include "client/report_render_warnings.h"

namespace holdfast::cli {
namespace {

holdfast::v1::Warning MakeWarning(holdfast::v1::Warning::Kind kind, holdfast::v1::Warning::Severity sev,
                                  const std::string& journey, const std::string& arm,
                                  const std::string& segment, const std::string& message) {
  holdfast::v1::Warning w;
  w.set_kind(kind);
  w.set_severity(sev);
  w.set_journey(journey);
  w.set_arm(arm);
  w.set_segment(segment);
  w.set_message(message);
  return w;
}

// One line per journey and kind: the count, up to three places, the first
// message; every message stays in the HTML fold.
TEST(ReportRenderTest, WarningsAreGroupedPerJourneyAndKind) {
  holdfast::v1::LiftReport r;
  using W = holdfast::v1::Warning;
  for (const char* seg : {"country=DE", "country=FR", "country=IT", "country=LU"}) {
    *r.add_warnings() = MakeWarning(W::TOO_FEW_ENTRIES, W::CAUTION, "cart", "*", seg,
                                    std::string("too few entries in ") + seg);
  }
  *r.add_warnings() = MakeWarning(W::TOO_FEW_ENTRIES, W::CAUTION, "winback", "*", "", "winback few");
  *r.add_warnings() = MakeWarning(W::WINDOWS_CUT, W::INFO, "cart", "", "", "cut");
  const std::vector<render::WarningGroup> groups = render::GroupWarnings(r.warnings());
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].members.size(), 4u);
  const std::string text = RenderLiftTable(r);
  EXPECT_NE(text.find("WARNINGS (6 in 3 groups"), std::string::npos) << text;
  EXPECT_NE(text.find("  CAUTION TOO_FEW_ENTRIES [cart / * / country=DE, cart / * / country=FR, "
                      "cart / * / country=IT, +1 more] (4 warnings; the first): too few entries in "
                      "country=DE\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("too few entries in country=FR"), std::string::npos) << text;
  EXPECT_NE(text.find("  CAUTION TOO_FEW_ENTRIES [winback / *]: winback few\n"), std::string::npos);
  EXPECT_NE(text.find("  INFO WINDOWS_CUT [cart]: cut\n"), std::string::npos);
  const std::string html = RenderLiftHtml(r);
  EXPECT_EQ(Count(html, "<div class=\"warning caution\">"), 2u);
  EXPECT_EQ(Count(html, "<div class=\"warning info\">"), 1u);
  EXPECT_NE(html.find("<span class=\"count\">4 warnings</span>"), std::string::npos);
  EXPECT_NE(html.find("<details><summary>all 4 messages</summary>"), std::string::npos);
  EXPECT_NE(html.find("too few entries in country=LU"), std::string::npos);  // in the fold
}

render::ForestPanel RatioPanel() {
  render::ForestPanel p{"Incremental ROAS", "incremental revenue per 1 of cost",
                        render::AxisUnit::kRatio, {{0.0, ""}, {1.0, "break-even 1"}}, 1.0, {}};
  auto row = [](const std::string& label, double v, double lo, double hi) {
    render::ForestRow r;
    r.label = label;
    r.defined = true;
    r.value = v;
    r.lower = lo;
    r.upper = hi;
    return r;
  };
  p.rows = {row("a", 2.0, 1.5, 2.5), row("b", 1.2, 0.8, 1.6), row("c", 0.6, 0.3, 0.9),
            row("tiny segment", 3.0, -40.0, 46.0)};
  return p;
}

// The axis covers the regular intervals and both reference lines; the
// interval 90 wide (vs a median of 0.7) is clipped, with arrows, and its
// estimate stays in view.
TEST(ReportRenderTest, ForestClipsExtremeIntervalsInsteadOfSquashing) {
  const render::ForestPanel p = RatioPanel();
  const render::ForestDomain d = render::ChooseForestDomain(p);
  EXPECT_LT(d.lo, 0.0);   // 0 is a reference line
  EXPECT_GT(d.lo, -0.5);  // not -40
  EXPECT_GT(d.hi, 3.0);   // the clipped row's estimate
  EXPECT_LT(d.hi, 3.5);   // not 46
  const std::string svg = render::ForestPanelSvg(p);
  EXPECT_EQ(Count(svg, "class=\"clip\""), 2u) << svg;  // both ends of the tiny segment
  // The numbers beside each row, in the panel's unit.
  EXPECT_NE(svg.find(">2.00 [1.50, 2.50]</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">3.00 [-40.00, 46.00]</text>"), std::string::npos) << svg;
  // Its own axis: ticks, caption; break-even labelled and drawn apart from 0.
  EXPECT_NE(svg.find("class=\"tick\""), std::string::npos);
  EXPECT_NE(svg.find(">incremental revenue per 1 of cost</text>"), std::string::npos);
  EXPECT_EQ(Count(svg, "<line class=\"ref decision\""), 1u);
  EXPECT_EQ(Count(svg, "<line class=\"ref\""), 1u);  // the dashed zero
  EXPECT_NE(svg.find(">break-even 1</text>"), std::string::npos);
  // With two rows nothing is clipped: the median is their own width.
  render::ForestPanel two = p;
  two.rows.erase(two.rows.begin() + 1, two.rows.begin() + 3);
  EXPECT_EQ(Count(render::ForestPanelSvg(two), "class=\"clip\""), 0u);
  EXPECT_LE(render::ChooseForestDomain(two).lo, -40.0);
}

TEST(ReportRenderTest, ForestPercentAxisHasUnitsAndSignedEstimates) {
  render::ForestPanel p{"Relative revenue lift per entry", "% of holdout revenue per entry",
                        render::AxisUnit::kPercent, {{0.0, "no effect"}}, 0.0, {}};
  render::ForestRow r;
  r.label = "cart (all arms)";
  r.defined = true;
  r.value = 12.5;
  r.lower = 4.1;
  r.upper = 20.9;
  p.rows = {r};
  render::ForestRow na;
  na.label = "empty";
  p.rows.push_back(na);
  const std::string svg = render::ForestPanelSvg(p);
  EXPECT_NE(svg.find(">+12.5% [4.1%, 20.9%]</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">n/a</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("%</text>"), std::string::npos);
  std::regex tick("class=\"tick\"[^>]*>(-?[0-9.,]+)%</text>");
  EXPECT_TRUE(std::regex_search(svg, tick)) << svg;
  // The green colour: the interval lies above the decision line 0.
  EXPECT_NE(svg.find("fill=\"#1a7f37\">+12.5%"), std::string::npos) << svg;
}

}  // namespace
}  // namespace holdfast::cli

namespace holdfast::cli {
namespace {

// Every format renders the channel table, the comparison with the
// incremental revenue, the notes and K by component.
TEST(ReportRenderTest, ChannelsAndCostComponentsInEveryFormat) {
  const holdfast::v1::LiftReport r = ChannelLiftReport();
  ASSERT_EQ(r.journey_channels_size(), 1);
  const holdfast::v1::JourneyChannels& j = r.journey_channels(0);
  // Pooled email, sms, unattributed; then A (email, unattributed), B (email, sms).
  ASSERT_EQ(j.rows_size(), 7);
  EXPECT_EQ(j.rows(0).channel(), "email");
  EXPECT_EQ(j.rows(0).sends(), 800);
  EXPECT_DOUBLE_EQ(j.rows(0).attributed_revenue(), 760.0);
  EXPECT_DOUBLE_EQ(j.rows(0).attributed_roas(), 95.0);
  EXPECT_EQ(j.rows(1).holdout_sends(), 3);
  EXPECT_TRUE(j.rows(2).unattributed());
  EXPECT_TRUE(j.arms_differ_by_channel());
  EXPECT_DOUBLE_EQ(j.attributed_revenue(), 960.0);
  EXPECT_DOUBLE_EQ(j.send_cost(), 38.0);
  EXPECT_DOUBLE_EQ(j.fixed_cost(), 26.0);
  ASSERT_EQ(j.notes_size(), 3);
  EXPECT_NE(j.notes(1).find("needs channel-level randomization"), std::string::npos);
  EXPECT_NE(j.notes(2).find("arm-vs-arm comparison"), std::string::npos);
  {
    // A's sms sends that A does not declare are named.
    report::InMemoryAnalysisSource s;
    for (int i = 0; i < 10; ++i) Add(s, "cart", EntryGroup::kTreatment, "A", 1.0, "", i);
    s.AddChannelFact({"cart", 0, 0, {EntryGroup::kTreatment, "A", "sms", false, 4, 0.3, 0, 0.0}});
    AssignmentConfig config = RenderConfig();
    config.journeys[0].arms = {{"A", 1, {"email"}}, {"B", 1, {"email", "sms"}}};
    config.journeys.resize(1);
    report::LiftReportOptions with_channels;
    with_channels.channels = true;
    absl::StatusOr<report::LiftReportResult> r2 = report::BuildLiftReport(config, s, with_channels);
    ASSERT_TRUE(r2.ok()) << r2.status();
    bool named = false;
    for (const std::string& n : r2->channels[0].notes) {
      named |= n.find("Arm A declares email but received 4 sms sends") != std::string::npos;
    }
    EXPECT_TRUE(named);
  }

  const std::string t = RenderLiftTable(r);
  EXPECT_NE(t.find("CHANNELS (last touch, not causal"), std::string::npos) << t;
  EXPECT_NE(t.find("COST COMPONENTS"), std::string::npos);
  EXPECT_NE(t.find("fixed: creative"), std::string::npos);
  EXPECT_NE(t.find("(unattributed)"), std::string::npos);
  EXPECT_NE(t.find("attributed / incremental"), std::string::npos);
  EXPECT_NE(t.find("channel-level randomization"), std::string::npos);
  const std::string h = RenderLiftHtml(r);
  EXPECT_NE(h.find("<table id=\"channels\">"), std::string::npos);
  EXPECT_NE(h.find("<table id=\"costs\">"), std::string::npos);
  EXPECT_NE(h.find("Channel-specific incremental ROAS needs channel-level randomization"),
            std::string::npos);
  // Cost components come before the lift table, after the guardrails.
  EXPECT_LT(h.find("id=\"costs\""), h.find("<table id=\"lift\">"));
  const std::string csv = RenderLiftCsv(r);
  EXPECT_NE(csv.find("ch_attributed_revenue"), std::string::npos);
  EXPECT_NE(csv.find("cart,B,,"), std::string::npos);
  EXPECT_NE(csv.find(",total,treatment_cost,"), std::string::npos);
  const std::string json = RenderJson(r);
  EXPECT_NE(json.find("\"journey_channels\""), std::string::npos);
  EXPECT_NE(json.find("\"COST_FIXED\""), std::string::npos);
}

}  // namespace
}  // namespace holdfast::cli
