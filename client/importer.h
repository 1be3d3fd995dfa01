// The engine of `holdfast import`: reads a CSV incrementally, turns rows into
// records, and sends them to EventService in unary batches with a few calls in
// flight. Memory is bounded by (2 × parallelism + 1) batches whatever the file
// size.
//
//   CsvReader reader(&file);
//   Importer importer(client->events(), ImportOptions{});
//   absl::StatusOr<ImportSummary> summary = importer.Run(ImportKind::kSends, &reader);
//
// Per row: a row that fails local parsing is rejected with its line and the
// reason, and the import goes on. A batch is atomic on the server; when the
// server answers INVALID_ARGUMENT naming a record ("sends[17].journey: 'x' is
// not configured") that row is rejected with the server's reason and the rest
// of the batch is sent again (split in halves, so many bad rows in one batch
// cost O(k log n) calls, not O(k n)). A journey the server called "not
// configured" is remembered and later rows naming it are rejected locally.
// UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED and ABORTED are retried
// with exponential backoff up to `max_attempts`; after that, or on any other
// error, the import stops (ImportSummary::stopped). Every record carries its
// own id, so re-running the same import after a stop is safe: rows already
// stored come back as duplicates.
//
// Thread-safety: Run() once per Importer; progress() from any thread.
#ifndef HOLDFAST_CLIENT_IMPORTER_H_
#define HOLDFAST_CLIENT_IMPORTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/csv_reader.h"
#include "client/import_rows.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "lib/base/clock.h"

namespace holdfast::cli {

struct Rejection {
  // 1-based line of the CSV record (the header is line 1).
  int64_t line = 0;
  // What is wrong, starting with the column when known: "cost: not a number 'abc'".
  std::string reason;
};

struct ImportOptions {
  // Records per call, 1..10,000 (the server's limit). Default 5,000: against
  // the SQLite store 5,000 imports ~1.5x faster than 2,000 (the per-commit
  // cost is shared by more rows) while memory stays ~35 MB.
  int batch_size = 5000;
  // Calls in flight at once. Default 4.
  int parallelism = 4;
  // Tries per call for transient errors before the import stops. Default 8
  // (with the default backoff, ~20 s of server unavailability is ridden out).
  int max_attempts = 8;
  // Backoff before retry k is min(max_backoff, initial_backoff × 2^(k-1)),
  // scaled by a random factor in [0.5, 1). Defaults 100 ms and 5 s.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // Deadline of each call. Default 60 s.
  absl::Duration call_timeout = absl::Seconds(60);
  // How many rejections ImportSummary keeps (those with the smallest line
  // numbers). Default 20. All of them go to `on_reject`.
  size_t keep_rejections = 20;
  // Called once per rejected row, from any thread but never concurrently, in
  // the order rejections are found (not necessarily line order). Optional.
  std::function<void(const Rejection&)> on_reject;
  // Source of elapsed time. Default the real clock.
  const Clock* clock = RealClock::Get();
};

struct ImportSummary {
  // Data records read from the file (well-formed or not).
  int64_t rows = 0;
  // As the server counted them: new records, and records it already had.
  int64_t inserted = 0;
  int64_t duplicates = 0;
  // Refunds naming an order the store has never seen (stored and counted in
  // `inserted` or `duplicates` too).
  int64_t orphan_refunds = 0;
  // Rows rejected, locally or by the server.
  int64_t rejected = 0;
  // Rows read but never acknowledged because the import stopped.
  int64_t not_sent = 0;
  // Calls retried after a transient error.
  int64_t retries = 0;
  // The first ImportOptions::keep_rejections rejections by line, sorted.
  std::vector<Rejection> rejections;
  // OK unless the import stopped early (server unreachable, ...).
  absl::Status stopped;
  // Last line read from the file.
  int64_t last_line = 0;
  int64_t elapsed_micros = 0;
};

// Counters for a progress display; read with relaxed consistency.
struct ImportProgress {
  int64_t rows_read = 0;
  // Rows acknowledged by the server or rejected.
  int64_t rows_done = 0;
  int64_t bytes_read = 0;
};

class Importer {
 public:
  // `stub` must outlive the importer.
  Importer(holdfast::v1::EventService::StubInterface* stub, ImportOptions options);
  ~Importer();

  // Reads the header and all rows of `reader` and imports them. Returns an
  // error only when nothing could be sent: empty input, malformed or
  // mismatched header, invalid options. Anything after that is in the summary.
  [[nodiscard]] absl::StatusOr<ImportSummary> Run(ImportKind kind, CsvReader* reader);

  ImportProgress progress() const;

  // Stops a running import as a fatal error would: no more rows are read,
  // queued batches are not sent, calls in flight finish; Run() returns with
  // `stopped` = CANCELLED. Safe from any thread, before or during Run().
  void Cancel();

 private:
  class State;
  std::mutex state_mu_;
  State* state_ = nullptr;  // the running Run()'s state, under state_mu_
  bool cancelled_ = false;  // under state_mu_
  holdfast::v1::EventService::StubInterface* stub_;
  ImportOptions options_;
  std::atomic<int64_t> rows_read_{0};
  std::atomic<int64_t> rows_done_{0};
  std::atomic<int64_t> bytes_read_{0};
};

// Splits a server message that names a record, "sends[17].journey: 'x' is not
// configured", into the index (17) and the reason ("journey: 'x' is not
// configured"). Returns -1 for a message that names no index.
int ParseRecordIndex(absl::string_view message, std::string* reason);

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_IMPORTER_H_
