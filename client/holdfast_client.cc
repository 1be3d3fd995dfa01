#include "client/holdfast_client.h"

#include <grpcpp/support/client_interceptor.h>

namespace holdfast::client {
namespace {

// Adds the bearer token to every call on the channel, including calls whose
// ClientContext the caller made itself (the importer's, tools').
class BearerTokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string* header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *header_);
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerTokenFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenFactory(const std::string& token) : header_("Bearer " + token) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerTokenInterceptor(&header_);
  }

 private:
  const std::string header_;  // lives as long as the channel holds the factory
};

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::unique_ptr<HoldfastClient> HoldfastClient::Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return std::make_unique<HoldfastClient>(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

std::unique_ptr<HoldfastClient> HoldfastClient::Connect(const std::string& address,
                                                        const ConnectionOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (!options.tls_ca_pem.empty() || !options.tls_cert_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_ca_pem;  // empty: the system's roots
    ssl.pem_cert_chain = options.tls_cert_pem;
    ssl.pem_private_key = options.tls_key_pem;
    creds = grpc::SslCredentials(ssl);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  if (!options.token.empty()) interceptors.push_back(std::make_unique<BearerTokenFactory>(options.token));
  return std::make_unique<HoldfastClient>(
      grpc::experimental::CreateCustomChannelWithInterceptors(address, creds, args, std::move(interceptors)));
}

HoldfastClient::HoldfastClient(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)),
      assignment_(holdfast::v1::AssignmentService::NewStub(channel_)),
      events_(holdfast::v1::EventService::NewStub(channel_)),
      reports_(holdfast::v1::ReportService::NewStub(channel_)),
      admin_(holdfast::v1::AdminService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> HoldfastClient::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
  return context;
}

absl::StatusOr<holdfast::v1::AssignResponse> HoldfastClient::Assign(
    const holdfast::v1::AssignRequest& request) {
  holdfast::v1::AssignResponse response;
  auto context = NewContext();
  grpc::Status s = assignment_->Assign(context.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<holdfast::v1::BatchAssignResponse> HoldfastClient::BatchAssign(
    const holdfast::v1::BatchAssignRequest& request) {
  holdfast::v1::BatchAssignResponse response;
  auto context = NewContext();
  grpc::Status s = assignment_->BatchAssign(context.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<holdfast::v1::ListJourneysResponse> HoldfastClient::ListJourneys() {
  holdfast::v1::ListJourneysResponse response;
  auto context = NewContext();
  grpc::Status s = assignment_->ListJourneys(context.get(), {}, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<holdfast::v1::GetJourneyResponse> HoldfastClient::GetJourney(const std::string& journey) {
  holdfast::v1::GetJourneyRequest request;
  request.set_journey(journey);
  holdfast::v1::GetJourneyResponse response;
  auto context = NewContext();
  grpc::Status s = assignment_->GetJourney(context.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::Status HoldfastClient::Ping() {
  holdfast::v1::PingResponse response;
  auto context = NewContext();
  return FromGrpcStatus(admin_->Ping(context.get(), {}, &response));
}

absl::StatusOr<holdfast::v1::ReloadConfigResponse> HoldfastClient::ReloadConfig(const std::string& path) {
  holdfast::v1::ReloadConfigRequest request;
  request.set_path(path);
  holdfast::v1::ReloadConfigResponse response;
  auto context = NewContext();
  grpc::Status s = admin_->ReloadConfig(context.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

absl::StatusOr<holdfast::v1::ConfigHistoryResponse> HoldfastClient::ConfigHistory(int limit) {
  holdfast::v1::ConfigHistoryRequest request;
  request.set_limit(limit);
  holdfast::v1::ConfigHistoryResponse response;
  auto context = NewContext();
  grpc::Status s = admin_->ConfigHistory(context.get(), request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response;
}

}  // namespace holdfast::client
