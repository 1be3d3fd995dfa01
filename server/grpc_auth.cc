#include "server/grpc_auth.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace holdfast::server {
namespace {

constexpr size_t kMaxPemBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": cannot read: ", std::strerror(errno)));
  }
  std::string text(kMaxPemBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPemBytes || text.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": not a PEM file"));
  }
  return text;
}

// Checks that the key belongs to the certificate, so a mismatch is reported
// by name at start-up rather than as gRPC's bare "cannot listen".
absl::Status CheckKeyMatchesCertificate(const TlsMaterial& tls, const std::string& cert_path,
                                        const std::string& key_path) {
  BIO* cert_bio = BIO_new_mem_buf(tls.cert_chain_pem.data(), static_cast<int>(tls.cert_chain_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(tls.private_key_pem.data(), static_cast<int>(tls.private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (cert == nullptr) {
    status = absl::InvalidArgumentError(absl::StrCat("--tls_cert ", cert_path, ": no PEM certificate"));
  } else if (key == nullptr) {
    status = absl::InvalidArgumentError(
        absl::StrCat("--tls_key ", key_path, ": no unencrypted PEM private key"));
  } else if (X509_check_private_key(cert, key) != 1) {
    status = absl::InvalidArgumentError(
        absl::StrCat("--tls_key ", key_path, " is not the key of the certificate in ", cert_path));
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return status;
}

absl::string_view SliceView(const grpc_slice& s) {
  return absl::string_view(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(s)), GRPC_SLICE_LENGTH(s));
}

// grpc_auth_metadata_processor.process: runs inline (it only hashes and
// compares), on the thread that received the call's headers. gRPC core hands
// the processor every header of the call, :path (the full method name)
// included; tests/server/auth_matrix_test.cc pins that. Were it ever missing,
// no method would match the role table and every call would be refused:
// the failure is closed, not open.
void ProcessAuthMetadata(void* state, grpc_auth_context* /*context*/, const grpc_metadata* md,
                         size_t num_md, grpc_process_auth_metadata_done_cb done, void* user_data) {
  const auto* authorizer = static_cast<const Authorizer*>(state);
  absl::string_view method;
  absl::string_view authorization;
  const grpc_metadata* authorization_md = nullptr;
  int authorization_count = 0;
  for (size_t i = 0; i < num_md; ++i) {
    const absl::string_view key = SliceView(md[i].key);
    if (key == ":path") {
      method = SliceView(md[i].value);
    } else if (key == "authorization") {
      authorization = SliceView(md[i].value);
      authorization_md = &md[i];
      ++authorization_count;
    }
  }
  absl::Status status;
  if (authorization_count > 1) {
    status = absl::UnauthenticatedError("authorization: send exactly one 'authorization' header");
  } else {
    // An absent :path (never seen from gRPC) finds no table entry: refused.
    status = authorizer->Check(authorization, method);
  }
  if (!status.ok()) {
    const std::string message(status.message());
    done(user_data, nullptr, 0, nullptr, 0, static_cast<grpc_status_code>(status.code()), message.c_str());
    return;
  }
  // Consume the token: handlers and anything that logs metadata never see it.
  done(user_data, authorization_md, authorization_md != nullptr ? 1 : 0, nullptr, 0, GRPC_STATUS_OK, nullptr);
}

// grpc::ServerCredentials over a C-core grpc_server_credentials. The gRPC C++
// wrappers offer no plaintext credentials that take a metadata processor; the
// C API does, and ServerCredentials::AddPortToServer is the virtual the C++
// server calls to bind a port with its credentials.
class CoreServerCredentials final : public grpc::ServerCredentials {
 public:
  explicit CoreServerCredentials(grpc_server_credentials* creds) : creds_(creds) {}
  ~CoreServerCredentials() override { grpc_server_credentials_release(creds_); }

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>& /*processor*/) override {
    // Not used: the processor is set through the C API at construction.
  }

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), creds_);
  }

  grpc_server_credentials* creds_;
};

}  // namespace

absl::StatusOr<TlsMaterial> ReadTlsMaterial(const std::string& cert_path, const std::string& key_path,
                                            const std::string& client_ca_path) {
  TlsMaterial tls;
  auto cert = ReadPem(cert_path, "--tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(key_path, "--tls_key");
  if (!key.ok()) return key.status();
  tls.cert_chain_pem = *std::move(cert);
  tls.private_key_pem = *std::move(key);
  if (!client_ca_path.empty()) {
    auto ca = ReadPem(client_ca_path, "--tls_client_ca");
    if (!ca.ok()) return ca.status();
    tls.client_ca_pem = *std::move(ca);
  }
  if (absl::Status s = CheckKeyMatchesCertificate(tls, cert_path, key_path); !s.ok()) return s;
  return tls;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const TlsMaterial* tls,
                                                               const Authorizer* authorizer) {
  grpc_server_credentials* creds = nullptr;
  if (tls != nullptr) {
    grpc_ssl_pem_key_cert_pair pair = {tls->private_key_pem.c_str(), tls->cert_chain_pem.c_str()};
    const bool mutual = !tls->client_ca_pem.empty();
    creds = grpc_ssl_server_credentials_create_ex(
        mutual ? tls->client_ca_pem.c_str() : nullptr, &pair, 1,
        mutual ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
               : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
        nullptr);
  } else {
    creds = grpc_insecure_server_credentials_create();
  }
  if (authorizer != nullptr) {
    grpc_auth_metadata_processor processor;
    processor.process = ProcessAuthMetadata;
    processor.destroy = nullptr;  // the authorizer is owned by the daemon
    processor.state = const_cast<Authorizer*>(authorizer);
    grpc_server_credentials_set_auth_metadata_processor(creds, processor);
  }
  return std::make_shared<CoreServerCredentials>(creds);
}

}  // namespace holdfast::server
