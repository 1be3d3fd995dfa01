// Starts the real holdfastd on 127.0.0.1 (port 0) and drives it with the
// real holdfast CLI.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

class AssignE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(
        HoldfastdPath(),
        std::vector<std::string>{"--config=" + SourceDir() + "/examples/holdfast.textproto",
                                 "--db=" + dir_.File("holdfast.db")},
        dir_.path());
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  CommandResult Cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), HoldfastCliPath());
    return RunCommand(args, env);
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(AssignE2eTest, AssignIsDeterministicAcrossRestarts) {
  const std::vector<std::string> args = {"assign", "--server", daemon_->address(), "--journey",
                                         "cart_abandon", "--unit", "cust-42", "--at",
                                         "2026-11-23T10:00:00Z", "--format", "json"};
  CommandResult first = Cli(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(absl::StrContains(first.out, "\"group\"")) << first.out;
  EXPECT_TRUE(absl::StrContains(first.out, "\"new_entry\": true") ||
              absl::StrContains(first.out, "\"new_entry\":true"))
      << first.out;

  ASSERT_EQ(WEXITSTATUS(daemon_->Signal(SIGTERM)), 0) << daemon_->log();
  EXPECT_TRUE(absl::StrContains(daemon_->log(), "stopped")) << daemon_->log();
  ASSERT_TRUE(daemon_->Start()) << daemon_->log();

  std::vector<std::string> again_args = args;
  again_args[2] = daemon_->address();
  CommandResult second = Cli(again_args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  // Same group, arm, period and version; only new_entry differs (the entry
  // was recorded by the first server and survived the restart).
  auto strip = [](std::string s) {
    for (const char* key : {"\"new_entry\": true", "\"new_entry\":true", "\"new_entry\": false",
                            "\"new_entry\":false"}) {
      size_t pos = s.find(key);
      if (pos != std::string::npos) s.erase(pos, std::string(key).size());
    }
    return s;
  };
  EXPECT_EQ(strip(first.out), strip(second.out));
  EXPECT_TRUE(absl::StrContains(second.out, "false")) << second.out;
}

TEST_F(AssignE2eTest, UnitsFileGivesCsvAndUsesEnvServer) {
  const std::string units = dir_.File("units.txt");
  {
    std::ofstream out(units);
    for (int i = 0; i < 2500; ++i) out << "cust-" << i << "\n";
    out << "José\n顧客-7\n";
  }
  CommandResult r = Cli({"assign", "--journey", "winback", "--units-file", units, "--dry-run"},
                        {"HOLDFAST_SERVER=" + daemon_->address()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2503u);
  EXPECT_EQ(lines[0], "unit,group,arm,period,in_washout,new_entry");
  int holdouts = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(f.size(), 6u) << lines[i];
    EXPECT_TRUE(f[1] == "TREATMENT" || f[1] == "HOLDOUT" || f[1] == "GLOBAL_HOLDOUT") << lines[i];
    if (f[1] == "HOLDOUT") ++holdouts;
  }
  EXPECT_GT(holdouts, 0);
  EXPECT_EQ(lines[2501].substr(0, 6), "José,");
}

TEST_F(AssignE2eTest, ErrorsPrintStatusAndExitNonZero) {
  CommandResult r = Cli({"assign", "--server", daemon_->address(), "--journey", "nope", "--unit", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "NOT_FOUND")) << r.err;
  r = Cli({"assign", "--server", daemon_->address(), "--journey", "winback", "--unit", std::string(300, 'x')});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "INVALID_ARGUMENT")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "unit")) << r.err;
  r = Cli({"assign", "--server", daemon_->address(), "--journey", "winback", "--unit", "x", "--at", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  r = Cli({"journeys", "--server", daemon_->address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "renewal")) << r.out;
}

TEST_F(AssignE2eTest, SigintShutsDownCleanly) {
  const int status = daemon_->Signal(SIGINT);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(absl::StrContains(daemon_->log(), "SIGINT")) << daemon_->log();
}

}  // namespace
}  // namespace holdfast::testing
