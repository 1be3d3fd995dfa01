#include "client/connection_options.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace holdfast::client {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": cannot read: ", std::strerror(errno)));
  }
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": larger than 1 MiB"));
  }
  if (absl::StripAsciiWhitespace(text).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": empty"));
  }
  return text;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

absl::StatusOr<ConnectionOptions> LoadConnectionOptions(const ConnectionFlags& flags) {
  ConnectionOptions out;
  const std::string ca_path = flags.tls_ca_path.empty() ? Env("HOLDFAST_TLS_CA") : flags.tls_ca_path;
  if (!ca_path.empty()) {
    absl::StatusOr<std::string> ca = ReadSmallFile(ca_path, "--tls-ca");
    if (!ca.ok()) return ca.status();
    out.tls_ca_pem = *std::move(ca);
  }
  if (flags.tls_cert_path.empty() != flags.tls_key_path.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together: give both or neither");
  }
  if (!flags.tls_cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadSmallFile(flags.tls_cert_path, "--tls-cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadSmallFile(flags.tls_key_path, "--tls-key");
    if (!key.ok()) return key.status();
    out.tls_cert_pem = *std::move(cert);
    out.tls_key_pem = *std::move(key);
  }
  if (!flags.token_file.empty()) {
    absl::StatusOr<std::string> token = ReadSmallFile(flags.token_file, "--token-file");
    if (!token.ok()) return token.status();
    out.token = std::string(absl::StripAsciiWhitespace(*token));
  } else {
    out.token = std::string(absl::StripAsciiWhitespace(Env("HOLDFAST_TOKEN")));
  }
  for (char c : out.token) {
    // A token travels in an HTTP/2 header: printable ASCII only. Never echo it.
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "token: must be one line of printable ASCII (as `holdfast token new` prints it)");
    }
  }
  return out;
}

}  // namespace holdfast::client
