// The real holdfastd with TLS, mTLS and tokens, certificates made at test
// time by the openssl CLI; the C++ client and the holdfast CLI against it on
// 127.0.0.1; start-up refusals for non-loopback addresses; token rotation on
// SIGHUP.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/holdfast_client.h"
#include "lib/auth/token.h"
#include "tests/testing/process_util.h"
#include "tests/testing/test_certs.h"

namespace holdfast::testing {
namespace {

using holdfast::client::ConnectionOptions;
using holdfast::client::HoldfastClient;

constexpr char kAdminToken[] = "hf_e2e-admin-token";
constexpr char kAnalystToken[] = "hf_e2e-analyst-token";
constexpr char kIngestToken[] = "hf_e2e-ingest-token";

std::string TokenLine(const char* role, const std::string& token) {
  return absl::StrCat(role, " ", auth::DigestHex(auth::DigestToken(token)), " e2e-", role, "\n");
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Waits (bounded) until the daemon's log contains `text`.
bool WaitForLog(const DaemonProcess& d, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (absl::StrContains(d.log(), text)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class SecurityE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string error = MakeTestCerts(dir_.path(), &certs_);
    ASSERT_EQ(error, "") << error;
    tokens_ = dir_.File("tokens");
    WriteFile(tokens_, absl::StrCat("# e2e\n", TokenLine("admin", kAdminToken), TokenLine("analyst", kAnalystToken),
                                    TokenLine("ingest", kIngestToken)));
    token_file_ = dir_.File("analyst.token");
    WriteFile(token_file_, absl::StrCat(kAnalystToken, "\n"));
  }

  std::vector<std::string> BaseArgs() const {
    return {"--config=" + SourceDir() + "/examples/holdfast.textproto", "--db=" + dir_.File("holdfast.db")};
  }

  std::unique_ptr<DaemonProcess> StartDaemon(std::vector<std::string> extra) {
    std::vector<std::string> args = BaseArgs();
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<DaemonProcess>(HoldfastdPath(), args, dir_.path());
    EXPECT_TRUE(d->Start()) << d->log();
    return d;
  }

  ConnectionOptions Tls(const std::string& token, bool client_cert = false) const {
    ConnectionOptions o;
    o.tls_ca_pem = ReadTextFile(certs_.ca_pem);
    o.token = token;
    if (client_cert) {
      o.tls_cert_pem = ReadTextFile(certs_.client_cert);
      o.tls_key_pem = ReadTextFile(certs_.client_key);
    }
    return o;
  }

  static absl::StatusCode PingCode(const std::string& address, const ConnectionOptions& o) {
    auto client = HoldfastClient::Connect(address, o);
    client->set_timeout(std::chrono::seconds(5));
    return client->Ping().code();
  }

  CommandResult Cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), HoldfastCliPath());
    return RunCommand(args, env, 30);
  }

  TempDir dir_;
  TestCerts certs_;
  std::string tokens_;
  std::string token_file_;
};

TEST_F(SecurityE2eTest, NonLoopbackAddressesAreRefusedAtStartUp) {
  struct Case {
    const char* name;
    std::vector<std::string> flags;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"open", {}, "without --auth_tokens"},
      {"TLS without tokens", {"--tls_cert=" + certs_.server_cert, "--tls_key=" + certs_.server_key},
       "without --auth_tokens"},
      {"allow_insecure without tokens", {"--allow_insecure"}, "without --auth_tokens"},
      {"tokens without TLS", {"--auth_tokens=" + tokens_}, "without TLS"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {HoldfastdPath(), "--listen=0.0.0.0:0"};
    for (const auto& a : BaseArgs()) argv.push_back(a);
    for (const auto& f : c.flags) argv.push_back(f);
    CommandResult r = RunCommand(argv, {}, 30);
    EXPECT_EQ(r.exit_code, 1) << c.name << ": " << r.err;
    EXPECT_TRUE(absl::StrContains(r.err, "refusing to listen on 0.0.0.0:0")) << c.name << ": " << r.err;
    EXPECT_TRUE(absl::StrContains(r.err, c.says)) << c.name << ": " << r.err;
  }
  // Bad TLS material is named, not a bare "cannot listen".
  CommandResult r = RunCommand({HoldfastdPath(), "--listen=127.0.0.1:0", BaseArgs()[0], BaseArgs()[1],
                                "--tls_cert=" + certs_.server_cert, "--tls_key=" + certs_.client_key},
                               {}, 30);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "is not the key of the certificate")) << r.err;
}

TEST_F(SecurityE2eTest, TlsHandshakeAndTokens) {
  auto d = StartDaemon({"--tls_cert=" + certs_.server_cert, "--tls_key=" + certs_.server_key,
                        "--auth_tokens=" + tokens_});
  ASSERT_TRUE(d->running());
  EXPECT_TRUE(absl::StrContains(d->log(), "TLS, tokens: 3")) << d->log();
  const std::string address = d->address();
  EXPECT_EQ(PingCode(address, Tls(kAnalystToken)), absl::StatusCode::kOk);
  EXPECT_EQ(PingCode(address, Tls("")), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(PingCode(address, Tls("hf_wrong")), absl::StatusCode::kUnauthenticated);
  // Plaintext against a TLS port, and TLS trusting another CA: no handshake.
  ConnectionOptions plain;
  plain.token = kAnalystToken;
  EXPECT_EQ(PingCode(address, plain), absl::StatusCode::kUnavailable);
  ConnectionOptions wrong_ca = Tls(kAnalystToken);
  wrong_ca.tls_ca_pem = ReadTextFile(dir_.File("other-ca.pem"));
  EXPECT_EQ(PingCode(address, wrong_ca), absl::StatusCode::kUnavailable);

  // Roles over TLS: the analyst reads the config but may not reload it.
  auto analyst = HoldfastClient::Connect(address, Tls(kAnalystToken));
  EXPECT_TRUE(analyst->ListJourneys().ok());
  EXPECT_EQ(analyst->ReloadConfig("").status().code(), absl::StatusCode::kPermissionDenied);
  auto admin = HoldfastClient::Connect(address, Tls(kAdminToken));
  EXPECT_TRUE(admin->ReloadConfig("").ok());
  EXPECT_EQ(admin->ReloadConfig("/etc/passwd").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SecurityE2eTest, MutualTlsRefusesClientsWithoutCertificate) {
  auto d = StartDaemon({"--tls_cert=" + certs_.server_cert, "--tls_key=" + certs_.server_key,
                        "--tls_client_ca=" + certs_.ca_pem, "--auth_tokens=" + tokens_});
  ASSERT_TRUE(d->running());
  EXPECT_TRUE(absl::StrContains(d->log(), "mTLS")) << d->log();
  const std::string address = d->address();
  EXPECT_EQ(PingCode(address, Tls(kAnalystToken, /*client_cert=*/true)), absl::StatusCode::kOk);
  EXPECT_EQ(PingCode(address, Tls(kAnalystToken, /*client_cert=*/false)), absl::StatusCode::kUnavailable);
  ConnectionOptions stranger = Tls(kAnalystToken);
  stranger.tls_cert_pem = ReadTextFile(certs_.stranger_cert);
  stranger.tls_key_pem = ReadTextFile(certs_.stranger_key);
  EXPECT_EQ(PingCode(address, stranger), absl::StatusCode::kUnavailable);
  // A certificate does not replace the token.
  EXPECT_EQ(PingCode(address, Tls("", /*client_cert=*/true)), absl::StatusCode::kUnauthenticated);
}

TEST_F(SecurityE2eTest, SighupRotatesTokensAndKeepsThemOnABadFile) {
  auto d = StartDaemon({"--auth_tokens=" + tokens_});
  ASSERT_TRUE(d->running());
  ConnectionOptions old_token, new_token;
  old_token.token = kAnalystToken;
  new_token.token = "hf_e2e-rotated-token";
  EXPECT_EQ(PingCode(d->address(), old_token), absl::StatusCode::kOk);
  EXPECT_EQ(PingCode(d->address(), new_token), absl::StatusCode::kUnauthenticated);

  WriteFile(tokens_, TokenLine("analyst", new_token.token));
  d->Hangup();
  ASSERT_TRUE(WaitForLog(*d, "tokens reloaded: 1")) << d->log();
  EXPECT_EQ(PingCode(d->address(), old_token), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(PingCode(d->address(), new_token), absl::StatusCode::kOk);

  WriteFile(tokens_, "analyst not-a-digest\n");
  d->Hangup();
  ASSERT_TRUE(WaitForLog(*d, "token file rejected, the previous tokens stay in force")) << d->log();
  EXPECT_TRUE(absl::StrContains(d->log(), ":1: the second field must be")) << d->log();
  EXPECT_EQ(PingCode(d->address(), new_token), absl::StatusCode::kOk);
}

TEST_F(SecurityE2eTest, CliWithTokenAndCaAgainstTlsServer) {
  // A token made by the CLI, added to the file, used by the CLI.
  CommandResult made = Cli({"token", "new", "analyst", "--name", "e2e-cli"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::vector<std::string> lines = absl::StrSplit(made.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << made.out;
  const std::string& token = lines[0];
  EXPECT_TRUE(absl::StartsWith(lines[1], "analyst ")) << lines[1];
  EXPECT_TRUE(absl::EndsWith(lines[1], " e2e-cli")) << lines[1];
  WriteFile(tokens_, absl::StrCat(TokenLine("ingest", kIngestToken), lines[1], "\n"));
  const std::string cli_token = dir_.File("cli.token");
  WriteFile(cli_token, token + "\n");
  EXPECT_EQ(Cli({"token", "new", "root"}).exit_code, 2);

  auto d = StartDaemon({"--tls_cert=" + certs_.server_cert, "--tls_key=" + certs_.server_key,
                        "--tls_client_ca=" + certs_.ca_pem, "--auth_tokens=" + tokens_});
  ASSERT_TRUE(d->running());
  const std::vector<std::string> tls = {"--server", d->address(), "--tls-ca", certs_.ca_pem,
                                        "--tls-cert", certs_.client_cert, "--tls-key", certs_.client_key};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  CommandResult r = Cli(with({"journeys", "--token-file", cli_token}, tls));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "renewal")) << r.out;
  // The same through the environment.
  r = Cli({"ping", "--server", d->address(), "--tls-cert", certs_.client_cert, "--tls-key", certs_.client_key},
          {"HOLDFAST_TLS_CA=" + certs_.ca_pem, "HOLDFAST_TOKEN=" + token});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
  // The analyst may not assign; no token is UNAUTHENTICATED; no client
  // certificate fails the handshake.
  r = Cli(with({"assign", "--token-file", cli_token, "--journey", "winback", "--unit", "u1", "--dry-run"}, tls));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "PERMISSION_DENIED")) << r.err;
  r = Cli(with({"ping"}, tls));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "UNAUTHENTICATED")) << r.err;
  r = Cli({"ping", "--server", d->address(), "--tls-ca", certs_.ca_pem, "--token-file", cli_token});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "UNAVAILABLE")) << r.err;
  // A missing file is a usage error naming the flag.
  r = Cli(with({"ping", "--token-file", dir_.File("nope")}, tls));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "--token-file")) << r.err;
}

}  // namespace
}  // namespace holdfast::testing
