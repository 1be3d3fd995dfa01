// Timed tool: what the HTTP/JSON endpoint costs per call, as ratios to
// baselines driven in the same run (docs/performance.md, "HTTP/JSON").
//
//   http_bench --rounds=20 --seconds=1 --threads=4
//
// One holdfastd in this process (HoldfastDaemon on 127.0.0.1, port 0, SQLite
// store in a temporary directory) with --http_listen. Each round drives, one
// after the other in a rotated order, --threads blocking keep-alive clients
// for --seconds each on:
//   healthz        GET /healthz (HTTP baseline: parsing, routing, no gRPC)
//   http_assign    POST /v1/assign, dry run, a fresh unit a call (JSON in and
//                  out, the in-process gRPC call, the assignment)
//   grpc_assign    the same Assign over gRPC on TCP
// and prints the median and quartiles of the per-round ratios to healthz
// (and of http_assign to grpc_assign): the rounds cancel the load of this
// shared machine, which moves absolute rates by a factor of two.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "client/holdfast_client.h"
#include "server/holdfast_daemon.h"

ABSL_FLAG(int, rounds, 20, "Rounds; each drives every kind of call once.");
ABSL_FLAG(double, seconds, 1.0, "Seconds of load per kind per round.");
ABSL_FLAG(int, threads, 4, "Concurrent blocking clients.");

namespace {

// One client's loop: `call(i)` returns true on success.
using CallFactory = std::function<std::function<bool(int64_t)>(int thread)>;

double Drive(const CallFactory& factory, int threads, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::function<bool(int64_t)> call = factory(t);
      int64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        (call(i++) ? calls : failures).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // connect first
  const int64_t before = calls.load();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const int64_t after = calls.load();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (std::thread& w : workers) w.join();
  if (failures.load() > 0) std::fprintf(stderr, "warning: %lld failed calls\n", static_cast<long long>(failures.load()));
  return static_cast<double>(after - before) / elapsed;
}

struct Quartiles {
  double p25, median, p75;
};

Quartiles Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return {v[n / 4], n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[(3 * n) / 4]};
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int threads = absl::GetFlag(FLAGS_threads);

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("holdfast-http-bench-", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "holdfast.textproto")
      << "journeys { id: \"cart_abandon\" holdout_share: 0.1 arms { name: \"a\" weight: 1 } }\n";
  holdfast::server::DaemonOptions options;
  options.config_path = (dir / "holdfast.textproto").string();
  options.db_path = (dir / "holdfast.db").string();
  options.listen_address = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.http_threads = std::max(8, threads);
  absl::StatusOr<std::unique_ptr<holdfast::server::HoldfastDaemon>> daemon =
      holdfast::server::HoldfastDaemon::Start(options);
  if (!daemon.ok()) {
    std::fprintf(stderr, "%s\n", std::string(daemon.status().message()).c_str());
    return 1;
  }
  const int http_port = (*daemon)->http_port();
  const int grpc_port = (*daemon)->port();

  struct Kind {
    const char* name;
    CallFactory factory;
  };
  int round = 0;
  const std::vector<Kind> kinds = {
      {"healthz",
       [&](int) {
         auto http = std::make_shared<httplib::Client>("127.0.0.1", http_port);
         http->set_keep_alive(true);
         http->set_tcp_nodelay(true);  // as curl does: else Nagle holds the body for the delayed ACK
         return [http](int64_t) {
           httplib::Result r = http->Get("/healthz");
           return r && r->status == 200;
         };
       }},
      {"http_assign",
       [&](int t) {
         auto http = std::make_shared<httplib::Client>("127.0.0.1", http_port);
         http->set_keep_alive(true);
         http->set_tcp_nodelay(true);  // as curl does: else Nagle holds the body for the delayed ACK
         const std::string prefix = absl::StrCat("h", round, "-", t, "-");
         return [http, prefix](int64_t i) {
           httplib::Result r = http->Post(
               "/v1/assign", absl::StrCat(R"({"journey":"cart_abandon","dry_run":true,"unit":")", prefix, i, "\"}"),
               "application/json");
           return r && r->status == 200;
         };
       }},
      {"grpc_assign",
       [&](int t) {
         std::shared_ptr<holdfast::client::HoldfastClient> client =
             holdfast::client::HoldfastClient::Connect(absl::StrCat("127.0.0.1:", grpc_port));
         const std::string prefix = absl::StrCat("g", round, "-", t, "-");
         return [client, prefix](int64_t i) {
           holdfast::v1::AssignRequest req;
           req.set_journey("cart_abandon");
           req.set_dry_run(true);
           req.set_unit(absl::StrCat(prefix, i));
           return client->Assign(req).ok();
         };
       }},
  };
  std::vector<std::vector<double>> rates(kinds.size());
  for (round = 0; round < rounds; ++round) {
    for (size_t k = 0; k < kinds.size(); ++k) {
      const size_t ki = (k + round) % kinds.size();  // rotated order
      rates[ki].push_back(Drive(kinds[ki].factory, threads, seconds));
    }
    std::fprintf(stderr, "round %d done\n", round);
  }
  auto ratio = [&](size_t a, size_t b) {
    std::vector<double> r;
    for (int i = 0; i < rounds; ++i) r.push_back(rates[a][i] / rates[b][i]);
    return Summarize(r);
  };
  std::printf("%d keep-alive clients, %d rounds of %.2f s per kind\n", threads, rounds, seconds);
  std::printf("%-28s %12s %8s %8s %8s\n", "rate ratio", "median call/s", "median", "p25", "p75");
  const struct {
    size_t a, b;
  } rows[] = {{1, 0}, {2, 0}, {1, 2}};
  for (const auto& row : rows) {
    const Quartiles q = ratio(row.a, row.b);
    std::printf("%-28s %12.0f %8.3f %8.3f %8.3f\n", absl::StrCat(kinds[row.a].name, " / ", kinds[row.b].name).c_str(),
                Summarize(rates[row.a]).median, q.median, q.p25, q.p75);
  }
  std::printf("%-28s %12.0f\n", "healthz", Summarize(rates[0]).median);
  (*daemon)->Shutdown();
  std::filesystem::remove_all(dir);
  return 0;
}
