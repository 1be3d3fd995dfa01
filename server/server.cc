#include "server/server.h"

#include <chrono>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include "absl/strings/str_cat.h"
#include "server/admin_service.h"
#include "server/assignment_service.h"
#include "server/service_descriptors.h"

namespace holdfast::server {

absl::StatusOr<std::unique_ptr<HoldfastServer>> HoldfastServer::BuildAndStart(const Options& options,
                                                                              Dependencies deps) {
  if (deps.configs == nullptr || deps.clock == nullptr) {
    return absl::InvalidArgumentError("server needs a config holder and a clock");
  }
  grpc::EnableDefaultHealthCheckService(true);
  if (options.enable_reflection) {
    // Also links the service descriptors reflection serves (see the header).
    if (absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> services =
            HoldfastServiceDescriptors();
        !services.ok()) {
      return services.status();
    }
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  }

  std::unique_ptr<HoldfastServer> server(new HoldfastServer());
  server->services_.push_back(
      std::make_unique<AssignmentServiceImpl>(deps.configs, deps.entries, deps.clock, deps.write_budget));
  server->services_.push_back(std::make_unique<AdminServiceImpl>(deps.config_manager));
  for (auto& s : deps.extra_services) server->services_.push_back(std::move(s));

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           options.credentials ? options.credentials : grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // gRPC turns SO_REUSEPORT on by default, which lets a second server bind
  // the same port and take half the connections: refuse instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (options.grpc_memory_quota_bytes > 0) {
    grpc::ResourceQuota quota("holdfast");
    quota.Resize(static_cast<size_t>(options.grpc_memory_quota_bytes));
    builder.SetResourceQuota(quota);
  }
  for (auto& s : server->services_) builder.RegisterService(s.get());
  if (!deps.interceptors.empty()) builder.experimental().SetInterceptorCreators(std::move(deps.interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }
  return server;
}

HoldfastServer::~HoldfastServer() { Shutdown(); }

std::shared_ptr<grpc::Channel> HoldfastServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

std::shared_ptr<grpc::Channel> HoldfastServer::InProcessChannel(const grpc::ChannelArguments& args) {
  return server_->InProcessChannel(args);
}

void HoldfastServer::Shutdown() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
}

void HoldfastServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace holdfast::server
