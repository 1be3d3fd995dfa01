// The client a server-talking subcommand uses: the address from --server
// (ServerFlags::address) and TLS/token settings from --tls-ca FILE (else
// $HOLDFAST_TLS_CA), --tls-cert FILE / --tls-key FILE (mTLS) and
// --token-file FILE (else $HOLDFAST_TOKEN); docs/security.md.
// AddServerOptions (client/cli_app.h) registers these flags.
#ifndef HOLDFAST_CLIENT_CLI_CONNECT_H_
#define HOLDFAST_CLIENT_CLI_CONNECT_H_

#include <memory>

#include "absl/status/statusor.h"
#include "client/cli_app.h"
#include "client/holdfast_client.h"

namespace holdfast::cli {

// INVALID_ARGUMENT naming the flag when a file cannot be read (a usage error).
[[nodiscard]] absl::StatusOr<std::unique_ptr<client::HoldfastClient>> ConnectFromFlags(const ServerFlags& flags);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CLI_CONNECT_H_
