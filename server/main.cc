// holdfastd: maps flags to Options and runs the server until SIGINT/SIGTERM.
// SIGHUP reloads the config and the token file (an invalid one is logged and
// the old one kept).
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "holdfast_version.h"
#include "lib/base/clock.h"
#include "lib/storage/store.h"
#include "server/daemon_args.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"
#include "server/shutdown_watchdog.h"

ABSL_FLAG(std::string, config, "holdfast.textproto",
          "Config file or directory of config files (text format or JSON).");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to listen on (port 0: any free port).");
ABSL_FLAG(std::string, db, "./holdfast.db",
          "Store URI: a file path or sqlite:PATH (created on first start), or "
          "postgresql://user@host:port/dbname?... shared by replicas (password from the URI or "
          "PGPASSFILE; never logged).");
ABSL_FLAG(std::string, replica_id, "",
          "Name of this server in the config history (shared by replicas on one store); "
          "default: the host name.");
ABSL_FLAG(std::string, port_file, "", "If set, the bound port is written here once listening.");
ABSL_FLAG(std::string, sync, "normal",
          "SQLite durability: 'normal' survives a process kill, 'full' also a power loss. "
          "PostgreSQL commits are always flushed to the server's WAL.");
ABSL_FLAG(int, max_pending_records, 200000,
          "Records waiting for commit before writes answer RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, pg_writers, 2,
          "PostgreSQL store: writer connections per replica, 1-16 (commits overlap with the "
          "previous one's WAL flush; docs/postgresql.md). No effect on SQLite.");
ABSL_FLAG(int, pg_report_connections, 2,
          "PostgreSQL store: connections one report's entry stream reads on, 1-16 (a large "
          "journey is cut into slices by unit that they compute at once, on one snapshot; "
          "docs/postgresql.md). No effect on SQLite.");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain; with --tls_key the server speaks TLS.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: client certificates signed by it become mandatory (mTLS).");
ABSL_FLAG(std::string, auth_tokens, "",
          "Token file, lines 'ROLE SHA256-HEX [name]' (docs/security.md); re-read on SIGHUP. "
          "Required on a non-loopback address.");
ABSL_FLAG(bool, allow_insecure, false,
          "Allow plaintext (no TLS) on a non-loopback address, e.g. behind a TLS-terminating proxy.");

ABSL_FLAG(int64_t, max_pending_bytes, 256LL << 20,
          "Estimated bytes held by writes in flight (requests, copied rows, answers) before writes "
          "answer RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, report_threads, 2,
          "Threads that run reports (at a lower CPU priority than decisions).");
ABSL_FLAG(int, max_queued_reports, 32,
          "Reports waiting for a report thread before more answer RESOURCE_EXHAUSTED.");
ABSL_FLAG(std::string, report_analysis, "stream",
          "Where lift reports apply the per-entry rules: 'stream' (every entry to this process, "
          "folded here; fastest measured on one machine) or 'database' (summed into per-group "
          "cells inside the store's database, only the cells leave it; horizons and trends "
          "included). docs/storage.md, \"Aggregates\".");
ABSL_FLAG(int64_t, grpc_memory_quota_bytes, 0,
          "gRPC transport memory quota in bytes (grpc::ResourceQuota); 0 keeps gRPC's default.");
ABSL_FLAG(bool, init_store, false,
          "Create the store in an existing file that is not one (0 bytes, or an SQLite database "
          "without Holdfast's schema); without it such a --db is refused.");
ABSL_FLAG(int, shutdown_timeout_seconds, 30,
          "Longest a stop (SIGINT/SIGTERM) may take: in-flight calls finish and queued writes "
          "commit, and when the store cannot answer (a frozen database server) the process exits 1 "
          "after this many seconds, losing only unacknowledged writes; a second signal does so at "
          "once. 0: wait without a bound.");
ABSL_FLAG(std::string, test_stall_writes_while, "",
          "Test hook: while this file exists, store writes wait (simulates a stalled writer).");

ABSL_FLAG(std::string, metrics_listen, "",
          "host:port serving Prometheus metrics on /metrics (e.g. 127.0.0.1:9464); empty: off.");
ABSL_FLAG(std::string, http_listen, "",
          "host:port serving the HTTP/JSON API (docs/api.md, e.g. 127.0.0.1:8080): same tokens, roles, TLS and "
          "listen policy as gRPC; empty: off.");
ABSL_FLAG(int, http_threads, 8, "Worker threads of the HTTP/JSON endpoint (one connection each at a time).");
ABSL_FLAG(int64_t, http_max_body_bytes, 16 << 20,
          "Largest HTTP request body in bytes (larger: 413); held against --max_pending_bytes while served.");
ABSL_FLAG(std::string, log_format, "text",
          "Log lines on stderr as 'text' (time level event key=value...) or 'json' (one object a line).");
ABSL_FLAG(double, access_log_sample, 0.0,
          "Share of successful RPCs written to the access log, 0..1 (0: no access log; failed RPCs are "
          "always logged when above 0).");

// glibc's defaults let a burst of large writes leave RSS far above what is
// live: up to 8 arenas per core each keep their freed chunks, and the mmap
// threshold rises to the largest block ever freed, so later big buffers come
// from (and stay in) the heap. Fixed thresholds and 4 arenas cut the peak RSS
// of the overload test from ~190 to ~110 MiB above idle (docs/operations.md,
// "Memory bound"). Set before any thread starts.
void TuneMalloc() {
  mallopt(M_ARENA_MAX, 4);
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  mallopt(M_TRIM_THRESHOLD, 128 << 10);
}

namespace {

// absl's --help lists only flags defined in a file named like the program
// (holdfastd.cc), so ours, in server/main.cc, matched nothing: list the flags
// defined under server/ and leave out those of gRPC's and absl's own files.
bool IsHoldfastFlagFile(absl::string_view file) { return absl::StrContains(file, "server/"); }

}  // namespace

int main(int argc, char** argv) {
  TuneMalloc();
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
      "Holdfast server: holdfastd --config PATH [--listen ADDR] [--db URI] [flags]\n"
      "SIGHUP reloads the config (and the --auth_tokens file); SIGINT/SIGTERM shut down cleanly.");
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (absl::Status usage_error = holdfast::server::CheckDaemonArgs(args); !usage_error.ok()) {
    std::cerr << "holdfastd: " << usage_error.message() << "\n";
    return 2;
  }
  if (holdfast::server::AsksForHelp(args)) {
    // absl prints the help and then exits 1, its convention; asking for help
    // is not a failure, so the process exits 0 as `holdfast --help` does.
    std::atexit([] {
      std::cout.flush();
      std::_Exit(0);
    });
  }
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
  const int shutdown_timeout_seconds = absl::GetFlag(FLAGS_shutdown_timeout_seconds);
  if (shutdown_timeout_seconds < 0 || shutdown_timeout_seconds > 86400) {
    log.Log("ERROR", "usage", {{"error", "--shutdown_timeout_seconds must be in [0, 86400]"}});
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
  options.replica_id = absl::GetFlag(FLAGS_replica_id);
  if (options.replica_id.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0) options.replica_id = host;
  }
  options.sync_full = absl::GetFlag(FLAGS_sync) == "full";
  options.max_pending_records = absl::GetFlag(FLAGS_max_pending_records);
  options.pg_writers = absl::GetFlag(FLAGS_pg_writers);
  options.pg_report_connections = absl::GetFlag(FLAGS_pg_report_connections);
  options.security.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  options.security.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  options.security.tls_client_ca_path = absl::GetFlag(FLAGS_tls_client_ca);
  options.security.auth_tokens_path = absl::GetFlag(FLAGS_auth_tokens);
  options.security.allow_insecure = absl::GetFlag(FLAGS_allow_insecure);
  options.max_pending_bytes = absl::GetFlag(FLAGS_max_pending_bytes);
  options.grpc_memory_quota_bytes = absl::GetFlag(FLAGS_grpc_memory_quota_bytes);
  options.init_store = absl::GetFlag(FLAGS_init_store);
  options.report_threads = absl::GetFlag(FLAGS_report_threads);
  options.max_queued_reports = absl::GetFlag(FLAGS_max_queued_reports);
  {
    const std::string analysis = absl::GetFlag(FLAGS_report_analysis);
    if (analysis != "stream" && analysis != "database") {
      std::fprintf(stderr, "holdfastd: --report_analysis must be 'stream' or 'database'\n");
      return 2;
    }
    options.report_analysis_in_database = analysis == "database";
  }
  options.test_stall_writes_while = absl::GetFlag(FLAGS_test_stall_writes_while);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.log = &log;
  options.access_log_sample = sample;
  options.version = holdfast::kVersionString;
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.http_threads = absl::GetFlag(FLAGS_http_threads);
  options.http_max_body_bytes = absl::GetFlag(FLAGS_http_max_body_bytes);

  absl::StatusOr<std::unique_ptr<holdfast::server::HoldfastDaemon>> daemon =
      holdfast::server::HoldfastDaemon::Start(options);
  if (!daemon.ok()) {
    log.Log("ERROR", "start_failed", {{"error", std::string(daemon.status().message())}});
    return 1;
  }
  holdfast::server::LogFields started = {
      {"listen", absl::StrCat((*daemon)->listen_host(), ":", (*daemon)->port())},
      {"config", (*daemon)->serving_version()},
      {"store", holdfast::Store::RedactUri(options.db_path)},
      {"security", (*daemon)->security_description()},
      {"version", holdfast::kVersionString}};
  if ((*daemon)->metrics_port() != 0) started.emplace_back("metrics_port", absl::StrCat((*daemon)->metrics_port()));
  if ((*daemon)->http_port() != 0) started.emplace_back("http_port", absl::StrCat((*daemon)->http_port()));
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
      // The daemon logs the config outcome (one "reload" or "reload_rejected" line).
      (void)(*daemon)->ReloadFromSignal();
      if ((*daemon)->has_tokens()) {
        absl::StatusOr<std::string> tokens = (*daemon)->ReloadTokens();
        if (tokens.ok()) {
          log.Log("INFO", "tokens_reloaded", {{"trigger", "SIGHUP"}, {"result", *tokens}});
        } else {
          log.Log("ERROR", "tokens_rejected",
                  {{"trigger", "SIGHUP"},
                   {"result", "token file rejected, the previous tokens stay in force"},
                   {"error", std::string(tokens.status().message())}});
        }
      }
      continue;
    }
    log.Log("INFO", "stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  {
    // Signals now go to the watchdog: a second one forces the exit.
    holdfast::server::ShutdownWatchdog watchdog(signals, absl::Seconds(shutdown_timeout_seconds), &log);
    (*daemon)->Shutdown();
    daemon->reset();  // Closes the store: commits its queue and joins its writers.
  }
  log.Log("INFO", "stopped", {});
  return 0;
}
