// `holdfast store copy SRC_URI DST_URI`: an offline admin command that opens
// both stores directly (no server, no gRPC) and copies every record
// (lib/storage/store_copy.h): the way to move a SQLite store to PostgreSQL.
// Progress goes to stderr, the per-table summary to stdout.
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "lib/storage/store.h"
#include "lib/storage/store_copy.h"
#include "lib/storage/store_uri.h"

namespace holdfast::cli {
namespace {

struct StoreCopyFlags {
  std::string src;
  std::string dst;
  int batch_rows = 10000;
  bool quiet = false;
  int64_t test_stop_after_batches = 0;
};

// Progress at most every `kProgressBatches` pages: a 10 M-row copy prints
// about 100 lines at the default batch size.
constexpr int64_t kProgressBatches = 10;

void PrintSummary(const StoreCopySummary& s, std::ostream& out) {
  out << absl::StrFormat("%-16s %14s %14s %16s\n", "table", "read", "inserted", "already present");
  for (const TableCopyCounts& t : s.tables) {
    out << absl::StrFormat("%-16s %14s %14s %16s\n", t.table, Grouped(t.read), Grouped(t.inserted),
                           Grouped(t.already_present));
  }
}

// Store::Open creates a missing SQLite file, which for the source would
// "copy" an empty store: a mistyped SRC_URI must fail instead.
absl::Status CheckSourceExists(const std::string& uri) {
  absl::StatusOr<StoreUri> parsed = ParseStoreUri(uri);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(), "SRC_URI: " + std::string(parsed.status().message()));
  }
  if (parsed->kind == StoreUri::Kind::kPostgres) return absl::OkStatus();
  struct stat st;
  if (::stat(parsed->target.c_str(), &st) != 0) {
    return absl::NotFoundError("SRC_URI: no SQLite store at '" + parsed->target.substr(0, 256) + "'");
  }
  return absl::OkStatus();
}

int RunStoreCopy(const StoreCopyFlags& flags) {
  if (flags.src == flags.dst) {
    return ReportError("store copy", absl::InvalidArgumentError("SRC_URI and DST_URI are the same store"),
                       /*usage=*/true);
  }
  if (absl::Status s = CheckSourceExists(flags.src); !s.ok()) return ReportError("store copy", s);
  absl::StatusOr<std::unique_ptr<Store>> src = Store::Open(flags.src);
  if (!src.ok()) {
    return ReportError("store copy",
                       absl::Status(src.status().code(), "opening SRC_URI " + Store::RedactUri(flags.src) +
                                                             ": " + std::string(src.status().message())));
  }
  absl::StatusOr<std::unique_ptr<Store>> dst = Store::Open(flags.dst);
  if (!dst.ok()) {
    return ReportError("store copy",
                       absl::Status(dst.status().code(), "opening DST_URI " + Store::RedactUri(flags.dst) +
                                                             ": " + std::string(dst.status().message())));
  }
  StoreCopyOptions options;
  options.batch_rows = flags.batch_rows;
  options.stop_after_batches = flags.test_stop_after_batches;
  if (!flags.quiet) {
    options.on_batch = [](const StoreCopySummary& s) {
      if (s.batches % kProgressBatches != 0) return;
      const TableCopyCounts& t = s.tables.back();
      std::cerr << absl::StrFormat("holdfast store copy: %s: %s read, %s inserted, %s already present\n",
                                   t.table, Grouped(t.read), Grouped(t.inserted), Grouped(t.already_present));
    };
  }
  std::cerr << "holdfast store copy: " << Store::RedactUri(flags.src) << " -> " << Store::RedactUri(flags.dst)
            << "\n";
  absl::StatusOr<StoreCopySummary> summary = CopyStore(**src, **dst, options);
  if (!summary.ok()) {
    std::cerr << "holdfast store copy: the pages copied so far stay copied; run the same command again "
                 "to finish\n";
    return ReportError("store copy", summary.status());
  }
  PrintSummary(*summary, std::cout);
  return 0;
}

}  // namespace

void AddStoreCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("store", "store copy SRC_URI DST_URI: offline store administration");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<StoreCopyFlags>();
  CLI::App* copy = cmd->add_subcommand(
      "copy",
      "copy every record (config history, customers, entries, sends, outcomes, fixed costs) from one store "
      "to another, e.g. a SQLite file to PostgreSQL; opens both stores directly (no server). Idempotent "
      "and resumable: running it again copies only what is missing. Do not serve DST_URI until it ends; "
      "SRC_URI may stay in service (see docs/postgresql.md, \"Moving an existing SQLite store\").");
  copy->add_option("src", flags->src, "source store: PATH, sqlite:PATH or postgresql://...")->required();
  copy->add_option("dst", flags->dst, "destination store (created or migrated if needed), same forms")
      ->required();
  copy->add_option("--batch-rows", flags->batch_rows,
                   "rows read and committed together, 1..100000 (default 10000)")
      ->check(CLI::Range(1, 100000));
  copy->add_flag("--quiet", flags->quiet, "no progress lines on stderr");
  // Test hook (resumption tests): stop as if killed after N pages. Hidden.
  copy->add_option("--test-stop-after-batches", flags->test_stop_after_batches)
      ->group("")
      ->check(CLI::NonNegativeNumber);
  copy->callback([flags, exit_code] { *exit_code = RunStoreCopy(*flags); });
}

}  // namespace holdfast::cli
