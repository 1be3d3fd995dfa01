// `holdfast token new ROLE [--name NAME]`: prints a fresh bearer token (line
// 1) and its line for holdfastd's --auth_tokens file (line 2). No server.
#include <iostream>
#include <string>

#include "client/cli_flags.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/token_new.h"

namespace holdfast::cli {

int RunTokenCommand(int argc, char** argv) {
  constexpr char kUsage[] =
      "usage: holdfast token new ROLE [--name NAME]\n"
      "  ROLE: assign | ingest | analyst | admin\n"
      "  prints the token (line 1) and its line for holdfastd --auth_tokens (line 2)\n";
  absl::StatusOr<ParsedFlags> flags = ParseFlags(argc, argv, {{"name"}, {"help"}});
  if (flags.ok() && flags->Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!flags.ok() || flags->positional().size() != 2 || flags->positional()[0] != "new") {
    std::cerr << kUsage;
    return flags.ok() ? 2 : ReportError("token", flags.status(), true);
  }
  absl::StatusOr<NewToken> t = MakeNewToken(flags->positional()[1], flags->GetOr("name", ""));
  if (!t.ok()) {
    return ReportError("token", t.status(), t.status().code() == absl::StatusCode::kInvalidArgument);
  }
  std::cout << t->token << "\n" << t->file_line << "\n";
  std::cerr << "holdfast token: give line 1 to the client (it is stored nowhere else); add line 2 to the "
               "--auth_tokens file and send holdfastd SIGHUP\n";
  return 0;
}

}  // namespace holdfast::cli
