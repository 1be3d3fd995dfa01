// holdfastd's command line checked before absl parses it. Debian's abseil
// (20220623), on an unknown flag or a flag without its value, prints the whole
// --help to stdout and exits 1, and it ignores words that are not flags
// (`holdfastd prod.textproto` would start on the default --config). A server
// started by scripts and systemd should fail with one line naming the mistake
// and the usage exit code 2, like the holdfast CLI (docs/cli.md).
#ifndef HOLDFAST_SERVER_DAEMON_ARGS_H_
#define HOLDFAST_SERVER_DAEMON_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace holdfast::server {

// OK when every argument (argv without argv[0]) is a registered flag in a form
// absl accepts (--name=value, --name value, -name, --bool, --nobool);
// INVALID_ARGUMENT naming the first unknown flag, a flag missing its value, or
// an argument that is not a flag (echoed cut to 64 bytes).
absl::Status CheckDaemonArgs(const std::vector<std::string>& args);

// True when the arguments ask for help (--help, --helpfull, --helpshort,
// --helppackage, --helpon=, --helpmatch=).
bool AsksForHelp(const std::vector<std::string>& args);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_DAEMON_ARGS_H_
