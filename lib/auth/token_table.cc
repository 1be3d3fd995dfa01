#include "lib/auth/token_table.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace holdfast::auth {
namespace {

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '@' &&
        c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text, absl::string_view file_name) {
  TokenTable table;
  int line_number = 0;
  std::vector<int> lines;  // line of each entry, for duplicate messages
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const auto where = [&] { return absl::StrCat(file_name, ":", line_number, ": "); };
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (fields.empty()) continue;
    if (fields.size() < 2 || fields.size() > 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "expected 'ROLE SHA256-HEX [name]', got ", fields.size(), " fields"));
    }
    TokenEntry entry;
    std::optional<Role> role = ParseRole(fields[0]);
    if (!role) {
      return absl::InvalidArgumentError(
          absl::StrCat(where(), "unknown role (expected assign, ingest, analyst or admin)"));
    }
    entry.role = *role;
    std::optional<TokenDigest> digest = ParseDigestHex(fields[1]);
    if (!digest) {
      return absl::InvalidArgumentError(absl::StrCat(
          where(), "the second field must be the 64-hex-digit SHA-256 of the token (as printed by "
                   "`holdfast token new`), not the token itself"));
    }
    entry.digest = *digest;
    if (fields.size() == 3) {
      if (!ValidName(fields[2])) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "name must be 1-64 letters, digits or _ . @ : -"));
      }
      entry.name = std::string(fields[2]);
    } else {
      entry.name = absl::StrCat("line ", line_number);
    }
    for (size_t i = 0; i < table.entries_.size(); ++i) {
      if (DigestsEqual(table.entries_[i].digest, entry.digest)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "the same token digest as line ", lines[i], " (one role per token)"));
      }
    }
    table.entries_.push_back(std::move(entry));
    lines.push_back(line_number);
  }
  if (table.entries_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": no tokens (every caller would be refused); add lines 'ROLE SHA256-HEX [name]'"));
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat(path, ": cannot read: ", std::strerror(err));
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::NotFoundError(message);
  }
  std::string text;
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", kMaxFileBytes, " bytes"));
  }
  return Parse(text, path);
}

const TokenEntry* TokenTable::Find(absl::string_view token) const {
  const TokenDigest digest = DigestToken(token);
  const TokenEntry* found = nullptr;
  for (const TokenEntry& e : entries_) {
    // Digests are unique (Parse refuses repeats), so at most one matches.
    const bool equal = DigestsEqual(e.digest, digest);
    found = equal ? &e : found;
  }
  return found;
}

}  // namespace holdfast::auth
