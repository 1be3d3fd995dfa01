// holdfastd's Prometheus metrics (prometheus-cpp), served on /metrics by
// --metrics_listen. docs/operations.md lists every series.
//
// Label values come only from fixed sets (methods registered at start-up,
// the 17 gRPC codes, groups, reload outcomes) or from the config (journeys:
// an assignment succeeds only for a configured journey), never from free
// request text, so cardinality is bounded.
//
// Thread-safety: every method may be called from any thread.
#ifndef HOLDFAST_SERVER_SERVER_METRICS_H_
#define HOLDFAST_SERVER_SERVER_METRICS_H_

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <grpcpp/support/status.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace holdfast::server {

// What the store reports at scrape time (lib/storage's SqliteStoreStats).
struct StoreGauges {
  int64_t pending_records = 0;
  int64_t pending_bytes = 0;
  int64_t waiting_batches = 0;
  int64_t commits = 0;
  int64_t batches_failed = 0;
  int64_t rejected_full = 0;
};

class ServerMetrics {
 public:
  // Per-method series, created once at start-up.
  struct Method {
    std::array<prometheus::Counter*, 17> by_code{};
    prometheus::Histogram* latency = nullptr;
    // Extra series for some methods (report durations, reloads, ...).
    enum class Kind { kOther, kAssign, kBatchAssign, kLiftReport, kProgramReport, kRecordEntries };
    Kind kind = Kind::kOther;
  };

  // `methods`: full gRPC method paths ("/holdfast.v1.AdminService/Ping")
  // to count; `version`: the build, for holdfast_build_info.
  ServerMetrics(const std::vector<std::string>& methods, const std::string& version);
  ~ServerMetrics();

  // Serves /metrics on `address` (host:port, port 0 picks one).
  // UNAVAILABLE when it cannot bind.
  [[nodiscard]] absl::Status Listen(const std::string& address);
  // Stops serving /metrics (before the scrape sources go away). Idempotent.
  void StopServing();
  // The bound port, 0 before Listen().
  int port() const { return port_; }

  // The series of `path`, or nullptr for a method not registered.
  const Method* FindMethod(absl::string_view path) const;
  // One finished RPC.
  void ObserveRpc(const Method& method, grpc::StatusCode code, double seconds);
  // One RPC refused by the token check before any handler ran: counted in
  // holdfast_rpc_requests_total, not in the latency histogram.
  void CountRefused(const Method& method, grpc::StatusCode code);
  // One decided assignment (journey from the config, group name lower case).
  void CountAssignment(absl::string_view journey, absl::string_view group, int64_t n = 1);
  // Entries newly recorded (`source`: "import", else counted as "assign").
  void CountEntriesRecorded(absl::string_view source, int64_t n);
  // One config reload: "changed", "unchanged" or "rejected".
  void CountReload(absl::string_view outcome);
  // One store transaction: records in it and seconds from BEGIN to COMMIT.
  void ObserveCommit(int64_t records, double seconds);
  // One WAL checkpoint, in seconds.
  void ObserveCheckpoint(double seconds);

  // One answered HTTP request (--http_listen): `route` is a route path or
  // "other", `status` one of the endpoint's statuses or "other" (both from
  // fixed sets: server/http_gateway.cc), latency in seconds.
  void ObserveHttp(absl::string_view route, absl::string_view status, double seconds);

  // Read at every scrape: the serving config version and the store.
  void SetScrapeSources(std::function<std::string()> config_version, std::function<StoreGauges()> store);

  // The text exposition of every series (what /metrics serves).
  std::string Scrape();

 private:
  class ScrapeHook;
  void Refresh();

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<ScrapeHook> hook_;
  int port_ = 0;

  absl::flat_hash_map<std::string, Method> methods_;
  prometheus::Family<prometheus::Counter>* assignments_;
  prometheus::Family<prometheus::Counter>* entries_;
  prometheus::Counter* entries_assign_;
  prometheus::Counter* entries_import_;
  prometheus::Family<prometheus::Counter>* reloads_;
  prometheus::Family<prometheus::Gauge>* config_info_;
  prometheus::Histogram* commit_records_;
  prometheus::Histogram* commit_seconds_;
  prometheus::Histogram* checkpoint_seconds_;
  prometheus::Histogram* lift_report_seconds_;
  prometheus::Histogram* program_report_seconds_;
  prometheus::Gauge* pending_records_;
  prometheus::Gauge* pending_bytes_;
  prometheus::Gauge* waiting_batches_;
  prometheus::Gauge* commits_;
  prometheus::Gauge* batches_failed_;
  prometheus::Gauge* rejected_full_;

  std::shared_mutex assignment_mu_;  // guards assignment_cache_
  absl::flat_hash_map<std::string, prometheus::Counter*> assignment_cache_;
  prometheus::Family<prometheus::Counter>* http_requests_;
  prometheus::Family<prometheus::Histogram>* http_seconds_;
  struct HttpSeries {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* latency = nullptr;
  };
  std::shared_mutex http_mu_;  // guards http_cache_
  absl::flat_hash_map<std::string, HttpSeries> http_cache_;  // "route\x1fstatus"
  std::mutex mu_;  // guards the config gauge and the scrape sources
  std::string config_version_shown_;
  prometheus::Gauge* config_gauge_ = nullptr;
  std::function<std::string()> config_version_;
  std::function<StoreGauges()> store_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_SERVER_METRICS_H_
