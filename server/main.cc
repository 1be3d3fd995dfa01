// holdfastd: maps flags to Options and runs the server until SIGINT/SIGTERM.
// SIGHUP reloads the config (an invalid one is logged and the old one kept).
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "holdfast_version.h"
#include "absl/strings/str_cat.h"
#include "lib/base/clock.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"

ABSL_FLAG(std::string, config, "holdfast.textproto",
          "Config file or directory of config files (text format or JSON).");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to listen on (port 0: any free port).");
ABSL_FLAG(std::string, db, "./holdfast.db", "SQLite store; created on first start.");
ABSL_FLAG(std::string, port_file, "", "If set, the bound port is written here once listening.");
ABSL_FLAG(std::string, sync, "normal",
          "SQLite durability: 'normal' survives a process kill, 'full' also a power loss.");
ABSL_FLAG(int, max_pending_records, 200000,
          "Records waiting for commit before writes answer RESOURCE_EXHAUSTED.");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port serving Prometheus metrics on /metrics (e.g. 127.0.0.1:9464); empty: off.");
ABSL_FLAG(std::string, log_format, "text", "Log lines on stderr as 'text' (key=value) or 'json' (one object a line).");
ABSL_FLAG(double, access_log_sample, 0.0,
          "Share of successful RPCs written to the access log, 0..1 (0: no access log; failed RPCs are "
          "always logged when above 0).");

namespace {

// absl's --help lists only flags defined in a file named like the program
// (holdfastd.cc), so ours, in server/main.cc, matched nothing: list the flags
// defined under server/ and leave out those of gRPC's and absl's own files.
bool IsHoldfastFlagFile(absl::string_view file) { return absl::StrContains(file, "server/"); }

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = IsHoldfastFlagFile;
  usage.contains_helpshort_flags = IsHoldfastFlagFile;
  // Build paths may be relative ("../server/main.cc"); show the repo path.
  usage.normalize_filename = [](absl::string_view file) {
    const size_t at = file.rfind("server/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  usage.version_string = [] { return std::string("holdfastd ") + holdfast::kVersionString + "\n"; };
  absl::SetFlagsUsageConfig(usage);
  absl::SetProgramUsageMessage(
      "Holdfast server: holdfastd --config PATH [--listen ADDR] [--db PATH] [flags]\n"
      "SIGHUP reloads the config; SIGINT/SIGTERM shut down cleanly.");
  absl::ParseCommandLine(argc, argv);

  // Block the signals we handle in every thread; a dedicated thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<holdfast::server::LogFormat> format = holdfast::server::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) {
    std::cerr << "holdfastd: " << format.status().message() << "\n";
    return 2;
  }
  holdfast::server::EventLog log(*format, &std::cerr, holdfast::RealClock::Get());
  const double sample = absl::GetFlag(FLAGS_access_log_sample);
  if (!(sample >= 0.0 && sample <= 1.0)) {
    log.Log("ERROR", "usage", {{"error", "--access_log_sample must be in [0, 1]"}});
    return 2;
  }
  if (absl::GetFlag(FLAGS_sync) != "normal" && absl::GetFlag(FLAGS_sync) != "full") {
    log.Log("ERROR", "usage", {{"error", "--sync must be 'normal' or 'full'"}});
    return 2;
  }

  holdfast::server::DaemonOptions options;
  options.config_path = absl::GetFlag(FLAGS_config);
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  options.sync_full = absl::GetFlag(FLAGS_sync) == "full";
  options.max_pending_records = absl::GetFlag(FLAGS_max_pending_records);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.log = &log;
  options.access_log_sample = sample;
  options.version = holdfast::kVersionString;

  absl::StatusOr<std::unique_ptr<holdfast::server::HoldfastDaemon>> daemon =
      holdfast::server::HoldfastDaemon::Start(options);
  if (!daemon.ok()) {
    log.Log("ERROR", "start_failed", {{"error", std::string(daemon.status().message())}});
    return 1;
  }
  holdfast::server::LogFields started = {
      {"listen", absl::StrCat((*daemon)->listen_host(), ":", (*daemon)->port())},
      {"config", (*daemon)->serving_version()},
      {"store", options.db_path},
      {"version", holdfast::kVersionString}};
  if ((*daemon)->metrics_port() != 0) started.emplace_back("metrics_port", absl::StrCat((*daemon)->metrics_port()));
  log.Log("INFO", "started", started);
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file); !port_file.empty()) {
    // Write then rename, so a reader never sees a half-written file.
    const std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << (*daemon)->port() << "\n";
    std::rename(tmp.c_str(), port_file.c_str());
  }

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      // The daemon logs the outcome (one "reload" or "reload_rejected" line).
      (void)(*daemon)->ReloadFromSignal();
      continue;
    }
    log.Log("INFO", "stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  (*daemon)->Shutdown();
  log.Log("INFO", "stopped", {});
  return 0;
}
