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

}  // namespace holdfast::report
