// `holdfast report`: asks the server for a lift report (or the program
// report) and renders it as a table, JSON, CSV or one HTML file.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli_app.h"
#include "client/cli_connect.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "client/report_render.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {
namespace {

using holdfast::client::FromGrpcStatus;
using holdfast::client::HoldfastClient;

struct ReportFlags {
  ServerFlags server;
  std::vector<std::string> journeys;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<int64_t> first_period;
  std::optional<int64_t> last_period;
  std::string segment_by;
  // --by period|week|month: trend buckets ("" = none).
  std::string by;
  std::optional<std::string> as_of;
  bool cuped = false;
  bool sequential = false;
  std::optional<double> sequential_tuning;
  // --channels: also the channel table and the cost components.
  bool channels = false;
  double confidence = 0.95;
  bool program = false;
  std::string format = "table";
  std::optional<std::string> out;
};

google::protobuf::Timestamp ToTimestamp(UnixMicros t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(FloorDiv(t, 1000000));
  ts.set_nanos(static_cast<int32_t>((t - FloorDiv(t, 1000000) * 1000000) * 1000));
  return ts;
}

absl::Status ParseRange(const ReportFlags& flags, google::protobuf::Timestamp* from, bool* has_from,
                        google::protobuf::Timestamp* to, bool* has_to) {
  *has_from = *has_to = false;
  if (const auto& f = flags.from) {
    absl::StatusOr<UnixMicros> t = ParseTime(*f);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--from: ", t.status().message()));
    *from = ToTimestamp(*t);
    *has_from = true;
  }
  if (const auto& f = flags.to) {
    absl::StatusOr<UnixMicros> t = ParseTime(*f);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--to: ", t.status().message()));
    *to = ToTimestamp(*t);
    *has_to = true;
  }
  return absl::OkStatus();
}

int Emit(const std::string& text, const ReportFlags& flags) {
  if (const auto& out = flags.out) {
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
      return ReportError("report", absl::UnavailableError(absl::StrCat("cannot write ", *out)));
    }
    std::cerr << "wrote " << *out << "\n";
    return 0;
  }
  std::cout << text;
  return 0;
}

int RunReport(const ReportFlags& flags) {
  absl::StatusOr<ReportFormat> format = ParseReportFormat(flags.format);
  if (!format.ok()) return ReportError("report", format.status(), true);
  const std::string server = flags.server.address();
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(flags.server);
  if (!connected.ok()) return ReportError("report", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  client->set_timeout(std::chrono::minutes(10));  // big reports scan every entry

  if (flags.program) {
    holdfast::v1::ProgramReportRequest req;
    bool has_from, has_to;
    if (absl::Status s = ParseRange(flags, req.mutable_from(), &has_from, req.mutable_to(), &has_to); !s.ok()) {
      return ReportError("report", s, true);
    }
    if (!has_from) req.clear_from();
    if (!has_to) req.clear_to();
    req.set_confidence(flags.confidence);
    if (flags.as_of) {
      absl::StatusOr<UnixMicros> t = ParseTime(*flags.as_of);
      if (!t.ok()) {
        return ReportError("report", absl::InvalidArgumentError(absl::StrCat("--as-of: ", t.status().message())),
                           true);
      }
      *req.mutable_as_of() = ToTimestamp(*t);
    }
    holdfast::v1::ProgramReport resp;
    auto ctx = client->NewContext();
    grpc::Status st = client->reports()->GetProgramReport(ctx.get(), req, &resp);
    if (!st.ok()) return ReportServerError("report", FromGrpcStatus(st), server);
    return Emit(RenderProgramReport(resp, *format), flags);
  }

  holdfast::v1::LiftReportRequest req;
  for (const std::string& j : flags.journeys) req.add_journeys(j);
  bool has_from, has_to;
  if (absl::Status s = ParseRange(flags, req.mutable_from(), &has_from, req.mutable_to(), &has_to); !s.ok()) {
    return ReportError("report", s, true);
  }
  if (!has_from) req.clear_from();
  if (!has_to) req.clear_to();
  if (flags.first_period) req.set_first_period(*flags.first_period);
  if (flags.last_period) req.set_last_period(*flags.last_period);
  if (flags.sequential_tuning) req.set_sequential_tuning_entries(*flags.sequential_tuning);
  if (flags.as_of) {
    absl::StatusOr<UnixMicros> t = ParseTime(*flags.as_of);
    if (!t.ok()) {
      return ReportError("report", absl::InvalidArgumentError(absl::StrCat("--as-of: ", t.status().message())), true);
    }
    *req.mutable_as_of() = ToTimestamp(*t);
  }
  req.set_segment_by(flags.segment_by);
  if (flags.by == "period") req.set_trend_by(holdfast::v1::TREND_BY_PERIOD);
  if (flags.by == "week") req.set_trend_by(holdfast::v1::TREND_BY_WEEK);
  if (flags.by == "month") req.set_trend_by(holdfast::v1::TREND_BY_MONTH);
  req.set_cuped(flags.cuped);
  req.set_sequential(flags.sequential);
  req.set_channels(flags.channels);
  req.set_confidence(flags.confidence);
  holdfast::v1::LiftReport resp;
  auto ctx = client->NewContext();
  grpc::Status st = client->reports()->GetLiftReport(ctx.get(), req, &resp);
  if (!st.ok()) return ReportServerError("report", FromGrpcStatus(st), server);
  return Emit(RenderLiftReport(resp, *format), flags);
}

}  // namespace

void AddReportCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand("report", "lift / iROAS report, or --program for the whole CRM program");
  AddServerOptions(cmd, &flags->server);
  CLI::Option* journey =
      cmd->add_option("--journey", flags->journeys, "journey to report; repeat for more (default: all)")
          ->allow_extra_args(false);
  cmd->add_option("--from", flags->from, "start of the entry range T (inclusive)");
  cmd->add_option("--to", flags->to, "end of the entry range T (exclusive)");
  CLI::Option* first = cmd->add_option("--first-period", flags->first_period, "first rotation period K");
  CLI::Option* last = cmd->add_option("--last-period", flags->last_period, "last rotation period K");
  CLI::Option* segment = cmd->add_option("--segment-by", flags->segment_by, "entry attribute KEY to split rows by");
  CLI::Option* by =
      cmd->add_option("--by", flags->by,
                      "trend of each journey's lift and iROAS per rotation period, UTC week (from "
                      "Monday) or UTC month of entry")
          ->check(CLI::IsMember({"period", "week", "month"}));
  cmd->add_option(
      "--as-of", flags->as_of,
      "T: only events before T count; lift: entries whose window has not ended by T are excluded; "
      "program: periods not finished by T are left out (default: now); "
      "a fixed --as-of reproduces the report later");
  cmd->add_flag("--cuped", flags->cuped, "variance reduction with the pre-entry covariate");
  cmd->add_flag("--sequential", flags->sequential, "always-valid (sequential) intervals");
  cmd->add_flag("--channels", flags->channels,
                "also the channel table (sends, cost, last-touch attributed revenue per channel) and "
                "K by component; one more store pass per journey (about 1.3x the report's time)");
  cmd->add_option("--sequential-tuning", flags->sequential_tuning, "entries the sequential bound is tuned for")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--confidence", flags->confidence, "interval confidence level, in (0, 1)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  CLI::Option* program = cmd->add_flag("--program", flags->program,
                                       "global holdout vs everyone else across all journeys, per global period");
  for (CLI::Option* o : {journey, first, last, segment, by}) program->excludes(o);
  cmd->add_option("--format", flags->format, "table|json|csv|html")
      ->check(CLI::IsMember({"table", "json", "csv", "html"}))
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "write to FILE instead of stdout");
  cmd->footer(
      "T: RFC 3339 time, a date (UTC midnight) or seconds since the epoch; the range is [from, to).");
  cmd->callback([flags, exit_code] {
    if (!(flags->confidence > 0.0 && flags->confidence < 1.0)) {
      throw CLI::ValidationError("--confidence", "must be a number in (0, 1), e.g. 0.95");
    }
    *exit_code = RunReport(*flags);
  });
}

}  // namespace holdfast::cli
