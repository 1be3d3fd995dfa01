#include "server/server_metrics.h"

#include <shared_mutex>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"

namespace holdfast::server {
namespace {

constexpr const char* kCodeNames[17] = {
    "OK",        "CANCELLED",          "UNKNOWN",          "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED",   "INTERNAL",         "UNAVAILABLE",      "DATA_LOSS", "UNAUTHENTICATED"};

// RPC latency: 50 µs (a dry-run Assign) to 10 s.
const prometheus::Histogram::BucketBoundaries kRpcSeconds = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
// Reports scan every entry: 10 ms to 10 min.
const prometheus::Histogram::BucketBoundaries kReportSeconds = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600};
// Group commits: 1 record to the 200,000-record cap.
const prometheus::Histogram::BucketBoundaries kCommitRecords = {1, 10, 100, 1000, 10000, 50000, 100000, 200000};
const prometheus::Histogram::BucketBoundaries kCommitSeconds = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05,
                                                                0.1,    0.5,    1,     5,     10};

// "/holdfast.v1.AdminService/Ping" → {"holdfast.v1.AdminService", "Ping"}.
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return {"", path};
  return {path.substr(1, slash - 1), path.substr(slash + 1)};
}

ServerMetrics::Method::Kind KindOf(const std::string& path) {
  using Kind = ServerMetrics::Method::Kind;
  if (path == "/holdfast.v1.AssignmentService/Assign") return Kind::kAssign;
  if (path == "/holdfast.v1.AssignmentService/BatchAssign") return Kind::kBatchAssign;
  if (path == "/holdfast.v1.ReportService/GetLiftReport") return Kind::kLiftReport;
  if (path == "/holdfast.v1.ReportService/GetProgramReport") return Kind::kProgramReport;
  if (path == "/holdfast.v1.EventService/RecordEntries" || path == "/holdfast.v1.EventService/StreamEntries") {
    return Kind::kRecordEntries;
  }
  return Kind::kOther;
}

}  // namespace

// Refreshes the scrape-time gauges, then hands out the registry's series.
class ServerMetrics::ScrapeHook : public prometheus::Collectable {
 public:
  explicit ScrapeHook(ServerMetrics* metrics) : metrics_(metrics) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    metrics_->Refresh();
    return metrics_->registry_->Collect();
  }

 private:
  ServerMetrics* metrics_;
};

ServerMetrics::ServerMetrics(const std::vector<std::string>& methods, const std::string& version)
    : registry_(std::make_shared<prometheus::Registry>()), hook_(std::make_shared<ScrapeHook>(this)) {
  auto& requests = prometheus::BuildCounter()
                       .Name("holdfast_rpc_requests_total")
                       .Help("Finished RPCs by service, method and gRPC status code.")
                       .Register(*registry_);
  auto& latency = prometheus::BuildHistogram()
                      .Name("holdfast_rpc_duration_seconds")
                      .Help("RPC latency from the call's start to its status, by service and method.")
                      .Register(*registry_);
  for (const std::string& path : methods) {
    auto [service, method] = SplitPath(path);
    Method m;
    for (int code = 0; code < 17; ++code) {
      m.by_code[code] = &requests.Add({{"service", service}, {"method", method}, {"code", kCodeNames[code]}});
    }
    m.latency = &latency.Add({{"service", service}, {"method", method}}, kRpcSeconds);
    m.kind = KindOf(path);
    methods_.emplace(path, m);
  }
  assignments_ = &prometheus::BuildCounter()
                      .Name("holdfast_assignments_total")
                      .Help("Assignments answered (dry runs included) by journey and group.")
                      .Register(*registry_);
  entries_ = &prometheus::BuildCounter()
                  .Name("holdfast_entries_recorded_total")
                  .Help("Entries newly stored, by source (assign: Assign/BatchAssign; import: EventService).")
                  .Register(*registry_);
  // Created once: Family::Add locks and hashes the labels, too slow per call.
  entries_assign_ = &entries_->Add({{"source", "assign"}});
  entries_import_ = &entries_->Add({{"source", "import"}});
  reloads_ = &prometheus::BuildCounter()
                  .Name("holdfast_config_reloads_total")
                  .Help("Config reloads (RPC and SIGHUP) by outcome: changed, unchanged, rejected.")
                  .Register(*registry_);
  for (const char* outcome : {"changed", "unchanged", "rejected"}) reloads_->Add({{"outcome", outcome}});
  config_info_ = &prometheus::BuildGauge()
                      .Name("holdfast_config_info")
                      .Help("1 for the config version being served.")
                      .Register(*registry_);
  prometheus::BuildGauge()
      .Name("holdfast_build_info")
      .Help("1, labelled with the build's version.")
      .Register(*registry_)
      .Add({{"version", version}})
      .Set(1);
  commit_records_ = &prometheus::BuildHistogram()
                         .Name("holdfast_store_commit_records")
                         .Help("Records per store transaction (group-commit size).")
                         .Register(*registry_)
                         .Add({}, kCommitRecords);
  commit_seconds_ = &prometheus::BuildHistogram()
                         .Name("holdfast_store_commit_duration_seconds")
                         .Help("Store transaction time, BEGIN to COMMIT (includes the fsync with --sync=full).")
                         .Register(*registry_)
                         .Add({}, kCommitSeconds);
  checkpoint_seconds_ = &prometheus::BuildHistogram()
                             .Name("holdfast_store_checkpoint_duration_seconds")
                             .Help("WAL checkpoint time.")
                             .Register(*registry_)
                             .Add({}, kCommitSeconds);
  auto& reports = prometheus::BuildHistogram()
                      .Name("holdfast_report_duration_seconds")
                      .Help("Report computation time by kind (lift, program), errors included.")
                      .Register(*registry_);
  lift_report_seconds_ = &reports.Add({{"kind", "lift"}}, kReportSeconds);
  program_report_seconds_ = &reports.Add({{"kind", "program"}}, kReportSeconds);
  http_requests_ = &prometheus::BuildCounter()
                        .Name("holdfast_http_requests_total")
                        .Help("HTTP/JSON requests (--http_listen) by route (unknown paths: other) and HTTP status.")
                        .Register(*registry_);
  http_seconds_ = &prometheus::BuildHistogram()
                       .Name("holdfast_http_request_duration_seconds")
                       .Help("HTTP/JSON request latency, headers parsed to answer written, by route and HTTP status.")
                       .Register(*registry_);
  auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
  };
  pending_records_ = gauge("holdfast_write_queue_records", "Records queued or being committed.");
  pending_bytes_ = gauge("holdfast_write_queue_bytes", "Approximate bytes of the records queued or being committed.");
  waiting_batches_ = gauge("holdfast_write_queue_batches", "Write batches waiting for the store's writer.");
  commits_ = gauge("holdfast_store_commits", "Store transactions committed since start (a counter read from the store).");
  batches_failed_ = gauge("holdfast_store_batches_failed", "Write batches that failed inside the store since start.");
  rejected_full_ = gauge("holdfast_write_queue_rejected", "Writes refused with RESOURCE_EXHAUSTED since start (queue full).");
}

ServerMetrics::~ServerMetrics() {
  // Stop serving before the series go away.
  exposer_.reset();
}

absl::Status ServerMetrics::Listen(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("--metrics_listen ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(hook_);
  const std::vector<int> ports = exposer_->GetListeningPorts();
  if (ports.empty()) return absl::UnavailableError(absl::StrCat("--metrics_listen ", address, ": not listening"));
  port_ = ports.front();
  return absl::OkStatus();
}

void ServerMetrics::StopServing() { exposer_.reset(); }

const ServerMetrics::Method* ServerMetrics::FindMethod(absl::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : &it->second;
}

void ServerMetrics::ObserveRpc(const Method& method, grpc::StatusCode code, double seconds) {
  const int c = static_cast<int>(code);
  method.by_code[c >= 0 && c < 17 ? c : 2]->Increment();
  method.latency->Observe(seconds);
  if (method.kind == Method::Kind::kLiftReport) lift_report_seconds_->Observe(seconds);
  if (method.kind == Method::Kind::kProgramReport) program_report_seconds_->Observe(seconds);
}

void ServerMetrics::CountRefused(const Method& method, grpc::StatusCode code) {
  const int c = static_cast<int>(code);
  method.by_code[c >= 0 && c < 17 ? c : 2]->Increment();
}

void ServerMetrics::CountAssignment(absl::string_view journey, absl::string_view group, int64_t n) {
  const std::string key = absl::StrCat(journey, "\x1f", group);
  prometheus::Counter* counter = nullptr;
  {
    // Every Assign passes here: readers share the lock; only a journey and
    // group seen for the first time takes it exclusively.
    std::shared_lock<std::shared_mutex> lock(assignment_mu_);
    auto it = assignment_cache_.find(key);
    if (it != assignment_cache_.end()) counter = it->second;
  }
  if (counter == nullptr) {
    std::lock_guard<std::shared_mutex> lock(assignment_mu_);
    auto [it, inserted] = assignment_cache_.emplace(key, nullptr);
    if (inserted) it->second = &assignments_->Add({{"journey", std::string(journey)}, {"group", std::string(group)}});
    counter = it->second;
  }
  counter->Increment(static_cast<double>(n));
}

void ServerMetrics::ObserveHttp(absl::string_view route, absl::string_view status, double seconds) {
  const std::string key = absl::StrCat(route, "\x1f", status);
  HttpSeries series;
  {
    std::shared_lock<std::shared_mutex> lock(http_mu_);
    auto it = http_cache_.find(key);
    if (it != http_cache_.end()) series = it->second;
  }
  if (series.requests == nullptr) {
    std::lock_guard<std::shared_mutex> lock(http_mu_);
    auto [it, inserted] = http_cache_.emplace(key, HttpSeries{});
    if (inserted) {
      const prometheus::Labels labels = {{"route", std::string(route)}, {"status", std::string(status)}};
      it->second.requests = &http_requests_->Add(labels);
      it->second.latency = &http_seconds_->Add(labels, kRpcSeconds);
    }
    series = it->second;
  }
  series.requests->Increment();
  series.latency->Observe(seconds);
}

void ServerMetrics::CountEntriesRecorded(absl::string_view source, int64_t n) {
  if (n <= 0) return;
  prometheus::Counter* counter = source == "import" ? entries_import_ : entries_assign_;
  counter->Increment(static_cast<double>(n));
}

void ServerMetrics::CountReload(absl::string_view outcome) {
  reloads_->Add({{"outcome", std::string(outcome)}}).Increment();
}

void ServerMetrics::ObserveCommit(int64_t records, double seconds) {
  commit_records_->Observe(static_cast<double>(records));
  commit_seconds_->Observe(seconds);
}

void ServerMetrics::ObserveCheckpoint(double seconds) { checkpoint_seconds_->Observe(seconds); }

void ServerMetrics::SetScrapeSources(std::function<std::string()> config_version,
                                     std::function<StoreGauges()> store) {
  std::lock_guard<std::mutex> lock(mu_);
  config_version_ = std::move(config_version);
  store_ = std::move(store);
}

void ServerMetrics::Refresh() {
  std::lock_guard<std::mutex> lock(mu_);
  if (config_version_) {
    const std::string version = config_version_();
    if (version != config_version_shown_) {
      // One series: the old version's goes, so the gauge names what serves now.
      if (config_gauge_ != nullptr) config_info_->Remove(config_gauge_);
      config_gauge_ = &config_info_->Add({{"version", version}});
      config_gauge_->Set(1);
      config_version_shown_ = version;
    }
  }
  if (store_) {
    const StoreGauges s = store_();
    pending_records_->Set(static_cast<double>(s.pending_records));
    pending_bytes_->Set(static_cast<double>(s.pending_bytes));
    waiting_batches_->Set(static_cast<double>(s.waiting_batches));
    commits_->Set(static_cast<double>(s.commits));
    batches_failed_->Set(static_cast<double>(s.batches_failed));
    rejected_full_->Set(static_cast<double>(s.rejected_full));
  }
}

std::string ServerMetrics::Scrape() {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, hook_->Collect());
  return out.str();
}

}  // namespace holdfast::server
