// Fault test: concurrent writers stream events to the real holdfastd, which
// is killed with SIGKILL mid-stream and restarted. Every record whose call
// returned OK must be stored exactly once, and re-sending everything adds
// nothing the second time.
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "client/holdfast_client.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

using holdfast::client::HoldfastClient;

constexpr int kWriters = 4;
constexpr int kBatch = 500;

holdfast::v1::SendRecord MakeSend(int writer, int64_t seq) {
  holdfast::v1::SendRecord s;
  s.set_send_id(absl::StrCat("w", writer, "-", seq));
  s.set_unit(absl::StrCat("unit-", seq % 9973));
  s.set_journey("cart_abandon");
  s.set_channel("email");
  s.mutable_at()->set_seconds(1790000000 + seq);
  s.set_cost(0.001);
  return s;
}

holdfast::v1::OutcomeRecord MakeOutcome(int writer, int64_t seq) {
  holdfast::v1::OutcomeRecord o;
  o.set_outcome_id(absl::StrCat("o", writer, "-", seq));
  o.set_unit(absl::StrCat("unit-", seq % 9973));
  o.mutable_at()->set_seconds(1790000000 + seq);
  o.set_type(holdfast::v1::ORDER);
  o.set_revenue(10.0 + seq % 7);
  o.set_margin(3.0);
  return o;
}

TEST(DurabilityE2eTest, AcknowledgedRecordsSurviveSigkillExactlyOnce) {
  TempDir dir;
  DaemonProcess daemon(HoldfastdPath(),
                       {"--config=" + SourceDir() + "/examples/holdfast.textproto",
                        "--db=" + dir.File("holdfast.db")},
                       dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  auto client = HoldfastClient::Connect(daemon.address());
  client->set_timeout(std::chrono::seconds(10));

  // Writers 0-1 use unary batches of sends, 2-3 stream outcomes. Each keeps
  // the sequence numbers of the batches the server acknowledged.
  std::mutex mu;
  std::vector<std::vector<int64_t>> acked(kWriters);
  std::vector<int64_t> attempted(kWriters, 0);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      int64_t seq = 0;
      while (!stop.load()) {
        if (w < 2) {
          holdfast::v1::RecordSendsRequest req;
          for (int i = 0; i < kBatch; ++i) *req.add_sends() = MakeSend(w, seq + i);
          holdfast::v1::WriteSummary summary;
          grpc::Status s = client->events()->RecordSends(client->NewContext().get(), req, &summary);
          std::lock_guard<std::mutex> lock(mu);
          attempted[w] = seq + kBatch;
          if (!s.ok()) return;  // server gone
          for (int i = 0; i < kBatch; ++i) acked[w].push_back(seq + i);
          seq += kBatch;
        } else {
          // A stream's summary comes only at the end, so each stream carries
          // a few messages and is closed; only a finished stream counts as acknowledged.
          auto context = client->NewContext();
          holdfast::v1::WriteSummary summary;
          auto stream = client->events()->StreamOutcomes(context.get(), &summary);
          const int64_t first = seq;
          for (int m = 0; m < 4; ++m) {
            holdfast::v1::RecordOutcomesRequest req;
            for (int i = 0; i < kBatch; ++i) *req.add_outcomes() = MakeOutcome(w, seq + i);
            seq += kBatch;
            if (!stream->Write(req)) break;
          }
          stream->WritesDone();
          grpc::Status s = stream->Finish();
          std::lock_guard<std::mutex> lock(mu);
          attempted[w] = seq;
          if (!s.ok()) return;
          for (int64_t i = first; i < seq; ++i) acked[w].push_back(i);
        }
      }
    });
  }
  // Kill mid-stream: once some calls have been acknowledged (bounded wait,
  // so a slow machine still kills with writes in flight), plus a little more.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    size_t total = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& a : acked) total += a.size();
    }
    if (total >= 4000 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  daemon.Signal(SIGKILL);
  stop = true;
  for (auto& t : writers) t.join();
  int64_t total_acked = 0;
  for (const auto& a : acked) total_acked += a.size();
  ASSERT_GT(total_acked, 0) << "nothing was acknowledged before the kill; log:\n" << daemon.log();

  ASSERT_TRUE(daemon.Start()) << daemon.log();
  client = HoldfastClient::Connect(daemon.address());
  client->set_timeout(std::chrono::seconds(30));

  // Every acknowledged record is there: re-sending it inserts nothing.
  for (int w = 0; w < kWriters; ++w) {
    for (size_t off = 0; off < acked[w].size(); off += 5000) {
      holdfast::v1::WriteSummary summary;
      const size_t end = std::min(acked[w].size(), off + 5000);
      grpc::Status s;
      if (w < 2) {
        holdfast::v1::RecordSendsRequest req;
        for (size_t i = off; i < end; ++i) *req.add_sends() = MakeSend(w, acked[w][i]);
        s = client->events()->RecordSends(client->NewContext().get(), req, &summary);
      } else {
        holdfast::v1::RecordOutcomesRequest req;
        for (size_t i = off; i < end; ++i) *req.add_outcomes() = MakeOutcome(w, acked[w][i]);
        s = client->events()->RecordOutcomes(client->NewContext().get(), req, &summary);
      }
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(summary.inserted(), 0) << "writer " << w << ": acknowledged records were lost";
      EXPECT_EQ(summary.duplicates(), static_cast<int64_t>(end - off));
    }
  }
  // Re-send everything attempted (acknowledged or not) twice: the second
  // time nothing is new.
  for (int round = 0; round < 2; ++round) {
    int64_t inserted = 0;
    for (int w = 0; w < kWriters; ++w) {
      for (int64_t off = 0; off < attempted[w]; off += 5000) {
        holdfast::v1::WriteSummary summary;
        const int64_t end = std::min(attempted[w], off + 5000);
        grpc::Status s;
        if (w < 2) {
          holdfast::v1::RecordSendsRequest req;
          for (int64_t i = off; i < end; ++i) *req.add_sends() = MakeSend(w, i);
          s = client->events()->RecordSends(client->NewContext().get(), req, &summary);
        } else {
          holdfast::v1::RecordOutcomesRequest req;
          for (int64_t i = off; i < end; ++i) *req.add_outcomes() = MakeOutcome(w, i);
          s = client->events()->RecordOutcomes(client->NewContext().get(), req, &summary);
        }
        ASSERT_TRUE(s.ok()) << s.error_message();
        inserted += summary.inserted();
      }
    }
    if (round == 1) {
      EXPECT_EQ(inserted, 0);
    }
  }
}

}  // namespace
}  // namespace holdfast::testing
