#include "server/rpc_interceptor.h"

#include <chrono>
#include <random>
#include <string>

#include <grpcpp/server_context.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "holdfast/v1/assignment.pb.h"
#include "holdfast/v1/events.pb.h"

namespace holdfast::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr size_t kMaxRequestIdBytes = 64;


const char* GroupLabel(holdfast::v1::Group g) {
  switch (g) {
    case holdfast::v1::TREATMENT: return "treatment";
    case holdfast::v1::HOLDOUT: return "holdout";
    case holdfast::v1::GLOBAL_HOLDOUT: return "global_holdout";
    default: return "unspecified";
  }
}


class RpcObserver final : public grpc::experimental::Interceptor {
 public:
  RpcObserver(grpc::experimental::ServerRpcInfo* info, const RpcObserverOptions& options)
      : info_(info), options_(options), start_(std::chrono::steady_clock::now()) {
    if (options_.metrics != nullptr) method_ = options_.metrics->FindMethod(info->method());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (options_.access_log != nullptr &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        auto it = metadata->find("x-request-id");
        if (it != metadata->end()) {
          request_id_ = SafeRequestId(absl::string_view(it->second.data(), it->second.size()));
        }
      }
    }
    if (method_ != nullptr && methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      CountResponse(methods->GetSendMessage());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // A call finished after its deadline: gRPC already ended it
      // DEADLINE_EXCEEDED for the caller, and what the handler sends now
      // never arrives. Log and count what the caller saw, so an SLO on
      // these series matches the clients' own.
      if (status.ok() && info_->server_context()->deadline() < std::chrono::system_clock::now()) {
        status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "finished after the caller's deadline");
      }
      Finish(status);
    }
    methods->Proceed();
  }

 private:
  // Reads the (not yet serialized) response for assignment, entry and reload
  // counts; the method path says which message type it is.
  void CountResponse(const void* message) {
    if (message == nullptr) return;
    ServerMetrics* m = options_.metrics;
    using Kind = ServerMetrics::Method::Kind;
    switch (method_->kind) {
      case Kind::kAssign: {
        const auto& a = static_cast<const holdfast::v1::AssignResponse*>(message)->assignment();
        m->CountAssignment(a.journey(), GroupLabel(a.group()));
        if (a.new_entry()) m->CountEntriesRecorded("assign", 1);
        break;
      }
      case Kind::kBatchAssign: {
        const auto* r = static_cast<const holdfast::v1::BatchAssignResponse*>(message);
        // Aggregate locally: one counter update per journey and group.
        absl::flat_hash_map<std::pair<std::string, int>, int64_t> counts;
        int64_t new_entries = 0;
        for (const auto& a : r->assignments()) {
          ++counts[{a.journey(), static_cast<int>(a.group())}];
          new_entries += a.new_entry() ? 1 : 0;
        }
        for (const auto& [key, n] : counts) {
          m->CountAssignment(key.first, GroupLabel(static_cast<holdfast::v1::Group>(key.second)), n);
        }
        m->CountEntriesRecorded("assign", new_entries);
        break;
      }
      case Kind::kRecordEntries:
        m->CountEntriesRecorded("import", static_cast<const holdfast::v1::WriteSummary*>(message)->inserted());
        break;
      default:
        break;
    }
  }

  void Finish(const grpc::Status& status) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (method_ != nullptr) {
      options_.metrics->ObserveRpc(*method_, status.error_code(), seconds);
    }
    if (options_.access_log != nullptr && (!status.ok() || SampleAccessLog(options_.access_log_sample))) {
      std::string code = grpc_code_name(status.error_code());
      options_.access_log->Log(status.ok() ? "INFO" : "WARN", "rpc",
                               {{"method", std::string(info_->method())},
                                {"code", std::move(code)},
                                {"latency_ms", absl::StrFormat("%.3f", seconds * 1e3)},
                                {"peer", info_->server_context()->peer()},
                                {"request_id", request_id_.empty() ? "-" : request_id_}});
    }
  }

  static std::string grpc_code_name(grpc::StatusCode code) {
    static constexpr const char* kNames[17] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    const int c = static_cast<int>(code);
    return c >= 0 && c < 17 ? kNames[c] : "UNKNOWN";
  }

  grpc::experimental::ServerRpcInfo* info_;
  const RpcObserverOptions& options_;
  const std::chrono::steady_clock::time_point start_;
  const ServerMetrics::Method* method_ = nullptr;
  std::string request_id_;
};

class RpcObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcObserverFactory(const RpcObserverOptions& options) : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new RpcObserver(info, options_);
  }

 private:
  const RpcObserverOptions options_;
};

}  // namespace

std::string SafeRequestId(absl::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size() && out.size() < kMaxRequestIdBytes; ++i) {
    const char c = value[i];
    out.push_back(c > 0x20 && c < 0x7f ? c : '_');
  }
  return out;
}

bool SampleAccessLog(double share) {
  if (share >= 1.0) return true;
  if (share <= 0.0) return false;
  thread_local std::minstd_rand rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < share;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeRpcObserverFactory(
    const RpcObserverOptions& options) {
  return std::make_unique<RpcObserverFactory>(options);
}

}  // namespace holdfast::server
