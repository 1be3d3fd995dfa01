// `holdfast import entries|sends|outcomes|costs|customers FILE.csv`: bulk import with a
// progress bar on a terminal, a closing summary, and safe re-runs.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli_app.h"
#include "client/cli_connect.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "client/csv_reader.h"
#include "client/holdfast_client.h"
#include "client/import_rows.h"
#include "client/importer.h"

namespace holdfast::cli {
namespace {

constexpr char kFooter[] =
    "FILE is a CSV with a header row (docs/import.md); '-' reads stdin. Columns:\n"
    "  entries   journey,unit,at,[attr.KEY]...\n"
    "  sends     send_id,unit,journey,channel,at,[cost]\n"
    "  outcomes  outcome_id,unit,at,type,revenue,margin,[order_id]\n"
    "  costs     cost_id,journey,start,end,amount,[category]\n"
    "  customers unit,first_seen\n"
    "Times: RFC 3339, a date, or epoch seconds. Re-running an import is safe:\n"
    "records already stored are counted as duplicates.";

struct ImportFlags {
  ServerFlags server;
  std::string kind;
  std::string path;
  std::optional<std::string> rejects;
  bool verbose = false;
  bool no_progress = false;
  ImportOptions options;
};

std::string Clock(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Redraws one status line on stderr every 200 ms until stopped:
//   sends [#########...........]  45%  450,000 rows  81,300 rows/s  ETA 0:06
class ProgressBar {
 public:
  ProgressBar(const Importer* importer, std::string label, int64_t total_bytes)
      : importer_(importer), label_(std::move(label)), total_bytes_(total_bytes),
        start_(std::chrono::steady_clock::now()), thread_([this] { Loop(); }) {}

  ~ProgressBar() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
    std::cerr << "\r\033[K" << std::flush;  // leave the terminal line clean for the summary
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return done_; })) Draw();
  }

  void Draw() {
    const ImportProgress p = importer_->progress();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? p.rows_done / elapsed : 0;
    std::string line = absl::StrCat("\r", label_, " ");
    if (total_bytes_ > 0) {
      const double f = std::min(1.0, static_cast<double>(p.bytes_read) / total_bytes_);
      constexpr int kWidth = 24;
      const int filled = static_cast<int>(f * kWidth);
      absl::StrAppend(&line, "[", std::string(filled, '#'), std::string(kWidth - filled, '.'), "] ",
                      absl::StrFormat("%3d%%", static_cast<int>(f * 100)), "  ");
      // ETA from the share of the file read: rows differ in length, bytes do not lie.
      if (f > 0.001 && f < 1) absl::StrAppend(&line, "ETA ", Clock(elapsed * (1 - f) / f), "  ");
    }
    absl::StrAppend(&line, Grouped(p.rows_done), " rows  ", Grouped(static_cast<int64_t>(rate)),
                    " rows/s\033[K");
    std::cerr << line << std::flush;
  }

  const Importer* importer_;
  std::string label_;
  int64_t total_bytes_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Ctrl-C or SIGTERM stops the import cleanly (calls in flight finish, the
// summary and the re-run advice are printed); a second one exits at once.
// SIGINT/SIGTERM are blocked in every thread and taken by sigtimedwait here,
// so the signal mask must be set before gRPC starts its threads: construct
// this before connecting, then Watch().
class InterruptWatcher {
 public:
  InterruptWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~InterruptWatcher() {
    Stop();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  // Stops watching (before the importer goes away).
  void Stop() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  void Watch(Importer* importer) {
    thread_ = std::thread([this, importer] {
      const timespec tick{0, 200 * 1000 * 1000};
      int seen = 0;
      while (!done_.load()) {
        const int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig != SIGINT && sig != SIGTERM) continue;
        if (++seen > 1) std::_Exit(130);
        std::cerr << "\nholdfast import: interrupted, finishing the calls in flight "
                     "(again to quit at once)\n";
        importer->Cancel();
      }
    });
  }

 private:
  sigset_t set_;
  sigset_t old_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void PrintSummary(ImportKind kind, const ImportSummary& s, bool verbose) {
  const double seconds = s.elapsed_micros / 1e6;
  const double rate = seconds > 0 ? (s.rows - s.not_sent) / seconds : 0;
  std::cerr << ImportKindName(kind) << ": " << Grouped(s.rows) << (s.rows == 1 ? " row, " : " rows, ") << Grouped(s.inserted)
            << " inserted, " << Grouped(s.duplicates) << " duplicates, " << Grouped(s.rejected)
            << " rejected";
  if (s.not_sent > 0) std::cerr << ", " << Grouped(s.not_sent) << " not sent";
  std::cerr << absl::StrFormat(" (%.1f s, %s rows/s)", seconds, Grouped(static_cast<int64_t>(rate)))
            << "\n";
  if (s.orphan_refunds > 0) {
    std::cerr << "  " << Grouped(s.orphan_refunds)
              << " refunds name an order the server has not seen (stored anyway)\n";
  }
  if (s.retries > 0) std::cerr << "  " << Grouped(s.retries) << " calls retried after transient errors\n";
  for (const Rejection& r : s.rejections) std::cerr << "  line " << r.line << ": " << r.reason << "\n";
  const int64_t hidden = s.rejected - static_cast<int64_t>(s.rejections.size());
  if (hidden > 0) {
    std::cerr << "  ... and " << Grouped(hidden) << " more rejected rows"
              << (verbose ? "" : " (--verbose lists them all, --rejects FILE writes them)") << "\n";
  }
  if (!s.stopped.ok()) {
    std::cerr << "holdfast import: stopped after line " << s.last_line << ": "
              << absl::StatusCodeToString(s.stopped.code()) << ": " << s.stopped.message() << "\n"
              << "Every record is idempotent (sends, outcomes and costs by their id, entries by\n"
              << "journey, unit and period, customers by unit), so\n"
              << "re-running the same command is safe: rows already stored are counted as\n"
              << "duplicates.\n";
  }
}

}  // namespace

int RunImport(const ImportFlags& flags) {
  absl::StatusOr<ImportKind> kind = ParseImportKind(flags.kind);
  if (!kind.ok()) return ReportError("import", kind.status(), true);
  ImportOptions options = flags.options;
  const bool verbose = flags.verbose;
  if (verbose) options.keep_rejections = 1000000;

  const std::string& path = flags.path;
  std::ifstream file;
  std::istream* in = &std::cin;
  int64_t total_bytes = 0;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      return ReportError("import", absl::NotFoundError(absl::StrCat("cannot open ", path)), true);
    }
    in = &file;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) total_bytes = st.st_size;
  }

  std::ofstream rejects;
  if (const std::optional<std::string>& rejects_path = flags.rejects) {
    rejects.open(*rejects_path, std::ios::trunc);
    if (!rejects) {
      return ReportError("import", absl::PermissionDeniedError(absl::StrCat("cannot write ", *rejects_path)),
                         true);
    }
    rejects << "line,reason\n";
    options.on_reject = [&rejects](const Rejection& r) {
      rejects << r.line << ',' << CsvField(r.reason) << '\n';
    };
  }

  InterruptWatcher interrupts;
  const std::string server = flags.server.address();
  absl::StatusOr<std::unique_ptr<holdfast::client::HoldfastClient>> connected = ConnectFromFlags(flags.server);
  if (!connected.ok()) return ReportError("import", connected.status(), true);
  std::unique_ptr<holdfast::client::HoldfastClient> client = *std::move(connected);
  Importer importer(client->events(), options);
  interrupts.Watch(&importer);
  CsvReader reader(in);
  absl::StatusOr<ImportSummary> summary;
  {
    std::unique_ptr<ProgressBar> bar;
    if (!flags.no_progress && ::isatty(STDERR_FILENO)) {
      bar = std::make_unique<ProgressBar>(&importer, std::string(ImportKindName(*kind)), total_bytes);
    }
    summary = importer.Run(*kind, &reader);
  }
  interrupts.Stop();
  if (!summary.ok()) return ReportError("import", absl::Status(summary.status().code(),
                                                               absl::StrCat(path, ": ", summary.status().message())),
                                        true);
  PrintSummary(*kind, *summary, verbose);
  if (rejects.is_open()) {
    rejects.flush();
    if (!rejects) std::cerr << "holdfast import: writing the rejects file failed\n";
  }
  return summary->stopped.ok() && summary->rejected == 0 ? 0 : 1;
}

void AddImportCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = app.add_subcommand("import", "bulk import entries|sends|outcomes|costs from CSV");
  AddServerOptions(cmd, &flags->server);
  cmd->add_option("kind", flags->kind, "record kind: entries, sends, outcomes, costs or customers")->required();
  cmd->add_option("file", flags->path, "FILE.csv ('-': stdin)")->required();
  cmd->add_option("--rejects", flags->rejects, "write rejected rows (line,reason) to FILE");
  cmd->add_flag("--verbose", flags->verbose, "list every rejected row");
  cmd->add_flag("--no-progress", flags->no_progress, "no progress bar on a terminal");
  cmd->add_option("--batch-size", flags->options.batch_size, "rows per call")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--parallel", flags->options.parallelism, "calls in flight")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--attempts", flags->options.max_attempts, "tries per call on transient errors")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->footer(kFooter);
  cmd->callback([flags, exit_code] { *exit_code = RunImport(*flags); });
}

}  // namespace holdfast::cli
