#include "server/write_budget.h"

#include <malloc.h>

#include "absl/strings/str_cat.h"

namespace holdfast::server {
namespace {

// In-memory bytes per wire byte of a write request, and a fixed cost per
// call (reactor, context, lambdas). See docs/operations.md, "Memory bound":
// a 1 MiB RecordSends (10,000 sends) grows RSS by ~kWireFactor MiB while it
// is held.
constexpr int64_t kWireFactor = 6;
constexpr int64_t kPerCallBytes = 16 << 10;

}  // namespace

WriteBudget::WriteBudget(int64_t max_bytes, int64_t trim_after_bytes)
    : max_bytes_(max_bytes), trim_after_bytes_(trim_after_bytes), trimmer_([this] { TrimLoop(); }) {}

WriteBudget::~WriteBudget() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  trimmer_.join();
}

void WriteBudget::TrimLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (!trim_pending_) {
      cv_.wait(lock);
      continue;
    }
    if (held_ != 0) {  // a new burst began: wait for it to drain
      trim_pending_ = false;
      continue;
    }
    if (std::chrono::steady_clock::now() < trim_at_) {
      cv_.wait_until(lock, trim_at_);
      continue;
    }
    trim_pending_ = false;
    ++trims_;
    lock.unlock();
    malloc_trim(0);  // walks every arena: never under the lock
    lock.lock();
  }
}

std::shared_ptr<WriteBudget::Lease> WriteBudget::TryReserve(int64_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (held_ + bytes > max_bytes_) {
      ++refused_;
      return nullptr;
    }
    held_ += bytes;
    if (held_ > peak_) peak_ = held_;
    if (held_ > burst_peak_) burst_peak_ = held_;
  }
  return std::make_shared<Lease>(this, bytes);
}

void WriteBudget::Release(int64_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ -= bytes;
    if (held_ != 0 || burst_peak_ < trim_after_bytes_) {
      if (held_ == 0) burst_peak_ = 0;
      return;
    }
    burst_peak_ = 0;
    trim_pending_ = true;
    trim_at_ = std::chrono::steady_clock::now() + kTrimDelay;
  }
  cv_.notify_all();
}

std::string WriteBudget::BusyMessage(int64_t bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  return absl::StrCat("server busy: writes in flight hold ", held_, " of ", max_bytes_,
                      " bytes (--max_pending_bytes), this call needs ~", bytes,
                      "; retry with backoff");
}

int64_t WriteBudget::held_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}
int64_t WriteBudget::peak_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peak_;
}
int64_t WriteBudget::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}
int64_t WriteBudget::trims() const {
  std::lock_guard<std::mutex> lock(mu_);
  return trims_;
}

int64_t WriteChargeBytes(const google::protobuf::Message& request) {
  return static_cast<int64_t>(request.ByteSizeLong()) * kWireFactor + kPerCallBytes;
}

absl::StatusOr<std::shared_ptr<WriteBudget::Lease>> AdmitWrite(WriteBudget* budget,
                                                               const google::protobuf::Message& request) {
  if (budget == nullptr) return std::make_shared<WriteBudget::Lease>(nullptr, 0);
  const int64_t bytes = WriteChargeBytes(request);
  std::shared_ptr<WriteBudget::Lease> lease = budget->TryReserve(bytes);
  if (lease == nullptr) return absl::ResourceExhaustedError(budget->BusyMessage(bytes));
  return lease;
}

}  // namespace holdfast::server
