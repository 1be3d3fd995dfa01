// holdfast.v1.AssignmentService: validates requests, asks lib/assign, and
// (unless dry_run) records entries through the entry recorder.
//
// Thread-safety: safe for concurrent RPCs.
#ifndef HOLDFAST_SERVER_ASSIGNMENT_SERVICE_H_
#define HOLDFAST_SERVER_ASSIGNMENT_SERVICE_H_

#include "holdfast/v1/assignment_service.grpc.pb.h"
#include "lib/base/clock.h"
#include "server/arena_message_allocator.h"
#include "server/config_holder.h"
#include "server/entry_recorder.h"
#include "server/write_budget.h"

namespace holdfast::server {

class AssignmentServiceImpl final : public holdfast::v1::AssignmentService::CallbackService {
 public:
  // `recorder` may be null: then nothing is recorded (as if every call were
  // dry_run). `budget` bounds the bytes of recording calls in flight (null:
  // unbounded).
  AssignmentServiceImpl(const ConfigHolder* configs, EntryRecorder* recorder, const Clock* clock,
                        WriteBudget* budget = nullptr)
      : configs_(configs), recorder_(recorder), clock_(clock), budget_(budget) {
    SetMessageAllocatorFor_Assign(&assign_allocator_);
    SetMessageAllocatorFor_BatchAssign(&batch_allocator_);
  }

  grpc::ServerUnaryReactor* Assign(grpc::CallbackServerContext* context,
                                   const holdfast::v1::AssignRequest* request,
                                   holdfast::v1::AssignResponse* response) override;
  grpc::ServerUnaryReactor* BatchAssign(grpc::CallbackServerContext* context,
                                        const holdfast::v1::BatchAssignRequest* request,
                                        holdfast::v1::BatchAssignResponse* response) override;
  grpc::ServerUnaryReactor* ListJourneys(grpc::CallbackServerContext* context,
                                         const holdfast::v1::ListJourneysRequest* request,
                                         holdfast::v1::ListJourneysResponse* response) override;
  grpc::ServerUnaryReactor* GetJourney(grpc::CallbackServerContext* context,
                                       const holdfast::v1::GetJourneyRequest* request,
                                       holdfast::v1::GetJourneyResponse* response) override;

 private:
  const ConfigHolder* configs_;
  EntryRecorder* recorder_;
  const Clock* clock_;
  WriteBudget* budget_;
  ArenaMessageAllocator<holdfast::v1::AssignRequest, holdfast::v1::AssignResponse> assign_allocator_;
  ArenaMessageAllocator<holdfast::v1::BatchAssignRequest, holdfast::v1::BatchAssignResponse> batch_allocator_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_ASSIGNMENT_SERVICE_H_
