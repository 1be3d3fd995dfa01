// holdfast.v1.EventService: validates each batch whole (the first bad record
// rejects it, naming index and field), converts it to lib/storage rows and
// writes it on the work pool; the reply is sent after the commit.
//
// Streams: each message is validated and committed as its own atomic batch,
// in order; the totals are returned when the client half-closes. An invalid
// message ends the stream with INVALID_ARGUMENT naming it
// ("messages[3].sends[17].cost: ...") and saying what was committed before.
//
// Thread-safety: safe for concurrent RPCs.
#ifndef HOLDFAST_SERVER_EVENT_SERVICE_H_
#define HOLDFAST_SERVER_EVENT_SERVICE_H_

#include "holdfast/v1/event_service.grpc.pb.h"
#include "lib/base/clock.h"
#include "lib/storage/store.h"
#include "server/config_holder.h"
#include "server/work_pool.h"
#include "server/write_budget.h"

namespace holdfast::server {

class EventServiceImpl final : public holdfast::v1::EventService::CallbackService {
 public:
  // All must outlive the service. `budget` bounds the bytes of writes in
  // flight (null: unbounded, for tests).
  EventServiceImpl(const ConfigHolder* configs, Store* store, WorkPool* pool, WriteBudget* budget = nullptr)
      : configs_(configs), store_(store), pool_(pool), budget_(budget) {}

  grpc::ServerUnaryReactor* RecordEntries(grpc::CallbackServerContext* context,
                                          const holdfast::v1::RecordEntriesRequest* request,
                                          holdfast::v1::WriteSummary* response) override;
  grpc::ServerUnaryReactor* RecordSends(grpc::CallbackServerContext* context,
                                        const holdfast::v1::RecordSendsRequest* request,
                                        holdfast::v1::WriteSummary* response) override;
  grpc::ServerUnaryReactor* RecordOutcomes(grpc::CallbackServerContext* context,
                                           const holdfast::v1::RecordOutcomesRequest* request,
                                           holdfast::v1::WriteSummary* response) override;
  grpc::ServerUnaryReactor* RecordFixedCosts(grpc::CallbackServerContext* context,
                                             const holdfast::v1::RecordFixedCostsRequest* request,
                                             holdfast::v1::WriteSummary* response) override;
  grpc::ServerUnaryReactor* RecordCustomers(grpc::CallbackServerContext* context,
                                            const holdfast::v1::RecordCustomersRequest* request,
                                            holdfast::v1::WriteSummary* response) override;

  grpc::ServerReadReactor<holdfast::v1::RecordEntriesRequest>* StreamEntries(
      grpc::CallbackServerContext* context, holdfast::v1::WriteSummary* response) override;
  grpc::ServerReadReactor<holdfast::v1::RecordSendsRequest>* StreamSends(
      grpc::CallbackServerContext* context, holdfast::v1::WriteSummary* response) override;
  grpc::ServerReadReactor<holdfast::v1::RecordOutcomesRequest>* StreamOutcomes(
      grpc::CallbackServerContext* context, holdfast::v1::WriteSummary* response) override;
  grpc::ServerReadReactor<holdfast::v1::RecordFixedCostsRequest>* StreamFixedCosts(
      grpc::CallbackServerContext* context, holdfast::v1::WriteSummary* response) override;

 private:
  const ConfigHolder* configs_;
  Store* store_;
  WorkPool* pool_;
  WriteBudget* budget_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_EVENT_SERVICE_H_
