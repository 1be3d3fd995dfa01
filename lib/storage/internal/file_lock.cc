#include "lib/storage/internal/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace holdfast::storage_internal {

absl::StatusOr<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path, const std::string& what) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    const std::string message = absl::StrCat("cannot create lock file ", path, ": ", std::strerror(err));
    // Permissions are the operator's to fix; a missing directory may be a
    // mount that is not there yet.
    if (err == EACCES || err == EROFS || err == EPERM) return absl::FailedPreconditionError(message);
    return absl::UnavailableError(message);
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    if (err != EWOULDBLOCK) {
      return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", std::strerror(err)));
    }
    int64_t pid = 0;
    const bool known = n > 0 && absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::string_view(buf, n)), &pid);
    return absl::FailedPreconditionError(absl::StrCat(
        what, " is in use by another process", known ? absl::StrCat(" (pid ", pid, ")") : std::string(),
        ": it holds the lock ", path, "; stop that process or use another store"));
  }
  // Ours now: record who holds it.
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock still holds; only the message for a second opener is poorer.
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { close(fd_); }

}  // namespace holdfast::storage_internal
