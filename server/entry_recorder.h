// Where Assign/BatchAssign send the entries they decide. The production
// implementation writes through lib/storage's group commit; the reply is sent
// only from `done`, after the entries are durable.
#ifndef HOLDFAST_SERVER_ENTRY_RECORDER_H_
#define HOLDFAST_SERVER_ENTRY_RECORDER_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "lib/assign/assigner.h"
#include "lib/base/clock.h"

namespace holdfast::server {

struct DecidedEntry {
  std::string journey;
  std::string unit;
  int64_t period = 0;
  UnixMicros t0 = 0;
  AssignedGroup group = AssignedGroup::kTreatment;
  std::string arm;
  std::string config_version;
  bool in_washout = false;
  std::vector<std::pair<std::string, std::string>> attributes;
};

class EntryRecorder {
 public:
  virtual ~EntryRecorder() = default;
  // Records `entries` atomically; calls `done` exactly once, from any thread,
  // with the status and, when OK, one flag per entry: true when the entry was
  // new (first of that unit in that journey and period).
  virtual void Record(std::vector<DecidedEntry> entries,
                      std::function<void(absl::Status, std::vector<bool>)> done) = 0;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_ENTRY_RECORDER_H_
