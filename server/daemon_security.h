// holdfastd's security set-up from its flags: the listen policy, the token
// table and the transport credentials, in one place so the daemon's wiring
// stays a few lines.
//
// Thread-safety: ReloadTokens() may be called from any thread.
#ifndef HOLDFAST_SERVER_DAEMON_SECURITY_H_
#define HOLDFAST_SERVER_DAEMON_SECURITY_H_

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>

#include "absl/status/statusor.h"
#include "server/authorizer.h"

namespace holdfast::server {

struct SecurityOptions {
  // PEM server certificate chain and key; both or neither. Default: plaintext.
  std::string tls_cert_path;
  std::string tls_key_path;
  // PEM CA bundle; when set, client certificates are mandatory (mTLS).
  std::string tls_client_ca_path;
  // Token file (lib/auth/token_table.h); empty: no tokens, loopback only.
  std::string auth_tokens_path;
  // Allow plaintext on a non-loopback address (a proxy terminates TLS).
  bool allow_insecure = false;
};

class DaemonSecurity {
 public:
  // Checks the flags against `listen_address` (FAILED_PRECONDITION, saying
  // why, for an address the policy refuses), reads the TLS files and tokens.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DaemonSecurity>> Create(
      const SecurityOptions& options, const std::string& listen_address);

  // Credentials for the listening port (valid while this object lives).
  std::shared_ptr<grpc::ServerCredentials> credentials() const { return credentials_; }
  // The token check, for the HTTP endpoint; null without --auth_tokens.
  const Authorizer* authorizer() const { return authorizer_.get(); }
  // One line for the start-up log: "TLS, tokens: 4", "mTLS, tokens: 2", "open (loopback)".
  std::string Describe() const;
  // Re-reads the token file; on error the old tokens stay. Returns a one-line
  // summary. FAILED_PRECONDITION when the server runs without tokens.
  absl::StatusOr<std::string> ReloadTokens();
  // Reports every call the token check refuses (Authorizer::RefusalObserver);
  // no effect without tokens. Call before the server starts.
  void ObserveRefusals(Authorizer::RefusalObserver observer) {
    if (authorizer_ != nullptr) authorizer_->set_refusal_observer(std::move(observer));
  }

 private:
  DaemonSecurity() = default;

  std::string mode_;
  std::unique_ptr<Authorizer> authorizer_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_DAEMON_SECURITY_H_
