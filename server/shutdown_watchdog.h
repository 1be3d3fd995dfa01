// Bounds holdfastd's shutdown. A clean stop waits for in-flight calls and
// for the store to commit its queue and close; when the store cannot answer
// (a PostgreSQL server stopped or frozen, a disk that hangs), that wait has no
// end, and a service manager or an operator's second Ctrl-C is the only way
// out. The watchdog, armed when the stop begins, ends the process with exit
// code 1 and one ERROR line "shutdown_forced" when the stop takes longer than
// its timeout or a second SIGINT/SIGTERM arrives. Only writes not yet
// acknowledged are lost (their callers get an error and retry, and the ids
// make the retry idempotent); an acknowledged write is already committed.
//
// Thread-safety: constructed and destroyed on the thread that handles
// signals; the signals it waits for must be blocked in every thread.
#ifndef HOLDFAST_SERVER_SHUTDOWN_WATCHDOG_H_
#define HOLDFAST_SERVER_SHUTDOWN_WATCHDOG_H_

#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/time/time.h"
#include "server/event_log.h"

namespace holdfast::server {

class ShutdownWatchdog {
 public:
  // Starts watching for `signals` (a SIGHUP among them is taken, logged as
  // "reload_skipped" and otherwise ignored) and for `timeout` to pass; a
  // zero `timeout` waits for a signal only.
  // `log` must outlive the watchdog.
  ShutdownWatchdog(const sigset_t& signals, absl::Duration timeout, EventLog* log);
  // Disarms: the stop finished in time.
  ~ShutdownWatchdog();

  ShutdownWatchdog(const ShutdownWatchdog&) = delete;
  ShutdownWatchdog& operator=(const ShutdownWatchdog&) = delete;

 private:
  void Watch();
  [[noreturn]] void Force(absl::string_view reason);

  const sigset_t signals_;
  const absl::Duration timeout_;
  EventLog* const log_;
  std::atomic<bool> disarmed_{false};
  std::thread thread_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_SHUTDOWN_WATCHDOG_H_
