#include "server/stalling_store.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace holdfast::server {

void StallingStore::WaitWhileStalled() const {
  if (access(stall_while_path_.c_str(), F_OK) != 0) return;
  // Tells a test that a write is now waiting (instead of its guessing how
  // long the call takes to get here).
  std::ofstream(stall_while_path_ + ".waiting").close();
  while (access(stall_while_path_.c_str(), F_OK) == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

absl::StatusOr<EntryWriteResult> StallingStore::RecordEntries(absl::Span<const EntryRow> rows) {
  WaitWhileStalled();
  return store_->RecordEntries(rows);
}
absl::StatusOr<WriteSummary> StallingStore::RecordSends(absl::Span<const SendRow> rows) {
  WaitWhileStalled();
  return store_->RecordSends(rows);
}
absl::StatusOr<WriteSummary> StallingStore::RecordOutcomes(absl::Span<const OutcomeRow> rows) {
  WaitWhileStalled();
  return store_->RecordOutcomes(rows);
}
absl::StatusOr<WriteSummary> StallingStore::RecordFixedCosts(absl::Span<const FixedCostRow> rows) {
  WaitWhileStalled();
  return store_->RecordFixedCosts(rows);
}

absl::StatusOr<WriteSummary> StallingStore::RecordCustomers(absl::Span<const CustomerRow> rows) {
  WaitWhileStalled();
  return store_->RecordCustomers(rows);
}

}  // namespace holdfast::server
