#include "lib/report/store_analysis_source.h"

#include "lib/base/status_macros.h"

namespace holdfast::report {

absl::Status StoreAnalysisSource::ForEachEntry(const AnalysisQuery& query,
                                               absl::FunctionRef<void(const AnalysisEntry&)> fn) {
  holdfast::AnalysisQuery q;
  q.from = query.range.from;
  q.to = query.range.to;
  q.segment_by = query.segment_key;
  for (const JourneyWindows& j : query.journeys) {
    q.journeys.push_back({j.journey, j.attribution_window_us, j.pre_period_us});
  }
  return store_->ForEachAnalysisEntry(q, [&fn](const holdfast::AnalysisEntry& s) {
    AnalysisEntry e;
    e.journey = s.journey;
    e.unit = s.unit;
    e.group = static_cast<EntryGroup>(static_cast<int>(s.group));
    e.arm = s.arm;
    e.period = s.period;
    e.t0 = s.t0;
    e.in_washout = s.in_washout;
    e.segment = s.segment;
    e.values = {s.y, s.m, static_cast<double>(s.x), s.c, s.z};
    e.sends = s.sends;
    fn(e);
    return absl::OkStatus();
  });
}

absl::StatusOr<JourneyTotals> StoreAnalysisSource::GetJourneyTotals(const JourneySpec& journey,
                                                                    const TimeRange& range) {
  JourneyDiagnosticsQuery q;
  q.journey = journey.id;
  q.from = range.from;
  q.to = range.to;
  const RotationSpec& rot = journey.holdout.rotation;
  if (rot.scheme != RotationScheme::kNone) {
    q.period_us = rot.period_us;
    q.epoch_us = rot.epoch_us;
  }
  HF_ASSIGN_OR_RETURN(JourneyDiagnostics d, store_->GetJourneyDiagnostics(q));
  JourneyTotals t;
  t.fixed_cost = d.fixed_cost;
  t.contaminated_sends = d.contaminated_sends;
  t.contaminated_cost = d.contaminated_cost;
  t.contaminated_entries = d.contaminated_entries;
  return t;
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
