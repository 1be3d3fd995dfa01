// Start-up refusals of the real holdfastd: each situation that would lose or
// split data makes the daemon exit 1 with a clear message at start, instead
// of starting and failing (or silently misbehaving) later.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

std::string ConfigFlag() { return "--config=" + SourceDir() + "/examples/holdfast.textproto"; }

// Runs holdfastd to completion (it must refuse within seconds).
CommandResult RunDaemon(const std::vector<std::string>& extra, const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  argv.push_back(HoldfastdPath());
  argv.push_back(ConfigFlag());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv, {}, /*timeout_seconds=*/20);
}

TEST(StartupE2eTest, SecondDaemonOnTheSameStoreExits) {
  TempDir dir;
  DaemonProcess first(HoldfastdPath(), {ConfigFlag(), "--db=" + dir.File("holdfast.db")}, dir.path());
  ASSERT_TRUE(first.Start()) << first.log();
  CommandResult second = RunDaemon({"--db=" + dir.File("holdfast.db"), "--listen=127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_TRUE(absl::StrContains(second.err, "is in use by another process")) << second.err;
  EXPECT_TRUE(absl::StrContains(second.err, "pid " + std::to_string(first.pid()))) << second.err;
  // The first is unaffected, and once it is gone the store opens again.
  EXPECT_EQ(first.Signal(SIGTERM), 0);
  DaemonProcess third(HoldfastdPath(), {ConfigFlag(), "--db=" + dir.File("holdfast.db")}, dir.path());
  EXPECT_TRUE(third.Start()) << third.log();
}

TEST(StartupE2eTest, PortAlreadyInUseExits) {
  TempDir dir;
  DaemonProcess first(HoldfastdPath(), {ConfigFlag(), "--db=" + dir.File("a.db")}, dir.path());
  ASSERT_TRUE(first.Start()) << first.log();
  CommandResult second = RunDaemon({"--db=" + dir.File("b.db"), "--listen=" + first.address()});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_TRUE(absl::StrContains(second.err, "cannot listen on " + first.address())) << second.err;
}

TEST(StartupE2eTest, UnwritableStoreExits) {
  TempDir dir;
  const std::string db = dir.File("holdfast.db");
  {
    DaemonProcess creator(HoldfastdPath(), {ConfigFlag(), "--db=" + db}, dir.path());
    ASSERT_TRUE(creator.Start()) << creator.log();
    ASSERT_EQ(creator.Signal(SIGTERM), 0);
  }
  ASSERT_EQ(chmod(db.c_str(), 0444), 0);
  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    // Root writes through any mode bits by CAP_DAC_OVERRIDE: run the daemon
    // without it (still uid 0, so it can read everything it needs).
    prefix = {"/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search"};
  }
  CommandResult r = RunDaemon({"--db=" + db, "--listen=127.0.0.1:0"}, prefix);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "is not writable")) << r.err;
}

TEST(StartupE2eTest, EmptyFileIsRefusedUnlessInitStore) {
  TempDir dir;
  const std::string db = dir.File("holdfast.db");
  std::ofstream(db).close();
  CommandResult r = RunDaemon({"--db=" + db, "--listen=127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "is not a Holdfast store (an empty file)")) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "--init_store")) << r.err;
  EXPECT_EQ(std::filesystem::file_size(db), 0u);  // untouched

  DaemonProcess init(HoldfastdPath(), {ConfigFlag(), "--db=" + db, "--init_store"}, dir.path());
  ASSERT_TRUE(init.Start()) << init.log();
  ASSERT_EQ(init.Signal(SIGTERM), 0);
  // Now it is a store: a plain start accepts it.
  DaemonProcess again(HoldfastdPath(), {ConfigFlag(), "--db=" + db}, dir.path());
  EXPECT_TRUE(again.Start()) << again.log();
}

TEST(StartupE2eTest, NonStoreFileIsRefusedEvenWithInitStore) {
  TempDir dir;
  const std::string db = dir.File("notes.txt");
  const std::string text = "these are someone's notes, not a database\n";
  {
    std::ofstream out(db);
    for (int i = 0; i < 200; ++i) out << text;
  }
  for (bool init : {false, true}) {
    std::vector<std::string> args = {"--db=" + db, "--listen=127.0.0.1:0"};
    if (init) args.push_back("--init_store");
    CommandResult r = RunDaemon(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(absl::StrContains(r.err, "is not a Holdfast store (not an SQLite database)")) << r.err;
  }
  EXPECT_EQ(std::filesystem::file_size(db), 200 * text.size());  // untouched
}

}  // namespace
}  // namespace holdfast::testing
