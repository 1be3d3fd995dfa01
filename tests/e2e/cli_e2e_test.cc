// The `holdfast` and `holdfastd` binaries as a user meets them: help on stdout
// with exit 0 for every subcommand, usage and exit 2 for a bad flag,
// --version, the unreachable-server hint, and the output formats of assign,
// journeys and config against a real server on 127.0.0.1.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CommandResult Cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), HoldfastCliPath());
  return RunCommand(args, env, 30);
}

std::string Joined(const std::vector<std::string>& words) { return absl::StrJoin(words, " "); }

// Every subcommand (and verb) of `holdfast`, with the arguments that make a
// call valid, so an added flag is the only mistake in the usage tests (CLI11
// reports missing required arguments first).
struct Subcommand {
  const char* name;                // test name suffix
  std::vector<std::string> words;  // the command: {"config", "history"}
  std::vector<std::string> valid;  // words + required arguments
};
void PrintTo(const Subcommand& c, std::ostream* os) { *os << Joined(c.words); }

const Subcommand kCommands[] = {
    {"Assign", {"assign"}, {"assign", "--journey", "j", "--unit", "u"}},
    {"Journeys", {"journeys"}, {"journeys"}},
    {"Config", {"config"}, {"config"}},
    {"ConfigHistory", {"config", "history"}, {"config", "history"}},
    {"ConfigReload", {"config", "reload"}, {"config", "reload"}},
    {"Lint", {"lint"}, {"lint", "x.textproto"}},
    {"Power", {"power"}, {"power"}},
    {"Import", {"import"}, {"import", "sends", "f.csv"}},
    {"Report", {"report"}, {"report"}},
    {"Ping", {"ping"}, {"ping"}},
    {"Token", {"token"}, {"token"}},
    {"TokenNew", {"token", "new"}, {"token", "new", "analyst"}},
    {"Store", {"store"}, {"store"}},
    {"StoreCopy", {"store", "copy"}, {"store", "copy", "a.db", "b.db"}},
    {"Help", {"help"}, {"help"}},
};

class CliSubcommandTest : public ::testing::TestWithParam<Subcommand> {};

TEST_P(CliSubcommandTest, HelpFlagPrintsUsageOnStdoutAndExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    std::vector<std::string> args = GetParam().words;
    args.push_back(flag);
    CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("Usage: holdfast " + Joined(GetParam().words))) << r.out;
    EXPECT_EQ(r.err, "") << flag;
  }
}

TEST_P(CliSubcommandTest, HelpCommandPrintsTheSameHelp) {
  std::vector<std::string> help_args = {"help"};
  help_args.insert(help_args.end(), GetParam().words.begin(), GetParam().words.end());
  std::vector<std::string> flag_args = GetParam().words;
  flag_args.push_back("--help");
  CommandResult via_help = Cli(help_args);
  EXPECT_EQ(via_help.exit_code, 0) << via_help.err;
  EXPECT_EQ(via_help.out, Cli(flag_args).out);
  EXPECT_EQ(via_help.err, "");
}

TEST_P(CliSubcommandTest, UnknownFlagPrintsUsageOnStderrAndExitsTwo) {
  // After a valid call, and after the bare command (which may lack arguments):
  // both are usage errors, reported on stderr with the command's usage.
  for (const std::vector<std::string>& base : {GetParam().valid, GetParam().words}) {
    std::vector<std::string> args = base;
    args.push_back("--no-such-flag");
    CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << Joined(args);
    EXPECT_THAT(r.err, HasSubstr("Usage: holdfast " + Joined(GetParam().words))) << Joined(args);
    EXPECT_EQ(r.out, "") << Joined(args);
    EXPECT_THAT(r.err, HasSubstr("not expected: --no-such-flag")) << Joined(args);
  }
}

INSTANTIATE_TEST_SUITE_P(Every, CliSubcommandTest, ::testing::ValuesIn(kCommands),
                         [](const ::testing::TestParamInfo<Subcommand>& info) { return info.param.name; });

TEST(CliHelpTest, TopLevelHelpListsEveryCommand) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"help"}, {"--help"}, {"-h"}}) {
    CommandResult top = Cli(args);
    EXPECT_EQ(top.exit_code, 0) << Joined(args);
    EXPECT_EQ(top.err, "");
    for (const char* name : {"assign", "journeys", "config", "lint", "power", "import", "report", "ping", "token",
                             "store", "help"}) {
      EXPECT_THAT(top.out, HasSubstr(name)) << Joined(args);
    }
  }
  EXPECT_THAT(Cli({"help", "report"}).out, HasSubstr("--confidence"));
  CommandResult unknown = Cli({"help", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command 'nosuch'"));
  EXPECT_EQ(unknown.out, "");
}

TEST(CliHelpTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({}).exit_code, 2);
  EXPECT_EQ(Cli({"nosuch"}).exit_code, 2);
  EXPECT_EQ(Cli({"--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(Cli({"assign", "--journey", "j"}).exit_code, 2);  // neither --unit nor --units-file
  EXPECT_EQ(Cli({"assign", "--journey", "j", "--unit", "u", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(Cli({"journeys", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(Cli({"config", "history", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(Cli({"report", "--format", "pdf"}).exit_code, 2);
  EXPECT_EQ(Cli({"report", "--program", "--journey", "j"}).exit_code, 2);
  EXPECT_EQ(Cli({"import", "bogus", "f.csv"}).exit_code, 2);
  EXPECT_EQ(Cli({"lint"}).exit_code, 2);                   // no file
  EXPECT_EQ(Cli({"power"}).exit_code, 2);                  // no baseline
  EXPECT_EQ(Cli({"token", "new"}).exit_code, 2);           // no ROLE
  EXPECT_EQ(Cli({"token", "new", "root"}).exit_code, 2);   // not a role
}

TEST(CliHelpTest, EveryServerCommandTakesTheTlsAndTokenFlags) {
  const std::vector<std::vector<std::string>> server_commands = {
      {"assign"}, {"journeys"}, {"config", "history"}, {"config", "reload"}, {"import"}, {"report"}, {"ping"}};
  for (const auto& command : server_commands) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    CommandResult r = Cli(args);
    for (const char* flag : {"--server", "--tls-ca", "--tls-cert", "--tls-key", "--token-file"}) {
      EXPECT_THAT(r.out, HasSubstr(flag)) << Joined(command);
    }
  }
  // Files are read before connecting: a missing one is a usage error naming
  // the flag, on every server command.
  for (const auto& command : server_commands) {
    std::vector<std::string> args = command;
    if (command[0] == "assign") args.insert(args.end(), {"--journey", "j", "--unit", "u"});
    // import opens its file before connecting: give it one that exists.
    if (command[0] == "import") args.insert(args.end(), {"sends", SourceDir() + "/examples/holdfast.textproto"});
    args.insert(args.end(), {"--server", "127.0.0.1:1", "--token-file", "/nonexistent/holdfast.token"});
    CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 2) << Joined(command) << r.err;
    EXPECT_THAT(r.err, HasSubstr("--token-file")) << Joined(command);
  }
  CommandResult half = Cli({"ping", "--server", "127.0.0.1:1", "--tls-cert", "/etc/hostname"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_THAT(half.err, HasSubstr("--tls-cert and --tls-key go together"));
}

TEST(CliHelpTest, BothBinariesPrintTheBuildVersion) {
  CommandResult cli = Cli({"--version"});
  EXPECT_EQ(cli.exit_code, 0);
  EXPECT_THAT(cli.out, HasSubstr("holdfast 0.13.0 ("));
  CommandResult daemon = RunCommand({HoldfastdPath(), "--version"});
  EXPECT_EQ(daemon.exit_code, 0);
  EXPECT_THAT(daemon.out, HasSubstr("holdfastd 0.13.0 ("));
  // Same build, same string after the program name.
  EXPECT_EQ(cli.out.substr(cli.out.find(' ')), daemon.out.substr(daemon.out.find(' ')));
}

// holdfastd's usage errors: one line on stderr naming the mistake, nothing on
// stdout (absl alone prints the whole --help there and exits 1), exit 2.
struct DaemonUsageError {
  const char* name;
  std::vector<std::string> args;
  const char* message;
};
void PrintTo(const DaemonUsageError& c, std::ostream* os) { *os << absl::StrJoin(c.args, " "); }

const DaemonUsageError kDaemonUsageErrors[] = {
    {"UnknownFlag", {"--no-such-flag"}, "unknown flag '--no-such-flag'"},
    {"UnknownNegatedFlag", {"--nolisten"}, "unknown flag '--nolisten'"},
    {"MissingValue", {"--listen"}, "flag --listen needs a value"},
    {"MalformedValue", {"--max_pending_records=many"}, "flag --max_pending_records: Illegal value 'many'"},
    {"MalformedBool", {"--allow_insecure=maybe"}, "flag --allow_insecure"},
    // A config path without --config would otherwise start on the default.
    {"Positional", {"prod.textproto"}, "unexpected argument 'prod.textproto'"},
    {"AfterDoubleDash", {"--", "prod.textproto"}, "unexpected argument 'prod.textproto'"},
    {"LongArgumentIsCut", {std::string(300, 'x')}, "xxx...'"},
};

class DaemonUsageTest : public ::testing::TestWithParam<DaemonUsageError> {};

TEST_P(DaemonUsageTest, ExitsTwoWithOneLineOnStderr) {
  std::vector<std::string> argv = {HoldfastdPath()};
  argv.insert(argv.end(), GetParam().args.begin(), GetParam().args.end());
  CommandResult r = RunCommand(argv);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(GetParam().message));
  EXPECT_TRUE(absl::StartsWith(r.err, "holdfastd: ")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_LT(r.err.size(), 300u) << "echoes at most 64 bytes of an argument";
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(Cases, DaemonUsageTest, ::testing::ValuesIn(kDaemonUsageErrors),
                         [](const ::testing::TestParamInfo<DaemonUsageError>& info) { return info.param.name; });

TEST(CliHelpTest, DaemonAcceptsEveryFlagForm) {
  // --name=value, --name value, -name=value, --bool, --nobool and absl's own
  // flags all pass the check (--version then exits 0 before serving).
  CommandResult r = RunCommand({HoldfastdPath(), "--listen", "127.0.0.1:0", "-sync=full", "--allow_insecure",
                                "--noinit_store", "--undefok=legacy_flag", "--legacy_flag=1", "--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("holdfastd 0.13.0 ("));
}

TEST(CliHelpTest, DaemonHelpListsItsFlags) {
  CommandResult r = RunCommand({HoldfastdPath(), "--help"});
  EXPECT_EQ(r.exit_code, 0) << "asking for help is not a failure";
  EXPECT_EQ(r.err, "");
  for (const char* flag : {"--config", "--listen", "--db", "--port_file", "--sync", "--max_pending_records",
                           "--tls_cert", "--tls_key", "--tls_client_ca", "--auth_tokens", "--allow_insecure"}) {
    EXPECT_THAT(r.out, HasSubstr(flag)) << r.out;
  }
  EXPECT_THAT(r.out, Not(HasSubstr("No flags matched")));
  // Only holdfastd's own flags, none of gRPC's or absl's files.
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    if (absl::StrContains(line, "Flags from ")) {
      EXPECT_THAT(line, HasSubstr("Flags from server/")) << line;
    }
  }
}

TEST(CliHelpTest, UnreachableServerSaysHowToStartOne) {
  // Port 1 on loopback: nothing listens there (it is privileged, tests run
  // unprivileged servers only).
  CommandResult r = Cli({"ping", "--server", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(r.err, HasSubstr("holdfastd --config"));
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1:1"));
}

class CliServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The config in its own directory: reloads may only name paths inside it
    // (server/reload confinement), and the CLI runs there in the reload test.
    std::filesystem::create_directory(dir_.File("conf"));
    std::filesystem::copy_file(SourceDir() + "/examples/holdfast.textproto", dir_.File("conf/holdfast.textproto"));
    daemon_ = std::make_unique<DaemonProcess>(
        HoldfastdPath(),
        std::vector<std::string>{"--config=" + dir_.File("conf/holdfast.textproto"),
                                 "--db=" + dir_.File("holdfast.db")},
        dir_.path());
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(CliServerTest, ServerFromEnvironment) {
  CommandResult r = Cli({"ping"}, {"HOLDFAST_SERVER=" + daemon_->address()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST_F(CliServerTest, UnitsFileAsCsvAndJsonLines) {
  const std::string units = dir_.File("units.csv");
  std::ofstream(units) << "unit\ncust-1\ncust-2\n\ncust-3\n";
  CommandResult csv = Cli({"assign", "--server", daemon_->address(), "--journey", "renewal", "--units-file",
                           units, "--skip-header", "--dry-run"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> lines = absl::StrSplit(csv.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << csv.out;
  EXPECT_EQ(lines[0], "unit,group,arm,period,in_washout,new_entry");
  EXPECT_TRUE(absl::StartsWith(lines[1], "cust-1,")) << lines[1];
  EXPECT_TRUE(absl::EndsWith(lines[1], ",false,false")) << lines[1];  // dry run: nothing recorded

  CommandResult json = Cli({"assign", "--server", daemon_->address(), "--journey", "renewal", "--units-file",
                            units, "--skip-header", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  lines = absl::StrSplit(json.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << json.out;
  for (const std::string& line : lines) {
    EXPECT_TRUE(absl::StartsWith(line, "{") && absl::EndsWith(line, "}")) << line;
    EXPECT_THAT(line, HasSubstr("\"new_entry\":true"));
  }
  EXPECT_THAT(lines[0], HasSubstr("\"unit\":\"cust-1\""));

  // Without --skip-header the header is a unit like any other.
  CommandResult with_header = Cli({"assign", "--server", daemon_->address(), "--journey", "renewal",
                                   "--units-file", units, "--dry-run"});
  EXPECT_THAT(with_header.out, HasSubstr("\nunit,"));
}

TEST_F(CliServerTest, JourneysTextAndJson) {
  CommandResult text = Cli({"journeys", "--server", daemon_->address()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, Not(HasSubstr("SCHEME_UNSPECIFIED")));
  EXPECT_THAT(text.out, HasSubstr("rotation=none"));    // renewal: a fixed holdout
  EXPECT_THAT(text.out, HasSubstr("rotation=sliding"));
  EXPECT_THAT(text.out, HasSubstr("holdout=0.0500"));   // one format for shares
  CommandResult json = Cli({"journeys", "--server", daemon_->address(), "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(absl::StartsWith(json.out, "{")) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"id\":\"renewal\""));
}

TEST_F(CliServerTest, ConfigHistoryHidesStateLinesAndReloadResolvesRelativePaths) {
  // Reload from a path relative to the caller's directory, which is not the
  // server's (the daemon runs in dir_, the CLI in dir_/conf, next to the
  // config, where the server allows reloads from; dir_/mine.textproto does
  // not exist, so the server resolving the path itself would fail).
  const std::string caller = dir_.File("conf");
  // A lower cart_abandon share: it takes effect at the next period boundary,
  // so the history row names the share that stays until then.
  std::string config;
  {
    std::ifstream in(SourceDir() + "/examples/holdfast.textproto");
    std::stringstream ss;
    ss << in.rdbuf();
    config = ss.str();
  }
  const size_t share = config.find("holdout_share: 0.1\n");
  ASSERT_NE(share, std::string::npos);
  config.replace(share, std::string("holdout_share: 0.1").size(), "holdout_share: 0.08");
  std::ofstream(caller + "/mine.textproto") << config;
  CommandResult reload = RunCommand({"/bin/sh", "-c",
                                     "cd '" + caller + "' && exec '" + HoldfastCliPath() +
                                         "' config reload --path mine.textproto --server " + daemon_->address()});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_THAT(reload.out, HasSubstr("serving "));

  CommandResult text = Cli({"config", "history", "--server", daemon_->address()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("initial load"));
  EXPECT_THAT(text.out, HasSubstr("journey cart_abandon: holdout_share 0.1 -> 0.08"));
  // The pending share in the config's own words, not the internal ppm units.
  EXPECT_THAT(text.out, HasSubstr("pending: journey cart_abandon: holdout_share stays 0.1 (rotation.stride 0.1) "
                                  "until period "));
  EXPECT_THAT(text.out, Not(HasSubstr("state:")));
  EXPECT_THAT(text.out, Not(HasSubstr("_ppm")));
  EXPECT_THAT(text.out, Not(HasSubstr("journey:cart_abandon")));
  CommandResult json = Cli({"config", "history", "--server", daemon_->address(), "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_TRUE(absl::StartsWith(json.out, "{\"versions\":[")) << json.out;
  EXPECT_THAT(json.out, Not(HasSubstr("state:")));
}

}  // namespace
}  // namespace holdfast::testing
