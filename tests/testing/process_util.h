// Helpers for end-to-end tests that start the real binaries on 127.0.0.1:
// a running holdfastd in a temp dir, and the holdfast CLI run to completion.
#ifndef HOLDFAST_TESTS_TESTING_PROCESS_UTIL_H_
#define HOLDFAST_TESTS_TESTING_PROCESS_UTIL_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace holdfast::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` with extra environment `env` ("K=V"), stdin from /dev/null or
// `stdin_file`, and waits (killing it after `timeout_seconds`).
CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                         int timeout_seconds = 60, const std::string& stdin_file = "");

// holdfastd on 127.0.0.1 with an ephemeral port. Start() waits for the port
// file; the destructor sends SIGTERM and waits.
class DaemonProcess {
 public:
  DaemonProcess(std::string binary, std::vector<std::string> args, std::string work_dir);
  ~DaemonProcess();

  // Starts and waits up to 30 s for the port. Returns false (with the log in
  // `log()`) when the process exits or never listens.
  bool Start();
  // Sends `signal`, and for SIGTERM/SIGINT/SIGKILL waits for exit; returns the exit status (waitpid form).
  int Signal(int signal);
  // Sends SIGHUP and returns at once.
  void Hangup();
  bool running() const { return pid_ > 0; }
  // The process id while running (for /proc reads), else -1.
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  std::string binary_;
  std::vector<std::string> args_;
  std::string work_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Absolute paths of the built binaries, baked in by CMake.
std::string HoldfastdPath();
std::string HoldfastCliPath();
std::string SimulatePath();
// Repository root (for examples/).
std::string SourceDir();

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_TESTING_PROCESS_UTIL_H_
