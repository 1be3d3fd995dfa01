// `holdfast assign`: one unit (text or JSON) or a file of units (CSV or JSON
// lines out).
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/cli_app.h"
#include "client/cli_connect.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {

using holdfast::client::HoldfastClient;
namespace {

constexpr int kBatchSize = 10000;

struct AssignFlags {
  ServerFlags server;
  std::string journey;
  std::optional<std::string> unit;
  std::optional<std::string> units_file;
  std::optional<std::string> at;
  std::vector<std::string> attrs;
  bool dry_run = false;
  bool skip_header = false;
  std::string format = "text";
};

const char* GroupName(holdfast::v1::Group g) { return holdfast::v1::Group_Name(g).c_str(); }

absl::Status FillCommon(const AssignFlags& flags, google::protobuf::Timestamp* at, bool* has_at,
                        google::protobuf::Map<std::string, std::string>* attributes) {
  *has_at = false;
  if (flags.at) {
    absl::StatusOr<UnixMicros> t = ParseTime(*flags.at);
    if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat("--at: ", t.status().message()));
    at->set_seconds(*t / 1000000);
    at->set_nanos(static_cast<int32_t>(*t % 1000000) * 1000);
    *has_at = true;
  }
  for (const std::string& kv : flags.attrs) {
    std::vector<std::string> parts = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--attr '", kv, "': want KEY=VALUE"));
    }
    (*attributes)[parts[0]] = parts[1];
  }
  return absl::OkStatus();
}

// One assignment as a JSON object with every field, proto field names.
std::string Json(const holdfast::v1::Assignment& a) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(a, &json, options);
  return json;
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

int AssignFile(HoldfastClient& client, const AssignFlags& flags) {
  const std::string& path = *flags.units_file;
  holdfast::v1::BatchAssignRequest request;
  request.set_journey(flags.journey);
  bool has_at = false;
  if (absl::Status s = FillCommon(flags, request.mutable_at(), &has_at, request.mutable_attributes()); !s.ok()) {
    return ReportError("assign", s, /*usage=*/true);
  }
  if (!has_at) request.clear_at();
  request.set_dry_run(flags.dry_run);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) return ReportError("assign", absl::NotFoundError(absl::StrCat("cannot open ", path)), true);
    in = &file;
  }
  const bool json = flags.format == "json";
  if (!json) std::cout << "unit,group,arm,period,in_washout,new_entry\n";
  std::string line;
  int64_t line_no = 0;
  std::vector<int64_t> lines;  // source line of each unit in the batch, for errors
  auto flush = [&]() -> bool {
    if (request.units_size() == 0) return true;
    absl::StatusOr<holdfast::v1::BatchAssignResponse> resp = client.BatchAssign(request);
    if (!resp.ok()) {
      absl::Status s = resp.status();
      ReportServerError("assign",
                        absl::Status(s.code(), absl::StrCat(path, " (lines ", lines.front(), "-", lines.back(),
                                                            "): ", s.message())),
                        flags.server.address());
      return false;
    }
    for (const auto& a : resp->assignments()) {
      if (json) {
        std::cout << Json(a) << '\n';
      } else {
        std::cout << CsvField(a.unit()) << ',' << GroupName(a.group()) << ',' << CsvField(a.arm()) << ','
                  << a.period() << ',' << (a.in_washout() ? "true" : "false") << ','
                  << (a.new_entry() ? "true" : "false") << '\n';
      }
    }
    request.clear_units();
    lines.clear();
    return true;
  };
  while (std::getline(*in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && flags.skip_header) continue;
    if (line.empty()) continue;
    request.add_units(line);
    lines.push_back(line_no);
    if (request.units_size() == kBatchSize && !flush()) return 1;
  }
  return flush() ? 0 : 1;
}

int RunAssign(const AssignFlags& flags) {
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(flags.server);
  if (!connected.ok()) return ReportError("assign", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  if (flags.units_file) return AssignFile(*client, flags);
  holdfast::v1::AssignRequest request;
  request.set_journey(flags.journey);
  bool has_at = false;
  if (absl::Status s = FillCommon(flags, request.mutable_at(), &has_at, request.mutable_attributes()); !s.ok()) {
    return ReportError("assign", s, true);
  }
  if (!has_at) request.clear_at();
  request.set_unit(*flags.unit);
  request.set_dry_run(flags.dry_run);
  absl::StatusOr<holdfast::v1::AssignResponse> resp = client->Assign(request);
  if (!resp.ok()) return ReportServerError("assign", resp.status(), flags.server.address());
  const holdfast::v1::Assignment& a = resp->assignment();
  if (flags.format == "json") {
    std::cout << Json(a) << "\n";
  } else {
    std::cout << "unit=" << a.unit() << " journey=" << a.journey() << " group=" << GroupName(a.group())
              << " arm=" << a.arm() << " period=" << a.period() << " config_version=" << a.config_version()
              << (a.in_washout() ? " in_washout=true" : "") << (a.new_entry() ? " new_entry=true" : "")
              << "\n";
  }
  return 0;
}

}  // namespace

void AddAssignCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<AssignFlags>();
  CLI::App* cmd = app.add_subcommand("assign", "treat or hold out a unit (or a file of units)");
  AddServerOptions(cmd, &flags->server);
  cmd->add_option("--journey", flags->journey, "journey id from the config")->required();
  CLI::Option* unit = cmd->add_option("--unit", flags->unit, "the unit (customer) id");
  CLI::Option* file = cmd->add_option("--units-file", flags->units_file,
                                      "file with one unit id per line ('-': stdin); prints CSV or JSON lines");
  unit->excludes(file);
  file->excludes(unit);
  cmd->add_option("--at", flags->at, "entry time: RFC 3339, a date or epoch seconds (default: now)");
  cmd->add_option("--attr", flags->attrs, "KEY=VALUE attribute for targeting; repeat for more")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", flags->dry_run, "decide without recording the entry");
  cmd->add_flag("--skip-header", flags->skip_header, "with --units-file: the first line is a header");
  cmd->add_option("--format", flags->format, "text|json; with --units-file csv (text) or JSON lines")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([flags, exit_code] {
    if (!flags->unit && !flags->units_file) {
      throw CLI::RequiredError("--unit or --units-file");
    }
    if (flags->skip_header && !flags->units_file) throw CLI::ValidationError("--skip-header needs --units-file");
    *exit_code = RunAssign(*flags);
  });
}

}  // namespace holdfast::cli
