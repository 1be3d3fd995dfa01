// `holdfast import` end to end: the real holdfastd (examples/holdfast.textproto,
// fresh SQLite store, 127.0.0.1 port 0) and the real CLI.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ImportE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(
        HoldfastdPath(),
        std::vector<std::string>{"--config=" + SourceDir() + "/examples/holdfast.textproto",
                                 "--db=" + dir_.File("holdfast.db")},
        dir_.path());
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  CommandResult Import(const std::string& kind, const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {HoldfastCliPath(), "import", kind, "--server", daemon_->address(), file};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand(args, {}, 120);
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // `n` sends with distinct ids over two configured journeys.
  static std::string Sends(int n) {
    std::string csv = "send_id,unit,journey,channel,at,cost\n";
    for (int i = 0; i < n; ++i) {
      absl::StrAppend(&csv, "snd-", i, ",cust-", i % 1013, ",", i % 2 ? "winback" : "cart_abandon",
                      ",email,", 1795428000 + i, ",0.002\n");
    }
    return csv;
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ImportE2eTest, SecondImportOfTheSameFileIsAllDuplicates) {
  const std::string file = Write("sends.csv", Sends(12000));
  CommandResult first = Import("sends", file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("sends: 12,000 rows, 12,000 inserted, 0 duplicates, 0 rejected"));
  EXPECT_EQ(first.out, "");

  CommandResult second = Import("sends", file, {"--batch-size", "5000", "--parallel", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("sends: 12,000 rows, 0 inserted, 12,000 duplicates, 0 rejected"));
}

TEST_F(ImportE2eTest, RejectedRowsAreNamedByLineAndTheRestIsStored) {
  std::string csv = Sends(3000);
  csv += "bad-1,cust-1,cart_abandonn,email,2026-11-23T10:00:00Z,0.1\n";  // line 3002
  csv += "bad-2,cust-2,cart_abandon,email,2026-11-23T10:00:00Z,abc\n";   // line 3003
  csv += "bad-3,cust-3,winback,email,2026-11-23T10:00:00Z,-1\n";         // line 3004
  csv += "bad-4,cust-4,winback,email,yesterday,1\n";                     // line 3005
  const std::string file = Write("sends.csv", csv);
  const std::string rejects = dir_.File("rejects.csv");
  CommandResult r = Import("sends", file, {"--rejects", rejects});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("sends: 3,004 rows, 3,000 inserted, 0 duplicates, 4 rejected"));
  EXPECT_THAT(r.err, HasSubstr("line 3002: journey: 'cart_abandonn' is not configured"));
  EXPECT_THAT(r.err, HasSubstr("line 3003: cost: not a number 'abc'"));
  EXPECT_THAT(r.err, HasSubstr("line 3004: cost: must be finite and >= 0 (at most 1e+12), got -1"));
  EXPECT_THAT(r.err, HasSubstr("line 3005: at: cannot parse time 'yesterday'"));
  std::ifstream in(rejects);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("line,reason\n"));
  EXPECT_THAT(text, HasSubstr("3004,"));

  // Re-running: the good rows are duplicates, the bad ones are rejected again.
  CommandResult again = Import("sends", file);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("0 inserted, 3,000 duplicates, 4 rejected"));
}

TEST_F(ImportE2eTest, OutcomesCostsAndEntries) {
  CommandResult o = Import("outcomes", Write("outcomes.csv",
                                             "outcome_id,unit,at,type,revenue,margin,order_id\n"
                                             "ord-1,cust-1,2026-11-24T09:00:00Z,order,59.90,18.20,\n"
                                             "ref-1,cust-1,2026-11-30T12:00:00Z,refund,59.90,18.20,ord-1\n"
                                             "uns-1,cust-2,2026-11-30T12:00:00Z,unsubscribe,,,\n"));
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("outcomes: 3 rows, 3 inserted"));

  CommandResult c = Import("costs", Write("costs.csv",
                                          "cost_id,journey,start,end,amount,category\n"
                                          "fee-11,cart_abandon,2026-11-01,2026-12-01,1200,platform\n"));
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.err, HasSubstr("costs: 1 row, 1 inserted"));

  const std::string entries = Write("entries.csv",
                                    "journey,unit,at,attr.country\n"
                                    "winback,cust-1,2026-11-02T08:00:00Z,FR\n"
                                    "winback,cust-2,2026-11-02T08:00:00Z,\n"
                                    "cart_abandon,cust-1,2026-11-02T08:00:00Z,DE\n");
  CommandResult e = Import("entries", entries);
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_THAT(e.err, HasSubstr("entries: 3 rows, 3 inserted, 0 duplicates"));
  CommandResult e2 = Import("entries", entries);
  EXPECT_EQ(e2.exit_code, 0) << e2.err;
  EXPECT_THAT(e2.err, HasSubstr("entries: 3 rows, 0 inserted, 3 duplicates"));
}

TEST_F(ImportE2eTest, CustomersAreIdempotentByUnitAndBadRowsAreNamedByLine) {
  const std::string roster = Write("customers.csv",
                                   "unit,first_seen\n"
                                   "cust-1,2026-01-15\n"
                                   "cust-2,2026-03-01T10:00:00Z\n"
                                   ",2026-03-01\n"
                                   "cust-3,not-a-time\n"
                                   "cust-1,2025-01-01\n");
  CommandResult c = Import("customers", roster);
  EXPECT_EQ(c.exit_code, 1) << c.err;
  // cust-1 again is a duplicate: the first first_seen stands.
  EXPECT_THAT(c.err, HasSubstr("customers: 5 rows, 2 inserted, 1 duplicates, 2 rejected"));
  EXPECT_THAT(c.err, HasSubstr("line 4: unit: must not be empty"));
  EXPECT_THAT(c.err, HasSubstr("line 5: first_seen: "));
  CommandResult again = Import("customers", Write("more.csv", "unit,first_seen\ncust-2,2026-03-01\ncust-4,2026-04-01\n"));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("customers: 2 rows, 1 inserted, 1 duplicates, 0 rejected"));
}

TEST_F(ImportE2eTest, UnreachableServerStopsWithRerunAdviceThenRerunCompletes) {
  const std::string file = Write("sends.csv", Sends(500));
  const std::string address = daemon_->address();
  ASSERT_EQ(WEXITSTATUS(daemon_->Signal(SIGTERM)), 0) << daemon_->log();
  CommandResult stopped =
      RunCommand({HoldfastCliPath(), "import", "sends", "--server", address, file, "--attempts", "2"}, {}, 60);
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_THAT(stopped.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(stopped.err, HasSubstr("re-running the same command is safe"));
  EXPECT_THAT(stopped.err, HasSubstr("0 inserted"));

  ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  CommandResult rerun = Import("sends", file);
  EXPECT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_THAT(rerun.err, HasSubstr("500 inserted"));
}

TEST_F(ImportE2eTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Import("sends", dir_.File("missing.csv")).exit_code, 2);
  CommandResult header = Import("sends", Write("bad.csv", "send_id,unit,colour\n"));
  EXPECT_EQ(header.exit_code, 2);
  EXPECT_THAT(header.err, HasSubstr("unknown column 'colour'"));
  EXPECT_EQ(Import("orders", Write("x.csv", "a\n")).exit_code, 2);
  CommandResult quiet = Import("sends", Write("one.csv", Sends(1)));
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  // Not a terminal: no progress bar, only the summary.
  EXPECT_THAT(quiet.err, Not(HasSubstr("\r")));
}

}  // namespace
}  // namespace holdfast::testing
