// The transport-neutral access check: given the `authorization` header value
// and the full method name, OK, UNAUTHENTICATED or PERMISSION_DENIED. The
// gRPC server calls it from an auth metadata processor (server/grpc_auth.h);
// an HTTP endpoint calls it with the same method names.
//
//   absl::StatusOr<std::unique_ptr<Authorizer>> a = Authorizer::FromFile(path);
//   absl::Status s = (*a)->Check("Bearer hf_...", "/holdfast.v1.AssignmentService/Assign");
//
// Thread-safety: Check() and Reload() may be called from any thread; a call
// sees either the old or the new token table, never a mix.
#ifndef HOLDFAST_SERVER_AUTHORIZER_H_
#define HOLDFAST_SERVER_AUTHORIZER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/auth/token_table.h"

namespace holdfast::server {

class Authorizer {
 public:
  // Loads the --auth_tokens file; its errors as TokenTable::Load gives them.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Authorizer>> FromFile(const std::string& path);
  // A fixed table (tests); Reload() then fails.
  explicit Authorizer(auth::TokenTable table, std::string path = "");

  // `authorization` is the header value ("Bearer TOKEN"; empty when absent).
  // OK when the method is open, or the token is valid and its role may call
  // the method. UNAUTHENTICATED for a missing, malformed or unknown token;
  // PERMISSION_DENIED for a valid token whose role may not call the method,
  // or for a method the role table does not list.
  absl::Status Check(absl::string_view authorization, absl::string_view method) const;

  // Called with every refusal Check() returns (for metrics and the access
  // log: refused calls never reach a handler or interceptor). `method` is
  // what the caller sent, so an observer must not use it as a label or log
  // it unless it is a known method. Set before serving; not thread-safe
  // against concurrent Check() calls.
  using RefusalObserver = std::function<void(absl::string_view method, absl::StatusCode code)>;
  void set_refusal_observer(RefusalObserver observer) { refusal_observer_ = std::move(observer); }

  // Re-reads the file. On error the old table stays in force and the error
  // says why; on success returns the number of tokens now accepted.
  absl::StatusOr<size_t> Reload();
  size_t token_count() const { return table_.load()->entries().size(); }

 private:
  absl::Status Decide(absl::string_view authorization, absl::string_view method) const;

  std::string path_;
  std::atomic<std::shared_ptr<const auth::TokenTable>> table_;
  RefusalObserver refusal_observer_;
};

// The token in an `authorization: Bearer TOKEN` header value (scheme case-
// insensitive, RFC 6750), or empty when the value is not of that form.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_AUTHORIZER_H_
