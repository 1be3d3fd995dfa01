#include "lib/report/in_memory_source.h"

#include <algorithm>
#include <set>

namespace holdfast::report {

double ProRatedAmount(double amount, UnixMicros start, UnixMicros end, const TimeRange& range) {
  if (end <= start) return 0.0;
  const UnixMicros lo = std::max(start, range.from);
  const UnixMicros hi = std::min(end, range.to);
  if (hi <= lo) return 0.0;
  // Divide in double: spans of years in microseconds overflow nothing here.
  return amount * (static_cast<double>(hi - lo) / static_cast<double>(end - start));
}

absl::Status InMemoryAnalysisSource::ForEachEntry(
    const AnalysisQuery& query, absl::FunctionRef<void(const AnalysisEntry&)> fn) {
  std::set<std::string> wanted;
  for (const JourneyWindow& j : query.journeys) wanted.insert(j.journey);
  AnalysisEntry e;
  for (const StoredEntry& s : entries_) {
    if (!wanted.empty() && wanted.count(s.journey) == 0) continue;
    if (s.t0 < query.from || s.t0 >= query.to || s.t0 >= query.as_of) continue;
    e = s;
    e.segment.clear();
    if (!query.segment_by.empty()) {
      auto it = s.attributes.find(query.segment_by);
      if (it != s.attributes.end()) e.segment = it->second;
    }
    fn(e);
  }
  return absl::OkStatus();
}

absl::StatusOr<JourneyDiagnostics> InMemoryAnalysisSource::GetJourneyTotals(
    const JourneySpec& journey, const TimeRange& range, const TimeRange& cost_range,
    UnixMicros as_of) {
  JourneyDiagnostics t;
  const TimeRange costs{std::max(range.from, cost_range.from), std::min(range.to, cost_range.to)};
  for (const StoredFixedCost& f : fixed_costs_) {
    if (f.journey == journey.id) t.fixed_cost += ProRatedAmount(f.amount, f.start, f.end, costs);
  }
  for (const StoredEntry& e : entries_) {
    if (e.journey != journey.id || !range.Contains(e.t0)) continue;
    ++t.entries;
    if (e.in_washout) ++t.washout_entries;
  }
  std::set<std::string> units;
  for (const StoredContaminatedSend& s : contaminated_) {
    if (s.journey != journey.id || !range.Contains(s.at) || s.at >= as_of) continue;
    ++t.contaminated_sends;
    t.contaminated_cost += s.cost;
    units.insert(s.unit);
  }
  t.contaminated_entries = static_cast<int64_t>(units.size());
  return t;
}

absl::StatusOr<int64_t> InMemoryAnalysisSource::OrphanRefunds(const TimeRange& range) {
  return static_cast<int64_t>(std::count_if(orphan_refunds_.begin(), orphan_refunds_.end(),
                                            [&](UnixMicros t) { return range.Contains(t); }));
}

absl::Status InMemoryAnalysisSource::ForEachProgramUnit(
    const ProgramUnitQuery& query, absl::FunctionRef<void(const ProgramUnit&)> fn) {
  for (const StoredProgramUnit& s : program_units_) {
    if (!query.range.Contains(s.t_first)) continue;
    ProgramUnit u;
    u.unit = s.unit;
    u.global_holdout = s.global_holdout;
    u.t_first = s.t_first;
    u.entries = s.entries;
    u.global_holdout_entries = s.global_holdout_entries;
    u.values = s.values;
    u.sends = s.sends;
    fn(u);
  }
  return absl::OkStatus();
}

}  // namespace holdfast::report
