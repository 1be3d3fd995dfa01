#include "lib/report/store_analysis_source.h"

#include "lib/base/status_macros.h"

namespace holdfast::report {
namespace {

// Rows between two polls of the cancel check (a poll is an atomic read in
// the server; a row costs far more).
constexpr int64_t kRowsPerCancelPoll = 256;

// CANCELLED when `check` says so.
absl::Status CheckCancelled(const CancelCheck& check) {
  if (check && check()) return absl::CancelledError("report cancelled (caller gone or deadline exceeded)");
  return absl::OkStatus();
}

}  // namespace

absl::Status StoreAnalysisSource::ForEachEntry(const AnalysisQuery& query,
                                               absl::FunctionRef<void(const AnalysisEntry&)> fn) {
  HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
  int64_t rows = 0;
  // A non-OK return from the callback ends the store's scan loop.
  return store_->ForEachAnalysisEntry(query, [&fn, &query, &rows](const AnalysisEntry& e) {
    if (++rows % kRowsPerCancelPoll == 0) HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
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
  HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
  int64_t rows = 0;
  return store_->ForEachProgramUnit(q, [&fn, &query, &rows](const holdfast::ProgramUnitRow& r) {
    if (++rows % kRowsPerCancelPoll == 0) HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
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
