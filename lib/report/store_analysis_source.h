// AnalysisSource over a holdfast::Store (lib/storage): entries come from
// Store::ForEachAnalysisEntry, fixed cost and contamination from
// Store::GetJourneyDiagnostics, orphan refunds from Store::CountOrphanRefunds,
// the program population from Store::ForEachProgramUnit and
// Store::SumFixedCosts.
//
// Example:
//   StoreAnalysisSource source(store.get());
//   absl::StatusOr<LiftReportResult> r = BuildLiftReport(config, source, options);
//
// Thread-safety: as safe as the Store (SqliteStore: any number of threads).
#ifndef HOLDFAST_LIB_REPORT_STORE_ANALYSIS_SOURCE_H_
#define HOLDFAST_LIB_REPORT_STORE_ANALYSIS_SOURCE_H_

#include "lib/report/analysis_source.h"
#include "lib/storage/store.h"

namespace holdfast::report {

class StoreAnalysisSource final : public AnalysisSource {
 public:
  // Where the lift report's per-entry rules run (holdfastd
  // --report_analysis): streamed entries folded here, or cells summed in the
  // database (docs/storage.md, "Aggregates"; a report that needs per-entry
  // data streams either way).
  enum class Mode { kEntryStream, kInDatabase };

  // `store` must outlive this object.
  explicit StoreAnalysisSource(Store* store, Mode mode = Mode::kEntryStream)
      : store_(store), mode_(mode) {}

  bool PrefersCells() const override { return mode_ == Mode::kInDatabase; }
  absl::StatusOr<AnalysisAggregates> Aggregates(const AnalysisQuery& query, int64_t first_period,
                                                int64_t last_period) override;
  absl::Status ForEachEntry(const AnalysisQuery& query,
                            absl::FunctionRef<void(const AnalysisEntry&)> fn) override;
  using AnalysisSource::GetJourneyTotals;
  absl::StatusOr<JourneyDiagnostics> GetJourneyTotals(const JourneySpec& journey,
                                                       const TimeRange& range,
                                                       const TimeRange& cost_range,
                                                       UnixMicros as_of) override;
  absl::StatusOr<JourneyChannels> GetJourneyChannels(const ChannelQuery& query) override;
  absl::StatusOr<int64_t> OrphanRefunds(const TimeRange& range) override;
  absl::Status ForEachProgramUnit(const ProgramQuery& query,
                                  absl::FunctionRef<void(const ProgramUnitRow&)> fn) override;
  absl::StatusOr<double> SumFixedCosts(const TimeRange& range) override;

 private:
  Store* store_;
  Mode mode_;
};

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_STORE_ANALYSIS_SOURCE_H_
