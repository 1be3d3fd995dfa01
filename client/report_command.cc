// `holdfast report`: asks the server for a lift report (or the program
// report) and renders it as a table, JSON, CSV or one HTML file.
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli_connect.h"
#include "client/cli_flags.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "client/report_render.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {
namespace {

using holdfast::client::FromGrpcStatus;
using holdfast::client::HoldfastClient;

constexpr char kUsage[] =
    "usage: holdfast report [--server ADDR] [--journey J]... [--from T] [--to T]\n"
    "         [--first-period K] [--last-period K] [--segment-by KEY] [--as-of T] [--cuped]\n"
    "         [--sequential] [--confidence 0.95] [--program]\n"
    "         [--format table|json|csv|html] [--out FILE]\n"
    "T: RFC 3339 time, a date (UTC midnight) or seconds since the epoch; the range is [from, to).\n"
    "--as-of T: only events before T count and entries whose window has not ended by T are\n"
    "  excluded (default: now); a fixed --as-of reproduces the report later.\n"
    "--program: global holdout vs everyone else across all journeys, per global period.\n";

google::protobuf::Timestamp ToTimestamp(UnixMicros t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(FloorDiv(t, 1000000));
  ts.set_nanos(static_cast<int32_t>((t - FloorDiv(t, 1000000) * 1000000) * 1000));
  return ts;
}

absl::Status ParseRange(const ParsedFlags& flags, google::protobuf::Timestamp* from, bool* has_from,
                        google::protobuf::Timestamp* to, bool* has_to) {
  *has_from = *has_to = false;
  if (auto f = flags.Get("from")) {
    absl::StatusOr<UnixMicros> t = ParseTime(*f);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--from: ", t.status().message()));
    *from = ToTimestamp(*t);
    *has_from = true;
  }
  if (auto f = flags.Get("to")) {
    absl::StatusOr<UnixMicros> t = ParseTime(*f);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--to: ", t.status().message()));
    *to = ToTimestamp(*t);
    *has_to = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ParseConfidence(const ParsedFlags& flags) {
  double c = 0.95;
  if (auto v = flags.Get("confidence")) {
    if (!absl::SimpleAtod(*v, &c) || !(c > 0.0 && c < 1.0)) {
      return absl::InvalidArgumentError("--confidence: must be a number in (0, 1), e.g. 0.95");
    }
  }
  return c;
}

int Emit(const std::string& text, const ParsedFlags& flags) {
  if (auto out = flags.Get("out")) {
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

}  // namespace

int RunReportCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(
      argc, argv,
      {{"server", "journey", "from", "to", "first-period", "last-period", "segment-by",
        "confidence", "format", "out", "sequential-tuning", "as-of"},
       {"cuped", "sequential", "program", "help"}});
  if (!flags.ok()) {
    std::cerr << kUsage;
    return ReportError("report", flags.status(), true);
  }
  if (flags->Has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!flags->positional().empty()) {
    std::cerr << kUsage;
    return ReportError("report", absl::InvalidArgumentError("unexpected argument"), true);
  }
  absl::StatusOr<ReportFormat> format = ParseReportFormat(flags->GetOr("format", "table"));
  if (!format.ok()) return ReportError("report", format.status(), true);
  absl::StatusOr<double> confidence = ParseConfidence(*flags);
  if (!confidence.ok()) return ReportError("report", confidence.status(), true);

  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(*flags);
  if (!connected.ok()) return ReportError("report", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  client->set_timeout(std::chrono::minutes(10));  // big reports scan every entry

  if (flags->Has("program")) {
    for (const char* f : {"journey", "segment-by", "first-period", "last-period", "as-of"}) {
      if (flags->Has(f)) {
        return ReportError("report", absl::InvalidArgumentError(absl::StrCat(
                                         "--", f, " does not apply to --program")), true);
      }
    }
    holdfast::v1::ProgramReportRequest req;
    bool has_from, has_to;
    if (absl::Status s = ParseRange(*flags, req.mutable_from(), &has_from, req.mutable_to(), &has_to);
        !s.ok()) {
      return ReportError("report", s, true);
    }
    if (!has_from) req.clear_from();
    if (!has_to) req.clear_to();
    req.set_confidence(*confidence);
    holdfast::v1::ProgramReport resp;
    auto ctx = client->NewContext();
    grpc::Status st = client->reports()->GetProgramReport(ctx.get(), req, &resp);
    if (!st.ok()) return ReportError("report", FromGrpcStatus(st));
    return Emit(RenderProgramReport(resp, *format), *flags);
  }

  holdfast::v1::LiftReportRequest req;
  for (const std::string& j : flags->GetAll("journey")) req.add_journeys(j);
  bool has_from, has_to;
  if (absl::Status s = ParseRange(*flags, req.mutable_from(), &has_from, req.mutable_to(), &has_to);
      !s.ok()) {
    return ReportError("report", s, true);
  }
  if (!has_from) req.clear_from();
  if (!has_to) req.clear_to();
  for (const char* f : {"first-period", "last-period"}) {
    if (auto v = flags->Get(f)) {
      int64_t k;
      if (!absl::SimpleAtoi(*v, &k)) {
        return ReportError("report", absl::InvalidArgumentError(absl::StrCat("--", f, ": not an integer")), true);
      }
      if (std::string(f) == "first-period") req.set_first_period(k);
      else req.set_last_period(k);
    }
  }
  if (auto v = flags->Get("sequential-tuning")) {
    double n;
    if (!absl::SimpleAtod(*v, &n) || !(n > 0)) {
      return ReportError("report", absl::InvalidArgumentError("--sequential-tuning: must be > 0"), true);
    }
    req.set_sequential_tuning_entries(n);
  }
  if (auto v = flags->Get("as-of")) {
    absl::StatusOr<UnixMicros> t = ParseTime(*v);
    if (!t.ok()) return ReportError("report", absl::InvalidArgumentError(absl::StrCat("--as-of: ", t.status().message())), true);
    *req.mutable_as_of() = ToTimestamp(*t);
  }
  req.set_segment_by(flags->GetOr("segment-by", ""));
  req.set_cuped(flags->Has("cuped"));
  req.set_sequential(flags->Has("sequential"));
  req.set_confidence(*confidence);
  holdfast::v1::LiftReport resp;
  auto ctx = client->NewContext();
  grpc::Status st = client->reports()->GetLiftReport(ctx.get(), req, &resp);
  if (!st.ok()) return ReportError("report", FromGrpcStatus(st));
  return Emit(RenderLiftReport(resp, *format), *flags);
}

}  // namespace holdfast::cli
