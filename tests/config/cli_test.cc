// The `holdfast lint` and `holdfast power` subcommands (client/lint_main.cc,
// client/power_main.cc) on a CLI11 app built like the `holdfast` binary's,
// through the gRPC-free library the binary links.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli_app.h"
#include "client/commands.h"

namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

// Runs `holdfast ARGS...` with only the offline subcommands.
CommandRun Holdfast(std::vector<std::string> args) {
  CLI::App app("test", "holdfast");
  app.require_subcommand(1);
  int exit_code = 0;
  holdfast::cli::AddLintCommand(app, &exit_code);
  holdfast::cli::AddPowerCommand(app, &exit_code);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = holdfast::cli::RunCliApp(app, std::move(args), &exit_code);
  CommandRun r{code, ::testing::internal::GetCapturedStdout(), ::testing::internal::GetCapturedStderr()};
  return r;
}

TEST(LintCommandTest, CleanExampleStrictGithub) {
  const CommandRun r = Holdfast({"lint", "--format", "github", "--strict", "examples/holdfast.textproto"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(LintCommandTest, AgainstItselfMovesNobody) {
  const CommandRun r = Holdfast({"lint", "--against=examples/holdfast.textproto", "--now",
                      "2026-11-23T10:00:00Z", "--impact-samples", "2000",
                      "examples/holdfast.textproto"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "0 errors, 0 warnings\n");
}

TEST(LintCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Holdfast({"lint"}).code, 2);
  EXPECT_EQ(Holdfast({"lint", "--format", "xml", "x"}).code, 2);
  EXPECT_EQ(Holdfast({"lint", "--bogus", "x"}).code, 2);
  EXPECT_EQ(Holdfast({"lint", "--now", "yesterday", "x"}).code, 2);
}

TEST(LintCommandTest, HelpOnStdoutExitsZero) {
  const CommandRun r = Holdfast({"lint", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("holdfast lint"));
  EXPECT_THAT(r.out, HasSubstr("--against"));
  EXPECT_EQ(r.err, "");
}

TEST(LintCommandTest, UnknownFlagPrintsUsageOnStderr) {
  const CommandRun r = Holdfast({"lint", "--bogus", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bogus"));
  EXPECT_THAT(r.err, HasSubstr("Usage: holdfast lint"));
  EXPECT_EQ(r.out, "");
}

TEST(LintCommandTest, ErrorsExitOne) {
  const CommandRun r = Holdfast({"lint", "--format=json", "no/such.textproto"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out,
            "[\n  {\"severity\": \"error\", \"file\": \"no/such.textproto\", \"line\": 0, \"col\": 0, "
            "\"rule\": \"io\", \"message\": \"no such file or directory\"}\n]\n");
}

TEST(PowerCommandTest, ConversionRateWithHoldoutShare) {
  // scipy: z = 2.8015852181; N = z^2 * 0.0475 * (1/0.9 + 1/0.1) / 0.0025^2
  //      = 662794.29 -> holdout ceil(66279.43) = 66280, treatment ceil(596514.86) = 596515.
  const CommandRun r = Holdfast({"power", "--baseline-rate", "0.05", "--mde", "0.05", "--holdout-share", "0.1",
                      "--entries-per-period", "10000"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("entries needed:    holdout 66,280, treatment 596,515, total 662,795\n"));
  EXPECT_THAT(r.out, HasSubstr("periods needed:    67 at 10,000 entries per period\n"));
}

TEST(PowerCommandTest, RevenueEqualGroupsMatchesStatsmodels) {
  // statsmodels NormalIndPower().solve_power(effect_size=1/40, alpha=0.05,
  // power=0.8, ratio=1) = 25116.35 per group.
  const CommandRun r = Holdfast({"power", "--baseline-mean", "10", "--baseline-sd", "40", "--mde", "0.1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("entries needed:    holdout 25,117, treatment 25,117, total 50,234\n"));
}

TEST(PowerCommandTest, UsageErrors) {
  EXPECT_EQ(Holdfast({"power", "--mde", "0.05"}).code, 2);
  EXPECT_EQ(Holdfast({"power", "--baseline-rate", "0.05"}).code, 2);
  EXPECT_EQ(Holdfast({"power", "--baseline-rate", "1.5", "--mde", "0.05"})
                .code,
            2);
  EXPECT_EQ(Holdfast({"power", "--baseline-rate", "0.05", "--baseline-mean", "3", "--mde", "0.05"})
                .code,
            2);
  EXPECT_EQ(Holdfast({"power", "--baseline-mean", "3", "--mde", "0.05"})
                .code,
            2);
}

}  // namespace

namespace {

TEST(ServerAddressTest, HostWithoutPortGetsTheDefaultPort) {
  using holdfast::cli::NormalizeServerAddress;
  EXPECT_EQ(NormalizeServerAddress("holdfast.internal"), "holdfast.internal:50051");
  EXPECT_EQ(NormalizeServerAddress("10.0.0.7"), "10.0.0.7:50051");
  EXPECT_EQ(NormalizeServerAddress("10.0.0.7:6000"), "10.0.0.7:6000");
  EXPECT_EQ(NormalizeServerAddress("::1"), "[::1]:50051");
  EXPECT_EQ(NormalizeServerAddress("[::1]"), "[::1]:50051");
  EXPECT_EQ(NormalizeServerAddress("[::1]:7000"), "[::1]:7000");
  EXPECT_EQ(NormalizeServerAddress("unix:/run/holdfast.sock"), "unix:/run/holdfast.sock");
  EXPECT_EQ(NormalizeServerAddress("dns:///holdfast:9000"), "dns:///holdfast:9000");
}

}  // namespace
