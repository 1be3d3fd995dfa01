// The analyst's path with the real binaries: holdfast_simulate plays four
// weeks of three journeys with known effects through the RPCs of a real
// holdfastd, then `holdfast report` renders every format and the true effects
// are checked against the intervals (tools/check_truth.py).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ReportE2eTest, SimulatedJourneysReportInEveryFormatAndCoverTheTruth) {
  TempDir dir;
  DaemonProcess daemon(HoldfastdPath(),
                       {"--config=" + SourceDir() + "/examples/holdfast.textproto",
                        "--db=" + dir.File("holdfast.db")},
                       dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  CommandResult sim = RunCommand({SimulatePath(), "--server=" + daemon.address(),
                                  "--truth=" + dir.File("truth.json"), "--roster_customers=2000"},
                                 {}, 240);
  ASSERT_EQ(sim.exit_code, 0) << sim.err;

  const std::vector<std::string> range = {"--server", daemon.address(), "--from", "2026-10-05", "--to",
                                          "2026-11-02"};
  auto report = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {HoldfastCliPath(), "report"};
    argv.insert(argv.end(), range.begin(), range.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv, {}, 120);
  };
  // A fixed as_of after every simulated window, refund horizon and 90-day
  // outcome horizon: the report does not depend on the day the test runs.
  const std::vector<std::string> as_of = {"--as-of", "2027-03-01"};
  auto lift = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), as_of.begin(), as_of.end());
    return report(extra);
  };
  CommandResult table = lift({"--format", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* row : {"cart_abandon / discount", "cart_abandon / no_discount", "winback", "renewal"}) {
    EXPECT_TRUE(absl::StrContains(table.out, row)) << row << "\n" << table.out;
  }
  // The simulator messages a few held-out winback units by mistake.
  EXPECT_TRUE(absl::StrContains(table.out, "CONTAMINATION")) << table.out;
  // Winback's three emails raise unsubscribes by a point: a breached
  // guardrail; the other journeys stay inside theirs.
  EXPECT_TRUE(absl::StrContains(table.out, "CRITICAL GUARDRAIL_HARM [winback / *]")) << table.out;
  EXPECT_FALSE(absl::StrContains(table.out, "GUARDRAIL_HARM [cart_abandon")) << table.out;
  EXPECT_FALSE(absl::StrContains(table.out, "GUARDRAIL_HARM [renewal")) << table.out;
  // The discount arm pays on revenue but its coupons cost more margin than
  // they bring: the arm comparison shows it.
  EXPECT_TRUE(absl::StrContains(table.out, "cart_abandon: discount vs no_discount")) << table.out;

  CommandResult json = lift({"--format", "json", "--out", dir.File("report.json")});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  CommandResult html = lift({"--format", "html", "--out", dir.File("report.html")});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const std::string page = ReadAll(dir.File("report.html"));
  EXPECT_TRUE(absl::StrContains(page, "<svg")) << "no forest plot";
  EXPECT_FALSE(absl::StrContains(page, "<script src")) << "the HTML must be self-contained";
  CommandResult csv = lift({"--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_TRUE(absl::StrContains(csv.out, "cart_abandon")) << csv.out;
  // Stage roll-ups (the example config's stages) and trends through the CLI
  // flag: four weeks of entries, one trend table per journey.
  EXPECT_TRUE(absl::StrContains(table.out, "STAGES AND PROGRAMME")) << table.out;
  for (const char* stage : {"retention", "reactivation", "renewal", "(programme)"}) {
    EXPECT_TRUE(absl::StrContains(table.out, stage)) << stage;
  }
  CommandResult weekly = lift({"--by", "week", "--format", "table"});
  ASSERT_EQ(weekly.exit_code, 0) << weekly.err;
  EXPECT_TRUE(absl::StrContains(weekly.out, "TRENDS by week")) << weekly.out;
  for (const char* monday : {"2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"}) {
    EXPECT_TRUE(absl::StrContains(weekly.out, monday)) << monday << "\n" << weekly.out;
  }
  EXPECT_TRUE(absl::StrContains(weekly.out, "drift test over 4 complete buckets")) << weekly.out;
  CommandResult weekly_csv = lift({"--by", "week", "--format", "csv"});
  ASSERT_EQ(weekly_csv.exit_code, 0) << weekly_csv.err;
  {
    const std::vector<std::string> csv_lines = absl::StrSplit(weekly_csv.out, '\n', absl::SkipEmpty());
    const size_t width = std::vector<std::string>(absl::StrSplit(csv_lines[0], ',')).size();
    int trend_rows = 0;
    for (const std::string& l : csv_lines) {
      trend_rows += absl::StrContains(l, ",week,2026-") ? 1 : 0;
      // Every line has the header's width (no field here holds a comma).
      if (!absl::StrContains(l, "\"")) {
        EXPECT_EQ(std::vector<std::string>(absl::StrSplit(l, ',')).size(), width) << l;
      }
    }
    EXPECT_EQ(trend_rows, 3 * 4) << weekly_csv.out;  // three journeys x four weeks
  }
  CommandResult monthly_html = lift({"--by", "month", "--format", "html", "--out", dir.File("monthly.html")});
  ASSERT_EQ(monthly_html.exit_code, 0) << monthly_html.err;
  const std::string monthly = ReadAll(dir.File("monthly.html"));
  EXPECT_TRUE(absl::StrContains(monthly, "class=\"trend\"")) << "no trend chart";
  EXPECT_TRUE(absl::StrContains(monthly, "month of entry (UTC)"));
  EXPECT_FALSE(absl::StrContains(monthly, "<script"));
  CommandResult bad_by = lift({"--by", "fortnight"});
  EXPECT_EQ(bad_by.exit_code, 2) << bad_by.out << bad_by.err;
  CommandResult by_program = report({"--program", "--by", "week"});
  EXPECT_EQ(by_program.exit_code, 2) << by_program.out << by_program.err;

  CommandResult program = report({"--program", "--format", "table"});
  ASSERT_EQ(program.exit_code, 0) << program.err;
  // The roster: every simulated journey customer (40,000 + 20,000 + 15,000)
  // and 2,000 who never trigger anything, all known before the range.
  CommandResult program_csv = report({"--program", "--as-of", "2026-11-30", "--format", "csv"});
  ASSERT_EQ(program_csv.exit_code, 0) << program_csv.err;
  const std::vector<std::string> lines = absl::StrSplit(program_csv.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 2u) << program_csv.out;
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  const std::vector<std::string> pooled = absl::StrSplit(lines[1], ',');
  ASSERT_EQ(header.size(), pooled.size());
  int64_t population = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "exposed_entries" || header[i] == "global_holdout_entries") {
      population += std::stoll(pooled[i]);
    }
  }
  EXPECT_EQ(pooled[0], "all");
  EXPECT_EQ(population, 40000 + 20000 + 15000 + 2000) << program_csv.out;

  CommandResult check = RunCommand({"/usr/bin/python3", SourceDir() + "/tools/check_truth.py",
                                    dir.File("report.json"), dir.File("truth.json")});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The 23 window checks must all cover; the 57 horizon and cumulative-curve
  // checks of winback and renewal are one family with a chance allowance
  // (tools/check_truth.py).
  EXPECT_TRUE(absl::StrContains(check.out, " of 80 true effects inside their intervals")) << check.out;
  EXPECT_TRUE(absl::StrContains(check.out, "horizon family: ")) << check.out;
  // The HTML has the cumulative value charts and the horizons table.
  EXPECT_TRUE(absl::StrContains(page, "class=\"cumulative\"")) << "no cumulative chart";
  EXPECT_TRUE(absl::StrContains(page, "id=\"horizons\"")) << "no horizons table";
}

}  // namespace
}  // namespace holdfast::testing
