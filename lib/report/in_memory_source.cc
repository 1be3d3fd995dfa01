#include "lib/report/in_memory_source.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "lib/base/status_macros.h"

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

absl::StatusOr<std::vector<AnalysisHorizonCell>> InMemoryAnalysisSource::HorizonCellsOf(
    const AnalysisQuery& query, const JourneyWindow& journey,
    const std::array<double, kNumHorizonCellVariables>& shift) {
  std::vector<AnalysisHorizonCell> out;
  if (journey.max_horizon_us <= 0) return out;
  const std::vector<int64_t>& horizons = journey.horizons_us;
  const int64_t points = journey.curve_points, step = journey.curve_step_us;
  if (horizons.empty() || step <= 0 || points < 1) {
    return absl::InvalidArgumentError("horizon cells need horizons and a curve grid");
  }
  using Key = std::tuple<int, std::string, int64_t, std::string>;
  std::map<Key, AnalysisHorizonCell> cells;
  HF_RETURN_IF_ERROR(ForEachEntry(query, [&](const AnalysisEntry& e) {
    if (e.journey != journey.journey || !e.mature || e.in_washout ||
        e.group == EntryGroup::kGlobalHoldout) {
      return;
    }
    const Key key{static_cast<int>(e.group), e.arm, e.period, e.segment};
    auto it = cells.find(key);
    if (it == cells.end()) {
      it = cells.emplace(key, EmptyHorizonCell(e.group, e.arm, e.period, e.segment,
                                               horizons.size(), points, shift))
               .first;
    }
    AnalysisHorizonCell& c = it->second;
    ++c.entries;
    std::vector<HorizonEvent> events = e.horizon_events;
    std::stable_sort(events.begin(), events.end(), [](const HorizonEvent& a, const HorizonEvent& b) {
      return a.offset_us < b.offset_us;
    });
    for (size_t k = 0; k < horizons.size(); ++k) {
      if (e.t0 > query.as_of - horizons[k]) continue;
      const HorizonSums hs = SumHorizon(events, horizons[k]);
      const std::array<double, kNumHorizonCellVariables> v = {
          hs.y, hs.m, hs.orders >= 1 ? 1.0 : 0.0, hs.orders >= 2 ? 1.0 : 0.0,
          static_cast<double>(hs.orders), e.c};
      HorizonCellMoments& h = c.horizons[k];
      ++h.entries;
      if (e.next_t0.has_value() && *e.next_t0 - e.t0 < horizons[k]) ++h.overlapping;
      for (int a = 0; a < kNumHorizonCellVariables; ++a) {
        h.s1[a] += v[a] - shift[a];
        for (int b = a; b < kNumHorizonCellVariables; ++b) {
          if (HorizonPairSummed(a, b)) h.s2[HorizonPairIndex(a, b)] += (v[a] - shift[a]) * (v[b] - shift[b]);
        }
      }
    }
    // The curve's differences (AnalysisHorizonCell): mature at the first
    // `mature` points.
    const int64_t available = query.as_of - e.t0;
    const int64_t mature =
        available >= journey.max_horizon_us ? points : std::min(points, available / step);
    if (mature <= 0) return;
    c.curve_n[0] += 1;
    c.curve_n[static_cast<size_t>(mature)] -= 1;
    double y = 0.0, m = 0.0;
    for (const HorizonEvent& ev : events) {
      if (ev.offset_us < 0) continue;
      const int64_t i = ev.offset_us / step;
      if (i >= mature) break;
      y += ev.revenue;
      m += ev.margin;
      c.curve_y[static_cast<size_t>(i)] += ev.revenue;
      c.curve_yy[static_cast<size_t>(i)] += ev.revenue * (2 * y - ev.revenue);
      c.curve_m[static_cast<size_t>(i)] += ev.margin;
      c.curve_mm[static_cast<size_t>(i)] += ev.margin * (2 * m - ev.margin);
    }
    c.curve_y[static_cast<size_t>(mature)] -= y;
    c.curve_yy[static_cast<size_t>(mature)] -= y * y;
    c.curve_m[static_cast<size_t>(mature)] -= m;
    c.curve_mm[static_cast<size_t>(mature)] -= m * m;
  }));
  for (auto& [key, c] : cells) out.push_back(std::move(c));
  return out;
}

absl::StatusOr<AnalysisAggregates> InMemoryAnalysisSource::Aggregates(const AnalysisQuery& query,
                                                                       int64_t first_period,
                                                                       int64_t last_period) {
  AnalysisAggregates out;
  // The stores' bound on a segmented query: distinct attribute sets per
  // journey in the range.
  if (!query.segment_by.empty()) {
    for (const JourneyWindow& j : query.journeys) {
      std::set<std::map<std::string, std::string>> sets;
      for (const StoredEntry& s : entries_) {
        if (s.journey == j.journey && s.t0 >= query.from && s.t0 < query.to && s.t0 < query.as_of) {
          sets.insert(s.attributes);
        }
      }
      if (static_cast<int64_t>(sets.size()) > kMaxCellAttributeSets) {
        out.too_many_attribute_sets = true;
        return out;
      }
    }
  }
  std::map<std::string, uint64_t> journeys_of_unit;
  for (size_t k = 0; k < query.journeys.size(); ++k) {
    using Key = std::tuple<int, std::string, int64_t, int64_t, std::string, std::string, bool, bool>;
    std::map<Key, AnalysisCell> cells;  // sorted by the key AnalysisAggregates promises
    std::optional<std::array<double, kNumCellVariables>> shift;
    HF_RETURN_IF_ERROR(ForEachEntry(query, [&](const AnalysisEntry& e) {
      if (e.journey != query.journeys[k].journey) return;
      const std::array<double, kNumCellVariables> v = {
          e.y,
          e.m,
          static_cast<double>(e.x),
          e.c,
          e.z,
          e.incentive,
          static_cast<double>(e.orders),
          static_cast<double>(e.unsubscribed),
          static_cast<double>(e.complained),
          e.sends > 0 ? 1.0 : 0.0,
          static_cast<double>(e.sends)};
      if (e.mature && !shift.has_value()) shift = v;
      const int64_t day = query.cells_by_day ? FloorDiv(e.t0, kDayMicros) : 0;
      AnalysisCell& c = cells[Key{static_cast<int>(e.group), e.arm, e.period, day, e.segment,
                                  e.config_version, e.in_washout, e.mature}];
      if (c.entries == 0) {
        c.group = e.group;
        c.arm = e.arm;
        c.period = e.period;
        c.day = day;
        c.segment = e.segment;
        c.config_version = e.config_version;
        c.version_known = e.version_known;
        c.in_washout = e.in_washout;
        c.mature = e.mature;
        c.first_t0 = c.last_t0 = e.t0;
      }
      ++c.entries;
      c.window_cut += e.window_cut ? 1 : 0;
      c.in_refund_horizon += e.mature && e.in_refund_horizon ? 1 : 0;
      c.first_t0 = std::min(c.first_t0, e.t0);
      c.last_t0 = std::max(c.last_t0, e.t0);
      if (!e.mature) return;
      if (e.group != EntryGroup::kGlobalHoldout && !e.in_washout && e.period >= first_period &&
          e.period <= last_period) {
        journeys_of_unit[e.unit] |= uint64_t{1} << k;
      }
      std::array<double, kNumCellVariables> d;
      for (int a = 0; a < kNumCellVariables; ++a) d[a] = v[a] - (*shift)[a];
      for (int a = 0; a < kNumCellVariables; ++a) {
        c.s1[a] += d[a];
        for (int b = a; b < kNumCellVariables; ++b) {
          if (CellPairSummed(a, b)) c.s2[CellPairIndex(a, b)] += d[a] * d[b];
        }
      }
      for (int a = 0; a < kNumCellThirdOrderVariables; ++a) {
        for (int b = a; b < kNumCellThirdOrderVariables; ++b) {
          for (int t = b; t < kNumCellThirdOrderVariables; ++t) {
            if (CellTripleSummed(a, b, t)) c.s3[CellTripleIndex(a, b, t)] += d[a] * d[b] * d[t];
          }
        }
      }
    }));
    std::vector<AnalysisCell>& list = out.cells.emplace_back();
    for (auto& [key, c] : cells) {
      if (shift.has_value()) c.shift = *shift;
      list.push_back(std::move(c));
    }
    HF_ASSIGN_OR_RETURN(out.horizon_cells.emplace_back(),
                        HorizonCellsOf(query, query.journeys[k],
                                       HorizonShiftOf(shift.value_or(std::array<double, kNumCellVariables>{}))));
  }
  std::map<uint64_t, int64_t> units;
  for (const auto& [unit, journeys] : journeys_of_unit) ++units[journeys];
  for (const auto& [journeys, n] : units) out.units.push_back({journeys, n});
  return out;
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
