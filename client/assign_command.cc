// `holdfast assign`: one unit (text or JSON) or a file of units (CSV out).
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cli_connect.h"
#include "client/cli_flags.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {

using holdfast::client::HoldfastClient;
namespace {

constexpr int kBatchSize = 10000;
constexpr char kUsage[] =
    "usage: holdfast assign [--server ADDR] --journey J (--unit U | --units-file F)\n"
    "                       [--at TIME] [--attr KEY=VALUE]... [--dry-run] [--format text|json]\n";

const char* GroupName(holdfast::v1::Group g) { return holdfast::v1::Group_Name(g).c_str(); }

absl::Status FillCommon(const ParsedFlags& flags, std::string* journey,
                        google::protobuf::Timestamp* at, bool* has_at,
                        google::protobuf::Map<std::string, std::string>* attributes) {
  *journey = flags.GetOr("journey", "");
  if (journey->empty()) return absl::InvalidArgumentError("--journey is required");
  *has_at = false;
  if (std::optional<std::string> text = flags.Get("at")) {
    absl::StatusOr<UnixMicros> t = ParseTime(*text);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--at: ", t.status().message()));
    at->set_seconds(*t / 1000000);
    at->set_nanos(static_cast<int32_t>(*t % 1000000) * 1000);
    *has_at = true;
  }
  for (const std::string& kv : flags.GetAll("attr")) {
    std::vector<std::string> parts = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--attr '", kv, "': want KEY=VALUE"));
    }
    (*attributes)[parts[0]] = parts[1];
  }
  return absl::OkStatus();
}

// Quotes a CSV field when needed (RFC 4180).
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int AssignFile(HoldfastClient& client, const ParsedFlags& flags, const std::string& path) {
  holdfast::v1::BatchAssignRequest request;
  bool has_at = false;
  if (absl::Status s = FillCommon(flags, request.mutable_journey(), request.mutable_at(), &has_at,
                                  request.mutable_attributes());
      !s.ok()) {
    return ReportError("assign", s, /*usage=*/true);
  }
  if (!has_at) request.clear_at();
  request.set_dry_run(flags.Has("dry-run"));
  std::ifstream in(path);
  if (!in) return ReportError("assign", absl::NotFoundError(absl::StrCat("cannot open ", path)), true);
  std::cout << "unit,group,arm,period\n";
  std::string line;
  int64_t line_no = 0;
  std::vector<int64_t> lines;  // source line of each unit in the batch, for errors
  auto flush = [&]() -> bool {
    if (request.units_size() == 0) return true;
    absl::StatusOr<holdfast::v1::BatchAssignResponse> resp = client.BatchAssign(request);
    if (!resp.ok()) {
      absl::Status s = resp.status();
      ReportError("assign", absl::Status(s.code(), absl::StrCat(path, " (lines ", lines.front(), "-",
                                                                  lines.back(), "): ", s.message())));
      return false;
    }
    for (const auto& a : resp->assignments()) {
      std::cout << CsvField(a.unit()) << ',' << GroupName(a.group()) << ',' << CsvField(a.arm()) << ','
                << a.period() << '\n';
    }
    request.clear_units();
    lines.clear();
    return true;
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    request.add_units(line);
    lines.push_back(line_no);
    if (request.units_size() == kBatchSize && !flush()) return 1;
  }
  return flush() ? 0 : 1;
}

}  // namespace

int RunAssignCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags =
      ParseFlags(argc, argv, {{"server", "journey", "unit", "units-file", "at", "attr", "format"},
                              {"dry-run"}});
  if (!flags.ok()) {
    std::cerr << kUsage;
    return ReportError("assign", flags.status(), true);
  }
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(*flags);
  if (!connected.ok()) return ReportError("assign", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  if (std::optional<std::string> file = flags->Get("units-file")) {
    return AssignFile(*client, *flags, *file);
  }
  holdfast::v1::AssignRequest request;
  bool has_at = false;
  if (absl::Status s = FillCommon(*flags, request.mutable_journey(), request.mutable_at(), &has_at,
                                  request.mutable_attributes());
      !s.ok()) {
    std::cerr << kUsage;
    return ReportError("assign", s, true);
  }
  if (!has_at) request.clear_at();
  if (!flags->Has("unit")) {
    std::cerr << kUsage;
    return ReportError("assign", absl::InvalidArgumentError("--unit or --units-file is required"), true);
  }
  request.set_unit(flags->GetOr("unit", ""));
  request.set_dry_run(flags->Has("dry-run"));
  const std::string format = flags->GetOr("format", "text");
  if (format != "text" && format != "json") {
    return ReportError("assign", absl::InvalidArgumentError("--format must be text or json"), true);
  }
  absl::StatusOr<holdfast::v1::AssignResponse> resp = client->Assign(request);
  if (!resp.ok()) return ReportError("assign", resp.status());
  const holdfast::v1::Assignment& a = resp->assignment();
  if (format == "json") {
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(a, &json, options);
    std::cout << json << "\n";
  } else {
    std::cout << "unit=" << a.unit() << " journey=" << a.journey() << " group=" << GroupName(a.group())
              << " arm=" << a.arm() << " period=" << a.period() << " config_version=" << a.config_version()
              << (a.in_washout() ? " in_washout=true" : "") << (a.new_entry() ? " new_entry=true" : "")
              << "\n";
  }
  return 0;
}

}  // namespace holdfast::cli
