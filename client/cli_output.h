// Uniform error printing for the CLI: "holdfast <cmd>: CODE: message".
#ifndef HOLDFAST_CLIENT_CLI_OUTPUT_H_
#define HOLDFAST_CLIENT_CLI_OUTPUT_H_

#include <iostream>
#include <string>

#include "absl/status/status.h"

namespace holdfast::cli {

// Prints `status` to stderr and returns the exit code for it: 2 for a usage
// error raised locally, 1 otherwise.
inline int ReportError(const std::string& command, const absl::Status& status, bool usage = false) {
  std::cerr << "holdfast " << command << ": " << absl::StatusCodeToString(status.code()) << ": "
            << status.message() << "\n";
  return usage ? 2 : 1;
}

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CLI_OUTPUT_H_
