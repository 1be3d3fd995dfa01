// A Store decorator for overload tests: while the file `stall_while_path`
// exists, every Record* call waits (polling every 10 ms) before it reaches
// the wrapped store, as a stalled disk or a locked database would make it,
// and creates `stall_while_path` + ".waiting" when it begins to wait.
// holdfastd installs it only with the test flag --test_stall_writes_while.
// Reads and config history pass straight through.
//
// Thread-safety: as the wrapped store.
#ifndef HOLDFAST_SERVER_STALLING_STORE_H_
#define HOLDFAST_SERVER_STALLING_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "lib/storage/store.h"

namespace holdfast::server {

class StallingStore final : public Store {
 public:
  // `store` must outlive this object.
  StallingStore(Store* store, std::string stall_while_path)
      : store_(store), stall_while_path_(std::move(stall_while_path)) {}

  absl::StatusOr<EntryWriteResult> RecordEntries(absl::Span<const EntryRow> rows) override;
  absl::StatusOr<WriteSummary> RecordSends(absl::Span<const SendRow> rows) override;
  absl::StatusOr<WriteSummary> RecordOutcomes(absl::Span<const OutcomeRow> rows) override;
  absl::StatusOr<WriteSummary> RecordFixedCosts(absl::Span<const FixedCostRow> rows) override;
  absl::StatusOr<WriteSummary> RecordCustomers(absl::Span<const CustomerRow> rows) override;
  absl::Status AppendConfigVersion(const ConfigVersionRow& row) override {
    return store_->AppendConfigVersion(row);
  }
  absl::StatusOr<std::vector<ConfigVersionRow>> ListConfigVersions(int limit) override {
    return store_->ListConfigVersions(limit);
  }
  absl::Status ForEachAnalysisEntry(const AnalysisQuery& query, const AnalysisEntryFn& fn) override {
    return store_->ForEachAnalysisEntry(query, fn);
  }
  absl::StatusOr<AnalysisAggregates> AggregateAnalysis(const AnalysisQuery& query,
                                                       int64_t first_period,
                                                       int64_t last_period) override {
    return store_->AggregateAnalysis(query, first_period, last_period);
  }
  absl::Status ForEachProgramUnit(const ProgramQuery& query, const ProgramUnitFn& fn) override {
    return store_->ForEachProgramUnit(query, fn);
  }
  absl::StatusOr<double> SumFixedCosts(UnixMicros from, UnixMicros to) override {
    return store_->SumFixedCosts(from, to);
  }
  absl::StatusOr<JourneyDiagnostics> GetJourneyDiagnostics(const JourneyDiagnosticsQuery& query) override {
    return store_->GetJourneyDiagnostics(query);
  }
  absl::StatusOr<JourneyChannels> GetJourneyChannels(const ChannelQuery& query) override {
    return store_->GetJourneyChannels(query);
  }
  absl::StatusOr<int64_t> CountOrphanRefunds(UnixMicros from, UnixMicros to) override {
    return store_->CountOrphanRefunds(from, to);
  }
  absl::StatusOr<std::vector<EntryRow>> ScanEntries(const std::optional<EntryKey>& after,
                                                    int limit) override {
    return store_->ScanEntries(after, limit);
  }
  absl::StatusOr<std::vector<SendRow>> ScanSends(const std::optional<std::string>& after,
                                                 int limit) override {
    return store_->ScanSends(after, limit);
  }
  absl::StatusOr<std::vector<OutcomeRow>> ScanOutcomes(const std::optional<std::string>& after,
                                                       int limit) override {
    return store_->ScanOutcomes(after, limit);
  }
  absl::StatusOr<std::vector<FixedCostRow>> ScanFixedCosts(const std::optional<std::string>& after,
                                                           int limit) override {
    return store_->ScanFixedCosts(after, limit);
  }
  absl::StatusOr<std::vector<CustomerRow>> ScanCustomers(const std::optional<std::string>& after,
                                                         int limit) override {
    return store_->ScanCustomers(after, limit);
  }

 private:
  void WaitWhileStalled() const;

  Store* store_;
  const std::string stall_while_path_;
};

}  // namespace holdfast::server

#endif  // HOLDFAST_SERVER_STALLING_STORE_H_
