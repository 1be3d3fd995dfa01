#include "server/admin_service.h"

#include "server/grpc_status_util.h"

namespace holdfast::server {

grpc::ServerUnaryReactor* AdminServiceImpl::Ping(grpc::CallbackServerContext* context,
                                                 const holdfast::v1::PingRequest* request,
                                                 holdfast::v1::PingResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  *response->mutable_echo() = request->echo();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::ReloadConfig(
    grpc::CallbackServerContext* context, const holdfast::v1::ReloadConfigRequest* request,
    holdfast::v1::ReloadConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (manager_ == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "config reload is not enabled"));
    return reactor;
  }
  absl::StatusOr<holdfast::v1::ReloadConfigResponse> result = manager_->Reload(request->path());
  if (result.ok()) *response = *std::move(result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::ConfigHistory(
    grpc::CallbackServerContext* context, const holdfast::v1::ConfigHistoryRequest* request,
    holdfast::v1::ConfigHistoryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (manager_ == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "config history is not enabled"));
    return reactor;
  }
  if (request->limit() < 0) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit: must be >= 0"));
    return reactor;
  }
  absl::StatusOr<std::vector<holdfast::v1::ConfigVersion>> versions =
      manager_->History(request->limit() == 0 ? 100 : request->limit());
  if (versions.ok()) {
    for (auto& v : *versions) *response->add_versions() = std::move(v);
  }
  reactor->Finish(ToGrpcStatus(versions.status()));
  return reactor;
}

}  // namespace holdfast::server
