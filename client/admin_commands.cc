// `holdfast journeys`, `holdfast ping`, `holdfast config history|reload`.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "client/cli_app.h"
#include "client/cli_connect.h"
#include "client/cli_output.h"
#include "client/config_history_mix.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {

using holdfast::client::HoldfastClient;
namespace {

UnixMicros ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

std::string Json(const google::protobuf::Message& m) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &json, options);
  return json;
}

// "none" for no rotation (the proto's zero value), else the lower-case name.
std::string RotationName(holdfast::v1::Rotation::Scheme scheme) {
  if (scheme == holdfast::v1::Rotation::SCHEME_UNSPECIFIED) return "none";
  return absl::AsciiStrToLower(holdfast::v1::Rotation::Scheme_Name(scheme));
}

// The history rows carry "state: ..." lines the server reads back on restart
// (internal bookkeeping with sentinel values); people and scripts get the
// rest of the summary.
std::string PublicSummary(const std::string& diff_summary) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(diff_summary, '\n')) {
    if (line.empty() || absl::StartsWith(line, "state: ")) continue;
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

struct JourneysFlags {
  ServerFlags server;
  std::string format = "text";
  bool verbose = false;
};

int RunJourneys(const JourneysFlags& flags) {
  const std::string server = flags.server.address();
  absl::StatusOr<std::unique_ptr<HoldfastClient>> client = ConnectFromFlags(flags.server);
  if (!client.ok()) return ReportError("journeys", client.status(), true);
  absl::StatusOr<holdfast::v1::ListJourneysResponse> resp = (*client)->ListJourneys();
  if (!resp.ok()) return ReportServerError("journeys", resp.status(), server);
  if (flags.format == "json") {
    std::cout << Json(*resp) << "\n";
    return 0;
  }
  std::cout << "config_version: " << resp->config_version() << "\n";
  if (flags.verbose) {
    std::string text;
    google::protobuf::TextFormat::PrintToString(*resp, &text);
    std::cout << text;
    return 0;
  }
  std::cout << "global_holdout share=" << Share(resp->global_holdout().share()) << "\n";
  for (const auto& j : resp->journeys()) {
    std::string arms;
    for (const auto& a : j.arms()) arms += absl::StrFormat("%s%s:%d", arms.empty() ? "" : ",", a.name(), a.weight());
    std::cout << absl::StrFormat("%-20s holdout=%s rotation=%s arms=%s\n", j.id(), Share(j.holdout_share()),
                                 RotationName(j.rotation().scheme()), arms);
  }
  return 0;
}

struct HistoryFlags {
  ServerFlags server;
  int limit = 0;
  std::string format = "text";
};

int RunHistory(const HistoryFlags& flags) {
  const std::string server = flags.server.address();
  absl::StatusOr<std::unique_ptr<HoldfastClient>> client = ConnectFromFlags(flags.server);
  if (!client.ok()) return ReportError("config history", client.status(), true);
  absl::StatusOr<holdfast::v1::ConfigHistoryResponse> resp = (*client)->ConfigHistory(flags.limit);
  if (!resp.ok()) return ReportServerError("config history", resp.status(), server);
  for (auto& v : *resp->mutable_versions()) v.set_diff_summary(PublicSummary(v.diff_summary()));
  if (flags.format == "json") {
    std::cout << Json(*resp) << "\n";
    return 0;
  }
  for (const auto& v : resp->versions()) {
    std::cout << v.version() << "  " << FormatTime(ToMicros(v.loaded_at())) << "  "
              << (v.replica().empty() ? "" : v.replica() + "  ") << v.source_path() << "\n";
    for (absl::string_view line : absl::StrSplit(v.diff_summary(), '\n', absl::SkipEmpty())) {
      std::cout << "    " << line << "\n";
    }
  }
  // Replicas sharing the store record their loads in one history.
  const std::vector<std::string> mixed = DescribeMixedVersions(resp->versions());
  if (!mixed.empty()) {
    std::cout << "replicas (from the loads above, oldest first):\n";
    for (const std::string& line : mixed) std::cout << "  " << line;
  }
  return 0;
}

struct ReloadFlags {
  ServerFlags server;
  std::string path;
};

int RunReload(const ReloadFlags& flags) {
  const std::string server = flags.server.address();
  // The server resolves paths against its own directory; the user means hers.
  std::string path = flags.path;
  if (!path.empty()) {
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    if (!error) path = absolute.lexically_normal().string();
  }
  absl::StatusOr<std::unique_ptr<HoldfastClient>> client = ConnectFromFlags(flags.server);
  if (!client.ok()) return ReportError("config reload", client.status(), true);
  absl::StatusOr<holdfast::v1::ReloadConfigResponse> resp = (*client)->ReloadConfig(path);
  if (!resp.ok()) return ReportServerError("config reload", resp.status(), server);
  std::cout << (resp->changed() ? "now serving " : "unchanged, serving ") << resp->serving().version() << "\n";
  return 0;
}

}  // namespace

void AddJourneysCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<JourneysFlags>();
  CLI::App* cmd = app.add_subcommand("journeys", "list configured journeys");
  AddServerOptions(cmd, &flags->server);
  cmd->add_option("--format", flags->format, "text|json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_flag("--verbose", flags->verbose, "print the whole response in text format");
  cmd->callback([flags, exit_code] { *exit_code = RunJourneys(*flags); });
}

void AddPingCommand(CLI::App& app, int* exit_code) {
  auto server = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand("ping", "check that the server answers");
  AddServerOptions(cmd, server.get());
  cmd->callback([server, exit_code] {
    absl::StatusOr<std::unique_ptr<HoldfastClient>> client = ConnectFromFlags(*server);
    if (!client.ok()) {
      *exit_code = ReportError("ping", client.status(), true);
      return;
    }
    if (absl::Status s = (*client)->Ping(); !s.ok()) {
      *exit_code = ReportServerError("ping", s, server->address());
      return;
    }
    std::cout << "ok\n";
    *exit_code = 0;
  });
}

void AddConfigCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("config", "config history | reload");
  cmd->require_subcommand(1);

  auto history = std::make_shared<HistoryFlags>();
  CLI::App* h = cmd->add_subcommand("history", "configs the server has served, newest first");
  AddServerOptions(h, &history->server);
  h->add_option("--limit", history->limit, "at most this many versions (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  h->add_option("--format", history->format, "text|json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  h->callback([history, exit_code] { *exit_code = RunHistory(*history); });

  auto reload = std::make_shared<ReloadFlags>();
  CLI::App* r = cmd->add_subcommand("reload", "load the config again (or from --path) and serve it if valid");
  AddServerOptions(r, &reload->server);
  r->add_option("--path", reload->path,
                "config file or directory, relative to this directory (default: the server's own path)");
  r->callback([reload, exit_code] { *exit_code = RunReload(*reload); });
}

}  // namespace holdfast::cli
