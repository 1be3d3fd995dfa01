// Overload test against the real holdfastd with its writer stalled (test
// hook --test_stall_writes_while): waves of concurrent 1 MiB RecordSends
// calls arrive while nothing commits. The server must keep the memory held by
// writes under --max_pending_bytes (RSS grows by at most the bound plus a
// fixed overhead), answer the overflow RESOURCE_EXHAUSTED at once, commit the
// admitted calls once the writer resumes, and give the memory back.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "tests/testing/process_util.h"

namespace holdfast::testing {
namespace {

constexpr int64_t kMiB = 1 << 20;
// The configured bound, and what RSS may exceed it by. gRPC reads and parses
// a request before any handler sees it, so the requests of one wave arriving
// together are all in memory for a moment even when they are refused; the
// overhead is a fixed part (gRPC's buffers, what glibc keeps) plus that
// transient, which scales with the requests in flight at once (~3x wire size
// each), not with the total number of callers. Measured on 2 busy cores: peak
// 100-235 MiB above idle with the 64 MiB bound; without the bound every call
// is admitted and held (256 x ~2.8 MB = ~700 MiB); docs/operations.md,
// "Memory bound".
constexpr int64_t kMaxPendingBytes = 64 * kMiB;
constexpr int64_t kWireBytesPerCall = 1100000;
constexpr int64_t kFixedOverheadBytes = 64 * kMiB;
constexpr int kCallsPerWave = 64;
constexpr int64_t kOverheadBytes = kFixedOverheadBytes + kCallsPerWave * 3 * kWireBytesPerCall;
// What RSS may stay above idle once the admitted writes have drained
// (measured 30-68 MiB: glibc keeps some of the arenas it trimmed).
constexpr int64_t kAfterDrainBytes = 88 * kMiB;
constexpr int kWaves = 4;
constexpr int kSendsPerCall = 10000;

int64_t RssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

// ~1.1 MB on the wire: 10,000 sends with 40-byte ids.
holdfast::v1::RecordSendsRequest BigRequest(int call) {
  holdfast::v1::RecordSendsRequest req;
  for (int i = 0; i < kSendsPerCall; ++i) {
    holdfast::v1::SendRecord* s = req.add_sends();
    s->set_send_id(absl::StrCat("call-", call, "-send-", i, "-padding-padding-pad"));
    s->set_unit(absl::StrCat("unit-", i, "-padding-padding-padding-padding"));
    s->set_journey("cart_abandon");
    s->set_channel("email");
    s->mutable_at()->set_seconds(1790000000 + i);
    s->set_cost(0.001);
  }
  return req;
}

struct Call {
  grpc::ClientContext context;
  holdfast::v1::WriteSummary summary;
  grpc::Status status;
  bool done = false;
};

TEST(OverloadE2eTest, StalledWriterKeepsMemoryBoundedAndRefusesTheOverflow) {
  TempDir dir;
  const std::string stall = dir.File("stall");
  std::ofstream(stall).close();
  DaemonProcess daemon(HoldfastdPath(),
                       {"--config=" + SourceDir() + "/examples/holdfast.textproto",
                        "--db=" + dir.File("holdfast.db"), "--test_stall_writes_while=" + stall,
                        absl::StrCat("--max_pending_bytes=", kMaxPendingBytes)},
                       dir.path());
  ASSERT_TRUE(daemon.Start()) << daemon.log();
  const pid_t pid = daemon.pid();
  const int64_t baseline = RssBytes(pid);
  ASSERT_GT(baseline, 0);

  std::atomic<bool> sampling{true};
  std::atomic<int64_t> peak{baseline};
  std::thread sampler([&] {
    while (sampling.load()) {
      const int64_t rss = RssBytes(pid);
      if (rss > peak.load()) peak.store(rss);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });

  auto channel = grpc::CreateChannel(daemon.address(), grpc::InsecureChannelCredentials());
  auto stub = holdfast::v1::EventService::NewStub(channel);
  std::mutex mu;
  std::condition_variable cv;
  int completed = 0;
  std::vector<std::unique_ptr<Call>> calls;
  for (int wave = 0; wave < kWaves; ++wave) {
    for (int i = 0; i < kCallsPerWave; ++i) {
      const int id = wave * kCallsPerWave + i;
      holdfast::v1::RecordSendsRequest req = BigRequest(id);
      auto call = std::make_unique<Call>();
      call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      Call* c = call.get();
      stub->async()->RecordSends(&c->context, &req, &c->summary, [&, c](grpc::Status s) {
        std::lock_guard<std::mutex> lock(mu);
        c->status = std::move(s);
        c->done = true;
        ++completed;
        cv.notify_all();
      });
      calls.push_back(std::move(call));
    }
    // The refused calls come back at once; wait until answers stop coming.
    std::unique_lock<std::mutex> lock(mu);
    for (int last = -1; last != completed;) {
      last = completed;
      cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return completed != last; });
    }
  }
  int refused = 0, pending = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& c : calls) {
      if (!c->done) {
        ++pending;
        continue;
      }
      ++refused;
      EXPECT_EQ(c->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << c->status.error_message();
      EXPECT_TRUE(absl::StrContains(c->status.error_message(), "--max_pending_bytes"))
          << c->status.error_message();
    }
  }
  const int64_t peak_during_stall = peak.load();
  const int64_t settled = RssBytes(pid);  // refused calls gone, admitted ones held
  EXPECT_GT(pending, 0);
  EXPECT_GT(refused, kWaves * kCallsPerWave / 2);
  EXPECT_LE(peak_during_stall - baseline, kMaxPendingBytes + kOverheadBytes)
      << "baseline " << baseline / kMiB << " MiB, peak " << peak_during_stall / kMiB << " MiB";

  // The writer resumes: every admitted call commits.
  std::filesystem::remove(stall);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60),
                            [&] { return completed == static_cast<int>(calls.size()); }));
  }
  // Nothing was committed during the stall, so every OK call was still
  // pending when the stall ended; a call counted as pending may still have
  // been refused (its answer was merely slow on a busy machine).
  int ok = 0;
  for (const auto& c : calls) {
    if (c->status.ok()) {
      ++ok;
      EXPECT_EQ(c->summary.inserted(), kSendsPerCall);
    } else {
      EXPECT_EQ(c->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << c->status.error_message();
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_LE(ok, pending);

  // And the memory comes back (glibc is asked to trim after the drain).
  int64_t after = RssBytes(pid);
  for (int i = 0; i < 200 && after - baseline > kAfterDrainBytes; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = RssBytes(pid);
  }
  sampling.store(false);
  sampler.join();
  std::cerr << "RSS baseline " << baseline / kMiB << " MiB, settled " << settled / kMiB << " MiB, peak "
            << peak_during_stall / kMiB
            << " MiB, after drain " << after / kMiB << " MiB; admitted " << pending << ", refused " << refused
            << "\n";
  EXPECT_LE(after - baseline, kAfterDrainBytes);
}

}  // namespace
}  // namespace holdfast::testing
