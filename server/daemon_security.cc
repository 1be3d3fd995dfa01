#include "server/daemon_security.h"

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "server/grpc_auth.h"
#include "server/listen_policy.h"

namespace holdfast::server {

absl::StatusOr<std::unique_ptr<DaemonSecurity>> DaemonSecurity::Create(const SecurityOptions& options,
                                                                       const std::string& listen_address) {
  const bool tls = !options.tls_cert_path.empty() || !options.tls_key_path.empty();
  if (tls && (options.tls_cert_path.empty() || options.tls_key_path.empty())) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both or neither");
  }
  if (!tls && !options.tls_client_ca_path.empty()) {
    return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key (mTLS is TLS first)");
  }
  ListenSecurity listen;
  listen.tls = tls;
  listen.tokens = !options.auth_tokens_path.empty();
  listen.allow_insecure = options.allow_insecure;
  HF_RETURN_IF_ERROR(CheckListenPolicy(listen_address, listen));

  std::unique_ptr<DaemonSecurity> s(new DaemonSecurity());
  std::optional<TlsMaterial> material;
  if (tls) {
    HF_ASSIGN_OR_RETURN(material, ReadTlsMaterial(options.tls_cert_path, options.tls_key_path,
                                                  options.tls_client_ca_path));
  }
  if (listen.tokens) {
    absl::StatusOr<std::unique_ptr<Authorizer>> authorizer = Authorizer::FromFile(options.auth_tokens_path);
    if (!authorizer.ok()) {
      return absl::Status(authorizer.status().code(),
                          absl::StrCat("--auth_tokens: ", authorizer.status().message()));
    }
    s->authorizer_ = *std::move(authorizer);
  }
  s->credentials_ = MakeServerCredentials(material ? &*material : nullptr, s->authorizer_.get());
  s->mode_ = !tls ? "plaintext" : options.tls_client_ca_path.empty() ? "TLS" : "mTLS (client certificates required)";
  return s;
}

std::string DaemonSecurity::Describe() const {
  if (authorizer_ == nullptr) return absl::StrCat(mode_, ", no tokens (open, loopback only)");
  return absl::StrCat(mode_, ", tokens: ", authorizer_->token_count());
}

absl::StatusOr<std::string> DaemonSecurity::ReloadTokens() {
  if (authorizer_ == nullptr) return absl::FailedPreconditionError("no --auth_tokens file to reload");
  HF_ASSIGN_OR_RETURN(size_t n, authorizer_->Reload());
  return absl::StrCat("tokens reloaded: ", n);
}

}  // namespace holdfast::server
