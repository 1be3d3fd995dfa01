// Timed tool: what Prometheus metrics and the access log cost on Assign
// throughput (issue 13's budget: < 5 %). Results and the command:
// docs/performance.md, "Metrics and logs".
//
//   observability_bench --rounds=10 --seconds=1.5 --threads=8
//
// Starts five holdfastd servers in this process (HoldfastDaemon on
// 127.0.0.1, port 0, each with its own SQLite store and the same config):
//   off, off_b  no metrics, no access log (the baseline, twice)
//   metrics     --metrics_listen
//   log_0.01    --metrics_listen and --access_log_sample=0.01
//   log_1       --metrics_listen and --access_log_sample=1 (every call)
// The log goes to a file in the temporary directory, as stderr would go to a
// file or journald. Each round drives four pairs (off with off_b, metrics,
// log_0.01, log_1): both servers of a pair at the same time for --seconds,
// --threads blocking clients each, calling Assign (dry run, a fresh unit id
// a call, so the store is not the bottleneck and the per-RPC cost is most
// visible). Running a pair at once gives both the same machine load (this
// machine is shared), so the per-round ratio candidate/baseline cancels it;
// with the CPU saturated, a server that spends more CPU per call completes
// fewer. off_b/off is the A/A control: its spread is the method's own noise.
// The tool prints the median and quartiles of the ratios.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/holdfast_client.h"
#include "lib/base/clock.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"

ABSL_FLAG(int, rounds, 10, "Rounds; each drives every configuration once.");
ABSL_FLAG(double, seconds, 1.5, "Seconds of load per configuration per round.");
ABSL_FLAG(int, threads, 8, "Concurrent blocking clients.");

namespace {

struct Config {
  std::string name;
  bool metrics = false;
  double access_log_sample = 0.0;
};

struct Running {
  Config config;
  std::unique_ptr<std::ofstream> log_file;
  std::unique_ptr<holdfast::server::EventLog> log;
  std::unique_ptr<holdfast::server::HoldfastDaemon> daemon;
};

struct Sample {
  double calls_per_second = 0;
};

// `threads` clients calling Assign on `port` for `seconds`.
Sample Drive(int port, int threads, double seconds, int round) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0};
  std::atomic<int64_t> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto client = holdfast::client::HoldfastClient::Connect(absl::StrCat("127.0.0.1:", port));
      holdfast::v1::AssignRequest req;
      req.set_journey("cart_abandon");
      req.set_dry_run(true);
      int64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        req.set_unit(absl::StrCat("r", round, "-t", t, "-", i++));
        if (client->Assign(req).ok()) {
          calls.fetch_add(1, std::memory_order_relaxed);
        } else {
          failures.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  // Let every client connect before counting.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int64_t before = calls.load();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const int64_t after = calls.load();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (std::thread& w : workers) w.join();
  if (failures.load() > 0) std::fprintf(stderr, "warning: %lld failed calls\n", static_cast<long long>(failures.load()));
  Sample out;
  out.calls_per_second = static_cast<double>(after - before) / elapsed;
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int threads = absl::GetFlag(FLAGS_threads);

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("holdfast-observability-bench-", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "holdfast.textproto")
      << "journeys { id: \"cart_abandon\" holdout_share: 0.1 arms { name: \"a\" weight: 1 } }\n";

  const std::vector<Config> configs = {{"off", false, 0.0},
                                       {"off_b", false, 0.0},
                                       {"metrics", true, 0.0},
                                       {"log_0.01", true, 0.01},
                                       {"log_1", true, 1.0}};
  std::vector<Running> servers;
  for (const Config& c : configs) {
    Running r;
    r.config = c;
    holdfast::server::DaemonOptions options;
    options.config_path = (dir / "holdfast.textproto").string();
    options.db_path = (dir / (c.name + ".db")).string();
    options.listen_address = "127.0.0.1:0";
    if (c.metrics) options.metrics_listen = "127.0.0.1:0";
    if (c.access_log_sample > 0) {
      r.log_file = std::make_unique<std::ofstream>(dir / (c.name + ".log"));
      r.log = std::make_unique<holdfast::server::EventLog>(holdfast::server::LogFormat::kText, r.log_file.get(),
                                                           holdfast::RealClock::Get());
      options.log = r.log.get();
      options.access_log_sample = c.access_log_sample;
    }
    options.version = "bench";
    absl::StatusOr<std::unique_ptr<holdfast::server::HoldfastDaemon>> d = holdfast::server::HoldfastDaemon::Start(options);
    if (!d.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name.c_str(), std::string(d.status().message()).c_str());
      return 1;
    }
    r.daemon = *std::move(d);
    servers.push_back(std::move(r));
  }

  // Pairs (baseline, candidate) driven at the same time, so both see the
  // same machine load; index 0 and 1 are both "off" (the A/A pair shows the
  // method's own bias and spread).
  const std::vector<std::pair<size_t, size_t>> pairs = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
  std::vector<std::vector<double>> ratios(pairs.size());
  std::vector<std::vector<double>> base_rates(pairs.size());
  for (int round = 0; round < rounds; ++round) {
    for (size_t p = 0; p < pairs.size(); ++p) {
      const size_t pi = (p + round) % pairs.size();  // rotated order
      const auto [base, cand] = pairs[pi];
      Sample b, c;
      std::thread tb([&] { b = Drive(servers[base].daemon->port(), threads, seconds, round); });
      std::thread tc([&] { c = Drive(servers[cand].daemon->port(), threads, seconds, round); });
      tb.join();
      tc.join();
      ratios[pi].push_back(c.calls_per_second / b.calls_per_second);
      base_rates[pi].push_back(b.calls_per_second);
    }
    std::fprintf(stderr, "round %d done\n", round);
  }

  std::printf("Assign (dry run): %d clients on each server of a pair, both at once; %d rounds of %.2f s\n",
              threads, rounds, seconds);
  std::printf("%-22s %16s %10s %8s %8s %8s\n", "candidate / baseline", "baseline call/s", "median", "p25",
              "p75", "rounds");
  for (size_t p = 0; p < pairs.size(); ++p) {
    std::vector<double> r = ratios[p];
    std::sort(r.begin(), r.end());
    const std::string label = servers[pairs[p].second].config.name + " / " + servers[pairs[p].first].config.name;
    std::printf("%-22s %16.0f %10.3f %8.3f %8.3f %8zu\n", label.c_str(), Median(base_rates[p]), Median(r),
                r[r.size() / 4], r[(3 * r.size()) / 4], r.size());
  }
  for (Running& r : servers) r.daemon->Shutdown();
  servers.clear();
  std::filesystem::remove_all(dir);
  return 0;
}
