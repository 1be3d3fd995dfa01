// gRPC transport security for holdfastd: TLS (optionally mutual) and the
// bearer-token check, as one grpc::ServerCredentials.
//
// The token check runs as an auth metadata processor inside gRPC's server
// auth filter, before any handler, so a refused call never reaches a service
// and no service can forget the check. gRPC C++ offers this only on secure
// credentials and its server interceptors cannot refuse a call, so the
// credentials are built with the gRPC C API (which also accepts a processor on
// plaintext credentials, for loopback or a TLS-terminating proxy).
//
// Calls over HoldfastServer::InProcessChannel() bypass transport credentials
// and so this check: that channel exists only inside the process.
#ifndef HOLDFAST_SERVER_GRPC_AUTH_H_
#define HOLDFAST_SERVER_GRPC_AUTH_H_

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "server/authorizer.h"

namespace holdfast::server {

// PEM contents for a TLS listener.
struct TlsMaterial {
  std::string cert_chain_pem;  // server certificate chain
  std::string private_key_pem;  // its private key
  // CA bundle client certificates must chain to; non-empty makes client
  // certificates mandatory (mTLS).
  std::string client_ca_pem;
};

// Reads the PEM files (client_ca_path may be empty). Errors name the file and
// the flag, never its contents.
[[nodiscard]] absl::StatusOr<TlsMaterial> ReadTlsMaterial(const std::string& cert_path,
                                                          const std::string& key_path,
                                                          const std::string& client_ca_path);

// Credentials for the listening port: TLS when `tls` is set, else plaintext;
// every call checked by `authorizer` when it is set (it must outlive the
// server), else open.
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const TlsMaterial* tls,
                                                               const Authorizer* authorizer);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_GRPC_AUTH_H_
