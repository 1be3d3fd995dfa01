#include "server/store_entry_recorder.h"

#include <memory>

namespace holdfast::server {

EntryRow ToEntryRow(DecidedEntry e) {
  EntryRow row;
  row.journey = std::move(e.journey);
  row.unit = std::move(e.unit);
  row.period = e.period;
  row.t0 = e.t0;
  row.group = static_cast<EntryGroup>(static_cast<int>(e.group));
  row.arm = std::move(e.arm);
  row.config_version = std::move(e.config_version);
  row.in_washout = e.in_washout;
  row.attributes = std::move(e.attributes);
  return row;
}

void StoreEntryRecorder::Record(std::vector<DecidedEntry> entries,
                                std::function<void(absl::Status, std::vector<bool>)> done) {
  auto rows = std::make_shared<std::vector<EntryRow>>();
  rows->reserve(entries.size());
  for (DecidedEntry& e : entries) rows->push_back(ToEntryRow(std::move(e)));
  auto task = [this, rows, done]() {
    absl::StatusOr<EntryWriteResult> result = store_->RecordEntries(*rows);
    if (!result.ok()) {
      done(result.status(), {});
      return;
    }
    done(absl::OkStatus(), std::move(result->inserted));
  };
  if (!pool_->TrySubmit(std::move(task))) {
    done(absl::ResourceExhaustedError("server busy: too many writes waiting; retry with backoff"), {});
  }
}

}  // namespace holdfast::server
