// The importer against an in-process fake EventService (fake_event_service.h)
// that validates like the real one, is idempotent by id, and can be told to
// fail with UNAVAILABLE.
#include "client/importer.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <chrono>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "tests/client/fake_event_service.h"

namespace holdfast::cli {
namespace {

using holdfast::testing::FakeEventService;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = holdfast::v1::EventService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override { server_->Shutdown(); }

  ImportOptions Options(int batch_size = 100) {
    ImportOptions o;
    o.batch_size = batch_size;
    o.parallelism = 3;
    o.max_attempts = 4;
    o.initial_backoff = absl::Milliseconds(1);
    o.max_backoff = absl::Milliseconds(4);
    o.on_reject = [this](const Rejection& r) { all_rejections_.push_back(r); };
    return o;
  }

  ImportSummary Import(ImportKind kind, const std::string& csv, ImportOptions options) {
    std::istringstream in(csv);
    CsvReader reader(&in);
    Importer importer(stub_.get(), std::move(options));
    absl::StatusOr<ImportSummary> s = importer.Run(kind, &reader);
    EXPECT_TRUE(s.ok()) << s.status();
    const ImportProgress p = importer.progress();
    if (s.ok() && s->stopped.ok()) {
      EXPECT_EQ(p.bytes_read, static_cast<int64_t>(csv.size()));
      EXPECT_EQ(p.rows_done, s->rows);
    }
    return s.ok() ? *s : ImportSummary{};
  }

  // `n` valid sends; the row for send i is on line i + 2.
  static std::string Sends(int n) {
    std::string csv = "send_id,unit,journey,channel,at,cost\n";
    for (int i = 0; i < n; ++i) {
      absl::StrAppend(&csv, "s", i, ",u", i % 97, ",", i % 2 ? "winback" : "cart_abandon", ",email,",
                      1795428000 + i, ",0.01\n");
    }
    return csv;
  }

  FakeEventService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<holdfast::v1::EventService::Stub> stub_;
  std::vector<Rejection> all_rejections_;  // on_reject calls are serialized
};

TEST_F(ImporterTest, AllRowsStoredThenAllDuplicatesOnRerun) {
  const std::string csv = Sends(5000);
  ImportSummary first = Import(ImportKind::kSends, csv, Options(300));
  EXPECT_TRUE(first.stopped.ok()) << first.stopped;
  EXPECT_EQ(first.rows, 5000);
  EXPECT_EQ(first.inserted, 5000);
  EXPECT_EQ(first.duplicates, 0);
  EXPECT_EQ(first.rejected, 0);
  EXPECT_EQ(first.not_sent, 0);
  EXPECT_EQ(first.last_line, 5001);
  EXPECT_EQ(service_.calls(), 17);  // ceil(5000 / 300)
  EXPECT_LE(service_.max_concurrent(), 3);

  ImportSummary second = Import(ImportKind::kSends, csv, Options(300));
  EXPECT_EQ(second.inserted, 0);
  EXPECT_EQ(second.duplicates, 5000);
  EXPECT_EQ(service_.stored(), 5000u);
}

TEST_F(ImporterTest, LocalRejectionsCarryLineNumbersAndTheRestIsStored) {
  const std::string csv =
      "send_id,unit,journey,channel,at,cost\n"            // line 1
      "s1,u1,cart_abandon,email,2026-11-23T10:00:00Z,\n"  // 2: ok, channel cost
      "s2,u2,cart_abandon,email,2026-11-23,abc\n"         // 3: bad number
      "s3,u3,cart_abandon,\"multi\nline\",1795428000,1\n"  // 4-5: ok, quoted newline
      "s4,u4,cart_abandon,email\n"                        // 6: short row
      "s5,u5,cart_abandon,email,soon,1\n"                 // 7: bad time
      "s6,u6,cart_abandon,email,2026-11-23,nan\n"         // 8: NaN
      "s7,u\"7,cart_abandon,email,2026-11-23,1\n"         // 9: malformed CSV
      "s8,u8,winback,sms,2026-11-23,0.02\n";              // 10: ok
  ImportSummary s = Import(ImportKind::kSends, csv, Options(2));
  EXPECT_EQ(s.rows, 8);
  EXPECT_EQ(s.inserted, 3);
  EXPECT_EQ(s.rejected, 5);
  ASSERT_EQ(s.rejections.size(), 5u);
  EXPECT_EQ(s.rejections[0].line, 3);
  EXPECT_EQ(s.rejections[0].reason, "cost: not a number 'abc'");
  EXPECT_EQ(s.rejections[1].line, 6);
  EXPECT_EQ(s.rejections[1].reason, "expected 6 fields, got 4");
  EXPECT_EQ(s.rejections[2].line, 7);
  EXPECT_THAT(s.rejections[2].reason, HasSubstr("at: cannot parse time 'soon'"));
  EXPECT_EQ(s.rejections[3].line, 8);
  EXPECT_EQ(s.rejections[3].reason, "cost: must be a finite number, got 'nan'");
  EXPECT_EQ(s.rejections[4].line, 9);
  EXPECT_THAT(s.rejections[4].reason, HasSubstr("malformed CSV"));
  EXPECT_EQ(all_rejections_.size(), 5u);
}

TEST_F(ImporterTest, ServerRejectionIsMappedFromIndexToLine) {
  std::string csv = Sends(0);
  for (int i = 0; i < 1000; ++i) {
    const char* journey = i == 17 || i == 630 ? "nope" : "cart_abandon";
    const char* cost = i == 400 || i == 401 ? "-1" : "0.5";
    absl::StrAppend(&csv, "s", i, ",u", i, ",", journey, ",email,2026-11-23,", cost, "\n");
  }
  ImportSummary s = Import(ImportKind::kSends, csv, Options(250));
  EXPECT_TRUE(s.stopped.ok());
  EXPECT_EQ(s.inserted, 996);
  EXPECT_EQ(s.rejected, 4);
  ASSERT_EQ(s.rejections.size(), 4u);
  EXPECT_EQ(s.rejections[0].line, 19);
  EXPECT_EQ(s.rejections[0].reason, "journey: 'nope' is not configured");
  EXPECT_EQ(s.rejections[1].line, 402);
  EXPECT_EQ(s.rejections[1].reason, "cost: must be finite and >= 0, got -1");
  EXPECT_EQ(s.rejections[2].line, 403);
  EXPECT_EQ(s.rejections[3].line, 632);
  EXPECT_EQ(s.rejections[3].reason, "journey: 'nope' is not configured");
  EXPECT_EQ(service_.stored(), 996u);
}

TEST_F(ImporterTest, AFileFullOfBadRowsCostsFewCalls) {
  // Every row names an unconfigured journey: after the first answer the
  // importer rejects the rest locally.
  std::string csv = Sends(0);
  for (int i = 0; i < 4000; ++i) absl::StrAppend(&csv, "s", i, ",u,typo_journey,email,2026-11-23,\n");
  ImportSummary s = Import(ImportKind::kSends, csv, Options(1000));
  EXPECT_EQ(s.rejected, 4000);
  EXPECT_EQ(s.rejections.size(), 20u);
  EXPECT_EQ(s.rejections[0].line, 2);
  EXPECT_EQ(s.rejections[19].line, 21);
  EXPECT_LE(service_.calls(), 12);

  // Every other row has a negative cost (not cacheable): splitting keeps the
  // records sent far below the ~n²/2 of resending each remainder whole.
  std::string costs = Sends(0);
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&costs, "c", i, ",u,winback,email,2026-11-23,", i % 2 ? "-1" : "1", "\n");
  }
  const int64_t before = service_.records_received();
  ImportSummary t = Import(ImportKind::kSends, costs, Options(2000));
  EXPECT_EQ(t.inserted, 1000);
  EXPECT_EQ(t.rejected, 1000);
  EXPECT_LT(service_.records_received() - before, 60000);
}

TEST_F(ImporterTest, TransientErrorsAreRetried) {
  service_.FailNext(3);
  ImportSummary s = Import(ImportKind::kSends, Sends(1000), Options(500));
  EXPECT_TRUE(s.stopped.ok()) << s.stopped;
  EXPECT_EQ(s.inserted, 1000);
  EXPECT_EQ(s.retries, 3);
}

TEST_F(ImporterTest, PersistentUnavailableStopsAndARerunCompletes) {
  const std::string csv = Sends(3000);
  service_.FailAfter(4);  // 4 batches of 200 land, then the store goes away
  ImportOptions o = Options(200);
  o.parallelism = 1;
  ImportSummary first = Import(ImportKind::kSends, csv, o);
  EXPECT_EQ(first.stopped.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(first.stopped.message(), HasSubstr("gave up after 4 attempts"));
  EXPECT_EQ(first.inserted, 800);
  EXPECT_GT(first.not_sent, 0);
  EXPECT_EQ(first.inserted + first.not_sent, first.rows);
  EXPECT_LT(first.rows, 3000);  // reading stopped early, bounded by the queue

  service_.FailAfter(-1);
  ImportSummary second = Import(ImportKind::kSends, csv, o);
  EXPECT_TRUE(second.stopped.ok());
  EXPECT_EQ(second.duplicates, 800);
  EXPECT_EQ(second.inserted, 2200);
  EXPECT_EQ(service_.stored(), 3000u);
}

TEST_F(ImporterTest, KeepsTheFirstRejectionsByLineAndReportsAll) {
  std::string csv = Sends(0);
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&csv, "s", i, ",u,", i % 3 == 0 ? "nope" : "winback", ",email,2026-11-23,\n");
  }
  ImportOptions o = Options(7);
  o.keep_rejections = 3;
  ImportSummary s = Import(ImportKind::kSends, csv, o);
  EXPECT_EQ(s.rejected, 100);
  ASSERT_EQ(s.rejections.size(), 3u);
  EXPECT_EQ(s.rejections[0].line, 2);
  EXPECT_EQ(s.rejections[1].line, 5);
  EXPECT_EQ(s.rejections[2].line, 8);
  EXPECT_EQ(all_rejections_.size(), 100u);
}

TEST_F(ImporterTest, OutcomesCostsAndEntriesUseTheirCalls) {
  ImportSummary o = Import(ImportKind::kOutcomes,
                           "outcome_id,unit,at,type,revenue,margin,order_id\n"
                           "o1,u1,2026-11-23,order,20,5,\n"
                           "o2,u1,2026-11-24,refund,20,5,\n"
                           "o3,u1,2026-11-24,refund,20,5,o1\n",
                           Options());
  EXPECT_EQ(o.inserted, 2);
  ASSERT_EQ(o.rejections.size(), 1u);
  EXPECT_EQ(o.rejections[0].line, 3);
  EXPECT_EQ(o.rejections[0].reason, "order_id: must not be empty");

  ImportSummary c = Import(ImportKind::kCosts,
                           "cost_id,journey,start,end,amount,category\n"
                           "c1,winback,2026-11-01,2026-12-01,1200,platform\n"
                           "c2,winback,2026-12-01,2026-11-01,10,\n",
                           Options());
  EXPECT_EQ(c.inserted, 1);
  ASSERT_EQ(c.rejections.size(), 1u);
  EXPECT_EQ(c.rejections[0].reason, "end: must be after start");

  const std::string entries =
      "journey,unit,at,attr.country\n"
      "winback,u1,2026-11-23T10:00:00Z,FR\n"
      "winback,u1,2026-11-23T11:00:00Z,FR\n"  // same unit, same period
      "cart_abandon,u1,2026-11-23T10:00:00Z,\n";
  ImportSummary e = Import(ImportKind::kEntries, entries, Options());
  EXPECT_EQ(e.inserted, 2);
  EXPECT_EQ(e.duplicates, 1);
  ImportSummary again = Import(ImportKind::kEntries, entries, Options());
  EXPECT_EQ(again.duplicates, 3);
}

TEST_F(ImporterTest, HeaderProblemsFailBeforeAnyCall) {
  for (const std::string& csv : {std::string(""), std::string("send_id,unit\ns1,u1\n"),
                                 std::string("send_id,\"unit\n")}) {
    std::istringstream in(csv);
    CsvReader reader(&in);
    Importer importer(stub_.get(), Options());
    absl::StatusOr<ImportSummary> s = importer.Run(ImportKind::kSends, &reader);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << csv;
  }
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(ImporterTest, CancelStopsTheImport) {
  std::istringstream in(Sends(1000));
  CsvReader reader(&in);
  Importer importer(stub_.get(), Options());
  importer.Cancel();
  absl::StatusOr<ImportSummary> s = importer.Run(ImportKind::kSends, &reader);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(s->inserted, 0);
  EXPECT_EQ(s->inserted + s->not_sent, s->rows);
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(ImporterTest, CancelDuringRetriesStopsPromptly) {
  service_.FailNext(-1);  // the server never recovers
  ImportOptions o = Options();
  o.max_attempts = 1000;
  o.on_reject = nullptr;
  std::istringstream in(Sends(1000));
  CsvReader reader(&in);
  Importer importer(stub_.get(), o);
  std::thread canceller([&] {
    while (service_.calls() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    importer.Cancel();
  });
  absl::StatusOr<ImportSummary> s = importer.Run(ImportKind::kSends, &reader);
  canceller.join();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(s->inserted, 0);
  EXPECT_EQ(s->not_sent, s->rows);
}

TEST(ParseRecordIndexTest, SplitsIndexAndReason) {
  std::string reason;
  EXPECT_EQ(ParseRecordIndex("sends[17].journey: 'x' is not configured", &reason), 17);
  EXPECT_EQ(reason, "journey: 'x' is not configured");
  EXPECT_EQ(ParseRecordIndex("units[3]: must not be empty", &reason), 3);
  EXPECT_EQ(reason, "must not be empty");
  EXPECT_EQ(ParseRecordIndex("entries[0].attributes[\"k y\"]: key must match", &reason), 0);
  EXPECT_EQ(reason, "attributes[\"k y\"]: key must match");
  EXPECT_EQ(ParseRecordIndex("journey: 'x' is not configured", &reason), -1);
  EXPECT_EQ(ParseRecordIndex("sends[x].cost: bad", &reason), -1);
  EXPECT_EQ(ParseRecordIndex("[3]: bad", &reason), -1);
  EXPECT_EQ(ParseRecordIndex("write queue full [3 pending]", &reason), -1);
}

}  // namespace
}  // namespace holdfast::cli
