#include "lib/report/stage_rollup.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include "absl/hash/hash.h"
#include "lib/assign/assignment_config.h"
#include "lib/stats/linear_combination.h"

namespace holdfast::report {
namespace {

using stats::GroupMoments;
using stats::Metric;
using stats::MetricWeights;
using stats::VariancePart;

constexpr MetricWeights kRevenue = {1, 0, 0, 0, 0};
constexpr MetricWeights kMargin = {0, 1, 0, 0, 0};

// a - r c per entry (a = revenue or margin).
MetricWeights MinusCost(const MetricWeights& a, double r) {
  MetricWeights w = a;
  w[static_cast<int>(Metric::kCost)] -= r;
  return w;
}

// The two variance parts of n_T (mean_T(a - r c) - mean_C(a)): treatment
// n_T^2 s_T^2(a - r c) / n_T = n_T s_T^2(a - r c), holdout n_T^2 s_C^2(a) / n_C.
void AddParts(const StageJourneyInput& j, const MetricWeights& a, double r,
              std::vector<VariancePart>& parts) {
  const double nt = static_cast<double>(j.treatment->count());
  const double nc = static_cast<double>(j.holdout->count());
  parts.push_back({nt * j.treatment->SampleVarianceOf(MinusCost(a, r)), nt});
  parts.push_back({nt * nt * j.holdout->SampleVarianceOf(a) / nc, nc});
}

double Total(const std::vector<VariancePart>& parts) {
  double s = 0.0;
  for (const VariancePart& p : parts) s += p.variance;
  return s;
}

// Sum over journeys of the sd of each journey's two parts (parts come in
// pairs, one pair per journey).
double SumOfJourneySds(const std::vector<VariancePart>& parts) {
  double s = 0.0;
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    s += std::sqrt(parts[i].variance + parts[i + 1].variance);
  }
  return s;
}

// A ratio R = N / K with its linearized variance parts (of N - R K) and the
// p-value of N = 0 (`numerator`).
stats::Estimate RatioFromParts(double ratio, double cost, const std::vector<VariancePart>& parts,
                               double confidence, double numerator_p) {
  stats::Estimate e;
  const double df = stats::WelchSatterthwaiteDf(parts);
  e = stats::TEstimate(ratio, std::sqrt(Total(parts)) / cost, df, confidence);
  e.p_value = numerator_p;
  return e;
}

int StageOrder(const std::string& stage) {
  int i = 0;
  for (const char* s : kStandardStages) {
    if (stage == s) return i;
    ++i;
  }
  return stage.empty() ? i + 1 : i;  // custom stages, then "" last
}

}  // namespace

void CustomerOverlap::Add(int journey_index, absl::string_view unit) {
  if (journey_index < 0 || journey_index >= kMaxJourneys) return;
  if (hashes_.size() <= static_cast<size_t>(journey_index)) hashes_.resize(journey_index + 1);
  std::vector<uint64_t>& h = hashes_[journey_index];
  const uint64_t key = absl::Hash<absl::string_view>{}(unit);
  if (!h.empty() && h.back() == key) return;  // the same unit's next entry
  h.push_back(key);
  sealed_ = false;
}

void CustomerOverlap::AddUnitSet(uint64_t journeys, int64_t units) {
  if (journeys != 0 && units > 0) unit_sets_.emplace_back(journeys, units);
}

void CustomerOverlap::Seal() const {
  if (sealed_) return;
  for (std::vector<uint64_t>& h : hashes_) {
    std::sort(h.begin(), h.end());
    h.erase(std::unique(h.begin(), h.end()), h.end());
  }
  sealed_ = true;
}

CustomerOverlap::Counts CustomerOverlap::Count(uint64_t mask) const {
  Seal();
  std::vector<uint64_t> all;
  for (size_t j = 0; j < hashes_.size(); ++j) {
    if ((mask >> j & 1) != 0) all.insert(all.end(), hashes_[j].begin(), hashes_[j].end());
  }
  std::sort(all.begin(), all.end());
  // Each journey's list is de-duplicated, so a run of k equal hashes is a
  // customer in k journeys of the mask.
  Counts c;
  for (const auto& [journeys, units] : unit_sets_) {
    const uint64_t in = journeys & mask;
    if (in != 0) c.customers += units;
    if (std::popcount(in) >= 2) c.shared += units;
  }
  for (size_t i = 0; i < all.size();) {
    size_t k = i + 1;
    while (k < all.size() && all[k] == all[i]) ++k;
    ++c.customers;
    if (k - i >= 2) ++c.shared;
    i = k;
  }
  return c;
}

int64_t CustomerOverlap::Customers(uint64_t mask) const {
  if (std::popcount(mask) == 1 && unit_sets_.empty()) {  // one journey: its list is the answer
    Seal();
    const size_t j = static_cast<size_t>(std::countr_zero(mask));
    return j < hashes_.size() ? static_cast<int64_t>(hashes_[j].size()) : 0;
  }
  return Count(mask).customers;
}

int64_t CustomerOverlap::SharedCustomers(uint64_t mask) const {
  if (std::popcount(mask) <= 1) return 0;
  return Count(mask).shared;
}

StageRollupResult RollUp(const std::string& stage, const std::vector<StageJourneyInput>& journeys,
                         const CustomerOverlap& overlap, double confidence) {
  StageRollupResult r;
  r.stage = stage;
  uint64_t mask = 0;
  std::vector<const StageJourneyInput*> used;
  for (const StageJourneyInput& j : journeys) {
    r.journeys.push_back(j.journey);
    r.treatment_entries += j.treatment->count();
    r.holdout_entries += j.holdout->count();
    r.fixed_cost += j.fixed_cost;
    r.treatment_cost += j.treatment->Sum(Metric::kCost) + j.fixed_cost;
    if (j.index >= 0 && j.index < CustomerOverlap::kMaxJourneys) {
      mask |= uint64_t{1} << j.index;
    } else {
      r.overlap_measured = false;
    }
    // A journey without any analysed entry adds nothing; one with a group of
    // fewer than 2 entries makes the sum's variance unknown.
    if (j.treatment->count() == 0 && j.holdout->count() == 0) continue;
    if (j.treatment->count() < 2 || j.holdout->count() < 2) {
      r.undefined_reason = "journey " + j.journey + " has fewer than 2 entries in a group";
    }
    used.push_back(&j);
  }
  r.customers = overlap.Customers(mask);
  r.shared_customers = overlap.SharedCustomers(mask);
  if (used.empty() && r.undefined_reason.empty()) r.undefined_reason = "no analysed entries";
  if (!r.undefined_reason.empty()) return r;

  // Incremental revenue and margin: sum_j n_Tj D_j, D_j shift-first.
  double inc_revenue = 0.0, inc_margin = 0.0;
  std::vector<VariancePart> rev_parts, margin_parts;
  for (const StageJourneyInput* j : used) {
    const double nt = static_cast<double>(j->treatment->count());
    inc_revenue += nt * GroupMoments::ContrastOfMeans(*j->treatment, kRevenue, *j->holdout, kRevenue);
    inc_margin += nt * GroupMoments::ContrastOfMeans(*j->treatment, kMargin, *j->holdout, kMargin);
    AddParts(*j, kRevenue, 0.0, rev_parts);
    AddParts(*j, kMargin, 0.0, margin_parts);
  }
  r.incremental_revenue = stats::SumEstimate(inc_revenue, rev_parts, confidence);
  r.incremental_margin = stats::SumEstimate(inc_margin, margin_parts, confidence);
  r.incremental_revenue_any_overlap =
      stats::TEstimate(inc_revenue, SumOfJourneySds(rev_parts), r.incremental_revenue.df, confidence);
  if (!(r.treatment_cost > 0.0)) {
    r.undefined_reason = "no cost: iROAS undefined";
    return r;
  }
  const double K = r.treatment_cost;
  // iROAS and margin iROAS: parts of N - R K, and break-even (N - K = 0).
  for (int margin = 0; margin < 2; ++margin) {
    const MetricWeights& a = margin ? kMargin : kRevenue;
    const double N = margin ? inc_margin : inc_revenue;
    const stats::Estimate& numerator = margin ? r.incremental_margin : r.incremental_revenue;
    const double R = N / K;
    std::vector<VariancePart> parts, even_parts;
    for (const StageJourneyInput* j : used) {
      AddParts(*j, a, R, parts);
      AddParts(*j, a, 1.0, even_parts);
    }
    const stats::Estimate ratio = RatioFromParts(R, K, parts, confidence, numerator.p_value);
    const stats::Estimate even = stats::SumEstimate(N - K, even_parts, confidence);
    if (margin) {
      r.margin_iroas = ratio;
      r.margin_iroas_breakeven_p_value = even.p_value;
    } else {
      r.iroas = ratio;
      r.iroas_breakeven_p_value = even.p_value;
      r.iroas_any_overlap = stats::TEstimate(R, SumOfJourneySds(parts) / K, ratio.df, confidence);
      r.iroas_any_overlap.p_value = r.incremental_revenue_any_overlap.p_value;
    }
  }
  return r;
}

std::vector<StageRollupResult> BuildStageRollups(const std::vector<StageJourneyInput>& journeys,
                                                 const CustomerOverlap& overlap,
                                                 double confidence) {
  std::map<std::pair<int, std::string>, std::vector<StageJourneyInput>> by_stage;
  for (const StageJourneyInput& j : journeys) by_stage[{StageOrder(j.stage), j.stage}].push_back(j);
  std::vector<StageRollupResult> out;
  for (const auto& [key, members] : by_stage) {
    out.push_back(RollUp(key.second, members, overlap, confidence));
  }
  return out;
}

}  // namespace holdfast::report
