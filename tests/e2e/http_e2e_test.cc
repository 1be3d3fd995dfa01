// The real holdfastd with --http_listen, driven by examples/clients/
// curl_example.sh (curl only): assign, an entry, a send and its retry, an
// order; then the same with tokens, and with the wrong role.
#include <fstream>
#include <regex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/auth/token.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using ::testing::HasSubstr;

// The HTTP port from the daemon's "started" line (written before the port
// file the start waits for).
int HttpPort(const DaemonProcess& daemon) {
  std::smatch m;
  const std::string log = daemon.log();
  if (!std::regex_search(log, m, std::regex("http_port=([0-9]+)"))) return 0;
  return std::stoi(m[1]);
}

CommandResult RunExample(int http_port, const std::string& unit, std::vector<std::string> env = {}) {
  env.push_back(absl::StrCat("HOLDFAST_HTTP=http://127.0.0.1:", http_port));
  return RunCommand({"/bin/bash", SourceDir() + "/examples/clients/curl_example.sh", unit}, env,
                    /*timeout_seconds=*/30);
}

std::string Value(const std::string& out, const std::string& step, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|\n)" + step + ":[^\n]* " + key + "=([^ \n]*)"))) return "";
  return m[2];
}

// The first unit "cust-N" in `group` now (a dry-run batch over HTTP: the
// holdout rotates weekly, so no unit is held out for ever).
std::string UnitIn(int http_port, const std::string& group) {
  std::string body = R"({"journey":"cart_abandon","dry_run":true,"units":[)";
  for (int i = 0; i < 200; ++i) body += absl::StrCat(i ? "," : "", "\"cust-", i, "\"");
  body += "]}";
  httplib::Client http("127.0.0.1", http_port);
  httplib::Result r = http.Post("/v1/batch_assign", body, "application/json");
  if (!r || r->status != 200) return "";
  std::smatch m;
  if (!std::regex_search(r->body, m, std::regex("\"unit\":\"(cust-[0-9]+)\",\"journey\":\"cart_abandon\",\"group\":\"" +
                                               group + "\""))) {
    return "";
  }
  return m[1];
}

std::vector<std::string> BaseArgs(const TempDir& dir) {
  return {"--config=" + SourceDir() + "/examples/holdfast.textproto", "--db=" + dir.File("holdfast.db"),
          "--http_listen=127.0.0.1:0"};
}

TEST(HttpE2eTest, CurlExampleRunsAgainstTheRealServer) {
  TempDir dir;
  DaemonProcess daemon(HoldfastdPath(), BaseArgs(dir), dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  const int port = HttpPort(daemon);
  ASSERT_GT(port, 0) << daemon.log();

  const std::string treated = UnitIn(port, "TREATMENT");
  const std::string held_out = UnitIn(port, "HOLDOUT");
  ASSERT_NE(treated, "");
  ASSERT_NE(held_out, "");
  for (const std::string& unit : {treated, held_out}) {
    CommandResult first = RunExample(port, unit);
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    EXPECT_EQ(Value(first.out, "healthz", "status"), "SERVING") << first.out;
    const std::string group = Value(first.out, "assign", "group");
    EXPECT_EQ(group, unit == treated ? "TREATMENT" : "HOLDOUT") << first.out;
    EXPECT_EQ(Value(first.out, "assign", "journey"), "cart_abandon");
    EXPECT_FALSE(Value(first.out, "assign", "config_version").empty()) << first.out;
    EXPECT_EQ(Value(first.out, "assign", "new_entry"), "true") << first.out;
    // The assign recorded the entry: the engine's own report of it is a duplicate.
    EXPECT_EQ(Value(first.out, "entry", "inserted"), "0") << first.out;
    EXPECT_EQ(Value(first.out, "entry", "duplicates"), "1") << first.out;
    if (group == "TREATMENT") {
      EXPECT_EQ(Value(first.out, "send", "inserted"), "1") << first.out;
      EXPECT_EQ(Value(first.out, "send_retry", "duplicates"), "1") << first.out;
    } else {
      EXPECT_THAT(first.out, HasSubstr("send: skipped")) << first.out;
    }
    EXPECT_EQ(Value(first.out, "order", "inserted"), "1") << first.out;

    // Run again: the same answer, nothing stored twice.
    CommandResult second = RunExample(port, unit);
    ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
    EXPECT_EQ(Value(second.out, "assign", "group"), group);
    EXPECT_EQ(Value(second.out, "assign", "arm"), Value(first.out, "assign", "arm"));
    EXPECT_EQ(Value(second.out, "assign", "new_entry"), "false") << second.out;
    EXPECT_EQ(Value(second.out, "order", "inserted"), "0") << second.out;
    EXPECT_EQ(Value(second.out, "order", "duplicates"), "1") << second.out;
  }

  // A failed call makes the script fail with the server's error body.
  CommandResult bad = RunExample(port, "cust-1", {"HOLDFAST_JOURNEY=no_such_journey"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("HTTP 404 {\"code\":\"NOT_FOUND\""));
}

TEST(HttpE2eTest, CurlExampleWithTokensAndRoles) {
  TempDir dir;
  const std::string assign = "hf_e2e-http-assign-token";
  const std::string ingest = "hf_e2e-http-ingest-token";
  std::ofstream(dir.File("tokens")) << "assign " << auth::DigestHex(auth::DigestToken(assign)) << " engine\n"
                                    << "ingest " << auth::DigestHex(auth::DigestToken(ingest)) << " pipeline\n";
  std::vector<std::string> args = BaseArgs(dir);
  args.push_back("--auth_tokens=" + dir.File("tokens"));
  DaemonProcess daemon(HoldfastdPath(), args, dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  const int port = HttpPort(daemon);
  ASSERT_GT(port, 0) << daemon.log();

  CommandResult ok = RunExample(port, "cust-9", {"HOLDFAST_ASSIGN_TOKEN=" + assign, "HOLDFAST_INGEST_TOKEN=" + ingest});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(Value(ok.out, "order", "inserted"), "1") << ok.out;

  CommandResult none = RunExample(port, "cust-9");
  EXPECT_NE(none.exit_code, 0);
  EXPECT_THAT(none.err, HasSubstr("HTTP 401 {\"code\":\"UNAUTHENTICATED\"")) << none.err;

  // The ingest token may not ask for decisions.
  CommandResult swapped = RunExample(port, "cust-9", {"HOLDFAST_TOKEN=" + ingest});
  EXPECT_NE(swapped.exit_code, 0);
  EXPECT_THAT(swapped.err, HasSubstr("HTTP 403 {\"code\":\"PERMISSION_DENIED\"")) << swapped.err;
  EXPECT_EQ(daemon.Signal(SIGTERM), 0);
  EXPECT_FALSE(absl::StrContains(daemon.log(), assign));
}

}  // namespace
}  // namespace holdfast::testing
