#include "server/shutdown_watchdog.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>

#include "absl/strings/str_cat.h"

namespace holdfast::server {
namespace {

// How often the watcher looks whether it was disarmed.
constexpr absl::Duration kPoll = absl::Milliseconds(100);

}  // namespace

ShutdownWatchdog::ShutdownWatchdog(const sigset_t& signals, absl::Duration timeout, EventLog* log)
    : signals_(signals), timeout_(timeout), log_(log), thread_([this] { Watch(); }) {}

ShutdownWatchdog::~ShutdownWatchdog() {
  disarmed_.store(true);
  thread_.join();
}

void ShutdownWatchdog::Watch() {
  const absl::Time deadline = absl::Now() + timeout_;
  while (!disarmed_.load()) {
    absl::Duration wait = kPoll;
    if (timeout_ > absl::ZeroDuration()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        Force(absl::StrCat("not stopped within --shutdown_timeout_seconds=",
                           absl::ToInt64Seconds(timeout_)));
      }
      wait = std::min(wait, left);
    }
    const timespec ts = absl::ToTimespec(wait);
    const int sig = sigtimedwait(&signals_, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      Force(sig == SIGINT ? "second SIGINT" : "second SIGTERM");
    }
    // SIGHUP (no reload while stopping), a timeout (EAGAIN) or EINTR: go on.
  }
}

void ShutdownWatchdog::Force(absl::string_view reason) {
  log_->Log("ERROR", "shutdown_forced",
            {{"reason", std::string(reason)},
             {"lost", "writes not yet acknowledged (their callers get an error; acknowledged "
                      "writes are committed)"}});
  // Not exit(): destructors would wait on the very threads that hang.
  std::_Exit(1);
}

}  // namespace holdfast::server
