#include "client/token_new.h"

#include "absl/strings/str_cat.h"
#include "lib/auth/role.h"
#include "lib/auth/token.h"
#include "lib/auth/token_table.h"

namespace holdfast::cli {

absl::StatusOr<NewToken> MakeNewToken(const std::string& role, const std::string& name) {
  if (!auth::ParseRole(role)) {
    return absl::InvalidArgumentError("ROLE: must be assign, ingest, analyst or admin");
  }
  absl::StatusOr<std::string> token = auth::GenerateToken();
  if (!token.ok()) return token.status();
  NewToken out;
  out.token = *std::move(token);
  out.file_line = absl::StrCat(role, " ", auth::DigestHex(auth::DigestToken(out.token)),
                               name.empty() ? "" : " ", name);
  // The line must be one the server accepts: parse it as the server would.
  absl::StatusOr<auth::TokenTable> check = auth::TokenTable::Parse(out.file_line, "token");
  if (!check.ok()) return absl::InvalidArgumentError("--name: must be 1-64 letters, digits or _ . @ : -");
  return out;
}

}  // namespace holdfast::cli
