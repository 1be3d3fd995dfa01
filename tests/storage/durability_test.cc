// What a returned write survives. A child process writes through the store
// and is killed with SIGKILL right after the call returns (no destructor, no
// checkpoint, WAL left behind); the parent reopens the file and must find
// every acknowledged record.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/storage/sqlite_store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast {
namespace {

using ::holdfast::testing::TempDir;

constexpr int kRows = 2000;

// Runs in the forked child: never returns.
[[noreturn]] void WriteThenDie(const std::string& path, SqliteStoreOptions::Synchronous sync) {
  SqliteStoreOptions options;
  options.synchronous = sync;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path, options);
  if (!store.ok()) _exit(2);
  std::vector<SendRow> rows;
  for (int i = 0; i < kRows; ++i) {
    rows.push_back({absl::StrCat("s", i), absl::StrCat("u", i % 97), "j", "email", 1000 + i, 0.01});
  }
  // Two calls: both acknowledged before the kill.
  std::vector<SendRow> first(rows.begin(), rows.begin() + kRows / 2);
  std::vector<SendRow> second(rows.begin() + kRows / 2, rows.end());
  if (!(*store)->RecordSends(first).ok() || !(*store)->RecordSends(second).ok()) _exit(3);
  raise(SIGKILL);
  _exit(4);  // not reached
}

void ExpectSurvivesKill(SqliteStoreOptions::Synchronous sync) {
  TempDir dir;
  const std::string path = dir.File("db");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) WriteThenDie(path, sync);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit code " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  // Every acknowledged send is there: writing them again is all duplicates.
  std::vector<SendRow> again;
  for (int i = 0; i < kRows; ++i) {
    again.push_back({absl::StrCat("s", i), absl::StrCat("u", i % 97), "j", "email", 1000 + i, 0.01});
  }
  absl::StatusOr<WriteSummary> s = (*store)->RecordSends(again);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duplicates, kRows);
  EXPECT_EQ(s->inserted, 0);
}

TEST(DurabilityTest, AcknowledgedWritesSurviveKill9WithSynchronousNormal) {
  ExpectSurvivesKill(SqliteStoreOptions::Synchronous::kNormal);
}

TEST(DurabilityTest, AcknowledgedWritesSurviveKill9WithSynchronousFull) {
  ExpectSurvivesKill(SqliteStoreOptions::Synchronous::kFull);
}

}  // namespace
}  // namespace holdfast
