// holdfast.v1.ReportService: maps report requests to lib/report, using the
// config being served (journeys, split, arms, rotation) and an
// AnalysisSource over the store.
//
// Reports run on their own bounded pool, never on gRPC's callback threads
// (a report scans the store for seconds; on a callback thread it would
// delay every decision behind it). When the pool's queue is full a report
// is refused with RESOURCE_EXHAUSTED. A report whose caller cancels or whose
// deadline passes stops scanning and ends CANCELLED / DEADLINE_EXCEEDED.
//
// Thread-safety: safe for concurrent RPCs when the source is.
#ifndef HOLDFAST_SERVER_REPORT_SERVICE_H_
#define HOLDFAST_SERVER_REPORT_SERVICE_H_

#include <functional>
#include <memory>

#include "holdfast/v1/report_service.grpc.pb.h"
#include "lib/base/clock.h"
#include "lib/catalog/config_catalog.h"
#include "lib/report/analysis_source.h"
#include "server/config_holder.h"
#include "server/work_pool.h"

namespace holdfast::server {

class ReportServiceImpl final : public holdfast::v1::ReportService::CallbackService {
 public:
  // Pointers must outlive the service. `pool` runs the reports; null runs
  // them on the callback thread (tests only).
  ReportServiceImpl(const ConfigHolder* configs, report::AnalysisSource* source, const Clock* clock,
                    WorkPool* pool = nullptr)
      : configs_(configs), source_(source), clock_(clock), pool_(pool) {}
  // Same, owning the source (the daemon hands it a store adapter).
  ReportServiceImpl(const ConfigHolder* configs, std::unique_ptr<report::AnalysisSource> source,
                    const Clock* clock, WorkPool* pool = nullptr)
      : configs_(configs), owned_source_(std::move(source)), source_(owned_source_.get()),
        clock_(clock), pool_(pool) {}

  // Loads the compiled config of every stored version for a report, around
  // the serving config; without one, entries are analysed with the serving
  // config only (and every other version counts as unknown).
  using CatalogLoader =
      std::function<absl::StatusOr<ConfigCatalog>(std::shared_ptr<const AssignmentConfig>)>;
  void set_catalog_loader(CatalogLoader loader) { catalog_loader_ = std::move(loader); }

  grpc::ServerUnaryReactor* GetLiftReport(grpc::CallbackServerContext* context,
                                          const holdfast::v1::LiftReportRequest* request,
                                          holdfast::v1::LiftReport* response) override;
  grpc::ServerUnaryReactor* GetProgramReport(grpc::CallbackServerContext* context,
                                             const holdfast::v1::ProgramReportRequest* request,
                                             holdfast::v1::ProgramReport* response) override;

 private:
  // Build one report into `response` (on a pool thread).
  absl::Status BuildLift(const holdfast::v1::LiftReportRequest& request, report::CancelCheck cancelled,
                         holdfast::v1::LiftReport* response);
  absl::Status BuildProgram(const holdfast::v1::ProgramReportRequest& request, report::CancelCheck cancelled,
                            holdfast::v1::ProgramReport* response);

  const ConfigHolder* configs_;
  std::unique_ptr<report::AnalysisSource> owned_source_;
  report::AnalysisSource* source_;
  const Clock* clock_;
  CatalogLoader catalog_loader_;
  WorkPool* pool_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_REPORT_SERVICE_H_
