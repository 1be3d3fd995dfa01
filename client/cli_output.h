// What every `holdfast` subcommand prints the same way: errors as
// "holdfast <cmd>: CODE: message", and numbers in tables.
#ifndef HOLDFAST_CLIENT_CLI_OUTPUT_H_
#define HOLDFAST_CLIENT_CLI_OUTPUT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace holdfast::cli {

// Prints `status` to stderr and returns the exit code for it: 2 for a usage
// error raised locally, 1 otherwise.
int ReportError(const std::string& command, const absl::Status& status, bool usage = false);

// Whether `status` says the channel never reached a server (nothing
// listening, a failed TLS handshake, a name that does not resolve), as
// opposed to a server that answered UNAVAILABLE itself.
bool NoServerAnswered(const absl::Status& status);

// ReportError for a call to the server at `server`; when no server answered,
// adds how to start one, since that is the usual cause.
int ReportServerError(const std::string& command, const absl::Status& status, const std::string& server);

// Counts in tables: 1234567 → "1,234,567".
std::string Grouped(int64_t n);
// Shares in tables: always 4 decimals (0.1 → "0.1000"), so a column lines up.
std::string Share(double share);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CLI_OUTPUT_H_
