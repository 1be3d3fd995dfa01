// The --auth_tokens file: which token digests exist and the role of each.
//
// Format, one token per line:
//   ROLE SHA256-HEX-OF-TOKEN [name]
// ROLE is assign, ingest, analyst or admin; the digest is 64 hex digits (what
// `holdfast token new ROLE` prints); the optional name (letters, digits,
// `_ . @ : -`, at most 64) identifies the caller in logs. `#` starts a comment
// (whole line or after the fields); blank lines are ignored.
//
//   absl::StatusOr<TokenTable> table = TokenTable::Load("/etc/holdfast/tokens");
//   if (const TokenEntry* e = table->Find(presented_token)) ... e->role ...
//
// Thread-safety: a TokenTable is immutable once built; Find() is safe from any
// thread.
#ifndef HOLDFAST_LIB_AUTH_TOKEN_TABLE_H_
#define HOLDFAST_LIB_AUTH_TOKEN_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/auth/role.h"
#include "lib/auth/token.h"

namespace holdfast::auth {

struct TokenEntry {
  Role role = Role::kAssign;
  TokenDigest digest{};
  // Caller name from the file, or "line N" when the line has none.
  std::string name;
};

class TokenTable {
 public:
  // Largest token file read, in bytes.
  static constexpr size_t kMaxFileBytes = 1 << 20;

  // Parses the file text. INVALID_ARGUMENT naming `file_name:line` and the
  // problem on any bad line, a repeated digest, or a file without tokens.
  // Messages never echo the line (it may hold a pasted token by mistake).
  [[nodiscard]] static absl::StatusOr<TokenTable> Parse(absl::string_view text, absl::string_view file_name);
  // Reads and parses `path`; NOT_FOUND / PERMISSION_DENIED / INVALID_ARGUMENT.
  [[nodiscard]] static absl::StatusOr<TokenTable> Load(const std::string& path);

  // The entry whose digest is SHA-256(token), or null. Every entry is compared
  // (constant-time digest comparison, no early exit), so the time taken says
  // nothing about which entry matched or how close a guess came.
  const TokenEntry* Find(absl::string_view token) const;

  const std::vector<TokenEntry>& entries() const { return entries_; }

 private:
  std::vector<TokenEntry> entries_;
};

}  // namespace holdfast::auth

#endif  // HOLDFAST_LIB_AUTH_TOKEN_TABLE_H_
