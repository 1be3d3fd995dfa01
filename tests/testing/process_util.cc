#include "tests/testing/process_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace holdfast::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<char*> CArgs(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/holdfast-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  path_ = mkdtemp(buf.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         int timeout_seconds, const std::string& stdin_file) {
  TempDir dir;
  const std::string out_path = dir.File("out"), err_path = dir.File("err");
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(stdin_file.empty() ? "/dev/null" : stdin_file.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
    auto args = CArgs(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.err = "timed out\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path);
  result.err += ReadFile(err_path);
  return result;
}

DaemonProcess::DaemonProcess(std::string binary, std::vector<std::string> args, std::string work_dir)
    : binary_(std::move(binary)), args_(std::move(args)), work_dir_(std::move(work_dir)) {
  log_path_ = work_dir_ + "/holdfastd.log";
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Signal(SIGTERM);
}

bool DaemonProcess::Start() {
  const std::string port_file = work_dir_ + "/port";
  std::filesystem::remove(port_file);
  std::vector<std::string> argv = {binary_, "--listen=127.0.0.1:0", "--port_file=" + port_file};
  argv.insert(argv.end(), args_.begin(), args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(log, 1);
    dup2(log, 2);
    if (chdir(work_dir_.c_str()) != 0) _exit(126);
    auto args = CArgs(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::ifstream in(port_file);
    if (in >> port_ && port_ > 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int DaemonProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return status;
}

void DaemonProcess::Hangup() {
  if (pid_ > 0) kill(pid_, SIGHUP);
}

std::string DaemonProcess::log() const { return ReadFile(log_path_); }

std::string HoldfastdPath() { return HOLDFAST_HOLDFASTD_PATH; }
std::string HoldfastCliPath() { return HOLDFAST_CLI_PATH; }
std::string SimulatePath() { return HOLDFAST_SIMULATE_PATH; }
std::string SourceDir() { return HOLDFAST_SOURCE_DIR; }

}  // namespace holdfast::testing
