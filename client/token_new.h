// `holdfast token new ROLE [--name NAME]`: a fresh bearer token and the line
// for holdfastd's --auth_tokens file (docs/security.md). Needs no server.
#ifndef HOLDFAST_CLIENT_TOKEN_NEW_H_
#define HOLDFAST_CLIENT_TOKEN_NEW_H_

#include <string>

#include "absl/status/statusor.h"

namespace holdfast::cli {

struct NewToken {
  std::string token;      // give to the client; shown once
  std::string file_line;  // "ROLE SHA256-HEX [NAME]" for the token file
};

// INVALID_ARGUMENT for an unknown role or a name the token file would refuse.
[[nodiscard]] absl::StatusOr<NewToken> MakeNewToken(const std::string& role, const std::string& name);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_TOKEN_NEW_H_
