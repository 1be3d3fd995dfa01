// The `holdfast lint` and `holdfast power` entry points (client/lint_main.cc,
// client/power_main.cc), compiled into this test; the `holdfast` dispatcher
// links the same two functions.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace holdfast::cli {
int RunLintCommand(int argc, char** argv);
int RunPowerCommand(int argc, char** argv);
}  // namespace holdfast::cli

namespace {

using ::testing::HasSubstr;

struct CommandRun {
  int code;
  std::string out;
  std::string err;
};

CommandRun Call(int (*fn)(int, char**), std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = fn(static_cast<int>(argv.size()), argv.data());
  CommandRun r{code, ::testing::internal::GetCapturedStdout(), ::testing::internal::GetCapturedStderr()};
  return r;
}

TEST(LintCommandTest, CleanExampleStrictGithub) {
  const CommandRun r = Call(holdfast::cli::RunLintCommand,
                     {"lint", "--format", "github", "--strict", "examples/holdfast.textproto"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(LintCommandTest, AgainstItselfMovesNobody) {
  const CommandRun r = Call(holdfast::cli::RunLintCommand,
                     {"lint", "--against=examples/holdfast.textproto", "--now",
                      "2026-11-23T10:00:00Z", "--impact-samples", "2000",
                      "examples/holdfast.textproto"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "0 errors, 0 warnings\n");
}

TEST(LintCommandTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Call(holdfast::cli::RunLintCommand, {"lint"}).code, 2);
  EXPECT_EQ(Call(holdfast::cli::RunLintCommand, {"lint", "--format", "xml", "x"}).code, 2);
  EXPECT_EQ(Call(holdfast::cli::RunLintCommand, {"lint", "--bogus", "x"}).code, 2);
  EXPECT_EQ(Call(holdfast::cli::RunLintCommand, {"lint", "--now", "yesterday", "x"}).code, 2);
}

TEST(LintCommandTest, ErrorsExitOne) {
  const CommandRun r = Call(holdfast::cli::RunLintCommand, {"lint", "--format=json", "no/such.textproto"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out,
            "[\n  {\"severity\": \"error\", \"file\": \"no/such.textproto\", \"line\": 0, \"col\": 0, "
            "\"rule\": \"io\", \"message\": \"no such file or directory\"}\n]\n");
}

TEST(PowerCommandTest, ConversionRateWithHoldoutShare) {
  // scipy: z = 2.8015852181; N = z^2 * 0.0475 * (1/0.9 + 1/0.1) / 0.0025^2
  //      = 662794.29 -> holdout ceil(66279.43) = 66280, treatment ceil(596514.86) = 596515.
  const CommandRun r = Call(holdfast::cli::RunPowerCommand,
                     {"power", "--baseline-rate", "0.05", "--mde", "0.05", "--holdout-share", "0.1",
                      "--entries-per-period", "10000"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("entries needed:    holdout 66280, treatment 596515, total 662795\n"));
  EXPECT_THAT(r.out, HasSubstr("periods needed:    67 at 10000 entries per period\n"));
}

TEST(PowerCommandTest, RevenueEqualGroupsMatchesStatsmodels) {
  // statsmodels NormalIndPower().solve_power(effect_size=1/40, alpha=0.05,
  // power=0.8, ratio=1) = 25116.35 per group.
  const CommandRun r = Call(holdfast::cli::RunPowerCommand,
                     {"power", "--baseline-mean", "10", "--baseline-sd", "40", "--mde", "0.1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("entries needed:    holdout 25117, treatment 25117, total 50234\n"));
}

TEST(PowerCommandTest, UsageErrors) {
  EXPECT_EQ(Call(holdfast::cli::RunPowerCommand, {"power", "--mde", "0.05"}).code, 2);
  EXPECT_EQ(Call(holdfast::cli::RunPowerCommand, {"power", "--baseline-rate", "0.05"}).code, 2);
  EXPECT_EQ(Call(holdfast::cli::RunPowerCommand,
                 {"power", "--baseline-rate", "1.5", "--mde", "0.05"})
                .code,
            2);
  EXPECT_EQ(Call(holdfast::cli::RunPowerCommand,
                 {"power", "--baseline-rate", "0.05", "--baseline-mean", "3", "--mde", "0.05"})
                .code,
            2);
  EXPECT_EQ(Call(holdfast::cli::RunPowerCommand, {"power", "--baseline-mean", "3", "--mde", "0.05"})
                .code,
            2);
}

}  // namespace
