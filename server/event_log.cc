#include "server/event_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/time_util.h"

namespace holdfast::server {
namespace {

// JSON string body: quotes, backslashes and control bytes escaped; other
// bytes (UTF-8) as they are.
void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Text values are quoted (JSON-style) when they hold a space, quote, '=' or
// control byte, so a line always splits back into key=value pairs.
void AppendTextValue(std::string* out, absl::string_view s) {
  const bool plain = !s.empty() && s.find_first_of(" \"=\t\r\n\\") == absl::string_view::npos;
  if (plain) {
    out->append(s.data(), s.size());
  } else {
    AppendJsonString(out, s);
  }
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError("--log_format: want text or json");
}

EventLog::EventLog(LogFormat format, std::ostream* out, const Clock* clock)
    : format_(format), out_(out), clock_(clock) {}

std::string EventLog::Format(absl::string_view level, absl::string_view event, const LogFields& fields) const {
  const std::string ts = FormatTime(clock_->NowMicros());
  std::string line;
  if (format_ == LogFormat::kJson) {
    line = "{\"ts\":";
    AppendJsonString(&line, ts);
    line.append(",\"level\":");
    AppendJsonString(&line, level);
    line.append(",\"event\":");
    AppendJsonString(&line, event);
    for (const auto& [key, value] : fields) {
      line.push_back(',');
      AppendJsonString(&line, key);
      line.push_back(':');
      AppendJsonString(&line, value);
    }
    line.push_back('}');
    return line;
  }
  line = absl::StrCat(ts, " ", level, " ", event);
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, " ", key, "=");
    AppendTextValue(&line, value);
  }
  return line;
}

void EventLog::Log(absl::string_view level, absl::string_view event, const LogFields& fields) {
  const std::string line = Format(level, event, fields);
  std::lock_guard<std::timed_mutex> lock(mu_);
  WriteLineLocked(line);
}

bool EventLog::TryLog(absl::string_view level, absl::string_view event, const LogFields& fields,
                      absl::Duration wait) {
  const std::string line = Format(level, event, fields);
  std::unique_lock<std::timed_mutex> lock(mu_, absl::ToChronoNanoseconds(wait));
  if (!lock.owns_lock()) return false;
  WriteLineLocked(line);
  return true;
}

void EventLog::WriteLineLocked(const std::string& line) {
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->put('\n');
  out_->flush();
}

}  // namespace holdfast::server
