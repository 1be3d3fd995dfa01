#include "client/cli_output.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"

namespace holdfast::cli {

int ReportError(const std::string& command, const absl::Status& status, bool usage) {
  std::cerr << "holdfast " << command << ": " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return usage ? 2 : 1;
}

bool NoServerAnswered(const absl::Status& status) {
  // gRPC's own words for a channel that never connected. A server that
  // answered UNAVAILABLE (its database unreachable, shutting down) says
  // something else, and gets no hint that would send the user looking for
  // a server that is running.
  if (status.code() != absl::StatusCode::kUnavailable) return false;
  return absl::StrContains(status.message(), "failed to connect to all addresses") ||
         absl::StrContains(status.message(), "DNS resolution failed");
}

int ReportServerError(const std::string& command, const absl::Status& status, const std::string& server) {
  const int code = ReportError(command, status);
  if (NoServerAnswered(status)) {
    std::cerr << "No Holdfast server answered at " << server
              << " (nothing listening there, or the TLS handshake failed: check --tls-ca, --tls-cert and "
                 "--tls-key against the server's TLS flags). Start one with\n"
              << "  holdfastd --config holdfast.textproto --listen " << server << "\n"
              << "or point the CLI at a running one with --server HOST[:PORT] or $HOLDFAST_SERVER.\n";
  }
  return code;
}

std::string Grouped(int64_t n) {
  const uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  const std::string digits = absl::StrCat(magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Share(double share) { return absl::StrFormat("%.4f", share); }

}  // namespace holdfast::cli
