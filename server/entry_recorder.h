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
#include "lib/storage/records.h"

namespace holdfast::server {


// The entry row for a decision made at `t` (shared by Assign, BatchAssign
// and imported entries, so all three record the same thing).
inline EntryRow MakeEntryRow(const JourneySpec& journey, const std::string& unit, const Decision& d,
                             UnixMicros t, const std::string& config_version,
                             std::vector<std::pair<std::string, std::string>> attributes) {
  EntryRow e;
  e.journey = journey.id;
  e.unit = unit;
  e.period = d.period;
  e.t0 = t;
  e.group = static_cast<EntryGroup>(static_cast<int>(d.group));
  if (d.arm_index >= 0) e.arm = journey.arms[d.arm_index].name;
  e.config_version = config_version;
  e.in_washout = d.in_washout;
  e.attributes = std::move(attributes);
  return e;
}

class EntryRecorder {
 public:
  virtual ~EntryRecorder() = default;
  // Records `entries` atomically; calls `done` exactly once, from any thread,
  // with the status and, when OK, one flag per entry: true when the entry was
  // new (first of that unit in that journey and period).
  virtual void Record(std::vector<EntryRow> entries,
                      std::function<void(absl::Status, std::vector<bool>)> done) = 0;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_ENTRY_RECORDER_H_
