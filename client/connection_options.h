// Builds ConnectionOptions from what a user gives on the command line or in
// the environment: file paths for the CA, client certificate and token.
//
//   ConnectionFlags flags;                 // from --tls-ca, --token-file, ...
//   absl::StatusOr<ConnectionOptions> o = LoadConnectionOptions(flags);
//   auto client = HoldfastClient::Connect(address, *o);
#ifndef HOLDFAST_CLIENT_CONNECTION_OPTIONS_H_
#define HOLDFAST_CLIENT_CONNECTION_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/holdfast_client.h"

namespace holdfast::client {

struct ConnectionFlags {
  // --tls-ca FILE, else $HOLDFAST_TLS_CA: PEM CA of the server certificate.
  std::string tls_ca_path;
  // --tls-cert FILE / --tls-key FILE: client certificate for mTLS.
  std::string tls_cert_path;
  std::string tls_key_path;
  // --token-file FILE (the bare token, surrounding whitespace ignored), else
  // $HOLDFAST_TOKEN (the token itself).
  std::string token_file;
};

// Reads the files (env fallbacks as above). INVALID_ARGUMENT naming the flag
// when a file cannot be read, is empty, or only one of cert/key is given.
// Never echoes a file's contents.
[[nodiscard]] absl::StatusOr<ConnectionOptions> LoadConnectionOptions(const ConnectionFlags& flags);

}  // namespace holdfast::client

#endif  // HOLDFAST_CLIENT_CONNECTION_OPTIONS_H_
