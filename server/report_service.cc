#include "server/report_service.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/time_util.h"
#include "lib/report/lift_report.h"
#include "lib/report/program_report.h"
#include "lib/report/report_proto.h"
#include "server/grpc_status_util.h"

namespace holdfast::server {
namespace {

// A request range: unset bounds are unbounded; set ones must be
// representable and ordered.
absl::StatusOr<report::TimeRange> ToRange(bool has_from, const google::protobuf::Timestamp& from,
                                          bool has_to, const google::protobuf::Timestamp& to) {
  report::TimeRange r;
  if (has_from) {
    r.from = report::FromTimestamp(from);
    if (!IsRepresentableTime(r.from)) return absl::InvalidArgumentError("from: out of range");
  }
  if (has_to) {
    r.to = report::FromTimestamp(to);
    if (!IsRepresentableTime(r.to)) return absl::InvalidArgumentError("to: out of range");
  }
  if (r.from >= r.to) return absl::InvalidArgumentError("from: must be before 'to'");
  return r;
}

// 0 means the default; anything else must be in (0, 1).
absl::StatusOr<double> ToConfidence(double c) {
  if (c == 0.0) return 0.95;
  if (!(c > 0.0 && c < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("confidence: must be in (0, 1), got ", c));
  }
  return c;
}

}  // namespace

grpc::ServerUnaryReactor* ReportServiceImpl::GetLiftReport(
    grpc::CallbackServerContext* context, const holdfast::v1::LiftReportRequest* request,
    holdfast::v1::LiftReport* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  absl::Status status = [&]() -> absl::Status {
    report::LiftReportOptions options;
    options.journeys.assign(request->journeys().begin(), request->journeys().end());
    HF_ASSIGN_OR_RETURN(options.range, ToRange(request->has_from(), request->from(),
                                               request->has_to(), request->to()));
    if (request->has_first_period()) options.first_period = request->first_period();
    if (request->has_last_period()) options.last_period = request->last_period();
    options.segment_by = request->segment_by();
    HF_ASSIGN_OR_RETURN(options.confidence, ToConfidence(request->confidence()));
    options.sequential = request->sequential();
    if (request->sequential_tuning_entries() != 0.0) {
      if (!(request->sequential_tuning_entries() > 0.0) ||
          !std::isfinite(request->sequential_tuning_entries())) {
        return absl::InvalidArgumentError("sequential_tuning_entries: must be > 0");
      }
      options.sequential_tuning_entries = request->sequential_tuning_entries();
    }
    // as_of is the request time: immature entries are excluded.
    options.as_of = clock_->NowMicros();
    std::optional<ConfigCatalog> catalog;
    if (catalog_loader_) {
      HF_ASSIGN_OR_RETURN(catalog, catalog_loader_(config->compiled));
      options.catalog = &*catalog;
    }
    HF_ASSIGN_OR_RETURN(report::LiftReportResult result,
                        report::BuildLiftReport(*config->compiled, *source_, options));
    report::LiftProtoContext ctx;
    ctx.generated_at = clock_->NowMicros();
    ctx.range = options.range;
    ctx.cuped = request->cuped();
    ctx.sequential = request->sequential();
    *response = report::ToProto(result, ctx);
    return absl::OkStatus();
  }();
  if (!status.ok()) response->Clear();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetProgramReport(
    grpc::CallbackServerContext* context, const holdfast::v1::ProgramReportRequest* request,
    holdfast::v1::ProgramReport* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  absl::Status status = [&]() -> absl::Status {
    report::ProgramReportOptions options;
    HF_ASSIGN_OR_RETURN(options.range, ToRange(request->has_from(), request->from(),
                                               request->has_to(), request->to()));
    HF_ASSIGN_OR_RETURN(options.confidence, ToConfidence(request->confidence()));
    options.as_of = clock_->NowMicros();
    if (request->has_as_of()) {
      options.as_of = report::FromTimestamp(request->as_of());
      if (!IsRepresentableTime(options.as_of)) return absl::InvalidArgumentError("as_of: out of range");
    }
    HF_ASSIGN_OR_RETURN(report::ProgramReportResult result,
                        report::BuildProgramReport(*config->compiled, *source_, options));
    *response = report::ToProto(result, clock_->NowMicros(), options.range);
    return absl::OkStatus();
  }();
  if (!status.ok()) response->Clear();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace holdfast::server
