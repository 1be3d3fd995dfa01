#include "server/assignment_service.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/text.h"
#include "server/grpc_status_util.h"
#include "server/request_validation.h"

namespace holdfast::server {
namespace {

using holdfast::v1::Assignment;

// Largest BatchAssign request.
constexpr int kMaxBatchUnits = 10000;
// Attributes are stored with every entry of a batch, so their bytes count
// once per unit: bound the copies one call can make.
constexpr size_t kMaxBatchAttributeBytes = 16 << 20;

size_t AttributeBytes(const std::vector<std::pair<std::string, std::string>>& attributes) {
  size_t bytes = 0;
  for (const auto& [k, v] : attributes) bytes += k.size() + v.size() + 2 * sizeof(std::string);
  return bytes;
}

holdfast::v1::Group ToProtoGroup(AssignedGroup g) {
  switch (g) {
    case AssignedGroup::kTreatment: return holdfast::v1::TREATMENT;
    case AssignedGroup::kHoldout: return holdfast::v1::HOLDOUT;
    case AssignedGroup::kGlobalHoldout: return holdfast::v1::GLOBAL_HOLDOUT;
  }
  return holdfast::v1::GROUP_UNSPECIFIED;
}

const std::string& ArmName(const JourneySpec& journey, const Decision& d) {
  static const std::string* const kEmpty = new std::string();
  return d.arm_index >= 0 ? journey.arms[d.arm_index].name : *kEmpty;
}

void FillAssignment(const JourneySpec& journey, const std::string& unit, const Decision& d,
                    const std::string& version, Assignment* out) {
  out->set_unit(unit);
  out->set_journey(journey.id);
  out->set_group(ToProtoGroup(d.group));
  out->set_arm(ArmName(journey, d));
  out->set_period(d.period);
  out->set_config_version(version);
  out->set_in_washout(d.in_washout);
}

// Ends a handler: an error clears the answer; OK finishes now unless the
// recorder's callback will finish once the entries are durable.
template <typename Response>
grpc::ServerUnaryReactor* FinishUnlessPending(grpc::ServerUnaryReactor* reactor, const absl::Status& status,
                                              bool pending, Response* response) {
  if (!status.ok()) {
    response->Clear();
    reactor->Finish(ToGrpcStatus(status));
  } else if (!pending) {
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

// Looks up the journey or returns NOT_FOUND naming the field.
absl::StatusOr<const JourneySpec*> FindJourney(const ServingConfig& config, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("journey: must not be empty");
  const JourneySpec* spec = config.compiled->FindJourney(id);
  if (spec == nullptr) {
    return absl::NotFoundError(absl::StrCat("journey: '", EchoInput(id), "' is not configured"));
  }
  return spec;
}

}  // namespace

grpc::ServerUnaryReactor* AssignmentServiceImpl::Assign(grpc::CallbackServerContext* context,
                                                        const holdfast::v1::AssignRequest* request,
                                                        holdfast::v1::AssignResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  bool pending = false;
  absl::Status status = [&]() -> absl::Status {
    HF_ASSIGN_OR_RETURN(const JourneySpec* journey, FindJourney(*config, request->journey()));
    HF_RETURN_IF_ERROR(ValidateUnit("unit", request->unit()));
    HF_ASSIGN_OR_RETURN(UnixMicros t, TimestampToMicros("at", request->has_at(), request->at(),
                                                        clock_->NowMicros()));
    HF_ASSIGN_OR_RETURN(auto attributes, ValidateAttributes("attributes", request->attributes()));
    const Decision d = config->assigner.AssignValidated(*journey, request->unit(), t);
    FillAssignment(*journey, request->unit(), d, config->version(), response->mutable_assignment());
    if (request->dry_run() || recorder_ == nullptr) return absl::OkStatus();
    HF_ASSIGN_OR_RETURN(std::shared_ptr<WriteBudget::Lease> lease, AdmitWrite(budget_, *request));
    std::vector<EntryRow> entries;
    entries.push_back(MakeEntryRow(*journey, request->unit(), d, t, config->version(), attributes));
    // The reply waits for the entry to be durable: an unrecorded holdout is a
    // hole in the control group.
    pending = true;
    recorder_->Record(std::move(entries), [reactor, response, lease](absl::Status s, std::vector<bool> is_new) {
      if (s.ok() && !is_new.empty()) response->mutable_assignment()->set_new_entry(is_new[0]);
      reactor->Finish(ToGrpcStatus(s));
    });
    return absl::OkStatus();
  }();
  return FinishUnlessPending(reactor, status, pending, response);
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::BatchAssign(
    grpc::CallbackServerContext* context, const holdfast::v1::BatchAssignRequest* request,
    holdfast::v1::BatchAssignResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  bool pending = false;
  absl::Status status = [&]() -> absl::Status {
    HF_ASSIGN_OR_RETURN(const JourneySpec* journey, FindJourney(*config, request->journey()));
    if (request->units_size() == 0) return absl::InvalidArgumentError("units: must not be empty");
    if (request->units_size() > kMaxBatchUnits) {
      return absl::InvalidArgumentError(absl::StrCat("units: ", request->units_size(),
                                                     " units, at most ", kMaxBatchUnits, " per call"));
    }
    for (int i = 0; i < request->units_size(); ++i) {
      HF_RETURN_IF_ERROR(ValidateUnit(absl::StrCat("units[", i, "]"), request->units(i)));
    }
    HF_ASSIGN_OR_RETURN(UnixMicros t, TimestampToMicros("at", request->has_at(), request->at(),
                                                        clock_->NowMicros()));
    HF_ASSIGN_OR_RETURN(auto attributes, ValidateAttributes("attributes", request->attributes()));
    if (AttributeBytes(attributes) * request->units_size() > kMaxBatchAttributeBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "attributes: ", AttributeBytes(attributes), " bytes stored with each of ", request->units_size(),
          " units exceed ", kMaxBatchAttributeBytes, " bytes per call; send fewer units per call"));
    }
    const bool record = !request->dry_run() && recorder_ != nullptr;
    std::shared_ptr<WriteBudget::Lease> lease;
    if (record) {
      HF_ASSIGN_OR_RETURN(lease, AdmitWrite(budget_, *request));
    }
    std::vector<EntryRow> entries;
    if (record) entries.reserve(request->units_size());
    response->mutable_assignments()->Reserve(request->units_size());
    for (const std::string& unit : request->units()) {
      const Decision d = config->assigner.AssignValidated(*journey, unit, t);
      FillAssignment(*journey, unit, d, config->version(), response->add_assignments());
      if (record) entries.push_back(MakeEntryRow(*journey, unit, d, t, config->version(), attributes));
    }
    if (!record) return absl::OkStatus();
    pending = true;
    recorder_->Record(std::move(entries), [reactor, response, lease](absl::Status s, std::vector<bool> is_new) {
      if (s.ok()) {
        for (size_t i = 0; i < is_new.size() && i < static_cast<size_t>(response->assignments_size()); ++i) {
          response->mutable_assignments(static_cast<int>(i))->set_new_entry(is_new[i]);
        }
      } else {
        response->Clear();
      }
      reactor->Finish(ToGrpcStatus(s));
    });
    return absl::OkStatus();
  }();
  return FinishUnlessPending(reactor, status, pending, response);
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::ListJourneys(
    grpc::CallbackServerContext* context, const holdfast::v1::ListJourneysRequest* request,
    holdfast::v1::ListJourneysResponse* response) {
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  response->set_config_version(config->version());
  *response->mutable_journeys() = config->effective.journeys();
  if (config->effective.has_global_holdout()) {
    *response->mutable_global_holdout() = config->effective.global_holdout();
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AssignmentServiceImpl::GetJourney(
    grpc::CallbackServerContext* context, const holdfast::v1::GetJourneyRequest* request,
    holdfast::v1::GetJourneyResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  for (const holdfast::v1::Journey& j : config->effective.journeys()) {
    if (j.id() == request->journey()) {
      response->set_config_version(config->version());
      *response->mutable_journey() = j;
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
  }
  reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                               absl::StrCat("journey: '", EchoInput(request->journey()), "' is not configured")));
  return reactor;
}

}  // namespace holdfast::server
