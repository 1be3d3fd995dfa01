#include "lib/report/in_memory_source.h"

#include <algorithm>
#include <map>
#include <optional>
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

absl::StatusOr<JourneyChannels> InMemoryAnalysisSource::GetJourneyChannels(
    const ChannelQuery& query) {
  JourneyChannels out;
  const UnixMicros to = std::min(query.to, query.as_of);
  for (const StoredChannelFact& f : channel_facts_) {
    if (f.journey != query.journey.journey || f.t0 < query.from || f.t0 >= to ||
        f.period < query.first_period || f.period > query.last_period) {
      continue;
    }
    const ChannelAggregate& a = f.aggregate;
    const std::optional<std::string> channel =
        a.unattributed ? std::nullopt : std::optional<std::string>(a.channel);
    AddChannelRow(0, static_cast<int>(a.group), a.arm, channel, a.sends, a.send_cost, &out);
    AddChannelRow(1, static_cast<int>(a.group), a.arm, channel, a.attributed_orders,
                  a.attributed_revenue, &out);
  }
  const TimeRange costs{std::max(query.from, query.cost_from), std::min(query.to, query.cost_to)};
  std::map<std::string, double> categories;
  for (const StoredFixedCost& f : fixed_costs_) {
    if (f.journey != query.journey.journey) continue;
    const double amount = ProRatedAmount(f.amount, f.start, f.end, costs);
    if (f.end > costs.from && f.start < costs.to && costs.from < costs.to) categories[f.category] += amount;
  }
  for (const auto& [category, amount] : categories) out.fixed_costs.push_back({category, amount});
  SortJourneyChannels(&out);
  return out;
}

absl::StatusOr<int64_t> InMemoryAnalysisSource::OrphanRefunds(const TimeRange& range) {
  return static_cast<int64_t>(std::count_if(orphan_refunds_.begin(), orphan_refunds_.end(),
                                            [&](UnixMicros t) { return range.Contains(t); }));
}

absl::Status InMemoryAnalysisSource::ForEachProgramUnit(
    const ProgramQuery& query, absl::FunctionRef<void(const ProgramUnitRow&)> fn) {
  if (query.from > query.to) return absl::InvalidArgumentError("program range has from > to");
  std::map<std::string, ProgramUnitRow> units;
  auto seen = [&](const std::string& unit, UnixMicros t) -> ProgramUnitRow* {
    if (t >= query.to) return nullptr;
    auto [it, inserted] = units.try_emplace(unit);
    if (inserted) {
      it->second.unit = unit;
      it->second.first_seen = t;
    }
    it->second.first_seen = std::min(it->second.first_seen, t);
    return &it->second;
  };
  for (const StoredProgramCustomer& c : customers_) seen(c.unit, c.first_seen);
  for (const StoredEntry& e : entries_) seen(e.unit, e.t0);
  for (const StoredProgramSend& s : program_sends_) seen(s.unit, s.at);
  for (const StoredProgramOutcome& o : program_outcomes_) seen(o.unit, o.at);
  for (const StoredProgramOutcome& o : program_outcomes_) {
    if (o.at < query.from || o.at >= query.to) continue;
    ProgramUnitRow& u = units[o.unit];
    u.y += o.revenue;
    u.m += o.margin;
    if (o.conversion) u.x = 1;
  }
  for (const StoredProgramSend& s : program_sends_) {
    if (s.at < query.from || s.at >= query.to) continue;
    ProgramUnitRow& u = units[s.unit];
    u.c += s.cost;
    ++u.sends;
  }
  for (const auto& [unit, row] : units) fn(row);
  return absl::OkStatus();
}

absl::StatusOr<double> InMemoryAnalysisSource::SumFixedCosts(const TimeRange& range) {
  double total = 0.0;
  for (const StoredFixedCost& f : fixed_costs_) total += ProRatedAmount(f.amount, f.start, f.end, range);
  return total;
}

}  // namespace holdfast::report
