#include "server/report_service.h"

#include <chrono>
#include <cmath>
#include <functional>
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
#include "server/request_validation.h"

namespace holdfast::server {
namespace {

// A request range: unset bounds are unbounded; set ones must be valid
// Timestamps (the error names the field) and ordered.
absl::StatusOr<report::TimeRange> ToRange(bool has_from, const google::protobuf::Timestamp& from,
                                          bool has_to, const google::protobuf::Timestamp& to) {
  report::TimeRange r;
  if (has_from) {
    HF_ASSIGN_OR_RETURN(r.from, ReportBoundToMicros("from", from));
  }
  if (has_to) {
    HF_ASSIGN_OR_RETURN(r.to, ReportBoundToMicros("to", to));
  }
  if (r.from >= r.to) return absl::InvalidArgumentError("to: must be after 'from'");
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

// True once the caller cancelled or the deadline passed (gRPC then cancels
// the call on its side too).
report::CancelCheck CancelCheckFor(grpc::CallbackServerContext* context) {
  return [context] {
    return context->IsCancelled() || std::chrono::system_clock::now() >= context->deadline();
  };
}

// The status a stopped report ends with: DEADLINE_EXCEEDED when the deadline
// passed, else the report's own status.
absl::Status StoppedStatus(grpc::CallbackServerContext* context, absl::Status status) {
  if (status.code() == absl::StatusCode::kCancelled &&
      std::chrono::system_clock::now() >= context->deadline()) {
    return absl::DeadlineExceededError("report stopped: deadline exceeded");
  }
  return status;
}

// Runs `report` on `pool` (inline when null) and finishes `reactor` with its
// status; RESOURCE_EXHAUSTED at once when the pool's queue is full.
void RunReport(WorkPool* pool, grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
               std::function<absl::Status()> report) {
  auto task = [context, reactor, report = std::move(report)] {
    // Queued past its caller's patience: do not start.
    absl::Status status = CancelCheckFor(context)()
                              ? absl::CancelledError("report cancelled before it started")
                              : report();
    reactor->Finish(ToGrpcStatus(StoppedStatus(context, std::move(status))));
  };
  if (pool == nullptr) {
    task();
    return;
  }
  if (!pool->TrySubmit(task)) {
    reactor->Finish(ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "report pool busy: ", pool->threads(), " reports running and ", pool->max_queued(),
        " queued (--report_threads, --max_queued_reports); retry later"))));
  }
}

}  // namespace

grpc::ServerUnaryReactor* ReportServiceImpl::GetLiftReport(
    grpc::CallbackServerContext* context, const holdfast::v1::LiftReportRequest* request,
    holdfast::v1::LiftReport* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunReport(pool_, context, reactor, [this, context, request, response] {
    absl::Status status = BuildLift(*request, CancelCheckFor(context), response);
    if (!status.ok()) response->Clear();
    return status;
  });
  return reactor;
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetProgramReport(
    grpc::CallbackServerContext* context, const holdfast::v1::ProgramReportRequest* request,
    holdfast::v1::ProgramReport* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunReport(pool_, context, reactor, [this, context, request, response] {
    absl::Status status = BuildProgram(*request, CancelCheckFor(context), response);
    if (!status.ok()) response->Clear();
    return status;
  });
  return reactor;
}

absl::Status ReportServiceImpl::BuildLift(const holdfast::v1::LiftReportRequest& request,
                                          report::CancelCheck cancelled, holdfast::v1::LiftReport* response) {
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  report::LiftReportOptions options;
  options.journeys.assign(request.journeys().begin(), request.journeys().end());
  HF_ASSIGN_OR_RETURN(options.range, ToRange(request.has_from(), request.from(), request.has_to(), request.to()));
  if (request.has_first_period()) options.first_period = request.first_period();
  if (request.has_last_period()) options.last_period = request.last_period();
  options.segment_by = request.segment_by();
  options.channels = request.channels();
  switch (request.trend_by()) {
    case holdfast::v1::TREND_BY_UNSPECIFIED: break;
    case holdfast::v1::TREND_BY_PERIOD: options.trend_by = report::TrendBy::kPeriod; break;
    case holdfast::v1::TREND_BY_WEEK: options.trend_by = report::TrendBy::kWeek; break;
    case holdfast::v1::TREND_BY_MONTH: options.trend_by = report::TrendBy::kMonth; break;
    default: return absl::InvalidArgumentError("trend_by: unknown value");
  }
  HF_ASSIGN_OR_RETURN(options.confidence, ToConfidence(request.confidence()));
  options.sequential = request.sequential();
  if (request.sequential_tuning_entries() != 0.0) {
    if (!(request.sequential_tuning_entries() > 0.0) || !std::isfinite(request.sequential_tuning_entries())) {
      return absl::InvalidArgumentError("sequential_tuning_entries: must be > 0");
    }
    options.sequential_tuning_entries = request.sequential_tuning_entries();
  }
  // Default as_of: now, so immature entries are excluded; a fixed value
  // reproduces the report later.
  options.as_of = clock_->NowMicros();
  if (request.has_as_of()) {
    HF_ASSIGN_OR_RETURN(options.as_of, ReportBoundToMicros("as_of", request.as_of()));
  }
  std::optional<ConfigCatalog> catalog;
  if (catalog_loader_) {
    HF_ASSIGN_OR_RETURN(catalog, catalog_loader_(config->compiled));
    options.catalog = &*catalog;
  }
  options.cancelled = std::move(cancelled);
  HF_ASSIGN_OR_RETURN(report::LiftReportResult result,
                      report::BuildLiftReport(*config->compiled, *source_, options));
  report::LiftProtoContext ctx;
  ctx.generated_at = clock_->NowMicros();
  ctx.range = options.range;
  ctx.cuped = request.cuped();
  ctx.sequential = request.sequential();
  *response = report::ToProto(result, ctx);
  return absl::OkStatus();
}

absl::Status ReportServiceImpl::BuildProgram(const holdfast::v1::ProgramReportRequest& request,
                                             report::CancelCheck cancelled, holdfast::v1::ProgramReport* response) {
  std::shared_ptr<const ServingConfig> config = configs_->Get();
  report::ProgramReportOptions options;
  HF_ASSIGN_OR_RETURN(options.range, ToRange(request.has_from(), request.from(), request.has_to(), request.to()));
  HF_ASSIGN_OR_RETURN(options.confidence, ToConfidence(request.confidence()));
  options.as_of = clock_->NowMicros();
  if (request.has_as_of()) {
    HF_ASSIGN_OR_RETURN(options.as_of, ReportBoundToMicros("as_of", request.as_of()));
  }
  options.cancelled = std::move(cancelled);
  // Each global period is grouped with the global holdout in force at its
  // start (a ramp of the global share is analysed period by period).
  std::optional<ConfigCatalog> catalog;
  if (catalog_loader_) {
    HF_ASSIGN_OR_RETURN(catalog, catalog_loader_(config->compiled));
    options.config_at = [&catalog](UnixMicros t) { return catalog->InForceAt(t); };
  }
  HF_ASSIGN_OR_RETURN(report::ProgramReportResult result,
                      report::BuildProgramReport(*config->compiled, *source_, options));
  *response = report::ToProto(result, clock_->NowMicros(), options.range);
  return absl::OkStatus();
}

}  // namespace holdfast::server
