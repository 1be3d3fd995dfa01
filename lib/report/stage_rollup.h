// Lifecycle-stage and programme roll-ups of the journey report: per stage
// (Journey.stage; "" = no stage) and for every reported journey together,
// the summed incremental revenue and margin, the summed cost, and the
// stage's iROAS with a delta-method interval (docs/statistics.md section 16).
//
// Each journey enters with its everyone row, all arms pooled, against its
// own holdout. The intervals treat the journeys' estimates as independent:
// true for disjoint customers, and to first order for shared ones too,
// because every journey draws its holdout with its own seed (the design
// makes the estimates uncorrelated; docs/statistics.md section 16).
// CustomerOverlap counts the shared customers (their orders may count in two
// journeys' sums), and every roll-up also carries the interval that holds
// under any dependence (Cauchy–Schwarz: sd of a sum <= sum of the sds).
//
// Example:
//   CustomerOverlap overlap;
//   overlap.Add(journey_index, entry.unit);   // per analysed entry
//   std::vector<StageRollupResult> stages = BuildStageRollups(inputs, overlap, 0.95);
//
// Thread-safety: CustomerOverlap is a plain value (one writer); the builders
// are pure.
#ifndef HOLDFAST_LIB_REPORT_STAGE_ROLLUP_H_
#define HOLDFAST_LIB_REPORT_STAGE_ROLLUP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/stats/estimators.h"
#include "lib/stats/moments.h"

namespace holdfast::report {

// The stage name of the programme roll-up (every reported journey).
inline constexpr char kProgrammeStage[] = "(programme)";

// Which journeys each customer has analysed entries in, for the journeys
// with index < kMaxJourneys (the others are not measured and their roll-ups
// say so). Customers are keyed by a 64-bit hash of the unit id: two distinct
// customers collide with probability ~n^2 / 2^65.
//
// Kept as one vector of hashes per journey, sorted and de-duplicated on the
// first query, not as a hash map: Add is then an append (the report calls it
// once per analysed entry, and a map insert per entry was 6 % of a 1 M-entry
// report's CPU in cache misses), and 8 bytes per entry instead of a map slot.
// An entry stream in unit order (both stores) appends each unit once.
class CustomerOverlap {
 public:
  static constexpr int kMaxJourneys = 64;
  void Add(int journey_index, absl::string_view unit);
  // Customers with an analysed entry in some journey of `mask`, and those in
  // two or more of them. Add after a query is allowed (the next query sorts
  // again).
  int64_t Customers(uint64_t mask) const;
  int64_t SharedCustomers(uint64_t mask) const;
  // `units` customers with an analysed entry in exactly the journeys of
  // `journeys` (bit = journey index), counted by the database
  // (Store::AggregateAnalysis) when the report ran there: the same counts
  // without the customers' ids. Not to be mixed with Add for one journey.
  void AddUnitSet(uint64_t journeys, int64_t units);

 private:
  struct Counts {
    int64_t customers = 0;
    int64_t shared = 0;  // in two or more journeys of the mask
  };
  Counts Count(uint64_t mask) const;
  void Seal() const;

  mutable std::vector<std::vector<uint64_t>> hashes_;  // by journey index
  std::vector<std::pair<uint64_t, int64_t>> unit_sets_;  // (journeys, units)
  mutable bool sealed_ = true;
};

// One journey's contribution: its everyone row, arms pooled.
struct StageJourneyInput {
  std::string journey;
  std::string stage;
  // Index passed to CustomerOverlap::Add.
  int index = 0;
  const stats::GroupMoments* treatment = nullptr;
  const stats::GroupMoments* holdout = nullptr;
  // F of the journey over the report's mature range.
  double fixed_cost = 0.0;
};

struct StageRollupResult {
  // Journey.stage, "" for journeys without one, kProgrammeStage.
  std::string stage;
  // In report order.
  std::vector<std::string> journeys;
  int64_t treatment_entries = 0;
  int64_t holdout_entries = 0;
  // sum_j n_Tj D_j (revenue, margin), independent journeys: Welch–
  // Satterthwaite t interval over the 2J group parts.
  stats::Estimate incremental_revenue;
  stats::Estimate incremental_margin;
  // sum_j K_j = sum_j (sum_T c + F_j), and sum_j F_j.
  double treatment_cost = 0.0;
  double fixed_cost = 0.0;
  // sum n_T D / sum K, delta method with each journey's revenue-cost
  // covariance in T; p-value of "no effect" from the test of the summed
  // incremental revenue.
  stats::Estimate iroas;
  stats::Estimate margin_iroas;
  // p-value of iROAS = 1 from the test of sum_j (n_Tj D_j - K_j) = 0.
  double iroas_breakeven_p_value = stats::kNaN;
  double margin_iroas_breakeven_p_value = stats::kNaN;
  // The same intervals under any overlap between the journeys: the standard
  // error is the sum of the journeys' standard errors (the bound reached
  // when every journey's estimate is perfectly correlated with the others').
  stats::Estimate incremental_revenue_any_overlap;
  stats::Estimate iroas_any_overlap;
  // Customers with analysed entries in the roll-up's journeys, and those in
  // two or more of them (the independence assumption fails for them).
  int64_t customers = 0;
  int64_t shared_customers = 0;
  // False when a journey was beyond CustomerOverlap::kMaxJourneys.
  bool overlap_measured = true;
  // Why the estimates are undefined ("" when defined).
  std::string undefined_reason;
};

// One roll-up over `journeys` (all of them, whatever their stage), named
// `stage`.
StageRollupResult RollUp(const std::string& stage, const std::vector<StageJourneyInput>& journeys,
                         const CustomerOverlap& overlap, double confidence);

// One roll-up per distinct stage, in order of the standard stages
// (onboarding, activation, retention, reactivation, renewal), then custom
// stages by name, then "" (no stage).
std::vector<StageRollupResult> BuildStageRollups(const std::vector<StageJourneyInput>& journeys,
                                                 const CustomerOverlap& overlap,
                                                 double confidence);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_STAGE_ROLLUP_H_
