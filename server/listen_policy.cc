#include "server/listen_policy.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace holdfast::server {
namespace {

// The host part of host:port, [v6]:port or a bare host.
std::string HostOf(absl::string_view address) {
  if (absl::StartsWith(address, "dns:")) address.remove_prefix(4);
  while (absl::StartsWith(address, "/")) address.remove_prefix(1);
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    return std::string(close == absl::string_view::npos ? address.substr(1) : address.substr(1, close - 1));
  }
  const size_t colon = address.rfind(':');
  // More than one colon without brackets: a bare IPv6 address.
  if (colon != absl::string_view::npos && address.find(':') == colon) return std::string(address.substr(0, colon));
  return std::string(address);
}

}  // namespace

bool IsLoopbackAddress(absl::string_view listen_address) {
  if (absl::StartsWith(listen_address, "unix:") || absl::StartsWith(listen_address, "unix-abstract:")) {
    return true;
  }
  const std::string host = absl::AsciiStrToLower(HostOf(listen_address));
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  // Empty host (":50051"), 0.0.0.0, [::], other names and addresses.
  return false;
}

absl::Status CheckListenPolicy(absl::string_view listen_address, const ListenSecurity& security) {
  if (IsLoopbackAddress(listen_address)) return absl::OkStatus();
  if (!security.tokens) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", listen_address,
        " without --auth_tokens: it is not a loopback address, and without tokens anyone who can "
        "reach the port could read every report and replace the serving config (TLS alone does "
        "not say who the caller is). Give --auth_tokens FILE (docs/security.md), or listen on "
        "127.0.0.1"));
  }
  if (!security.tls && !security.allow_insecure) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", listen_address,
        " without TLS: tokens and customer ids would cross the network in clear text. Give "
        "--tls_cert FILE --tls_key FILE, or --allow_insecure if a proxy in front terminates TLS"));
  }
  return absl::OkStatus();
}

}  // namespace holdfast::server
