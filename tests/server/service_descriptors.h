// The descriptors of the four holdfast.v1 services, for tests that must cover
// every RPC. The *_service.pb.cc files define nothing else a test uses, so
// the linker would drop them and the generated pool would not know the
// services; naming their descriptor tables keeps them linked.
#ifndef HOLDFAST_TESTS_SERVER_SERVICE_DESCRIPTORS_H_
#define HOLDFAST_TESTS_SERVER_SERVICE_DESCRIPTORS_H_

#include <vector>

#include "google/protobuf/descriptor.h"
#include "holdfast/v1/admin_service.grpc.pb.h"
#include "holdfast/v1/assignment_service.grpc.pb.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "holdfast/v1/report_service.grpc.pb.h"

namespace holdfast::testing {

// Null entries mean a service is missing from the pool (a test should fail).
inline std::vector<const google::protobuf::ServiceDescriptor*> HoldfastServices() {
  const void* volatile keep[] = {&descriptor_table_holdfast_2fv1_2fassignment_5fservice_2eproto,
                                 &descriptor_table_holdfast_2fv1_2fevent_5fservice_2eproto,
                                 &descriptor_table_holdfast_2fv1_2freport_5fservice_2eproto,
                                 &descriptor_table_holdfast_2fv1_2fadmin_5fservice_2eproto};
  (void)keep;
  std::vector<const google::protobuf::ServiceDescriptor*> out;
  for (const char* name :
       {holdfast::v1::AssignmentService::service_full_name(), holdfast::v1::EventService::service_full_name(),
        holdfast::v1::ReportService::service_full_name(), holdfast::v1::AdminService::service_full_name()}) {
    out.push_back(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name));
  }
  return out;
}

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_SERVER_SERVICE_DESCRIPTORS_H_
