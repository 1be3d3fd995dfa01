#include "client/importer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "client/holdfast_client.h"

namespace holdfast::cli {
namespace {

constexpr int kMaxBatch = 10000;
// Below this size a remainder is resent whole rather than split in halves.
constexpr int kSplitThreshold = 16;
constexpr char kNotConfigured[] = "' is not configured";

bool IsTransient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED || code == grpc::StatusCode::ABORTED;
}

grpc::Status Call(holdfast::v1::EventService::StubInterface* stub, grpc::ClientContext* context,
                  const RecordBatch& batch, holdfast::v1::WriteSummary* response) {
  switch (batch.kind) {
    case ImportKind::kEntries:
      return stub->RecordEntries(context, batch.entries, response);
    case ImportKind::kSends:
      return stub->RecordSends(context, batch.sends, response);
    case ImportKind::kOutcomes:
      return stub->RecordOutcomes(context, batch.outcomes, response);
    case ImportKind::kCosts:
      return stub->RecordFixedCosts(context, batch.costs, response);
    case ImportKind::kCustomers:
      return stub->RecordCustomers(context, batch.customers, response);
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "unknown record kind");
}

// A blocking queue of batches with a fixed capacity: the reader waits when
// the senders fall behind, which is what keeps memory flat.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // False when the queue was closed (the batch is dropped).
  bool Push(RecordBatch batch) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }
  // Blocks for the next batch; nullopt once closed and drained.
  std::optional<RecordBatch> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    RecordBatch b = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return b;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<RecordBatch> items_;
  size_t capacity_;
  bool closed_ = false;
};

struct LineOrder {
  bool operator()(const Rejection& a, const Rejection& b) const { return a.line < b.line; }
};

}  // namespace

int ParseRecordIndex(absl::string_view message, std::string* reason) {
  // name[digits] followed by '.', ':' (then optional blank), or the end.
  const size_t open = message.find('[');
  if (open == absl::string_view::npos || open == 0) return -1;
  for (size_t i = 0; i < open; ++i) {
    if (!absl::ascii_isalpha(message[i]) && message[i] != '_') return -1;
  }
  const size_t close = message.find(']', open);
  if (close == absl::string_view::npos) return -1;
  int index = -1;
  if (!absl::SimpleAtoi(message.substr(open + 1, close - open - 1), &index) || index < 0) return -1;
  absl::string_view rest = message.substr(close + 1);
  if (absl::ConsumePrefix(&rest, ".")) {
    *reason = std::string(rest);
  } else if (absl::ConsumePrefix(&rest, ":")) {
    *reason = std::string(absl::StripLeadingAsciiWhitespace(rest));
  } else if (rest.empty()) {
    *reason = std::string(message);
  } else {
    return -1;
  }
  return index;
}

// Everything shared by the reader and the sender threads of one Run().
class Importer::State {
 public:
  State(Importer* importer, ImportKind kind)
      : importer_(importer),
        options_(importer->options_),
        queue_(static_cast<size_t>(options_.parallelism)),
        kind_(kind) {}

  void Reject(int64_t line, std::string reason) {
    std::lock_guard<std::mutex> lock(mu_);
    Rejection r{line, std::move(reason)};
    ++summary_.rejected;
    importer_->rows_done_.fetch_add(1, std::memory_order_relaxed);
    if (options_.on_reject) options_.on_reject(r);
    if (options_.keep_rejections == 0) return;
    if (kept_.size() < options_.keep_rejections) {
      kept_.push(std::move(r));
    } else if (r.line < kept_.top().line) {
      kept_.pop();
      kept_.push(std::move(r));
    }
  }

  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // The first fatal error wins; later ones are consequences of it.
  void Stop(absl::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (summary_.stopped.ok()) summary_.stopped = std::move(status);
    stopped_.store(true, std::memory_order_release);
    queue_.Close();
  }

  BatchQueue& queue() { return queue_; }

  void SenderLoop() {
    std::minstd_rand rng(static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())));
    while (std::optional<RecordBatch> batch = queue_.Pop()) {
      if (stopped()) continue;  // drain; counted as not sent
      Send(std::move(*batch), rng);
    }
  }

  ImportSummary Finish(int64_t rows, int64_t last_line) {
    std::lock_guard<std::mutex> lock(mu_);
    summary_.rows = rows;
    summary_.last_line = last_line;
    summary_.not_sent = rows - summary_.inserted - summary_.duplicates - summary_.rejected;
    while (!kept_.empty()) {
      summary_.rejections.push_back(kept_.top());
      kept_.pop();
    }
    std::reverse(summary_.rejections.begin(), summary_.rejections.end());
    return summary_;
  }

 private:
  // Sends one batch to completion: retries transient errors, peels off the
  // rows the server names, and splits batches it rejects without a name.
  void Send(RecordBatch batch, std::minstd_rand& rng) {
    std::vector<RecordBatch> work;
    work.push_back(std::move(batch));
    while (!work.empty() && !stopped()) {
      RecordBatch b = std::move(work.back());
      work.pop_back();
      DropKnownBad(&b);
      if (b.size() == 0) continue;
      holdfast::v1::WriteSummary response;
      grpc::Status status = CallWithRetry(b, &response, rng);
      if (status.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        summary_.inserted += response.inserted();
        summary_.duplicates += response.duplicates();
        summary_.orphan_refunds += response.orphan_refunds();
        importer_->rows_done_.fetch_add(b.size(), std::memory_order_relaxed);
        continue;
      }
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
          status.error_code() == grpc::StatusCode::NOT_FOUND) {
        std::string reason;
        const int i = ParseRecordIndex(status.error_message(), &reason);
        if (i >= 0 && i < b.size()) {
          RememberIfUnconfigured(b.journey(i), reason);
          Reject(b.lines[i], std::move(reason));
          // Records before i passed validation; the rest is unknown. Split
          // a long remainder so a batch full of bad rows costs O(k log n) calls.
          const int n = b.size();
          const int rest = n - (i + 1);
          if (rest >= kSplitThreshold) {
            const int mid = i + 1 + rest / 2;
            work.push_back(b.Slice(mid, n));
            work.push_back(b.Slice(i + 1, mid));
          } else if (rest > 0) {
            work.push_back(b.Slice(i + 1, n));
          }
          if (i > 0) work.push_back(b.Slice(0, i));
          continue;
        }
        if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
          // The server blamed the batch without naming a record: narrow it down.
          if (b.size() == 1) {
            Reject(b.lines[0], status.error_message());
          } else {
            const int mid = b.size() / 2;
            work.push_back(b.Slice(mid, b.size()));
            work.push_back(b.Slice(0, mid));
          }
          continue;
        }
      }
      Stop(Describe(status, b));
    }
  }

  grpc::Status CallWithRetry(const RecordBatch& b, holdfast::v1::WriteSummary* response,
                             std::minstd_rand& rng) {
    absl::Duration backoff = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(options_.call_timeout));
      response->Clear();
      grpc::Status status = Call(importer_->stub_, &context, b, response);
      if (status.ok() || !IsTransient(status.error_code()) || attempt >= options_.max_attempts ||
          stopped()) {
        return status;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++summary_.retries;
      }
      const double jitter = 0.5 + 0.5 * std::uniform_real_distribution<double>(0, 1)(rng);
      absl::SleepFor(backoff * jitter);
      backoff = std::min(options_.max_backoff, backoff * 2);
    }
  }

  absl::Status Describe(const grpc::Status& status, const RecordBatch& b) {
    const std::string where = b.size() == 1 ? absl::StrCat("line ", b.lines.front())
                                            : absl::StrCat("lines ", b.lines.front(), "-", b.lines.back());
    if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
      return absl::UnimplementedError(absl::StrCat(
          where, ": the server does not implement EventService for ", ImportKindName(kind_),
          " (", status.error_message(), ")"));
    }
    std::string message = status.error_message();
    if (IsTransient(status.error_code())) {
      absl::StrAppend(&message, " (gave up after ", options_.max_attempts, " attempts)");
    }
    return absl::Status(holdfast::client::FromGrpcStatus(status).code(), absl::StrCat(where, ": ", message));
  }

  // "journey: 'x' is not configured" → remember x.
  void RememberIfUnconfigured(const std::string& journey, absl::string_view reason) {
    if (journey.empty() || !absl::StartsWith(reason, "journey: '") ||
        !absl::EndsWith(reason, kNotConfigured)) {
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    bad_journeys_.insert(journey);
    have_bad_journeys_.store(true, std::memory_order_release);
  }

  void DropKnownBad(RecordBatch* b) {
    if (!have_bad_journeys_.load(std::memory_order_acquire) || kind_ == ImportKind::kOutcomes ||
        kind_ == ImportKind::kCustomers) {
      return;
    }
    std::vector<int> bad;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < b->size(); ++i) {
        if (bad_journeys_.count(b->journey(i)) > 0) bad.push_back(i);
      }
    }
    if (bad.empty()) return;
    RecordBatch kept;
    kept.kind = b->kind;
    int begin = 0;
    auto append = [&](int from, int to) {
      if (from >= to) return;
      RecordBatch part = b->Slice(from, to);
      kept.entries.mutable_entries()->MergeFrom(part.entries.entries());
      kept.sends.mutable_sends()->MergeFrom(part.sends.sends());
      kept.costs.mutable_costs()->MergeFrom(part.costs.costs());
      kept.lines.insert(kept.lines.end(), part.lines.begin(), part.lines.end());
    };
    for (int i : bad) {
      append(begin, i);
      Reject(b->lines[i], absl::StrCat("journey: '", b->journey(i), kNotConfigured));
      begin = i + 1;
    }
    append(begin, b->size());
    *b = std::move(kept);
  }

  Importer* importer_;
  const ImportOptions& options_;
  BatchQueue queue_;
  ImportKind kind_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> have_bad_journeys_{false};
  std::mutex mu_;
  ImportSummary summary_;
  // Max-heap by line: the kept rejections with the smallest lines.
  std::priority_queue<Rejection, std::vector<Rejection>, LineOrder> kept_;
  std::set<std::string> bad_journeys_;
};

Importer::Importer(holdfast::v1::EventService::StubInterface* stub, ImportOptions options)
    : stub_(stub), options_(std::move(options)) {}

Importer::~Importer() = default;

void Importer::Cancel() {
  std::lock_guard<std::mutex> lock(state_mu_);
  cancelled_ = true;
  if (state_ != nullptr) state_->Stop(absl::CancelledError("interrupted"));
}

ImportProgress Importer::progress() const {
  return {rows_read_.load(std::memory_order_relaxed), rows_done_.load(std::memory_order_relaxed),
          bytes_read_.load(std::memory_order_relaxed)};
}

absl::StatusOr<ImportSummary> Importer::Run(ImportKind kind, CsvReader* reader) {
  if (options_.batch_size < 1 || options_.batch_size > kMaxBatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch size ", options_.batch_size, " outside 1..", kMaxBatch));
  }
  if (options_.parallelism < 1 || options_.parallelism > 64) {
    return absl::InvalidArgumentError(absl::StrCat("parallelism ", options_.parallelism, " outside 1..64"));
  }
  if (options_.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be >= 1");
  const UnixMicros start = options_.clock->NowMicros();

  std::vector<std::string> row;
  absl::StatusOr<bool> header = reader->Next(&row);
  if (!header.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", reader->record_line(), ": header: ", header.status().message()));
  }
  if (!*header) {
    return absl::InvalidArgumentError(absl::StrCat("no header row (", ImportKindName(kind),
                                                   " columns: ", ImportColumnsHelp(kind), ")"));
  }
  absl::StatusOr<RowParser> parser = RowParser::Create(kind, row);
  if (!parser.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", reader->record_line(), ": ", parser.status().message()));
  }

  State state(this, kind);
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    state_ = &state;
    if (cancelled_) state.Stop(absl::CancelledError("interrupted"));
  }
  std::vector<std::thread> senders;
  for (int i = 0; i < options_.parallelism; ++i) senders.emplace_back([&state] { state.SenderLoop(); });

  int64_t rows = 0;
  int64_t last_line = reader->record_line();
  RecordBatch batch;
  batch.kind = kind;
  while (!state.stopped()) {
    absl::StatusOr<bool> more = reader->Next(&row);
    if (more.ok() && !*more) break;
    ++rows;
    last_line = reader->record_line();
    rows_read_.store(rows, std::memory_order_relaxed);
    bytes_read_.store(reader->bytes_read(), std::memory_order_relaxed);
    if (!more.ok()) {
      state.Reject(last_line, std::string(more.status().message()));
      continue;
    }
    if (absl::Status s = parser->Append(row, last_line, &batch); !s.ok()) {
      state.Reject(last_line, std::string(s.message()));
      continue;
    }
    if (batch.size() == options_.batch_size) {
      state.queue().Push(std::move(batch));
      batch = RecordBatch();
      batch.kind = kind;
    }
  }
  bytes_read_.store(reader->bytes_read(), std::memory_order_relaxed);
  if (batch.size() > 0) state.queue().Push(std::move(batch));
  state.queue().Close();
  for (std::thread& t : senders) t.join();
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    state_ = nullptr;
  }

  ImportSummary summary = state.Finish(rows, last_line);
  summary.elapsed_micros = options_.clock->NowMicros() - start;
  return summary;
}

}  // namespace holdfast::cli
