// The `holdfast` subcommands. Each Add*Command registers one subcommand (its
// flags, help text and callback) on the program's CLI::App; the callback
// stores the exit code in `*exit_code`: 0 success, 1 failure reported by the
// server or the check (e.g. lint errors), 2 usage. client/cli_main.cc adds
// them all; tests add the ones they exercise (see client/cli_app.h).
#ifndef HOLDFAST_CLIENT_COMMANDS_H_
#define HOLDFAST_CLIENT_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace holdfast::cli {

// Offline (no server, no gRPC: client/lint_main.cc, client/power_main.cc,
// client/token_command.cc).
void AddLintCommand(CLI::App& app, int* exit_code);
void AddPowerCommand(CLI::App& app, int* exit_code);
void AddTokenCommand(CLI::App& app, int* exit_code);
// Opens stores directly (lib/storage), no server: client/store_command.cc.
void AddStoreCommand(CLI::App& app, int* exit_code);

// Talk to a server.
void AddAssignCommand(CLI::App& app, int* exit_code);
void AddJourneysCommand(CLI::App& app, int* exit_code);
void AddPingCommand(CLI::App& app, int* exit_code);
void AddConfigCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddReportCommand(CLI::App& app, int* exit_code);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_COMMANDS_H_
