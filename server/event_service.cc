#include "server/event_service.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/text.h"
#include "server/entry_recorder.h"
#include "server/event_validation.h"
#include "server/grpc_status_util.h"
#include "server/request_validation.h"
#include "server/write_budget.h"

namespace holdfast::server {
namespace {

// A validated batch, ready to be written by the store on the work pool.
using WriteJob = std::function<absl::StatusOr<WriteSummary>()>;

UnixMicros ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

absl::Status CheckBatchSize(absl::string_view prefix, absl::string_view field, int n) {
  if (n > kMaxBatchRecords) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, field, ": ", n, " records, at most ", kMaxBatchRecords, " per batch"));
  }
  return absl::OkStatus();
}

// Each Prepare* validates the whole request (prefix: "" for unary calls,
// "messages[i]." in streams) and returns the job that writes it.
absl::StatusOr<WriteJob> PrepareSends(const holdfast::v1::RecordSendsRequest& req, const ServingConfig& config,
                                      Store* store, const std::string& prefix) {
  HF_RETURN_IF_ERROR(CheckBatchSize(prefix, "sends", req.sends_size()));
  auto rows = std::make_shared<std::vector<SendRow>>();
  rows->reserve(req.sends_size());
  for (int i = 0; i < req.sends_size(); ++i) {
    const holdfast::v1::SendRecord& s = req.sends(i);
    const std::string where = absl::StrCat(prefix, "sends[", i, "]");
    HF_RETURN_IF_ERROR(ValidateSendRecord(where, s, *config.compiled));
    double cost = s.has_cost() ? s.cost() : 0.0;
    if (!s.has_cost()) {
      // No cost given: the journey's configured cost for the channel.
      const JourneySpec* journey = config.compiled->FindJourney(s.journey());
      auto it = journey->channel_cost.find(s.channel());
      if (it == journey->channel_cost.end()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".cost: not given, and journey '", s.journey(),
                                                       "' configures no cost for channel '", EchoInput(s.channel()), "'"));
      }
      cost = it->second;
    }
    rows->push_back(SendRow{s.send_id(), s.unit(), s.journey(), s.channel(), ToMicros(s.at()), cost});
  }
  return WriteJob([store, rows] { return store->RecordSends(*rows); });
}

absl::StatusOr<WriteJob> PrepareOutcomes(const holdfast::v1::RecordOutcomesRequest& req, const ServingConfig&,
                                         Store* store, const std::string& prefix) {
  HF_RETURN_IF_ERROR(CheckBatchSize(prefix, "outcomes", req.outcomes_size()));
  auto rows = std::make_shared<std::vector<OutcomeRow>>();
  rows->reserve(req.outcomes_size());
  for (int i = 0; i < req.outcomes_size(); ++i) {
    const holdfast::v1::OutcomeRecord& o = req.outcomes(i);
    HF_RETURN_IF_ERROR(ValidateOutcomeRecord(absl::StrCat(prefix, "outcomes[", i, "]"), o));
    rows->push_back(OutcomeRow{o.outcome_id(), o.unit(), ToMicros(o.at()), static_cast<OutcomeType>(o.type()),
                               o.revenue(), o.margin(), o.order_id(), o.incentive_cost()});
  }
  return WriteJob([store, rows] { return store->RecordOutcomes(*rows); });
}

absl::StatusOr<WriteJob> PrepareCosts(const holdfast::v1::RecordFixedCostsRequest& req,
                                      const ServingConfig& config, Store* store, const std::string& prefix) {
  HF_RETURN_IF_ERROR(CheckBatchSize(prefix, "costs", req.costs_size()));
  auto rows = std::make_shared<std::vector<FixedCostRow>>();
  rows->reserve(req.costs_size());
  for (int i = 0; i < req.costs_size(); ++i) {
    const holdfast::v1::FixedCostRecord& c = req.costs(i);
    HF_RETURN_IF_ERROR(ValidateFixedCostRecord(absl::StrCat(prefix, "costs[", i, "]"), c, *config.compiled));
    rows->push_back(FixedCostRow{c.cost_id(), c.journey(), ToMicros(c.start()), ToMicros(c.end()), c.amount(),
                                 c.category()});
  }
  return WriteJob([store, rows] { return store->RecordFixedCosts(*rows); });
}

absl::StatusOr<WriteJob> PrepareCustomers(const holdfast::v1::RecordCustomersRequest& req, const ServingConfig&,
                                          Store* store, const std::string& prefix) {
  HF_RETURN_IF_ERROR(CheckBatchSize(prefix, "customers", req.customers_size()));
  auto rows = std::make_shared<std::vector<CustomerRow>>();
  rows->reserve(req.customers_size());
  for (int i = 0; i < req.customers_size(); ++i) {
    const holdfast::v1::CustomerRecord& c = req.customers(i);
    HF_RETURN_IF_ERROR(ValidateCustomerRecord(absl::StrCat(prefix, "customers[", i, "]"), c));
    rows->push_back(CustomerRow{c.unit(), ToMicros(c.first_seen())});
  }
  return WriteJob([store, rows] { return store->RecordCustomers(*rows); });
}

// Historical entries are assigned by the same function as Assign, at their
// own time, with the config serving now.
absl::StatusOr<WriteJob> PrepareEntries(const holdfast::v1::RecordEntriesRequest& req,
                                        const ServingConfig& config, Store* store, const std::string& prefix) {
  HF_RETURN_IF_ERROR(CheckBatchSize(prefix, "entries", req.entries_size()));
  auto rows = std::make_shared<std::vector<EntryRow>>();
  rows->reserve(req.entries_size());
  for (int i = 0; i < req.entries_size(); ++i) {
    const holdfast::v1::EntryRecord& e = req.entries(i);
    const std::string where = absl::StrCat(prefix, "entries[", i, "]");
    HF_RETURN_IF_ERROR(ValidateEntryRecord(where, e, *config.compiled));
    HF_ASSIGN_OR_RETURN(auto attributes, ValidateAttributes(absl::StrCat(where, ".attributes"), e.attributes()));
    const JourneySpec& journey = *config.compiled->FindJourney(e.journey());
    const UnixMicros t = ToMicros(e.at());
    const Decision d = config.assigner.AssignValidated(journey, e.unit(), t);
    rows->push_back(MakeEntryRow(journey, e.unit(), d, t, config.version(), std::move(attributes)));
  }
  return WriteJob([store, rows]() -> absl::StatusOr<WriteSummary> {
    HF_ASSIGN_OR_RETURN(EntryWriteResult result, store->RecordEntries(*rows));
    return result.summary;
  });
}

void FillSummary(const WriteSummary& s, holdfast::v1::WriteSummary* out) {
  out->set_inserted(out->inserted() + s.inserted);
  out->set_duplicates(out->duplicates() + s.duplicates);
  out->set_orphan_refunds(out->orphan_refunds() + s.orphan_refunds);
}

const absl::Status& BusyStatus() {
  static const absl::Status* const kBusy =
      new absl::Status(absl::ResourceExhaustedError("server busy: too many writes waiting; retry with backoff"));
  return *kBusy;
}

// Unary: admit by bytes, validate on the callback thread, write on the pool,
// reply from there. The lease lives until the reply is sent.
template <typename Request, typename Prepare>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, const Request* request,
                                   holdfast::v1::WriteSummary* response, const ConfigHolder* configs,
                                   Store* store, WorkPool* pool, WriteBudget* budget, Prepare prepare) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::shared_ptr<WriteBudget::Lease>> admitted = AdmitWrite(budget, *request);
  if (!admitted.ok()) {
    reactor->Finish(ToGrpcStatus(admitted.status()));
    return reactor;
  }
  std::shared_ptr<WriteBudget::Lease> lease = *std::move(admitted);
  std::shared_ptr<const ServingConfig> config = configs->Get();
  absl::StatusOr<WriteJob> job = prepare(*request, *config, store, std::string());
  if (!job.ok()) {
    reactor->Finish(ToGrpcStatus(job.status()));
    return reactor;
  }
  auto task = [reactor, response, lease, job = *std::move(job)]() mutable {
    absl::StatusOr<WriteSummary> summary = job();
    if (summary.ok()) FillSummary(*summary, response);
    job = nullptr;  // the rows go before the bytes are released
    lease.reset();
    reactor->Finish(ToGrpcStatus(summary.status()));
  };
  if (!pool->TrySubmit(std::move(task))) reactor->Finish(ToGrpcStatus(BusyStatus()));
  return reactor;
}

// Client stream: one message at a time, each committed before the next read.
template <typename Request, typename Prepare>
class WriteStreamReactor final : public grpc::ServerReadReactor<Request> {
 public:
  WriteStreamReactor(holdfast::v1::WriteSummary* response, const ConfigHolder* configs, Store* store,
                     WorkPool* pool, WriteBudget* budget, Prepare prepare)
      : response_(response), configs_(configs), store_(store), pool_(pool), budget_(budget), prepare_(prepare) {
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed (or the call was cancelled)
      this->Finish(grpc::Status::OK);
      return;
    }
    absl::StatusOr<std::shared_ptr<WriteBudget::Lease>> admitted = AdmitWrite(budget_, request_);
    if (!admitted.ok()) {
      FinishWithError(admitted.status());
      return;
    }
    std::shared_ptr<WriteBudget::Lease> lease = *std::move(admitted);
    const std::string prefix = absl::StrCat("messages[", messages_, "].");
    absl::StatusOr<WriteJob> job = prepare_(request_, *configs_->Get(), store_, prefix);
    if (!job.ok()) {
      FinishWithError(job.status());
      return;
    }
    auto task = [this, lease, job = *std::move(job)]() mutable {
      absl::StatusOr<WriteSummary> summary = job();
      job = nullptr;
      lease.reset();
      if (!summary.ok()) {
        FinishWithError(summary.status());
        return;
      }
      FillSummary(*summary, response_);
      ++messages_;
      this->StartRead(&request_);
    };
    if (!pool_->TrySubmit(std::move(task))) FinishWithError(BusyStatus());
  }

  void OnDone() override { delete this; }

 private:
  // The status says how far the stream got, so the client knows what is stored.
  void FinishWithError(const absl::Status& status) {
    this->Finish(ToGrpcStatus(absl::Status(
        status.code(), absl::StrCat(status.message(), " (", messages_, " earlier messages committed: ",
                                    response_->inserted(), " inserted, ", response_->duplicates(),
                                    " duplicates)"))));
  }

  holdfast::v1::WriteSummary* response_;
  const ConfigHolder* configs_;
  Store* store_;
  WorkPool* pool_;
  WriteBudget* budget_;
  Prepare prepare_;
  Request request_;
  int64_t messages_ = 0;
};

template <typename Request, typename Prepare>
grpc::ServerReadReactor<Request>* StartStream(holdfast::v1::WriteSummary* response, const ConfigHolder* configs,
                                              Store* store, WorkPool* pool, WriteBudget* budget,
                                              Prepare prepare) {
  return new WriteStreamReactor<Request, Prepare>(response, configs, store, pool, budget, prepare);
}

}  // namespace

grpc::ServerUnaryReactor* EventServiceImpl::RecordEntries(grpc::CallbackServerContext* context,
                                                          const holdfast::v1::RecordEntriesRequest* request,
                                                          holdfast::v1::WriteSummary* response) {
  return RunUnary(context, request, response, configs_, store_, pool_, budget_, PrepareEntries);
}
grpc::ServerUnaryReactor* EventServiceImpl::RecordSends(grpc::CallbackServerContext* context,
                                                        const holdfast::v1::RecordSendsRequest* request,
                                                        holdfast::v1::WriteSummary* response) {
  return RunUnary(context, request, response, configs_, store_, pool_, budget_, PrepareSends);
}
grpc::ServerUnaryReactor* EventServiceImpl::RecordOutcomes(grpc::CallbackServerContext* context,
                                                           const holdfast::v1::RecordOutcomesRequest* request,
                                                           holdfast::v1::WriteSummary* response) {
  return RunUnary(context, request, response, configs_, store_, pool_, budget_, PrepareOutcomes);
}
grpc::ServerUnaryReactor* EventServiceImpl::RecordFixedCosts(grpc::CallbackServerContext* context,
                                                             const holdfast::v1::RecordFixedCostsRequest* request,
                                                             holdfast::v1::WriteSummary* response) {
  return RunUnary(context, request, response, configs_, store_, pool_, budget_, PrepareCosts);
}
grpc::ServerUnaryReactor* EventServiceImpl::RecordCustomers(grpc::CallbackServerContext* context,
                                                            const holdfast::v1::RecordCustomersRequest* request,
                                                            holdfast::v1::WriteSummary* response) {
  return RunUnary(context, request, response, configs_, store_, pool_, budget_, PrepareCustomers);
}

grpc::ServerReadReactor<holdfast::v1::RecordEntriesRequest>* EventServiceImpl::StreamEntries(
    grpc::CallbackServerContext*, holdfast::v1::WriteSummary* response) {
  return StartStream<holdfast::v1::RecordEntriesRequest>(response, configs_, store_, pool_, budget_, PrepareEntries);
}
grpc::ServerReadReactor<holdfast::v1::RecordSendsRequest>* EventServiceImpl::StreamSends(
    grpc::CallbackServerContext*, holdfast::v1::WriteSummary* response) {
  return StartStream<holdfast::v1::RecordSendsRequest>(response, configs_, store_, pool_, budget_, PrepareSends);
}
grpc::ServerReadReactor<holdfast::v1::RecordOutcomesRequest>* EventServiceImpl::StreamOutcomes(
    grpc::CallbackServerContext*, holdfast::v1::WriteSummary* response) {
  return StartStream<holdfast::v1::RecordOutcomesRequest>(response, configs_, store_, pool_, budget_, PrepareOutcomes);
}
grpc::ServerReadReactor<holdfast::v1::RecordFixedCostsRequest>* EventServiceImpl::StreamFixedCosts(
    grpc::CallbackServerContext*, holdfast::v1::WriteSummary* response) {
  return StartStream<holdfast::v1::RecordFixedCostsRequest>(response, configs_, store_, pool_, budget_, PrepareCosts);
}

}  // namespace holdfast::server
