// The online backup and the restore of docs/operations.md, with the real
// binaries: a backup taken by the sqlite3 CLI while holdfastd serves (and
// keeps writing after it) is a consistent snapshot; restored as the docs say
// (stop, replace the file, remove -wal/-shm), the server opens it and reports
// the counts of the moment of the backup, and forgets what came after.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSqlite3[] = "/usr/bin/sqlite3";

// Entry counts of journey `renewal` (treatment + holdout) in a report over the
// day the test assigns in, with a fixed as_of, read from the CSV.
struct Counts {
  int64_t treatment = -1;
  int64_t holdout = -1;
  bool operator==(const Counts& o) const { return treatment == o.treatment && holdout == o.holdout; }
};
void PrintTo(const Counts& c, std::ostream* os) { *os << "{treatment " << c.treatment << ", holdout " << c.holdout << "}"; }

Counts ReportCounts(const std::string& server) {
  CommandResult r = RunCommand({HoldfastCliPath(), "report", "--server", server, "--journey", "renewal", "--from",
                                "2026-11-02", "--to", "2026-11-03", "--as-of", "2027-01-01", "--format", "csv"});
  Counts counts;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  if (lines.size() < 2) {
    ADD_FAILURE() << r.out;
    return counts;
  }
  std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  std::vector<std::string> row = absl::StrSplit(lines[1], ',');
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    if (header[i] == "treatment_entries") {
      EXPECT_TRUE(absl::SimpleAtoi(row[i], &counts.treatment)) << row[i];
    } else if (header[i] == "holdout_entries") {
      EXPECT_TRUE(absl::SimpleAtoi(row[i], &counts.holdout)) << row[i];
    }
  }
  return counts;
}

// Records `n` renewal entries for units prefix0..prefix(n-1) on 2026-11-02.
void AssignUnits(const std::string& server, const std::string& units_file, const std::string& prefix, int n) {
  {
    std::ofstream out(units_file);
    for (int i = 0; i < n; ++i) out << prefix << i << "\n";
  }
  CommandResult r = RunCommand({HoldfastCliPath(), "assign", "--server", server, "--journey", "renewal",
                                "--units-file", units_file, "--at", "2026-11-02T10:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Whether `unit` is already recorded: a recording assign says new_entry=false.
bool IsRecorded(const std::string& server, const std::string& unit) {
  CommandResult r = RunCommand({HoldfastCliPath(), "assign", "--server", server, "--journey", "renewal", "--unit",
                                unit, "--at", "2026-11-02T11:00:00Z", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return absl::StrContains(r.out, "\"new_entry\":false");
}

// One way docs/operations.md gives to back up the store online.
struct BackupMethod {
  const char* name;
  // The sqlite3 arguments after the database path that write `backup`.
  std::vector<std::string> (*args)(const std::string& backup);
};
void PrintTo(const BackupMethod& m, std::ostream* os) { *os << m.name; }

const BackupMethod kMethods[] = {
    {"VacuumInto", [](const std::string& b) { return std::vector<std::string>{"VACUUM INTO '" + b + "'"}; }},
    {"DotBackup", [](const std::string& b) { return std::vector<std::string>{".backup '" + b + "'"}; }},
};

// How the server was stopped before the restore. After a crash the -wal
// file holds commits newer than the backup: left in place, SQLite would replay
// them onto the restored file (seen: the restore then reported every entry of
// the crashed server), which is why the restore removes -wal and -shm.
struct StopMethod {
  const char* name;
  int signal;
};
const StopMethod kStops[] = {{"Stopped", SIGTERM}, {"Crashed", SIGKILL}};
void PrintTo(const StopMethod& m, std::ostream* os) { *os << m.name; }

class BackupTest : public ::testing::TestWithParam<std::tuple<BackupMethod, StopMethod>> {};

TEST_P(BackupTest, OnlineBackupRestoresToTheCountsOfItsMoment) {
  TempDir dir;
  const std::string db = dir.File("holdfast.db");
  DaemonProcess daemon(HoldfastdPath(),
                       {"--config=" + SourceDir() + "/examples/holdfast.textproto", "--db=" + db}, dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  ASSERT_NO_FATAL_FAILURE(AssignUnits(daemon.address(), dir.File("first.txt"), "first-", 3000));
  const Counts at_backup = ReportCounts(daemon.address());
  ASSERT_GT(at_backup.treatment, 0);
  ASSERT_GT(at_backup.holdout, 0);

  // The store is in WAL mode, so a reader (the backup) never blocks the
  // server's writer, and it reads one snapshot.
  CommandResult mode = RunCommand({kSqlite3, db, "PRAGMA journal_mode"});
  EXPECT_EQ(mode.out, "wal\n") << mode.err;
  const std::string backup = dir.File("backup.db");
  std::vector<std::string> argv = {kSqlite3, "-cmd", ".timeout 5000", db};
  for (std::string& a : std::get<0>(GetParam()).args(backup)) argv.push_back(std::move(a));
  CommandResult taken = RunCommand(argv);
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  CommandResult check = RunCommand({kSqlite3, backup, "PRAGMA integrity_check"});
  EXPECT_EQ(check.out, "ok\n") << check.err;

  // The server goes on writing after the backup.
  ASSERT_NO_FATAL_FAILURE(AssignUnits(daemon.address(), dir.File("second.txt"), "second-", 1000));
  // Journey reports leave out the global holdout (2 % of units), so the
  // second batch adds a little under 1,000 entries.
  const Counts live = ReportCounts(daemon.address());
  const int64_t added = (live.treatment + live.holdout) - (at_backup.treatment + at_backup.holdout);
  EXPECT_GT(added, 900);
  EXPECT_LE(added, 1000);

  // Restore as docs/operations.md says: stop, replace the file, remove -wal and -shm.
  const StopMethod stop = std::get<1>(GetParam());
  const int status = daemon.Signal(stop.signal);
  if (stop.signal == SIGKILL) {
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_TRUE(std::filesystem::exists(db + "-wal")) << "a crashed server leaves its WAL";
  } else {
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << daemon.log();
  }
  std::filesystem::copy_file(backup, db, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  EXPECT_EQ(ReportCounts(daemon.address()), at_backup);
  EXPECT_TRUE(IsRecorded(daemon.address(), "first-17"));
  EXPECT_FALSE(IsRecorded(daemon.address(), "second-17"));  // written after the backup
}

INSTANTIATE_TEST_SUITE_P(Methods, BackupTest, ::testing::Combine(::testing::ValuesIn(kMethods), ::testing::ValuesIn(kStops)),
                         [](const ::testing::TestParamInfo<BackupTest::ParamType>& info) {
                           return std::string(std::get<0>(info.param).name) + "_" + std::get<1>(info.param).name;
                         });

}  // namespace
}  // namespace holdfast::testing
