#include "client/cli_connect.h"

#include "client/connection_options.h"

namespace holdfast::cli {

absl::StatusOr<std::unique_ptr<client::HoldfastClient>> ConnectFromFlags(const ParsedFlags& flags) {
  client::ConnectionFlags files;
  files.tls_ca_path = flags.GetOr("tls-ca", "");
  files.tls_cert_path = flags.GetOr("tls-cert", "");
  files.tls_key_path = flags.GetOr("tls-key", "");
  files.token_file = flags.GetOr("token-file", "");
  absl::StatusOr<client::ConnectionOptions> options = client::LoadConnectionOptions(files);
  if (!options.ok()) return options.status();
  return client::HoldfastClient::Connect(ServerAddress(flags), *options);
}

}  // namespace holdfast::cli
