// `holdfast journeys`, `holdfast ping`, `holdfast config history|reload`.
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "client/cli_connect.h"
#include "client/cli_flags.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/holdfast_client.h"
#include "google/protobuf/text_format.h"
#include "lib/base/time_util.h"

namespace holdfast::cli {

using holdfast::client::HoldfastClient;
namespace {

UnixMicros ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

}  // namespace

int RunJourneysCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(argc, argv, {{"server"}, {"verbose"}});
  if (!flags.ok()) return ReportError("journeys", flags.status(), true);
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(*flags);
  if (!connected.ok()) return ReportError("journeys", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  absl::StatusOr<holdfast::v1::ListJourneysResponse> resp = client->ListJourneys();
  if (!resp.ok()) return ReportError("journeys", resp.status());
  std::cout << "config_version: " << resp->config_version() << "\n";
  if (flags->Has("verbose")) {
    std::string text;
    google::protobuf::TextFormat::PrintToString(*resp, &text);
    std::cout << text;
    return 0;
  }
  std::cout << absl::StrFormat("global_holdout share=%g\n", resp->global_holdout().share());
  for (const auto& j : resp->journeys()) {
    std::string arms;
    for (const auto& a : j.arms()) arms += absl::StrFormat("%s%s:%d", arms.empty() ? "" : ",", a.name(), a.weight());
    std::cout << absl::StrFormat("%-20s holdout=%g rotation=%s arms=%s\n", j.id(), j.holdout_share(),
                                 holdfast::v1::Rotation::Scheme_Name(j.rotation().scheme()), arms);
  }
  return 0;
}

int RunPingCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(argc, argv, {{"server"}, {}});
  if (!flags.ok()) return ReportError("ping", flags.status(), true);
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(*flags);
  if (!connected.ok()) return ReportError("ping", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  if (absl::Status s = client->Ping(); !s.ok()) return ReportError("ping", s);
  std::cout << "ok\n";
  return 0;
}

int RunConfigCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(argc, argv, {{"server", "limit", "path"}, {}});
  if (!flags.ok() || flags->positional().size() != 1) {
    std::cerr << "usage: holdfast config history [--limit N] | holdfast config reload [--path P]\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<HoldfastClient>> connected = ConnectFromFlags(*flags);
  if (!connected.ok()) return ReportError("config", connected.status(), true);
  std::unique_ptr<HoldfastClient> client = *std::move(connected);
  const std::string& verb = flags->positional()[0];
  if (verb == "history") {
    int limit = 0;
    if (!absl::SimpleAtoi(flags->GetOr("limit", "0"), &limit) || limit < 0) {
      return ReportError("config", absl::InvalidArgumentError("--limit must be a whole number >= 0"), true);
    }
    absl::StatusOr<holdfast::v1::ConfigHistoryResponse> resp = client->ConfigHistory(limit);
    if (!resp.ok()) return ReportError("config", resp.status());
    for (const auto& v : resp->versions()) {
      std::cout << v.version() << "  " << FormatTime(ToMicros(v.loaded_at())) << "  " << v.source_path()
                << "\n";
      if (!v.diff_summary().empty()) {
        for (absl::string_view line : absl::StrSplit(v.diff_summary(), '\n')) {
          if (!line.empty()) std::cout << "    " << line << "\n";
        }
      }
    }
    return 0;
  }
  if (verb == "reload") {
    absl::StatusOr<holdfast::v1::ReloadConfigResponse> resp = client->ReloadConfig(flags->GetOr("path", ""));
    if (!resp.ok()) return ReportError("config", resp.status());
    std::cout << (resp->changed() ? "now serving " : "unchanged, serving ") << resp->serving().version()
              << "\n";
    return 0;
  }
  return ReportError("config", absl::InvalidArgumentError("unknown verb '" + verb + "'"), true);
}

}  // namespace holdfast::cli
