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
    const ProgramUnitQuery& query, absl::FunctionRef<void(const ProgramUnit&)> fn) {
  holdfast::ProgramQuery q;
  q.journeys = query.journeys;
  q.from = query.range.from;
  q.to = query.range.to;
  q.window_us = query.window_us;
  q.pre_period_us = query.pre_period_us;
  return store_->ForEachProgramUnit(q, [&fn](const holdfast::ProgramUnitRow& r) {
    ProgramUnit u;
    u.unit = r.unit;
    u.global_holdout = r.first_group == holdfast::EntryGroup::kGlobalHoldout;
    u.t_first = r.t_first;
    u.entries = r.entries;
    u.global_holdout_entries = r.global_holdout_entries;
    u.values = {r.y, r.m, static_cast<double>(r.x), r.c, r.z};
    u.sends = r.sends;
    fn(u);
    return absl::OkStatus();
  });
}

}  // namespace holdfast::report
