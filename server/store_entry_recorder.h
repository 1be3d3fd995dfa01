// EntryRecorder over lib/storage: writes entries on the work pool and
// replies from there once they are committed.
#ifndef HOLDFAST_SERVER_STORE_ENTRY_RECORDER_H_
#define HOLDFAST_SERVER_STORE_ENTRY_RECORDER_H_

#include "lib/storage/store.h"
#include "server/entry_recorder.h"
#include "server/work_pool.h"

namespace holdfast::server {

class StoreEntryRecorder final : public EntryRecorder {
 public:
  // Both must outlive the recorder.
  StoreEntryRecorder(Store* store, WorkPool* pool) : store_(store), pool_(pool) {}

  void Record(std::vector<EntryRow> entries,
              std::function<void(absl::Status, std::vector<bool>)> done) override;

 private:
  Store* store_;
  WorkPool* pool_;
};


}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_STORE_ENTRY_RECORDER_H_
