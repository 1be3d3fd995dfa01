#include "lib/storage/store_uri.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace holdfast {
namespace {

// A URI scheme and its colon at the start of `s`: [A-Za-z][A-Za-z0-9+.-]*:
// (RFC 3986). Returns the scheme's length, 0 when `s` has none.
size_t SchemeLength(absl::string_view s) {
  if (s.empty() || !absl::ascii_isalpha(static_cast<unsigned char>(s[0]))) return 0;
  size_t n = 1;
  while (n < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[n])) || s[n] == '+' ||
                          s[n] == '.' || s[n] == '-')) {
    ++n;
  }
  return n < s.size() && s[n] == ':' ? n : 0;
}

bool IsPostgresScheme(absl::string_view scheme) {
  return absl::EqualsIgnoreCase(scheme, "postgresql") || absl::EqualsIgnoreCase(scheme, "postgres");
}

bool HasSlashSlash(absl::string_view uri, size_t scheme_length) {
  return absl::StartsWith(uri.substr(scheme_length), "://");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libpq's percent-decoding of URI parts; false for a malformed escape.
bool PercentDecode(absl::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// A parameter whose value must not be shown: libpq's `password` and
// `sslpassword`, and any name that does not decode (libpq would refuse it,
// but its value may still be a password).
bool IsSecretKey(absl::string_view raw_key) {
  std::string key;
  if (!PercentDecode(raw_key, &key)) return true;
  return absl::EndsWith(absl::AsciiStrToLower(key), "password");
}

struct OptionsDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using ParsedOptions = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

// libpq's own parse of a URI or key=value string (no connection, no
// defaults applied); null with *error set when it does not parse.
ParsedOptions ParseConninfo(const std::string& s, std::string* error) {
  char* err = nullptr;
  ParsedOptions options(PQconninfoParse(s.c_str(), &err));
  if (err != nullptr) {
    if (error != nullptr) *error = err;
    PQfreemem(err);
  }
  return options;
}

// userinfo password and secret query values of `scheme://…` replaced.
std::string RedactUriSyntax(const std::string& uri) {
  std::string out = uri;
  const size_t scheme_end = out.find("://") + 3;
  // libpq ends the userinfo at the first '@' before any '/'.
  const size_t at = out.find('@', scheme_end);
  const size_t slash = out.find('/', scheme_end);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    const size_t colon = out.find(':', scheme_end);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  const size_t query = out.find('?', scheme_end);
  if (query == std::string::npos) return out;
  std::vector<std::string> params = absl::StrSplit(out.substr(query + 1), '&');
  for (std::string& p : params) {
    const size_t eq = p.find('=');
    if (eq != std::string::npos && IsSecretKey(absl::string_view(p).substr(0, eq))) {
      p = absl::StrCat(p.substr(0, eq), "=***");
    }
  }
  return absl::StrCat(out.substr(0, query + 1), absl::StrJoin(params, "&"));
}

// A libpq key=value string rewritten from its parse, secrets replaced.
std::string RedactKeywordValue(const PQconninfoOption* options) {
  std::vector<std::string> parts;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    std::string value = absl::EndsWith(keyword, "password") ? "***" : o->val;
    if (value.empty() || value.find_first_of(" '\\") != std::string::npos) {
      std::string quoted = "'";
      for (char c : value) {
        if (c == '\'' || c == '\\') quoted.push_back('\\');
        quoted.push_back(c);
      }
      value = quoted + "'";
    }
    parts.push_back(absl::StrCat(keyword, "=", value));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace

absl::StatusOr<StoreUri> ParseStoreUri(const std::string& uri) {
  if (uri.empty()) return absl::InvalidArgumentError("store URI is empty");
  for (char c : uri) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("store URI contains a control character");
    }
  }
  if (absl::ascii_isspace(static_cast<unsigned char>(uri.front())) ||
      absl::ascii_isspace(static_cast<unsigned char>(uri.back()))) {
    return absl::InvalidArgumentError("store URI begins or ends with a space");
  }
  if (absl::StartsWithIgnoreCase(uri, "sqlite:")) {
    StoreUri out{StoreUri::Kind::kSqlite, uri.substr(7)};
    if (out.target.empty()) return absl::InvalidArgumentError("store URI 'sqlite:' names no file");
    return out;
  }
  const size_t scheme = SchemeLength(uri);
  if (scheme > 0 && IsPostgresScheme(absl::string_view(uri).substr(0, scheme))) {
    if (!HasSlashSlash(uri, scheme)) {
      return absl::InvalidArgumentError(
          "a PostgreSQL store URI begins with 'postgresql://' (a libpq connection URI: "
          "postgresql://user@host:port/dbname?param=value)");
    }
    StoreUri out{StoreUri::Kind::kPostgres,
                 absl::StrCat(absl::AsciiStrToLower(uri.substr(0, scheme)), uri.substr(scheme))};
    std::string error;
    if (!ParseConninfo(out.target, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("store URI ", RedactStoreUri(out.target),
                                                     " is not a valid libpq connection URI: ",
                                                     SanitizedLibpqError(error)));
    }
    return out;
  }
  if (scheme > 0 && HasSlashSlash(uri, scheme)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown store URI scheme '", scheme <= 32 ? uri.substr(0, scheme) : "(long)",
        "://' (a store URI is a file path, sqlite:PATH or postgresql://...)"));
  }
  if (uri.find('=') != std::string::npos && ParseConninfo(uri, nullptr)) {
    return absl::InvalidArgumentError(
        "store URI is a libpq key=value connection string; give it as a postgresql:// URI "
        "(docs/postgresql.md), or as sqlite:PATH for a SQLite file of that name");
  }
  return StoreUri{StoreUri::Kind::kSqlite, uri};
}

std::string RedactStoreUri(const std::string& uri) {
  if (absl::StartsWithIgnoreCase(uri, "sqlite:")) return uri;
  const size_t scheme = SchemeLength(uri);
  if (scheme > 0 && HasSlashSlash(uri, scheme)) return RedactUriSyntax(uri);
  if (scheme > 0 && IsPostgresScheme(absl::string_view(uri).substr(0, scheme))) {
    return absl::StrCat(uri.substr(0, scheme + 1), "***");
  }
  if (uri.find('=') != std::string::npos) {
    if (ParsedOptions options = ParseConninfo(uri, nullptr)) return RedactKeywordValue(options.get());
  }
  return uri;
}

std::string SanitizedLibpqError(absl::string_view err) {
  if (const size_t nl = err.find('\n'); nl != absl::string_view::npos) err = err.substr(0, nl);
  std::string out;
  size_t i = 0;
  while (i < err.size() && out.size() < 200) {
    if (err[i] != '"') {
      out.push_back(err[i++]);
      continue;
    }
    const size_t close = err.find('"', i + 1);
    if (close == absl::string_view::npos) break;
    const absl::string_view quoted = err.substr(i + 1, close - i - 1);
    bool name_like = !quoted.empty() && quoted.size() <= 40;
    for (char c : quoted) name_like = name_like && (absl::ascii_islower(static_cast<unsigned char>(c)) || c == '_');
    absl::StrAppend(&out, "\"", name_like ? quoted : "(value not shown)", "\"");
    i = close + 1;
  }
  return out;
}

std::string WithConnectionDefaults(const std::string& pg_uri,
                                   const std::vector<ConnectionDefault>& defaults) {
  ParsedOptions options = ParseConninfo(pg_uri, nullptr);
  std::string out = pg_uri;
  for (const ConnectionDefault& d : defaults) {
    bool set = d.env != nullptr && std::getenv(d.env) != nullptr;
    for (const PQconninfoOption* o = options.get(); o != nullptr && o->keyword != nullptr && !set; ++o) {
      set = o->val != nullptr && absl::string_view(o->keyword) == d.keyword;
    }
    if (set) continue;
    absl::StrAppend(&out, out.find('?') == std::string::npos ? "?" : "&", d.keyword, "=", d.value);
  }
  return out;
}

}  // namespace holdfast
