#include "server/holdfast_daemon.h"

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/catalog/store_catalog.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/postgres_store.h"
#include "lib/storage/sqlite_store.h"
#include "lib/storage/store.h"
#include "server/event_service.h"
#include "server/http_gateway.h"
#include "server/listen_policy.h"
#include "server/method_roles.h"
#include "server/observed_config_manager.h"
#include "server/report_service.h"
#include "server/request_validation.h"
#include "server/rpc_interceptor.h"
#include "server/server_metrics.h"
#include "server/service_descriptors.h"
#include "server/stalling_store.h"
#include "server/store_entry_recorder.h"
#include "server/work_pool.h"
#include "server/write_budget.h"

namespace holdfast::server {
namespace {

// Threads that wait for group commits on behalf of RPCs. Each waits for one
// batch; the store's writer commits all waiting batches together, so more
// threads mean larger group commits, not more fsyncs.
constexpr int kWriteThreads = 32;
constexpr size_t kMaxQueuedWrites = 4096;
// Niceness of report threads: a report yields the CPU to decisions.
constexpr int kReportNice = 10;

holdfast::v1::ConfigVersion ToProto(const ConfigVersionRow& row) {
  holdfast::v1::ConfigVersion v;
  v.set_version(row.version);
  MicrosToTimestamp(row.loaded_at, v.mutable_loaded_at());
  v.set_source_path(row.source_path);
  v.set_diff_summary(row.diff_summary);
  v.set_replica(row.replica);
  return v;
}

// The write-path gauges /metrics shows, from whichever backend --db named
// (the queue is the same idea on both; waiting batches exist only on SQLite).
StoreGauges StoreGaugesOf(const Store* store) {
  StoreGauges g;
  if (const auto* sqlite = dynamic_cast<const SqliteStore*>(store)) {
    const SqliteStoreStats s = sqlite->GetStats();
    g.pending_records = s.pending_records;
    g.pending_bytes = s.pending_bytes;
    g.waiting_batches = s.waiting_batches;
    g.commits = s.commits;
    g.batches_failed = s.batches_failed;
    g.rejected_full = s.rejected_full;
  } else if (const auto* pg = dynamic_cast<const PostgresStore*>(store)) {
    const PostgresStoreStats s = pg->GetStats();
    g.pending_records = s.pending_records;
    g.pending_bytes = s.pending_bytes;
    g.commits = s.commits;
    g.batches_failed = s.batches_failed;
    g.rejected_full = s.rejected_full;
  }
  return g;
}

}  // namespace

struct HoldfastDaemon::Impl {
  // Declared first so it outlives the store and server that report to it.
  std::unique_ptr<ServerMetrics> metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<StallingStore> stalling_store;  // only with the test hook
  std::unique_ptr<WriteBudget> write_budget;
  std::unique_ptr<WorkPool> pool;
  std::unique_ptr<WorkPool> report_pool;
  std::unique_ptr<StoreEntryRecorder> recorder;
  std::unique_ptr<ObservedConfigManager> observed_config;
  std::unique_ptr<HttpGateway> http;  // only with --http_listen
};

absl::StatusOr<std::unique_ptr<HoldfastDaemon>> HoldfastDaemon::Start(const DaemonOptions& options) {
  std::unique_ptr<HoldfastDaemon> d(new HoldfastDaemon());
  d->options_ = options;
  // Refuse an unsafe listen address before touching the config or the store.
  HF_ASSIGN_OR_RETURN(d->security_, DaemonSecurity::Create(options.security, options.listen_address));
  if (!options.http_listen.empty()) {
    // The HTTP port carries the same data as the gRPC one: the same policy.
    ListenSecurity http;
    http.tls = !options.security.tls_cert_path.empty();
    http.tokens = !options.security.auth_tokens_path.empty();
    http.allow_insecure = options.security.allow_insecure;
    if (absl::Status s = CheckListenPolicy(options.http_listen, http); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("--http_listen: ", s.message()));
    }
  }
  d->impl_ = std::make_unique<Impl>();
  const Clock* clock = RealClock::Get();
  HF_ASSIGN_OR_RETURN(std::shared_ptr<const ServingConfig> initial,
                      LoadServingConfig(options.config_path, clock->NowMicros()));
  d->configs_ = std::make_unique<ConfigHolder>(std::move(initial));

  if (!options.metrics_listen.empty()) {
    std::vector<std::string> methods;
    HF_ASSIGN_OR_RETURN(std::vector<const google::protobuf::ServiceDescriptor*> services,
                        HoldfastServiceDescriptors());
    for (const auto* service : services) {
      for (int i = 0; i < service->method_count(); ++i) {
        methods.push_back(absl::StrCat("/", service->full_name(), "/", service->method(i)->name()));
      }
    }
    methods.push_back("/grpc.health.v1.Health/Check");
    methods.push_back("/grpc.health.v1.Health/Watch");
    methods.push_back("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
    d->impl_->metrics = std::make_unique<ServerMetrics>(methods, options.version);
  }
  ServerMetrics* metrics = d->impl_->metrics.get();
  if (metrics != nullptr || (options.log != nullptr && options.access_log_sample > 0)) {
    // Calls the token check refuses never reach the interceptor below.
    EventLog* access_log = options.access_log_sample > 0 ? options.log : nullptr;
    d->security_->ObserveRefusals([metrics, access_log](absl::string_view method, absl::StatusCode code) {
      const ServerMetrics::Method* m = metrics != nullptr ? metrics->FindMethod(method) : nullptr;
      if (m != nullptr) metrics->CountRefused(*m, static_cast<grpc::StatusCode>(code));
      if (access_log != nullptr) {
        // The method is the caller's text: logged only when it is one we serve.
        const bool known = FindMethodAccess(method) != nullptr;
        access_log->Log("WARN", "rpc",
                        {{"method", known ? std::string(method) : "-"},
                         {"code", absl::StatusCodeToString(code)},
                         {"stage", "auth"}});
      }
    });
  }

  // The server never learns which backend the URI named.
  StoreOptions store_options;
  store_options.sync_full = options.sync_full;
  if (metrics != nullptr) {
    store_options.on_commit = [metrics](int64_t records, int64_t micros) {
      metrics->ObserveCommit(records, micros / 1e6);
    };
    store_options.on_checkpoint = [metrics](int64_t micros) { metrics->ObserveCheckpoint(micros / 1e6); };
  }
  store_options.max_queued_records = options.max_pending_records;
  store_options.pg_writer_connections = options.pg_writers;
  store_options.pg_report_connections = options.pg_report_connections;
  store_options.init_existing_file = options.init_store;
  HF_ASSIGN_OR_RETURN(d->impl_->store, Store::Open(options.db_path, store_options));
  Store* store = d->impl_->store.get();
  if (!options.test_stall_writes_while.empty()) {
    d->impl_->stalling_store = std::make_unique<StallingStore>(store, options.test_stall_writes_while);
    store = d->impl_->stalling_store.get();
  }
  if (options.max_pending_bytes <= 0) {
    return absl::InvalidArgumentError("max_pending_bytes: must be > 0");
  }
  if (!options.http_listen.empty() && options.http_max_body_bytes > options.max_pending_bytes) {
    // A body is held against the write budget: one larger than it could
    // never be admitted.
    return absl::InvalidArgumentError("http_max_body_bytes: must not exceed max_pending_bytes");
  }
  d->impl_->write_budget = std::make_unique<WriteBudget>(options.max_pending_bytes);
  if (options.report_threads <= 0 || options.max_queued_reports < 0) {
    return absl::InvalidArgumentError("report_threads: must be > 0 (and max_queued_reports >= 0)");
  }
  d->impl_->report_pool =
      std::make_unique<WorkPool>(options.report_threads, options.max_queued_reports, kReportNice);
  d->impl_->pool = std::make_unique<WorkPool>(kWriteThreads, kMaxQueuedWrites);
  d->impl_->recorder = std::make_unique<StoreEntryRecorder>(store, d->impl_->pool.get());

  // Config history lives in the store, so it survives restarts.
  auto sink = [store](const holdfast::v1::ConfigVersion& v, const std::string& content) {
    ConfigVersionRow row;
    row.content = content;
    row.version = v.version();
    row.loaded_at = v.loaded_at().seconds() * 1000000 + v.loaded_at().nanos() / 1000;
    row.source_path = v.source_path();
    row.diff_summary = v.diff_summary();
    row.replica = v.replica();
    return store->AppendConfigVersion(row);
  };
  auto source = [store](int limit) -> absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> {
    HF_ASSIGN_OR_RETURN(std::vector<ConfigVersionRow> rows, store->ListConfigVersions(limit));
    std::vector<holdfast::v1::ConfigVersion> out;
    for (const auto& r : rows) out.push_back(ToProto(r));
    return out;
  };
  if (options.replica_id.size() > kMaxStoredReplicaBytes) {
    return absl::InvalidArgumentError("replica_id: longer than 256 bytes");
  }
  d->config_manager_ =
      std::make_unique<ConfigManagerImpl>(d->configs_.get(), clock, sink, source, options.replica_id);
  HF_RETURN_IF_ERROR(d->config_manager_->RecordInitial());

  HoldfastServer::Options server_options;
  server_options.listen_address = options.listen_address;
  server_options.credentials = d->security_->credentials();
  server_options.grpc_memory_quota_bytes = options.grpc_memory_quota_bytes;
  HoldfastServer::Dependencies deps;
  deps.configs = d->configs_.get();
  deps.clock = clock;
  d->impl_->observed_config = std::make_unique<ObservedConfigManager>(d->config_manager_.get(), metrics, options.log);
  deps.config_manager = d->impl_->observed_config.get();
  deps.entries = d->impl_->recorder.get();
  deps.write_budget = d->impl_->write_budget.get();
  deps.extra_services.push_back(std::make_unique<EventServiceImpl>(
      d->configs_.get(), store, d->impl_->pool.get(), d->impl_->write_budget.get()));
  auto reports = std::make_unique<ReportServiceImpl>(
      d->configs_.get(),
      std::make_unique<report::StoreAnalysisSource>(
          store, options.report_analysis_in_database ? report::StoreAnalysisSource::Mode::kInDatabase
                                                     : report::StoreAnalysisSource::Mode::kEntryStream),
      clock,
      d->impl_->report_pool.get());
  // Reports analyse each entry with the config version it was assigned under.
  reports->set_catalog_loader(
      [store](std::shared_ptr<const AssignmentConfig> serving) -> absl::StatusOr<ConfigCatalog> {
        HF_ASSIGN_OR_RETURN(StoreCatalog loaded, LoadConfigCatalog(*store, std::move(serving)));
        return std::move(loaded.catalog);
      });
  deps.extra_services.push_back(std::move(reports));
  if (metrics != nullptr || (options.log != nullptr && options.access_log_sample > 0)) {
    RpcObserverOptions observe;
    observe.metrics = metrics;
    observe.access_log = options.access_log_sample > 0 ? options.log : nullptr;
    observe.access_log_sample = options.access_log_sample;
    deps.interceptors.push_back(MakeRpcObserverFactory(observe));
  }
  HF_ASSIGN_OR_RETURN(d->server_, HoldfastServer::BuildAndStart(server_options, std::move(deps)));
  if (!options.http_listen.empty()) {
    HttpGateway::Options http;
    http.listen_address = options.http_listen;
    http.threads = options.http_threads;
    http.max_body_bytes = options.http_max_body_bytes;
    http.tls_cert_path = options.security.tls_cert_path;
    http.tls_key_path = options.security.tls_key_path;
    http.tls_client_ca_path = options.security.tls_client_ca_path;
    HttpGateway::Dependencies http_deps;
    http_deps.channel = d->server_->InProcessChannel(HttpGateway::ChannelArguments());
    http_deps.authorizer = d->security_->authorizer();
    http_deps.write_budget = d->impl_->write_budget.get();
    http_deps.metrics = metrics;
    http_deps.access_log = options.access_log_sample > 0 ? options.log : nullptr;
    http_deps.access_log_sample = options.access_log_sample;
    HF_ASSIGN_OR_RETURN(d->impl_->http, HttpGateway::Start(http, std::move(http_deps)));
  }
  if (metrics != nullptr) {
    const ConfigHolder* configs = d->configs_.get();
    const Store* backend = d->impl_->store.get();
    metrics->SetScrapeSources([configs] { return configs->Get()->version(); },
                              [backend] { return StoreGaugesOf(backend); });
    HF_RETURN_IF_ERROR(metrics->Listen(options.metrics_listen));
  }
  return d;
}

HoldfastDaemon::~HoldfastDaemon() { Shutdown(); }

std::string HoldfastDaemon::listen_host() const {
  const std::string& a = options_.listen_address;
  const size_t colon = a.rfind(':');
  return colon == std::string::npos ? a : a.substr(0, colon);
}

int HoldfastDaemon::http_port() const {
  return impl_->http == nullptr ? 0 : impl_->http->port();
}

int HoldfastDaemon::metrics_port() const {
  return impl_->metrics == nullptr ? 0 : impl_->metrics->port();
}

absl::StatusOr<std::string> HoldfastDaemon::ReloadFromSignal() {
  HF_ASSIGN_OR_RETURN(holdfast::v1::ReloadConfigResponse r, impl_->observed_config->Reload("", "SIGHUP"));
  return absl::StrCat(r.changed() ? "now serving " : "unchanged, serving ", r.serving().version());
}

void HoldfastDaemon::Shutdown() {
  // Stop taking calls first; in-flight writes finish (the pool drains, the
  // store commits its queue) before the store closes in the destructor.
  // HTTP first: its requests are calls on the gRPC server.
  if (impl_ != nullptr && impl_->http != nullptr) impl_->http->Shutdown();
  if (server_ != nullptr) server_->Shutdown();
  // Scrapes read the store: stop them before it closes.
  if (impl_ != nullptr && impl_->metrics != nullptr) impl_->metrics->StopServing();
}

}  // namespace holdfast::server
