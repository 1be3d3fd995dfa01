// An exclusive advisory lock (flock) on a sidecar file, held for the life of
// the object: how SqliteStore makes sure only one process writes a store.
// SQLite's own locks do not help here: WAL mode lets any number of
// connections share the file, so two servers would both "work" and split the
// callers. The lock file holds the owner's pid for the error message.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_FILE_LOCK_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_FILE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace holdfast::storage_internal {

class FileLock {
 public:
  // Creates `path` if missing and locks it without waiting.
  // FAILED_PRECONDITION (naming the holder's pid) when another process (or
  // another FileLock in this one) holds it or when permissions forbid
  // creating it; UNAVAILABLE when it cannot be created otherwise.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path,
                                                                        const std::string& what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_FILE_LOCK_H_
