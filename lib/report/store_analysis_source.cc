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

absl::StatusOr<AnalysisAggregates> StoreAnalysisSource::Aggregates(const AnalysisQuery& query,
                                                                   int64_t first_period,
                                                                   int64_t last_period) {
  HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
  return store_->AggregateAnalysis(query, first_period, last_period);
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

absl::StatusOr<JourneyChannels> StoreAnalysisSource::GetJourneyChannels(
    const ChannelQuery& query) {
  return store_->GetJourneyChannels(query);
}

absl::StatusOr<int64_t> StoreAnalysisSource::OrphanRefunds(const TimeRange& range) {
  return store_->CountOrphanRefunds(range.from, range.to);
}

absl::Status StoreAnalysisSource::ForEachProgramUnit(
    const ProgramQuery& query, absl::FunctionRef<void(const ProgramUnitRow&)> fn) {
  HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
  int64_t rows = 0;
  return store_->ForEachProgramUnit(query, [&fn, &query, &rows](const ProgramUnitRow& r) {
    if (++rows % kRowsPerCancelPoll == 0) HF_RETURN_IF_ERROR(CheckCancelled(query.cancelled));
    fn(r);
    return absl::OkStatus();
  });
}

absl::StatusOr<double> StoreAnalysisSource::SumFixedCosts(const TimeRange& range) {
  return store_->SumFixedCosts(range.from, range.to);
}

}  // namespace holdfast::report
