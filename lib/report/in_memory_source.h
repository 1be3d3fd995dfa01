// An AnalysisSource over vectors, for tests and small batch jobs. Entries are
// given with their windowed sums already computed; fixed costs are pro-rated
// by overlap as the contract says; contaminated sends and orphan refunds are
// given as facts and filtered by journey and time.
//
// Thread-safety: add everything before the first read; reads are then safe
// from any number of threads.
#ifndef HOLDFAST_LIB_REPORT_IN_MEMORY_SOURCE_H_
#define HOLDFAST_LIB_REPORT_IN_MEMORY_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "lib/report/analysis_source.h"

namespace holdfast::report {

// An AnalysisEntry (the one per-entry struct, windowed sums and accounting
// flags given as facts; by default a mature entry of a known version) plus
// its attributes; ForEachEntry fills `segment` from them.
struct StoredEntry : AnalysisEntry {
  StoredEntry() {
    version_known = true;
    mature = true;
  }
  std::map<std::string, std::string> attributes;

  // Sets y, m, x (1 when v.x > 0), c and z.
  void SetValues(const stats::EntryValues& v) {
    y = v.y;
    m = v.m;
    x = v.x > 0 ? 1 : 0;
    c = v.c;
    z = v.z;
  }
};

// A fixed cost spread uniformly over [start, end).
struct StoredFixedCost {
  std::string journey;
  UnixMicros start = 0;
  UnixMicros end = 0;
  double amount = 0.0;
  // Its category (GetJourneyChannels sums by it).
  std::string category;
};

// Channel facts of one entry (the caller decides they are its analysed
// window's): GetJourneyChannels sums them over the query's journey, t0
// range and periods.
struct StoredChannelFact {
  std::string journey;
  int64_t period = 0;
  UnixMicros t0 = 0;
  ChannelAggregate aggregate;
};

// A send that reached a held-out unit (the caller decides that it did; the
// source filters by journey and send time).
struct StoredContaminatedSend {
  std::string journey;
  std::string unit;
  UnixMicros at = 0;
  double cost = 0.0;
};

// Raw facts behind the program population: a roster customer, an outcome or
// a send of a unit (journey irrelevant). The source derives first_seen and
// the span sums from them as docs/storage.md ("Program level") specifies, so
// tests compare the SQL with an independent implementation.
struct StoredProgramCustomer {
  std::string unit;
  UnixMicros first_seen = 0;
};
struct StoredProgramOutcome {
  std::string unit;
  UnixMicros at = 0;
  // Converted: a CONVERSION or ORDER (not a refund, unsubscribe, complaint).
  bool conversion = false;
  // Net values (a refund is negative).
  double revenue = 0.0;
  double margin = 0.0;
};
struct StoredProgramSend {
  std::string unit;
  UnixMicros at = 0;
  double cost = 0.0;
};

class InMemoryAnalysisSource final : public AnalysisSource {
 public:
  void AddEntry(StoredEntry e) { entries_.push_back(std::move(e)); }
  void AddFixedCost(StoredFixedCost f) { fixed_costs_.push_back(std::move(f)); }
  void AddContaminatedSend(StoredContaminatedSend s) { contaminated_.push_back(std::move(s)); }
  void AddOrphanRefund(UnixMicros at) { orphan_refunds_.push_back(at); }
  void AddChannelFact(StoredChannelFact f) { channel_facts_.push_back(std::move(f)); }
  // Program population facts. A unit is known from the earliest of its
  // roster first_seen, outcomes, sends and (journey) entries' t0.
  void AddCustomer(StoredProgramCustomer c) { customers_.push_back(std::move(c)); }
  void AddProgramOutcome(StoredProgramOutcome o) { program_outcomes_.push_back(std::move(o)); }
  void AddProgramSend(StoredProgramSend s) { program_sends_.push_back(std::move(s)); }

  // With true, the builder reads Aggregates (this source's own C++ fold of
  // its entries into cells) where it can: its cell path tested without a
  // database. Default false.
  void set_prefers_cells(bool v) { prefers_cells_ = v; }
  bool PrefersCells() const override { return prefers_cells_; }

  absl::Status ForEachEntry(const AnalysisQuery& query,
                            absl::FunctionRef<void(const AnalysisEntry&)> fn) override;
  // The entries ForEachEntry gives, folded into cells as the stores' SQL
  // sums them (docs/storage.md, "Aggregates"; shift: each journey's first
  // mature entry), and into horizon cells ("Horizons in the database").
  absl::StatusOr<AnalysisAggregates> Aggregates(const AnalysisQuery& query, int64_t first_period,
                                                int64_t last_period) override;
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
  // One journey's AnalysisHorizonCells from its entries' horizon events
  // (empty when the journey asks for no horizons).
  absl::StatusOr<std::vector<AnalysisHorizonCell>> HorizonCellsOf(
      const AnalysisQuery& query, const JourneyWindow& journey,
      const std::array<double, kNumHorizonCellVariables>& shift);
  std::vector<StoredEntry> entries_;
  std::vector<StoredFixedCost> fixed_costs_;
  std::vector<StoredContaminatedSend> contaminated_;
  std::vector<UnixMicros> orphan_refunds_;
  std::vector<StoredChannelFact> channel_facts_;
  std::vector<StoredProgramCustomer> customers_;
  std::vector<StoredProgramOutcome> program_outcomes_;
  std::vector<StoredProgramSend> program_sends_;
  bool prefers_cells_ = false;
};

// amount * |[start, end) ∩ range| / (end - start); 0 for an empty cost span.
// Shared by the in-memory source and the store adapter's tests.
double ProRatedAmount(double amount, UnixMicros start, UnixMicros end, const TimeRange& range);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_IN_MEMORY_SOURCE_H_
