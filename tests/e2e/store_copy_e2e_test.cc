// `holdfast store copy` as an operator runs it: a SQLite file copied into a
// real PostgreSQL database by the installed CLI, stopped part-way (the
// hidden --test-stop-after-batches hook, as if killed), run again to finish,
// and a third run that inserts nothing. Counts are read off the summary.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/storage/store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kEntries = 2500;
constexpr int kSends = 1000;

// table -> {read, inserted, already present} from the summary on stdout.
std::map<std::string, std::vector<std::string>> Summary(const std::string& out) {
  std::map<std::string, std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    std::vector<std::string> cols = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (cols.size() == 4) rows[cols[0]] = {cols[1], cols[2], cols[3]};
  }
  return rows;
}

void FillSqlite(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(path);
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<EntryRow> entries;
  for (int i = 0; i < kEntries; ++i) {
    EntryRow e;
    e.journey = "cart";
    e.unit = absl::StrCat("u", i);
    e.t0 = 1000 + i;
    e.group = i % 3 == 0 ? EntryGroup::kHoldout : EntryGroup::kTreatment;
    if (e.group == EntryGroup::kTreatment) e.arm = "A";
    e.config_version = "v1";
    e.attributes = {{"tier", i % 2 ? "vip" : "std"}};
    entries.push_back(e);
  }
  ASSERT_TRUE((*s)->RecordEntries(entries).ok());
  std::vector<SendRow> sends;
  for (int i = 0; i < kSends; ++i) {
    sends.push_back({absl::StrCat("s", i), absl::StrCat("u", i), "cart", "email", 2000 + i, 0.25});
  }
  ASSERT_TRUE((*s)->RecordSends(sends).ok());
  ASSERT_TRUE((*s)->AppendConfigVersion({"v1", 10, "/etc/holdfast/c.textproto", "initial", "", "r1"}).ok());
}

TEST(StoreCopyE2eTest, StoppedCopyFinishesOnRerunAndAThirdRunInsertsNothing) {
  TempDir dir;
  const std::string src = dir.File("holdfast.db");
  FillSqlite(src);
  absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::string> dst = (*pg)->CreateDatabase("copy_dst");
  ASSERT_TRUE(dst.ok()) << dst.status();
  const std::vector<std::string> copy = {HoldfastCliPath(), "store", "copy", "sqlite:" + src, *dst,
                                         "--batch-rows", "500"};

  // Pages: config history 1, entries 2 and 3, then stop: 1,000 entries stored.
  std::vector<std::string> stopped = copy;
  stopped.insert(stopped.end(), {"--test-stop-after-batches", "3"});
  CommandResult r = RunCommand(stopped);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("run the same command again"));

  r = RunCommand(copy);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = Summary(r.out);
  EXPECT_EQ(rows["entries"], (std::vector<std::string>{"2,500", "1,500", "1,000"})) << r.out;
  EXPECT_EQ(rows["sends"], (std::vector<std::string>{"1,000", "1,000", "0"})) << r.out;
  EXPECT_EQ(rows["config_versions"], (std::vector<std::string>{"1", "0", "1"})) << r.out;
  EXPECT_EQ(rows["outcomes"], (std::vector<std::string>{"0", "0", "0"})) << r.out;

  r = RunCommand(copy);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Summary(r.out);
  EXPECT_EQ(rows["entries"], (std::vector<std::string>{"2,500", "0", "2,500"})) << r.out;
  EXPECT_EQ(rows["sends"], (std::vector<std::string>{"1,000", "0", "1,000"})) << r.out;
  EXPECT_EQ(rows["config_versions"], (std::vector<std::string>{"1", "0", "1"})) << r.out;

  // And back into a new SQLite file: everything arrives.
  r = RunCommand({HoldfastCliPath(), "store", "copy", *dst, dir.File("back.db"), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Summary(r.out);
  EXPECT_EQ(rows["entries"], (std::vector<std::string>{"2,500", "2,500", "0"})) << r.out;
  EXPECT_EQ(r.err.find("inserted"), std::string::npos) << "--quiet printed progress: " << r.err;
}

// A SQLite store a server holds (its lock file) is refused, not read beside
// the server (docs/postgresql.md: copy a VACUUM INTO snapshot instead).
TEST(StoreCopyE2eTest, ServedSqliteSourceIsRefused) {
  TempDir dir;
  const std::string src = dir.File("served.db");
  FillSqlite(src);
  absl::StatusOr<std::unique_ptr<Store>> served = Store::Open(src);  // as holdfastd would
  ASSERT_TRUE(served.ok()) << served.status();
  CommandResult r = RunCommand({HoldfastCliPath(), "store", "copy", src, dir.File("dst.db")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION")) << r.err;
}

TEST(StoreCopyE2eTest, MissingSourceFileFailsWithoutCreatingIt) {
  TempDir dir;
  CommandResult r =
      RunCommand({HoldfastCliPath(), "store", "copy", dir.File("typo.db"), dir.File("dst.db")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no SQLite store"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("typo.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("dst.db")));
  r = RunCommand({HoldfastCliPath(), "store", "copy", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("SRC_URI may stay in service"));
}

// A destination meant for PostgreSQL but not written as a postgresql:// URI
// is refused, not copied into a SQLite file of that name, and the refusal
// does not repeat the password.
TEST(StoreCopyE2eTest, DestinationThatIsNotAStoreUriIsRefusedWithoutThePassword) {
  TempDir dir;
  const std::string src = dir.File("src.db");
  FillSqlite(src);
  for (const std::string& dst : {std::string("host=127.0.0.1 dbname=hf password=s3cret-pw"),
                                 std::string("postgres:s3cret-pw"), std::string("Postgresql:/hf:s3cret-pw@db/x")}) {
    CommandResult r = RunCommand({HoldfastCliPath(), "store", "copy", src, dst});
    EXPECT_EQ(r.exit_code, 1) << dst;
    EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT")) << r.err;
    EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace holdfast::testing
