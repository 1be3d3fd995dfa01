// holdfast.v1.AdminService: an empty Ping (the RPC benchmark baseline),
// config reload and history.
#ifndef HOLDFAST_SERVER_ADMIN_SERVICE_H_
#define HOLDFAST_SERVER_ADMIN_SERVICE_H_

#include "holdfast/v1/admin_service.grpc.pb.h"
#include "server/config_manager.h"

namespace holdfast::server {

class AdminServiceImpl final : public holdfast::v1::AdminService::CallbackService {
 public:
  // `manager` may be null: reload and history then answer UNIMPLEMENTED.
  explicit AdminServiceImpl(ConfigManager* manager) : manager_(manager) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context,
                                 const holdfast::v1::PingRequest* request,
                                 holdfast::v1::PingResponse* response) override;
  grpc::ServerUnaryReactor* ReloadConfig(grpc::CallbackServerContext* context,
                                         const holdfast::v1::ReloadConfigRequest* request,
                                         holdfast::v1::ReloadConfigResponse* response) override;
  grpc::ServerUnaryReactor* ConfigHistory(grpc::CallbackServerContext* context,
                                          const holdfast::v1::ConfigHistoryRequest* request,
                                          holdfast::v1::ConfigHistoryResponse* response) override;

 private:
  ConfigManager* manager_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_ADMIN_SERVICE_H_
