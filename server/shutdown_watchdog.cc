#include "server/shutdown_watchdog.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
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
  // A steady clock: a wall-clock step (NTP) must not stretch or cut the bound.
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout_);
  while (!disarmed_.load()) {
    absl::Duration wait = kPoll;
    if (timeout_ > absl::ZeroDuration()) {
      const absl::Duration left = absl::FromChrono(deadline - std::chrono::steady_clock::now());
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
    if (sig == SIGHUP) {
      log_->Log("INFO", "reload_skipped", {{"trigger", "SIGHUP"}, {"reason", "stopping"}});
    }
    // A timeout (EAGAIN) or EINTR: go on.
  }
}

void ShutdownWatchdog::Force(absl::string_view reason) {
  // The line is best-effort: stderr may be the thing that hangs (a log
  // reader that stopped reading). The alarm (SIGALRM is not blocked, and
  // its default action ends the process) ends it even if the write blocks.
  alarm(5);
  (void)log_->TryLog("ERROR", "shutdown_forced",
                     {{"reason", std::string(reason)},
                      {"lost", "writes not yet acknowledged (their callers get an error; "
                               "acknowledged writes are committed)"}},
                     absl::Seconds(1));
  // Not exit(): destructors would wait on the very threads that hang.
  std::_Exit(1);
}

}  // namespace holdfast::server
