// `holdfast`: the command-line client, one CLI11 subcommand per verb.
#include <CLI/CLI.hpp>

#include "client/cli_app.h"
#include "client/commands.h"
#include "holdfast_version.h"

int main(int argc, char** argv) {
  CLI::App app("Holdfast command-line client: assignments, config, imports and reports.", "holdfast");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("holdfast ") + holdfast::kVersionString);
  int exit_code = 0;
  holdfast::cli::AddAssignCommand(app, &exit_code);
  holdfast::cli::AddJourneysCommand(app, &exit_code);
  holdfast::cli::AddConfigCommand(app, &exit_code);
  holdfast::cli::AddLintCommand(app, &exit_code);
  holdfast::cli::AddPowerCommand(app, &exit_code);
  holdfast::cli::AddImportCommand(app, &exit_code);
  holdfast::cli::AddReportCommand(app, &exit_code);
  holdfast::cli::AddPingCommand(app, &exit_code);
  holdfast::cli::AddTokenCommand(app, &exit_code);
  holdfast::cli::AddStoreCommand(app, &exit_code);
  holdfast::cli::AddHelpCommand(app, &exit_code);
  // After the subcommands: CLI11 copies the parent's footer into each new one.
  app.footer(
      "Run `holdfast help COMMAND` or `holdfast COMMAND --help` for a command's flags.\n"
      "The server address is --server, else $HOLDFAST_SERVER, else 127.0.0.1:50051.\n"
      "TLS and tokens: --tls-ca FILE (or $HOLDFAST_TLS_CA), --tls-cert/--tls-key FILE for mTLS,\n"
      "--token-file FILE (or $HOLDFAST_TOKEN); see docs/security.md.");
  return holdfast::cli::RunCliApp(app, argc, argv, &exit_code);
}
