// holdfast_loadgen: closed-loop RPC load against a running holdfastd on
// loopback, reporting calls/s, ids/s and p50/p99 latency per mode. Run the
// modes in one invocation so each is compared with the empty Ping measured
// on the same server in the same run (the machines are shared and noisy).
//
//   holdfast_loadgen --server=127.0.0.1:50051 --journey=cart_abandon
//       --seconds=5 --concurrency=64 --modes=ping,assign,assign_record,batch
//
// Mode `assign_under_reports` measures dry-run Assign while
// --background_reports callers each run GetLiftReport back to back (the
// reports are cancelled when the mode ends); put `assign` before it for the
// idle baseline, and the ratio of their latencies is printed.
//
//   holdfast_loadgen --modes=assign,assign_under_reports --background_reports=16 --concurrency=4
//
// Several replicas: --server=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003
// spreads the connections over them (bench/replicas_bench.sh).
//
// Bounded: every mode stops after --seconds; only loopback addresses are
// accepted.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "holdfast/v1/admin_service.grpc.pb.h"
#include "holdfast/v1/assignment_service.grpc.pb.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "holdfast/v1/report_service.grpc.pb.h"

ABSL_FLAG(std::vector<std::string>, server, {"127.0.0.1:50051"},
          "Server, or comma-separated replicas (loopback only): --channels connections are spread\n"
          "round-robin over them and calls round-robin over the connections.");
ABSL_FLAG(std::string, journey, "cart_abandon", "Journey to assign in.");
ABSL_FLAG(double, seconds, 5.0, "Duration of each mode.");
ABSL_FLAG(int, concurrency, 64, "Calls in flight.");
ABSL_FLAG(int, batch_size, 1000, "Units per BatchAssign call.");
ABSL_FLAG(int, channels, 2, "Client channels (connections), at least one per server.");
ABSL_FLAG(int64_t, max_calls, 0, "Stop each mode after this many calls (0: only --seconds bounds it).");
ABSL_FLAG(int, background_reports, 16, "Concurrent report callers during assign_under_reports.");
ABSL_FLAG(std::string, modes, "ping,assign,ping_batch,batch",
          "Comma-separated, in order: ping, ping_batch (echo of --batch_size ids), assign (dry run),\n"
          "assign_record, batch (dry run), batch_record, sends (RecordSends of --batch_size new sends),\n"
          "assign_under_reports (dry-run Assign while --background_reports reports run).\n"
          "Put each baseline before what it is compared with.");

namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  std::string mode;
  double seconds = 0;
  int64_t calls = 0;
  int64_t ids = 0;
  int64_t errors = 0;
  std::string first_error;
  std::vector<double> latencies_us;
};

// One closed loop: `concurrency` callers, each issuing its next call from the
// previous one's completion, until the deadline.
class Loop {
 public:
  Loop(std::vector<std::shared_ptr<grpc::Channel>> channels, std::string mode, std::string journey,
       int batch_size)
      : mode_(std::move(mode)), journey_(std::move(journey)), batch_size_(batch_size) {
    for (auto& ch : channels) {
      events_.push_back(holdfast::v1::EventService::NewStub(ch));
      assign_.push_back(holdfast::v1::AssignmentService::NewStub(ch));
      admin_.push_back(holdfast::v1::AdminService::NewStub(ch));
    }
  }

  Result Run(int concurrency, double seconds) {
    start_ = Clock::now();
    deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    in_flight_ = concurrency;
    for (int i = 0; i < concurrency; ++i) Issue(i);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return in_flight_ == 0; });
    result_.mode = mode_;
    result_.seconds = std::chrono::duration<double>(end_ - start_).count();
    return std::move(result_);
  }

 private:
  struct Call {
    grpc::ClientContext context;
    holdfast::v1::PingRequest ping_req;
    holdfast::v1::PingResponse ping_resp;
    holdfast::v1::AssignRequest assign_req;
    holdfast::v1::AssignResponse assign_resp;
    holdfast::v1::BatchAssignRequest batch_req;
    holdfast::v1::BatchAssignResponse batch_resp;
    holdfast::v1::RecordSendsRequest sends_req;
    holdfast::v1::WriteSummary write_resp;
    Clock::time_point started;
  };

  void Issue(int slot) {
    const auto now = Clock::now();
    const int64_t max_calls = absl::GetFlag(FLAGS_max_calls);
    if (now >= deadline_ || (max_calls > 0 && static_cast<int64_t>(issued_.fetch_add(1)) >= max_calls)) {
      std::lock_guard<std::mutex> lock(mu_);
      end_ = std::max(end_, now);
      if (--in_flight_ == 0) done_cv_.notify_all();
      return;
    }
    auto* call = new Call();
    call->started = now;
    const uint64_t seq = next_id_.fetch_add(1);
    const size_t ch = seq % assign_.size();
    auto done = [this, call, slot](grpc::Status s) { Complete(slot, call, s); };
    if (mode_ == "ping" || mode_ == "ping_batch") {
      if (mode_ == "ping_batch") {
        for (int i = 0; i < batch_size_; ++i) {
          call->ping_req.add_echo("load-" + std::to_string(seq) + "-" + std::to_string(i));
        }
      }
      admin_[ch]->async()->Ping(&call->context, &call->ping_req, &call->ping_resp, done);
    } else if (mode_ == "sends") {
      // New random-looking ids every call: the worst case for the store's B-tree.
      for (int i = 0; i < batch_size_; ++i) {
        auto* send = call->sends_req.add_sends();
        send->set_send_id(absl::StrCat(absl::Hex(seq * 0x9E3779B97F4A7C15ULL + i * 0xBF58476D1CE4E5B9ULL), "-", i));
        send->set_unit(absl::StrCat("unit-", (seq * 7919 + i) % 1000000));
        send->set_journey(journey_);
        send->set_channel("email");
        send->mutable_at()->set_seconds(1790000000 + (seq % 86400));
        send->set_cost(0.001);
      }
      events_[ch]->async()->RecordSends(&call->context, &call->sends_req, &call->write_resp, done);
    } else if (mode_ == "assign" || mode_ == "assign_record" || mode_ == "assign_under_reports") {
      call->assign_req.set_journey(journey_);
      call->assign_req.set_unit("load-" + std::to_string(seq));
      call->assign_req.set_dry_run(mode_ != "assign_record");
      assign_[ch]->async()->Assign(&call->context, &call->assign_req, &call->assign_resp, done);
    } else {
      call->batch_req.set_journey(journey_);
      call->batch_req.set_dry_run(mode_ == "batch");
      for (int i = 0; i < batch_size_; ++i) {
        call->batch_req.add_units("load-" + std::to_string(seq) + "-" + std::to_string(i));
      }
      assign_[ch]->async()->BatchAssign(&call->context, &call->batch_req, &call->batch_resp, done);
    }
  }

  void Complete(int slot, Call* call, const grpc::Status& s) {
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - call->started).count();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (s.ok()) {
        ++result_.calls;
        result_.ids += (mode_ == "batch" || mode_ == "batch_record" || mode_ == "ping_batch" || mode_ == "sends")
                          ? batch_size_ : 1;
        result_.latencies_us.push_back(us);
      } else {
        if (result_.errors++ == 0) result_.first_error = s.error_message();
      }
    }
    delete call;
    Issue(slot);
  }

  std::string mode_, journey_;
  int batch_size_;
  std::vector<std::unique_ptr<holdfast::v1::AssignmentService::Stub>> assign_;
  std::vector<std::unique_ptr<holdfast::v1::AdminService::Stub>> admin_;
  std::vector<std::unique_ptr<holdfast::v1::EventService::Stub>> events_;
  std::atomic<uint64_t> next_id_{0};
  std::atomic<uint64_t> issued_{0};
  Clock::time_point start_, deadline_, end_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  int in_flight_ = 0;
  Result result_;
};

// `callers` threads running GetLiftReport on `journey` back to back until
// Stop(), which cancels the reports in flight.
class ReportLoad {
 public:
  ReportLoad(std::shared_ptr<grpc::Channel> channel, std::string journey, int callers)
      : stub_(holdfast::v1::ReportService::NewStub(channel)), journey_(std::move(journey)) {
    contexts_.resize(callers);
    for (int i = 0; i < callers; ++i) threads_.emplace_back([this, i] { Run(i); });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (grpc::ClientContext* c : contexts_) {
        if (c != nullptr) c->TryCancel();
      }
    }
    for (auto& t : threads_) t.join();
  }
  int64_t completed() const { return completed_; }
  int64_t refused() const { return refused_; }
  int64_t failed() const { return failed_; }

 private:
  void Run(int slot) {
    for (;;) {
      grpc::ClientContext context;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        contexts_[slot] = &context;
      }
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
      holdfast::v1::LiftReportRequest req;
      req.add_journeys(journey_);
      holdfast::v1::LiftReport resp;
      grpc::Status s = stub_->GetLiftReport(&context, req, &resp);
      {
        std::lock_guard<std::mutex> lock(mu_);
        contexts_[slot] = nullptr;
        if (stopping_) return;
        if (s.ok()) {
          ++completed_;
        } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++refused_;
        } else {
          ++failed_;
        }
      }
      // The report pool is full: back off a little before asking again.
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  std::unique_ptr<holdfast::v1::ReportService::Stub> stub_;
  std::string journey_;
  std::mutex mu_;
  bool stopping_ = false;
  std::vector<grpc::ClientContext*> contexts_;
  std::vector<std::thread> threads_;
  int64_t completed_ = 0, refused_ = 0, failed_ = 0;
};

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::vector<std::string> servers = absl::GetFlag(FLAGS_server);
  if (servers.empty()) {
    std::cerr << "holdfast_loadgen: --server is empty\n";
    return 2;
  }
  for (const std::string& server : servers) {
    if (!IsLoopback(server)) {
      std::cerr << "holdfast_loadgen: only loopback targets are allowed, got " << server << "\n";
      return 2;
    }
  }
  const std::string& server = servers.front();  // the report callers' target
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  const int n_channels = std::max<int>(absl::GetFlag(FLAGS_channels), servers.size());
  for (int i = 0; i < n_channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct args → distinct connections
    args.SetMaxReceiveMessageSize(64 << 20);
    channels.push_back(grpc::CreateCustomChannel(servers[i % servers.size()],
                                                 grpc::InsecureChannelCredentials(), args));
  }
  // Each mode is compared with its baseline from the same run: single calls
  // with `ping`, batches with `ping_batch` (same ids echoed, no work).
  double ping_qps = 0, ping_batch_qps = 0;
  double assign_p50 = 0, assign_p99 = 0;
  std::printf("%-14s %10s %12s %12s %10s %10s %8s %s\n", "mode", "calls/s", "ids/s", "vs_base", "p50_us",
              "p99_us", "errors", "");
  for (absl::string_view mode : absl::StrSplit(absl::GetFlag(FLAGS_modes), ',')) {
    Loop loop(channels, std::string(mode), absl::GetFlag(FLAGS_journey), absl::GetFlag(FLAGS_batch_size));
    std::unique_ptr<ReportLoad> reports;
    if (mode == "assign_under_reports") {
      // Reports on their own connection, as an analyst's client would be.
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", 1000);
      args.SetMaxReceiveMessageSize(64 << 20);
      reports = std::make_unique<ReportLoad>(
          grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args), absl::GetFlag(FLAGS_journey),
          absl::GetFlag(FLAGS_background_reports));
      std::this_thread::sleep_for(std::chrono::seconds(1));  // let them start scanning
    }
    Result r = loop.Run(absl::GetFlag(FLAGS_concurrency), absl::GetFlag(FLAGS_seconds));
    if (reports != nullptr) reports->Stop();
    const double qps = r.calls / r.seconds;
    if (mode == "ping") ping_qps = qps;
    if (mode == "ping_batch") ping_batch_qps = qps;
    const double base = (mode == "batch" || mode == "batch_record") ? ping_batch_qps
                        : (mode == "sends")                         ? 0
                                                                     : ping_qps;
    std::printf("%-14s %10.0f %12.0f %12s %10.0f %10.0f %8lld %s\n", r.mode.c_str(), qps, r.ids / r.seconds,
                base > 0 ? (std::to_string(qps / base).substr(0, 5) + "x").c_str() : "-",
                Percentile(r.latencies_us, 0.5), Percentile(r.latencies_us, 0.99),
                static_cast<long long>(r.errors), r.first_error.c_str());
    if (mode == "assign") {
      assign_p50 = Percentile(r.latencies_us, 0.5);
      assign_p99 = Percentile(r.latencies_us, 0.99);
    }
    if (reports != nullptr) {
      std::printf("  %d background reports: %lld completed, %lld refused (pool full), %lld failed\n",
                  absl::GetFlag(FLAGS_background_reports), static_cast<long long>(reports->completed()),
                  static_cast<long long>(reports->refused()), static_cast<long long>(reports->failed()));
      if (assign_p50 > 0) {
        std::printf("  assign latency under reports / idle: p50 %.2fx, p99 %.2fx\n",
                    Percentile(r.latencies_us, 0.5) / assign_p50, Percentile(r.latencies_us, 0.99) / assign_p99);
      }
    }
    std::fflush(stdout);
  }
  return 0;
}
