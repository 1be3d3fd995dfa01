#include "server/store_entry_recorder.h"

#include <memory>

namespace holdfast::server {

void StoreEntryRecorder::Record(std::vector<EntryRow> entries,
                                std::function<void(absl::Status, std::vector<bool>)> done) {
  auto rows = std::make_shared<std::vector<EntryRow>>(std::move(entries));
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
