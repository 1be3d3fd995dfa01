// The `holdfast` command line on CLI11: one CLI::App with a subcommand per
// verb. This header holds what every subcommand shares: running the parse
// with Holdfast's exit-code contract, the --server option, and `help`.
//
// Exit codes: 0 success (and --help/--version, printed on stdout), 1 a
// failure reported by the server or the check, 2 usage (bad or unknown flag,
// missing argument; the message and the subcommand's usage go to stderr).
//
//   CLI::App app("Holdfast command-line client", "holdfast");
//   int exit_code = 0;
//   AddLintCommand(app, &exit_code);
//   return RunCliApp(app, argc, argv, &exit_code);
#ifndef HOLDFAST_CLIENT_CLI_APP_H_
#define HOLDFAST_CLIENT_CLI_APP_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace holdfast::cli {

// The port `--server HOST` gets when it names none.
inline constexpr char kDefaultPort[] = "50051";

// Parses argv (argv[0] is the program) and runs the chosen subcommand's
// callback, which stores its result in `*exit_code`. Returns the process
// exit code as described above.
int RunCliApp(CLI::App& app, int argc, char** argv, const int* exit_code);
// The same with arguments without a program name (for tests).
int RunCliApp(CLI::App& app, std::vector<std::string> args, const int* exit_code);

// The usage text of `command` with its full name ("holdfast config reload").
std::string UsageOf(const CLI::App* command, CLI::AppFormatMode mode = CLI::AppFormatMode::Normal);

// "host" → "host:50051", "::1" → "[::1]:50051"; "host:port", "[v6]:port"
// and URIs with a scheme ("unix:...", "dns:///...") are kept as they are.
std::string NormalizeServerAddress(const std::string& address);

// What every subcommand that talks to a server takes: where it is, and the
// TLS and token files (docs/security.md). The files are read (with their
// environment fallbacks $HOLDFAST_TLS_CA and $HOLDFAST_TOKEN) when the command
// connects, by client/cli_connect.h.
struct ServerFlags {
  std::string server;      // --server HOST[:PORT], env HOLDFAST_SERVER
  std::string tls_ca;      // --tls-ca FILE: CA of the server certificate
  std::string tls_cert;    // --tls-cert FILE: client certificate (mTLS)
  std::string tls_key;     // --tls-key FILE: its private key
  std::string token_file;  // --token-file FILE: the bearer token

  // --server with the default port filled in.
  std::string address() const { return NormalizeServerAddress(server); }
};

// Adds `--server ADDR` (env HOLDFAST_SERVER, default 127.0.0.1:50051; a HOST
// without a port gets :50051), --tls-ca, --tls-cert, --tls-key and
// --token-file to a subcommand.
void AddServerOptions(CLI::App* command, ServerFlags* flags);

// `holdfast help [COMMAND...]`: the usage of the program or of a
// subcommand, on stdout, exit 0; an unknown COMMAND is a usage error.
void AddHelpCommand(CLI::App& app, int* exit_code);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CLI_APP_H_
