// Whether holdfastd may listen where it was asked to, given its security.
//
// Loopback (127.0.0.0/8, ::1, localhost) and unix sockets are reachable only
// from this machine: there the server may run open (no tokens, no TLS), which
// is what the demo and a one-machine set-up do. Any other address is refused
// without --auth_tokens (anyone who can reach the port could read every
// report and swap the live config), and without TLS unless --allow_insecure
// (tokens and customer ids would cross the network in clear text).
#ifndef HOLDFAST_SERVER_LISTEN_POLICY_H_
#define HOLDFAST_SERVER_LISTEN_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace holdfast::server {

struct ListenSecurity {
  bool tls = false;             // --tls_cert/--tls_key given
  bool tokens = false;          // --auth_tokens given
  bool allow_insecure = false;  // --allow_insecure given
};

// True for a gRPC listen address only this machine can reach.
bool IsLoopbackAddress(absl::string_view listen_address);

// OK, or FAILED_PRECONDITION saying why the address is refused and which flag
// would make it acceptable.
absl::Status CheckListenPolicy(absl::string_view listen_address, const ListenSecurity& security);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_LISTEN_POLICY_H_
