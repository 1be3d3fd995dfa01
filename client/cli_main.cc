// `holdfast`: the command-line client. Dispatches to one subcommand.
#include <cstring>
#include <iostream>

#include "client/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

constexpr Command kCommands[] = {
    {"assign", holdfast::cli::RunAssignCommand, "treat or hold out a unit (or a file of units)"},
    {"journeys", holdfast::cli::RunJourneysCommand, "list configured journeys"},
    {"config", holdfast::cli::RunConfigCommand, "config history | reload"},
    {"lint", holdfast::cli::RunLintCommand, "check config files (no server needed)"},
    {"power", holdfast::cli::RunPowerCommand, "entries and periods a journey needs"},
    {"import", holdfast::cli::RunImportCommand, "bulk import entries|sends|outcomes|costs from CSV"},
    {"report", holdfast::cli::RunReportCommand, "lift / iROAS report, or --program for the whole CRM program"},
    {"ping", holdfast::cli::RunPingCommand, "check that the server answers"},
    {"token", holdfast::cli::RunTokenCommand, "token new ROLE: a bearer token for holdfastd --auth_tokens"},
};

void PrintUsage() {
  std::cerr << "usage: holdfast COMMAND [flags]\n\ncommands:\n";
  for (const Command& c : kCommands) std::cerr << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.help << "\n";
  std::cerr << "\nThe server address is --server, else $HOLDFAST_SERVER, else 127.0.0.1:50051.\n"
               "TLS and tokens: --tls-ca FILE (or $HOLDFAST_TLS_CA), --tls-cert/--tls-key FILE for mTLS,\n"
               "--token-file FILE (or $HOLDFAST_TOKEN); see docs/security.md.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    PrintUsage();
    return argc < 2 ? 2 : 0;
  }
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(argc - 1, argv + 1);
  }
  std::cerr << "holdfast: unknown command '" << argv[1] << "'\n";
  PrintUsage();
  return 2;
}
