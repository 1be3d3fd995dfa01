#include "server/service_descriptors.h"

#include "absl/strings/str_cat.h"
#include "holdfast/v1/admin_service.pb.h"
#include "holdfast/v1/assignment_service.pb.h"
#include "holdfast/v1/event_service.pb.h"
#include "holdfast/v1/report_service.pb.h"

namespace holdfast::server {

absl::StatusOr<std::vector<const google::protobuf::ServiceDescriptor*>> HoldfastServiceDescriptors() {
  // Reading the tables through a volatile array keeps the references (and
  // so the linked descriptors) even when the optimizer sees no other use.
  static const void* volatile kTables[] = {
      &descriptor_table_holdfast_2fv1_2fassignment_5fservice_2eproto,
      &descriptor_table_holdfast_2fv1_2fevent_5fservice_2eproto,
      &descriptor_table_holdfast_2fv1_2freport_5fservice_2eproto,
      &descriptor_table_holdfast_2fv1_2fadmin_5fservice_2eproto,
  };
  for (const void* volatile& table : kTables) {
    if (table == nullptr) return absl::InternalError("service descriptor table missing");
  }
  std::vector<const google::protobuf::ServiceDescriptor*> out;
  for (const char* name : {"holdfast.v1.AssignmentService", "holdfast.v1.EventService",
                           "holdfast.v1.ReportService", "holdfast.v1.AdminService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) {
      return absl::InternalError(absl::StrCat(name, " is not in the descriptor pool; reflection would fail"));
    }
    out.push_back(service);
  }
  return out;
}

}  // namespace holdfast::server
