#include "client/cli_connect.h"

#include "client/connection_options.h"

namespace holdfast::cli {

absl::StatusOr<std::unique_ptr<client::HoldfastClient>> ConnectFromFlags(const ServerFlags& flags) {
  client::ConnectionFlags files;
  files.tls_ca_path = flags.tls_ca;
  files.tls_cert_path = flags.tls_cert;
  files.tls_key_path = flags.tls_key;
  files.token_file = flags.token_file;
  absl::StatusOr<client::ConnectionOptions> options = client::LoadConnectionOptions(files);
  if (!options.ok()) return options.status();
  return client::HoldfastClient::Connect(flags.address(), *options);
}

}  // namespace holdfast::cli
