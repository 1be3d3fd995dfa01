// Admission control in bytes for the write path. Every write the server has
// accepted but not yet answered (Record*, a streamed message, an Assign or
// BatchAssign that records its entries) holds a Lease on its estimated
// in-memory bytes: the parsed request, the rows copied from it and the
// answer. A call whose lease would push the total past the limit is refused
// at once (the caller answers RESOURCE_EXHAUSTED before validating or
// copying anything), so memory held by writes stays under the limit however
// many callers arrive and however slow the store is. It lives above the
// Store, so every backend gets the same bound.
//
// When the held bytes fall back to zero after a burst of at least
// `trim_after_bytes` and stay there for kTrimDelay (gRPC frees the requests
// only after the replies are sent), a background thread calls glibc's
// malloc_trim(0): glibc keeps freed memory in its per-thread arenas
// otherwise, and RSS would stay near the peak after the load (measured in
// docs/operations.md).
//
// Example:
//   WriteBudget budget(256 << 20);
//   std::shared_ptr<WriteBudget::Lease> lease = budget.TryReserve(bytes);
//   if (lease == nullptr) return absl::ResourceExhaustedError(budget.BusyMessage(bytes));
//   ... keep `lease` alive until the reply is sent ...
//
// Thread-safety: all methods may be called from any thread.
#ifndef HOLDFAST_SERVER_WRITE_BUDGET_H_
#define HOLDFAST_SERVER_WRITE_BUDGET_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace holdfast::server {

class WriteBudget {
 public:
  // Bytes held while a lease lives; released by its destructor.
  class Lease {
   public:
    Lease(WriteBudget* budget, int64_t bytes) : budget_(budget), bytes_(bytes) {}
    // A null budget makes an unbounded (no-op) lease.
    ~Lease() {
      if (budget_ != nullptr) budget_->Release(bytes_);
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    int64_t bytes() const { return bytes_; }

   private:
    WriteBudget* budget_;
    int64_t bytes_;
  };

  // `max_bytes` > 0. `trim_after_bytes`: a drain from at least this peak
  // returns freed memory to the OS. Default 32 MiB.
  explicit WriteBudget(int64_t max_bytes, int64_t trim_after_bytes = 32 << 20);
  // Stops the trim thread. No lease may outlive the budget.
  ~WriteBudget();
  WriteBudget(const WriteBudget&) = delete;
  WriteBudget& operator=(const WriteBudget&) = delete;

  // A lease on `bytes`, or null when the held total would exceed the limit.
  // A single call larger than the whole limit is refused too (it could never
  // fit); the limit must exceed the largest request the server accepts.
  [[nodiscard]] std::shared_ptr<Lease> TryReserve(int64_t bytes);

  // The message a refused caller gets (no request content echoed).
  std::string BusyMessage(int64_t bytes) const;

  int64_t max_bytes() const { return max_bytes_; }
  int64_t held_bytes() const;
  int64_t peak_bytes() const;
  int64_t refused() const;
  int64_t trims() const;

 private:
  static constexpr std::chrono::milliseconds kTrimDelay{200};

  void Release(int64_t bytes);
  void TrimLoop();

  const int64_t max_bytes_;
  const int64_t trim_after_bytes_;
  mutable std::mutex mu_;
  int64_t held_ = 0;
  int64_t peak_ = 0;          // highest held_ ever
  int64_t burst_peak_ = 0;    // highest held_ since it was last 0
  int64_t refused_ = 0;
  int64_t trims_ = 0;
  bool trim_pending_ = false;
  std::chrono::steady_clock::time_point trim_at_;
  bool stopping_ = false;
  std::condition_variable cv_;
  std::thread trimmer_;  // last: started once the fields above exist
};

// Estimated bytes a write request holds in this server while it is in
// flight: the parsed message, the rows copied from it for the store, the
// per-record strings and allocator overhead. A multiple of the wire size
// (measured, docs/operations.md) plus a fixed per-call cost.
int64_t WriteChargeBytes(const google::protobuf::Message& request);

// Admits `request` (charged WriteChargeBytes) before anything is copied from
// it: a lease to keep until the reply is sent, or RESOURCE_EXHAUSTED when the
// budget is full. A null budget admits everything (tests).
[[nodiscard]] absl::StatusOr<std::shared_ptr<WriteBudget::Lease>> AdmitWrite(
    WriteBudget* budget, const google::protobuf::Message& request);

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_WRITE_BUDGET_H_
