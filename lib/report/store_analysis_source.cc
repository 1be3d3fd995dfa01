#include "lib/report/store_analysis_source.h"

#include "lib/base/status_macros.h"

namespace holdfast::report {

absl::Status StoreAnalysisSource::ForEachEntry(const AnalysisQuery& query,
                                               absl::FunctionRef<void(const AnalysisEntry&)> fn) {
  return store_->ForEachAnalysisEntry(query, [&fn](const AnalysisEntry& e) {
    fn(e);
    return absl::OkStatus();
  });
}

absl::StatusOr<JourneyDiagnostics> StoreAnalysisSource::GetJourneyTotals(
    const JourneySpec& journey, const TimeRange& range, const TimeRange& cost_range,
    UnixMicros as_of) {
  JourneyDiagnosticsQuery q;
  q.journey = journey.id;
  q.from = range.from;
  q.to = range.to;
  q.cost_from = cost_range.from;
  q.cost_to = cost_range.to;
  q.as_of = as_of;
  const RotationSpec& rot = journey.holdout.rotation;
  if (rot.scheme != RotationScheme::kNone) {
    q.period_us = rot.period_us;
    q.epoch_us = rot.epoch_us;
  }
  return store_->GetJourneyDiagnostics(q);
}

absl::StatusOr<int64_t> StoreAnalysisSource::OrphanRefunds(const TimeRange& range) {
  return store_->CountOrphanRefunds(range.from, range.to);
}

absl::Status StoreAnalysisSource::ForEachProgramUnit(
    const ProgramQuery& query, absl::FunctionRef<void(const ProgramUnitRow&)> fn) {
  return store_->ForEachProgramUnit(query, [&fn](const ProgramUnitRow& r) {
    fn(r);
    return absl::OkStatus();
  });
}

absl::StatusOr<double> StoreAnalysisSource::SumFixedCosts(const TimeRange& range) {
  return store_->SumFixedCosts(range.from, range.to);
}

}  // namespace holdfast::report
