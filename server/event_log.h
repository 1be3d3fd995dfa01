// holdfastd's log: one line per event on stderr, as text or JSON
// (--log_format). Start-up, reload, shutdown and errors are events; the
// access log (server/rpc_interceptor.h) writes one "rpc" event per call.
//
//   text: 2026-12-01T20:50:00.123Z INFO start listen=127.0.0.1:50051 config="v 1"
//   json: {"ts":"2026-12-01T20:50:00.123Z","level":"INFO","event":"start","listen":"127.0.0.1:50051"}
//
// Callers pass only what is safe to log: never tokens, never customer
// attributes. Thread-safe: each line is written whole under a mutex.
#ifndef HOLDFAST_SERVER_EVENT_LOG_H_
#define HOLDFAST_SERVER_EVENT_LOG_H_

#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/base/clock.h"

namespace holdfast::server {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

using LogFields = std::vector<std::pair<std::string, std::string>>;

class EventLog {
 public:
  // Writes to `out` (not owned; stderr in holdfastd), times from `clock`.
  EventLog(LogFormat format, std::ostream* out, const Clock* clock);

  // One line: `level` ("INFO", "WARN", "ERROR"), `event` (a fixed word such
  // as "start", "reload", "stop", "rpc") and the fields in order.
  void Log(absl::string_view level, absl::string_view event, const LogFields& fields);
  // As Log, but gives up (false) when another line is still being written
  // after `wait` (stderr blocked by a reader that stopped reading): for a
  // caller that must go on regardless, as a forced shutdown.
  bool TryLog(absl::string_view level, absl::string_view event, const LogFields& fields,
              absl::Duration wait);
  // The line Log() would write, without the newline (for tests).
  std::string Format(absl::string_view level, absl::string_view event, const LogFields& fields) const;

 private:
  // `line` and a newline, flushed; mu_ held.
  void WriteLineLocked(const std::string& line);

  const LogFormat format_;
  std::ostream* const out_;
  const Clock* const clock_;
  std::timed_mutex mu_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_EVENT_LOG_H_
