// `holdfast token new ROLE [--name NAME]`: prints a fresh bearer token (line
// 1) and its line for holdfastd's --auth_tokens file (line 2). No server.
#include <iostream>
#include <memory>
#include <string>

#include "client/cli_app.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/token_new.h"

namespace holdfast::cli {
namespace {

struct TokenNewFlags {
  std::string role;
  std::string name;
};

int RunTokenNew(const TokenNewFlags& flags) {
  absl::StatusOr<NewToken> t = MakeNewToken(flags.role, flags.name);
  if (!t.ok()) {
    return ReportError("token new", t.status(), t.status().code() == absl::StatusCode::kInvalidArgument);
  }
  std::cout << t->token << "\n" << t->file_line << "\n";
  std::cerr << "holdfast token: give line 1 to the client (it is stored nowhere else); add line 2 to the "
               "--auth_tokens file and send holdfastd SIGHUP\n";
  return 0;
}

}  // namespace

void AddTokenCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("token", "token new ROLE: a bearer token for holdfastd --auth_tokens");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<TokenNewFlags>();
  CLI::App* make = cmd->add_subcommand(
      "new", "print a new token (line 1) and its line for holdfastd --auth_tokens (line 2); no server needed");
  // The role is checked by MakeNewToken (the same parser the server uses), so
  // an unknown one is a usage error naming the choices.
  make->add_option("role", flags->role, "assign | ingest | analyst | admin")->required();
  make->add_option("--name", flags->name, "label for the token file line (1-64 letters, digits or _ . @ : -)");
  make->callback([flags, exit_code] { *exit_code = RunTokenNew(*flags); });
}

}  // namespace holdfast::cli
