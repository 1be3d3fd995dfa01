#include "lib/report/lift_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/time_util.h"
#include "lib/base/status_macros.h"
#include "lib/base/text.h"
#include "lib/report/lift_metrics.h"
#include "lib/report/report_text.h"
#include "lib/stats/multiple_testing.h"
#include "lib/stats/srm.h"

namespace holdfast::report {
namespace {

using stats::GroupMoments;

// One group of one (journey, segment): its moments, sends and the washout
// entries left out of them.
struct Cell {
  GroupMoments moments;
  // The generic metrics' variables over the same entries (lift_metrics.h).
  EntryMoments vars;
  int64_t sends = 0;
  int64_t washout = 0;
  int64_t immature = 0;
  // Among the analysed entries (those in `moments`).
  int64_t cut = 0;
  int64_t in_refund_horizon = 0;
  // Earliest and latest t0 of the analysed entries (the decision's volume).
  UnixMicros first_t0 = kMaxTimeMicros;
  UnixMicros last_t0 = kMinTimeMicros;
  // Analysed entries per (journey rotation period, config version they were
  // assigned under): the strata of the ramp-aware SRM test (the split in
  // force differs between periods and between versions).
  absl::flat_hash_map<std::pair<int64_t, std::string>, int64_t> periods;
  // Per journey horizon (ascending), and the cumulative curve's sums; sized
  // on first use.
  struct Horizon {
    HorizonMoments vars;
    int64_t immature = 0;
    int64_t overlapping = 0;
  };
  std::vector<Horizon> horizons;
  CumulativeAccumulator curve;

  // The cost of the sends within these entries' windows. Exactly 0 without
  // sends: cells summed in the database carry the cost as shifted sums, and
  // shift + (-n shift)/n leaves ~1e-17 per entry, which a warning would
  // print as "0 sends costing 1.8e-11".
  double SendCost() const { return sends == 0 ? 0.0 : moments.Sum(stats::Metric::kCost); }

  // Sizes the horizons and the curve for a journey with horizons (no-op
  // without, or once sized).
  void SizeHorizons(size_t n, const CumulativeGrid& grid) {
    if (n == 0 || horizons.size() == n) return;
    horizons.resize(n);
    curve = CumulativeAccumulator(grid);
  }

  void Merge(const Cell& o) {
    if (horizons.size() < o.horizons.size()) horizons.resize(o.horizons.size());
    for (size_t k = 0; k < o.horizons.size(); ++k) {
      horizons[k].vars.Merge(o.horizons[k].vars);
      horizons[k].immature += o.horizons[k].immature;
      horizons[k].overlapping += o.horizons[k].overlapping;
    }
    curve.Merge(o.curve);
    moments.Merge(o.moments);
    vars.Merge(o.vars);
    sends += o.sends;
    washout += o.washout;
    immature += o.immature;
    cut += o.cut;
    in_refund_horizon += o.in_refund_horizon;
    first_t0 = std::min(first_t0, o.first_t0);
    last_t0 = std::max(last_t0, o.last_t0);
    for (const auto& [k, n] : o.periods) periods[k] += n;
  }
};

struct SegmentAcc {
  std::vector<Cell> arms;  // parallel to JourneyAcc::arm_names
  Cell holdout;
};

struct JourneyAcc {
  const JourneySpec* spec = nullptr;
  // Configured arms first (config order), then arm names seen in the data
  // but no longer configured.
  std::vector<std::string> arm_names;
  size_t configured_arms = 0;
  absl::flat_hash_map<std::string, SegmentAcc> segments;
  int64_t global_excluded = 0;
  int64_t unknown_version = 0;
  // Position in report order (CustomerOverlap, TrendAccumulator).
  size_t index = 0;
  // The journey's horizons and the curve's grid (empty without horizons).
  CumulativeGrid grid;

  int ArmIndex(absl::string_view name) {
    for (size_t i = 0; i < arm_names.size(); ++i) {
      if (arm_names[i] == name) return static_cast<int>(i);
    }
    arm_names.emplace_back(name);
    for (auto& [_, seg] : segments) seg.arms.resize(arm_names.size());
    return static_cast<int>(arm_names.size() - 1);
  }
  // Arms seen in the data but no longer configured, ordered by name: the
  // same rows in the same order whichever order the entries (or the
  // database's cells) came in.
  void SortUnconfiguredArms() {
    if (arm_names.size() < configured_arms + 2) return;
    std::vector<size_t> order(arm_names.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin() + static_cast<std::ptrdiff_t>(configured_arms), order.end(),
              [this](size_t a, size_t b) { return arm_names[a] < arm_names[b]; });
    std::vector<std::string> names;
    for (size_t i : order) names.push_back(arm_names[i]);
    arm_names = std::move(names);
    for (auto& [_, seg] : segments) {
      std::vector<Cell> arms;
      for (size_t i : order) arms.push_back(std::move(seg.arms[i]));
      seg.arms = std::move(arms);
    }
  }
  SegmentAcc& Segment(absl::string_view value) {
    auto it = segments.find(value);
    if (it == segments.end()) {
      it = segments.emplace(std::string(value), SegmentAcc{}).first;
      it->second.arms.resize(arm_names.size());
    }
    return it->second;
  }
};

// The windows of `journey` in every catalog version that has it: entries are
// analysed with the config version they were assigned under.
std::vector<VersionWindow> VersionWindows(const ConfigCatalog* catalog,
                                          const std::string& journey) {
  std::vector<VersionWindow> out;
  if (catalog == nullptr) return out;
  for (const std::string& version : catalog->Versions()) {
    const JourneySpec* j = catalog->Find(version)->FindJourney(journey);
    if (j == nullptr) continue;
    out.push_back({version, j->attribution_window_us, j->pre_period_us, j->refund_horizon_us});
  }
  return out;
}

// The report range narrowed to the journey's period bounds and to t0 <
// as_of, for contamination (entries are filtered by period index directly).
TimeRange EffectiveRange(const JourneySpec& spec, const LiftReportOptions& o) {
  TimeRange r = o.range;
  r.to = std::min(r.to, o.as_of);
  const RotationSpec& rot = spec.holdout.rotation;
  if (rot.scheme == RotationScheme::kNone) return r;
  if (o.first_period) r.from = std::max(r.from, PeriodStart(rot, *o.first_period));
  if (o.last_period) r.to = std::min(r.to, PeriodStart(rot, *o.last_period + 1));
  return r;
}

bool PeriodSelected(int64_t period, const LiftReportOptions& o) {
  if (o.first_period && period < *o.first_period) return false;
  if (o.last_period && period > *o.last_period) return false;
  return true;
}

// Analysis in the database: a cell's sums as the builder's accumulators. The
// cell variables start with GroupMoments' six, in its order.
static_assert(GroupMoments::Index(stats::Metric::kRevenue) == kCellRevenue &&
              GroupMoments::Index(stats::Metric::kMargin) == kCellMargin &&
              GroupMoments::Index(stats::Metric::kConverted) == kCellConverted &&
              GroupMoments::Index(stats::Metric::kCost) == kCellCost &&
              GroupMoments::Index(stats::Metric::kPreRevenue) == kCellPreRevenue &&
              GroupMoments::Index(stats::Metric::kIncentive) == kCellIncentive &&
              stats::kNumMetrics == kNumCellThirdOrderVariables);

GroupMoments MomentsOfCell(const AnalysisCell& c) {
  GroupMoments::ShiftedSums s;
  s.n = c.entries;
  constexpr int kN = stats::kNumMetrics;
  for (int a = 0; a < kN; ++a) {
    s.shift[a] = c.shift[a];
    s.s1[a] = c.s1[a];
    for (int b = a; b < kN; ++b) {
      s.s2[GroupMoments::M2Index(a, b)] = c.s2[CellPairIndex(a, b)];
      for (int k = b; k < kN; ++k) {
        s.s3[GroupMoments::M3Index(a, b, k)] = c.s3[CellTripleIndex(a, b, k)];
      }
    }
  }
  return GroupMoments::FromShiftedSums(s);
}

// The generic metrics' variables (lift_metrics.h, EntryVariable order) among
// the cell variables.
static_assert(kNumEntryVariables == 10, "map each generic-metric variable to its cell variable");
constexpr std::array<int, kNumEntryVariables> kEntryVariableCell = {
    kCellRevenue,      kCellMargin,     kCellConverted, kCellCost,  kCellOrders,
    kCellUnsubscribed, kCellComplained, kCellDelivered, kCellSends, kCellIncentive};

EntryMoments VarsOfCell(const AnalysisCell& c) {
  EntryMoments::ShiftedSums s;
  s.n = c.entries;
  for (int a = 0; a < kNumEntryVariables; ++a) {
    const int ca = kEntryVariableCell[a];
    s.shift[a] = c.shift[ca];
    s.s1[a] = c.s1[ca];
    for (int b = a; b < kNumEntryVariables; ++b) {
      s.s2[a][b] = c.s2[CellPairIndex(ca, kEntryVariableCell[b])];
    }
  }
  return EntryMoments::FromShiftedSums(s);
}

// A horizon cell's moments at one horizon (HorizonCellVariable is the
// report's HorizonVariable order).
// (Compared as int: two enums of two layers, the same numbers on purpose.)
constexpr bool SameIndex(int a, int b) { return a == b; }
static_assert(SameIndex(kHorizonCellRevenue, kHorizonRevenue) && SameIndex(kHorizonCellMargin, kHorizonMargin) &&
              SameIndex(kHorizonCellRetained, kHorizonRetained) &&
              SameIndex(kHorizonCellRepeat, kHorizonRepeat) && SameIndex(kHorizonCellOrders, kHorizonOrders) &&
              SameIndex(kHorizonCellCost, kHorizonCost) &&
              SameIndex(kNumHorizonCellVariables, kNumHorizonVariables));
HorizonMoments HorizonMomentsOf(const HorizonCellMoments& m) {
  HorizonMoments::ShiftedSums s;
  s.n = m.entries;
  for (int a = 0; a < kNumHorizonVariables; ++a) {
    s.shift[a] = m.shift[a];
    s.s1[a] = m.s1[a];
    for (int b = a; b < kNumHorizonVariables; ++b) s.s2[a][b] = m.s2[HorizonPairIndex(a, b)];
  }
  return HorizonMoments::FromShiftedSums(s);
}

// Weight of arm `name` in `spec`; 0 when the journey has no such arm.
double ArmWeight(const JourneySpec& spec, const std::string& name) {
  for (const ArmSpec& a : spec.arms) {
    if (a.name == name) return a.weight;
  }
  return 0.0;
}

// Share of treatment (or of arm `arm`; "" for the pooled row) among arm +
// holdout entries in period k assigned under `spec` (the journey in the
// entry's config version), with the holdout share in force then
// (HoldoutSpec::ShareAt: a pending or recent ramp keeps its previous share
// for the periods before the change); NaN when there is nothing to test (no
// holdout, an arm the version does not have).
double ExpectedTreatmentShareAt(const JourneySpec& spec, const std::string& arm, int64_t period) {
  const double h = static_cast<double>(spec.holdout.ShareAt(period)) / kShareScale;
  if (h <= 0.0) return stats::kNaN;
  if (arm.empty()) return 1.0 - h;
  double total_weight = 0.0;
  for (const ArmSpec& a : spec.arms) total_weight += a.weight;
  const double weight = ArmWeight(spec, arm);
  if (!(weight > 0.0 && total_weight > 0.0)) return stats::kNaN;
  const double q = (1.0 - h) * weight / total_weight;
  return q / (q + h);
}

// Above this estimated one-sided error the coverage table shows even the
// skew-corrected intervals under-covering (docs/statistics.md section 11).
constexpr double kSevereTailError = 0.02;

struct RowSrm {
  std::optional<stats::SrmResult> test;
  // Expected share of treatment (or the arm) over the analysed entries:
  // sum_k n_k s_k / sum_k n_k.
  double expected_treatment_share = stats::kNaN;
};

// Ramp-aware SRM of a row (DESIGN.md, "Config-faithful"): one stratum per
// (period, config version) with the split that version put in force in that
// period, tested with StratifiedSrmTest. Strata with no holdout share, or
// whose version lacks the arm, are left out; a version the catalog does not
// hold (or that lacks the journey) uses `current`, the serving journey.
RowSrm RampAwareSrm(const ConfigCatalog& catalog, const JourneySpec& current, const std::string& arm,
                    const Cell& t, const Cell& c) {
  RowSrm out;
  // Sorted: deterministic sums.
  std::map<std::pair<int64_t, std::string>, std::pair<int64_t, int64_t>> by_stratum;
  for (const auto& [key, n] : t.periods) by_stratum[key].first += n;
  for (const auto& [key, n] : c.periods) by_stratum[key].second += n;
  std::vector<stats::SrmStratum> strata;
  for (const auto& [key, counts] : by_stratum) {
    const AssignmentConfig* version = catalog.Find(key.second);
    const JourneySpec* spec = version != nullptr ? version->FindJourney(current.id) : nullptr;
    const double share = ExpectedTreatmentShareAt(spec != nullptr ? *spec : current, arm, key.first);
    if (!(share > 0.0 && share < 1.0)) continue;
    strata.push_back({{counts.first, counts.second}, {share, 1.0 - share}});
  }
  if (strata.empty()) return out;
  std::vector<double> expected;
  absl::StatusOr<stats::SrmResult> srm = stats::StratifiedSrmTest(strata, &expected);
  if (!srm.ok()) return out;
  out.test = *srm;
  if (expected[0] + expected[1] > 0.0) {
    out.expected_treatment_share = expected[0] / (expected[0] + expected[1]);
  }
  return out;
}

ReportWarning MakeWarning(WarningKind kind, Severity severity, const LiftRowResult& row,
                          std::string message) {
  return ReportWarning{kind, severity, row.journey, row.arm, row.segment, std::move(message)};
}

// Turns a row's statistical flags into sentences with its numbers.
void AddRowWarnings(const LiftRowResult& row, const JourneySpec& spec,
                    const stats::LiftOptions& lift_options, double confidence,
                    std::vector<ReportWarning>& out) {
  const stats::LiftResult& l = row.lift;
  const stats::LiftWarnings& w = l.warnings;
  if (w.srm && l.srm.has_value()) {
    out.push_back(MakeWarning(
        WarningKind::kSampleRatioMismatch, Severity::kCritical, row,
        absl::StrFormat("sample ratio mismatch: %d treatment vs %d holdout entries where the "
                        "split in force in each period expects %.4g%% treatment (chi-squared "
                        "%.2f, p = %.3g < 0.001); assignment or entry logging is broken, do not "
                        "decide on this row",
                        l.treatment.entries, l.holdout.entries,
                        100.0 * row.srm_expected_treatment_share, l.srm->chi_square,
                        l.srm->p_value)));
  }
  if (w.too_few_entries) {
    out.push_back(MakeWarning(
        WarningKind::kTooFewEntries, Severity::kCaution, row,
        absl::StrFormat("too few entries: treatment %d entries / %.0f conversions, holdout %d "
                        "entries / %.0f conversions; intervals need at least %d entries and %d "
                        "conversions and non-conversions per group",
                        l.treatment.entries, l.treatment.conversions, l.holdout.entries,
                        l.holdout.conversions, lift_options.min_entries_per_group,
                        lift_options.min_conversions_per_group)));
  }
  if (w.revenue_relative_unreliable && l.holdout.entries > 0) {
    out.push_back(MakeWarning(
        WarningKind::kUnreliableRelativeInterval, Severity::kCaution, row,
        absl::StrFormat("holdout revenue per entry %.4g is not significantly different from 0: "
                        "the relative revenue lift and its delta interval are unreliable; "
                        "Fieller's set is %s. Use the absolute lift",
                        l.holdout.revenue_per_entry,
                        FormatFieller(l.revenue_per_entry_relative_lift.fieller))));
  }
  if (w.conversion_relative_unreliable && l.holdout.entries > 0) {
    out.push_back(MakeWarning(
        WarningKind::kUnreliableRelativeInterval, Severity::kCaution, row,
        absl::StrFormat("holdout conversion rate %.4g is not significantly above 0: the "
                        "relative conversion lift interval is unreliable; Fieller's set is %s",
                        l.holdout.conversion_rate,
                        FormatFieller(l.conversion_rate_relative_lift.fieller))));
  }
  (void)spec;
}

// Every pair of configured arms with at least two analysed entries each:
// b is the arm with the higher cost per entry (ties: the later in config
// order). The fixed cost is pro-rated per entry alike to both arms, so it
// cancels from every difference.
void AddArmComparisons(const JourneyAcc& acc, const JourneySpec& spec, const std::string& segment,
                       const SegmentAcc& seg, double srm_arms, double confidence,
                       std::vector<ArmComparisonResult>& out) {
  const stats::LiftResult unused;
  for (size_t i = 0; i < acc.configured_arms; ++i) {
    for (size_t j = i + 1; j < acc.configured_arms; ++j) {
      size_t a = i, b = j;
      const EntryMoments& vi = seg.arms[i].vars;
      const EntryMoments& vj = seg.arms[j].vars;
      if (vi.count() < 2 || vj.count() < 2) continue;
      // Costlier = more sends plus incentives per entry (what the change costs).
      if (vi.Mean(kVarCost) + vi.Mean(kVarIncentive) > vj.Mean(kVarCost) + vj.Mean(kVarIncentive)) {
        std::swap(a, b);
      }
      ArmComparisonResult c;
      c.journey = spec.id;
      c.segment = segment;
      c.arm_a = acc.arm_names[a];
      c.arm_b = acc.arm_names[b];
      c.entries_a = seg.arms[a].vars.count();
      c.entries_b = seg.arms[b].vars.count();
      c.metrics = ComputeArmPairMetrics(
          MetricInputs{seg.arms[b].vars, seg.arms[a].vars, unused, false, 0.0, confidence, spec});
      c.srm_arms_p_value = srm_arms;
      out.push_back(std::move(c));
    }
  }
}

// CRITICAL / CAUTION for each guardrail metric of an everyone row whose
// verdict is harm / cannot exclude (docs/report.md, "Guardrails").
void AddGuardrailWarnings(const LiftRowResult& row, double confidence,
                          std::vector<ReportWarning>& out) {
  for (const MetricResult& m : row.metrics) {
    if (!m.guardrail.has_value()) continue;
    const GuardrailResult& g = *m.guardrail;
    const MetricDefinition* d = FindLiftMetric(m.id);
    const std::string name = absl::AsciiStrToLower(d != nullptr ? d->label : m.id);
    const std::string numbers = absl::StrFormat(
        "%s %.3g%% in treatment vs %.3g%% in the holdout, increase %+.3g pp (%s %s pp, one-sided "
        "%s upper bound %+.3g pp) against the tolerated %.3g pp",
        name, 100.0 * m.treatment, 100.0 * m.holdout, 100.0 * m.effect.value,
        FormatPercent(confidence), FormatInterval(100.0 * m.effect.lower, 100.0 * m.effect.upper),
        FormatPercent(confidence), 100.0 * g.upper_bound, 100.0 * g.max_increase);
    if (g.status == GuardrailStatus::kHarm) {
      out.push_back(MakeWarning(
          WarningKind::kGuardrailHarm, Severity::kCritical, row,
          absl::StrFormat("guardrail breached: %s; the increase is significant (one-sided p = "
                          "%.3g). The journey costs subscribers beyond its threshold: weigh "
                          "that before its revenue",
                          numbers, g.p_value_harm)));
    } else if (g.status == GuardrailStatus::kCannotExclude) {
      out.push_back(MakeWarning(
          WarningKind::kGuardrailUncertain, Severity::kCaution, row,
          absl::StrFormat("guardrail not cleared: %s; an increase beyond the threshold cannot "
                          "be excluded yet (p = %.3g that it is within); collect more entries "
                          "before calling the journey safe",
                          numbers, g.p_value_within_threshold)));
    }
  }
}

// Holm and BH over the rows selected by `in_family`, on the p-value `p_of`;
// writes the adjusted values with `set` and returns the family size.
template <typename Row, typename Select, typename Get, typename Set>
absl::StatusOr<int64_t> AdjustFamily(std::vector<Row>& rows, Select in_family, Get p_of, Set set) {
  std::vector<size_t> members;
  std::vector<double> p;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!in_family(rows[i])) continue;
    members.push_back(i);
    const double v = p_of(rows[i]);
    p.push_back(std::isfinite(v) ? v : stats::kNaN);
  }
  HF_ASSIGN_OR_RETURN(std::vector<double> holm, stats::HolmAdjust(p));
  HF_ASSIGN_OR_RETURN(std::vector<double> bh, stats::BenjaminiHochbergAdjust(p));
  int64_t size = 0;
  for (size_t k = 0; k < members.size(); ++k) {
    set(rows[members[k]], holm[k], bh[k]);
    size += std::isnan(p[k]) ? 0 : 1;
  }
  return size;
}

// The declared families (lift_report.h, MultiplicityFamily).
absl::Status AdjustFamilies(LiftReportResult& result) {
  auto everyone = [](const LiftRowResult& r) { return r.segment.empty(); };
  auto segment = [](const LiftRowResult& r) { return !r.segment.empty(); };
  // The p-value of the primary interval's test, so adjusted decisions agree
  // with the interval shown.
  auto revenue_p = [](const LiftRowResult& r) {
    const stats::Estimate& e = r.primary == IntervalVariant::kSkewCorrected
                                   ? r.lift.revenue_per_entry_lift_skew_corrected
                                   : r.lift.revenue_per_entry_lift;
    return e.defined ? e.p_value : stats::kNaN;
  };
  auto breakeven_p = [](const LiftRowResult& r) { return r.lift.iroas.break_even_p_value; };
  auto set_revenue = [](LiftRowResult& r, double holm, double bh) {
    r.p_value_holm = holm;
    r.p_value_bh = bh;
  };
  auto set_breakeven = [](LiftRowResult& r, double holm, double bh) {
    r.breakeven_p_value_holm = holm;
    r.breakeven_p_value_bh = bh;
  };
  std::vector<LiftRowResult>& rows = result.rows;
  HF_ASSIGN_OR_RETURN(const int64_t n_rows, AdjustFamily(rows, everyone, revenue_p, set_revenue));
  HF_ASSIGN_OR_RETURN(const int64_t n_seg, AdjustFamily(rows, segment, revenue_p, set_revenue));
  HF_ASSIGN_OR_RETURN(const int64_t n_be, AdjustFamily(rows, everyone, breakeven_p, set_breakeven));
  HF_ASSIGN_OR_RETURN(const int64_t n_seg_be,
                      AdjustFamily(rows, segment, breakeven_p, set_breakeven));
  // Arm pairs: the margin-return test (its numerator, Δmargin = 0).
  auto pair_p = [](const ArmComparisonResult& c) {
    for (const MetricResult& m : c.metrics) {
      if (m.id == kArmPairFamilyMetric) return m.effect.defined ? m.effect.p_value : stats::kNaN;
    }
    return stats::kNaN;
  };
  auto set_pair = [](ArmComparisonResult& c, double holm, double bh) {
    c.p_value_holm = holm;
    c.p_value_bh = bh;
  };
  auto pair_everyone = [](const ArmComparisonResult& c) { return c.segment.empty(); };
  auto pair_segment = [](const ArmComparisonResult& c) { return !c.segment.empty(); };
  HF_ASSIGN_OR_RETURN(const int64_t n_pairs,
                      AdjustFamily(result.arm_comparisons, pair_everyone, pair_p, set_pair));
  HF_ASSIGN_OR_RETURN(const int64_t n_seg_pairs,
                      AdjustFamily(result.arm_comparisons, pair_segment, pair_p, set_pair));
  result.families = {{kFamilyRows, n_rows},
                     {kFamilySegments, n_seg},
                     {kFamilyBreakEven, n_be},
                     {kFamilySegmentBreakEven, n_seg_be},
                     {kFamilyArmPairs, n_pairs},
                     {kFamilySegmentArmPairs, n_seg_pairs}};
  return absl::OkStatus();
}

// One HEAVY_TAIL warning per journey (not per arm), from its everyone rows:
// raised when one of them has heavy_tail, naming the row whose plain
// interval has the largest estimated one-sided error.
void AddHeavyTailWarning(const std::vector<LiftRowResult>& rows, size_t first_row,
                         double confidence, std::vector<ReportWarning>& out) {
  const LiftRowResult* worst = nullptr;
  double worst_error = 0.0;
  for (size_t i = first_row; i < rows.size(); ++i) {
    const LiftRowResult& r = rows[i];
    if (!r.segment.empty() || !r.lift.warnings.heavy_tail) continue;
    const double e_d = r.lift.revenue_lift_tail_error;
    const double e_r = r.lift.iroas_tail_error;
    const double e = std::max(std::isfinite(e_d) ? e_d : 0.0, std::isfinite(e_r) ? e_r : 0.0);
    if (worst == nullptr || e > worst_error) {
      worst = &r;
      worst_error = e;
    }
  }
  if (worst == nullptr) return;
  const stats::LiftResult& l = worst->lift;
  const double tail = (1.0 - confidence) / 2.0;
  std::string message = absl::StrFormat(
      "heavy-tailed revenue: for %s the plain %s intervals miss on one side about %.1f points "
      "more often than the stated %.1f%% per tail (Hall's first-order term; lift skewness %.3g, "
      "holdout revenue skewness %.3g). The revenue lift, incremental revenue and iROAS shown are "
      "the skewness-corrected intervals (revenue lift %s instead of %s)",
      worst->arm == kPooledArm ? "all arms" : absl::StrCat("arm ", worst->arm),
      FormatPercent(confidence), 100.0 * worst_error, 100.0 * tail, l.revenue_lift_skewness,
      l.holdout.revenue_skewness,
      FormatInterval(l.revenue_per_entry_lift_skew_corrected.lower,
                     l.revenue_per_entry_lift_skew_corrected.upper),
      FormatInterval(l.revenue_per_entry_lift.lower, l.revenue_per_entry_lift.upper));
  if (worst_error > kSevereTailError) {
    absl::StrAppend(&message, absl::StrFormat(
        "; at this skew even those under-cover (simulated 88-93%% with under ~1,000 held-out "
        "entries, docs/statistics.md section 11): decide only on clear effects or collect more "
        "entries (%d held out now)",
        l.holdout.entries));
  }
  out.push_back(ReportWarning{WarningKind::kHeavyTail, Severity::kCaution, worst->journey, "", "",
                              std::move(message)});
}

// CAUTION when a roll-up of two or more journeys has customers in several of
// them (docs/statistics.md section 16): the interval stays valid because
// each journey draws its holdout independently, but the summed effect is a
// sum of each journey's own effect, which overstates the joint effect when
// the journeys substitute for each other.
void AddStageWarning(const StageRollupResult& r, std::vector<ReportWarning>& out) {
  if (r.journeys.size() < 2 || r.shared_customers == 0) return;
  const std::string name = r.stage == kProgrammeStage ? "the programme"
                           : r.stage.empty()          ? "journeys without a stage"
                                                      : absl::StrCat("stage ", r.stage);
  auto interval = [](const stats::Estimate& e) {
    return e.defined ? FormatInterval(e.lower, e.upper) : std::string("n/a");
  };
  out.push_back(ReportWarning{
      WarningKind::kStageSharedCustomers, Severity::kCaution, "", "", "",
      absl::StrFormat(
          "%s: %d of %d customers (%.1f%%) have analysed entries in two or more of its %d "
          "journeys. Its interval stays valid (each journey draws its holdout independently, so "
          "the journeys' estimates are uncorrelated), but the summed incremental revenue adds "
          "each journey's own effect: an order inside two journeys' windows counts in both, and "
          "when the journeys substitute for each other the sum overstates what they add "
          "together; the global-holdout program report (--program) measures the joint effect. "
          "iROAS %s, %s under any dependence between the journeys' estimates",
          name, r.shared_customers, r.customers,
          r.customers > 0 ? 100.0 * r.shared_customers / r.customers : 0.0,
          static_cast<int>(r.journeys.size()), interval(r.iroas), interval(r.iroas_any_overlap))});
}

// CAUTION when a journey's iROAS over its complete buckets drifts (linear
// trend) or varies beyond chance (Cochran's Q), at kTrendDriftAlpha.
void AddTrendWarning(const TrendSeriesResult& s, TrendBy by, std::vector<ReportWarning>& out) {
  const TrendDriftResult& d = s.drift;
  const bool slope = d.slope_p_value < kTrendDriftAlpha;
  const bool q = d.q_p_value < kTrendDriftAlpha;
  if (!slope && !q) return;
  out.push_back(ReportWarning{
      WarningKind::kTrendDrift, Severity::kCaution, s.journey, "", "",
      absl::StrFormat(
          "iROAS is not stable over its %d complete %s buckets: slope %+.3g per %s (p = %.3g), "
          "heterogeneity Q = %.2f on %d df (p = %.3g); the pooled iROAS describes the range, "
          "not the current return, read the trend",
          d.buckets, TrendByName(by), d.slope, TrendByName(by), d.slope_p_value, d.q,
          d.buckets - 1, d.q_p_value)});
}

// The decision input of one journey from the finished report (decision.h):
// its pooled everyone row, its warnings, the HARM verdicts of its everyone
// rows.
JourneyDecision Decide(const LiftReportResult& result, const std::string& journey,
                       const JourneyVolume& volume, double confidence) {
  DecisionInput in;
  in.journey = journey;
  in.volume = volume;
  in.confidence = confidence;
  for (const LiftRowResult& row : result.rows) {
    if (row.journey != journey || !row.segment.empty()) continue;
    if (row.arm == kPooledArm) {
      in.lift = &row.lift;
      in.skew_corrected_primary = row.primary == IntervalVariant::kSkewCorrected;
    }
    for (const MetricResult& m : row.metrics) {
      if (!m.guardrail.has_value() || m.guardrail->status != GuardrailStatus::kHarm) continue;
      const MetricDefinition* def = FindLiftMetric(m.id);
      in.harms.push_back({row.arm, m.id, def != nullptr ? def->label : m.id, m.effect.value,
                          m.guardrail->max_increase});
    }
  }
  for (const ReportWarning& w : result.warnings) {
    if (w.journey == journey) in.warnings.push_back(w);
  }
  return DecideJourney(in);
}

// One INFO warning per range of the config history in which replicas served
// different versions and which overlaps the report's [from, min(to, as_of)).
// Bounded: at most kMaxRanges ranges and kMaxReplicas replicas are named
// (names are config-controlled, each at most 256 bytes).
void AddMixedServingWarnings(const ConfigCatalog& catalog, const LiftReportOptions& options,
                             LiftReportResult* result) {
  constexpr size_t kMaxRanges = 3;
  constexpr size_t kMaxReplicas = 8;
  const UnixMicros from = options.range.from;
  const UnixMicros to = std::min(options.range.to, options.as_of);
  std::vector<MixedServingRange> overlapping;
  for (MixedServingRange& r : catalog.MixedServing()) {
    if (r.from < to && r.to > from) overlapping.push_back(std::move(r));
  }
  for (size_t k = 0; k < overlapping.size() && k < kMaxRanges; ++k) {
    const MixedServingRange& r = overlapping[k];
    std::string who;
    size_t named = 0;
    for (const auto& [replica, version] : r.serving) {
      if (named++ == kMaxReplicas) {
        absl::StrAppend(&who, ", and ", r.serving.size() - kMaxReplicas, " more");
        break;
      }
      absl::StrAppend(&who, named > 1 ? ", " : "", replica, "=", version);
    }
    std::string message = absl::StrCat(
        "Replicas sharing this store served different config versions from ", FormatTime(r.from),
        r.to >= kMaxTimeMicros ? " on (still at the latest load)" : absl::StrCat(" to ", FormatTime(r.to)),
        " (", who, "): entries of that time were assigned under either version and each is "
        "analysed with its own, but the expected split of a period (sample ratio check) uses "
        "the version loaded last; see holdfast config history");
    if (k + 1 == kMaxRanges && overlapping.size() > kMaxRanges) {
      absl::StrAppend(&message, " (", overlapping.size() - kMaxRanges, " more such ranges)");
    }
    result->warnings.push_back(ReportWarning{WarningKind::kReplicasServedDifferentVersions,
                                             Severity::kInfo, "", "", "", std::move(message)});
  }
}

}  // namespace

IntervalVariant PrimaryVariant(const stats::LiftResult& lift) {
  return lift.revenue_per_entry_lift_skew_corrected.defined ? IntervalVariant::kSkewCorrected
                                                            : IntervalVariant::kPlain;
}

std::string SegmentLabel(absl::string_view key, absl::string_view value) {
  if (key.empty()) return "";
  return absl::StrCat(key, "=", value.empty() ? "(none)" : value);
}

absl::StatusOr<LiftReportResult> BuildLiftReport(const AssignmentConfig& config,
                                                 AnalysisSource& source,
                                                 const LiftReportOptions& options) {
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("confidence: must be in (0, 1), got ", options.confidence));
  }
  if (options.range.from >= options.range.to) {
    return absl::InvalidArgumentError("range: 'from' must be before 'to'");
  }
  if (options.first_period && options.last_period && *options.first_period > *options.last_period) {
    return absl::InvalidArgumentError("periods: first_period must be <= last_period");
  }
  if (!(options.sequential_tuning_entries > 0.0)) {
    return absl::InvalidArgumentError("sequential_tuning_entries: must be > 0");
  }
  if (!IsRepresentableTime(options.as_of)) {
    return absl::InvalidArgumentError("as_of: out of range");
  }

  // Journeys in config order (sorted by id).
  std::vector<const JourneySpec*> specs;
  if (options.journeys.empty()) {
    for (const JourneySpec& j : config.journeys) specs.push_back(&j);
  } else {
    for (const std::string& id : options.journeys) {
      const JourneySpec* j = config.FindJourney(id);
      if (j == nullptr) {
        return absl::NotFoundError(absl::StrCat("journey: '", EchoInput(id), "' is not configured"));
      }
      if (std::find(specs.begin(), specs.end(), j) == specs.end()) specs.push_back(j);
    }
    std::sort(specs.begin(), specs.end(),
              [](const JourneySpec* a, const JourneySpec* b) { return a->id < b->id; });
  }

  // Without a catalog, the config given is the only version known.
  std::optional<ConfigCatalog> own_catalog;
  const ConfigCatalog* catalog = options.catalog;
  if (catalog == nullptr) {
    own_catalog.emplace(std::shared_ptr<const AssignmentConfig>(std::shared_ptr<void>(), &config));
    catalog = &*own_catalog;
  }

  std::vector<std::unique_ptr<JourneyAcc>> accs;
  absl::flat_hash_map<std::string, JourneyAcc*> by_id;
  AnalysisQuery query;
  query.from = options.range.from;
  query.to = options.range.to;
  query.as_of = options.as_of;
  query.segment_by = options.segment_by;
  query.cancelled = options.cancelled;
  for (const JourneySpec* j : specs) {
    auto acc = std::make_unique<JourneyAcc>();
    acc->spec = j;
    for (const ArmSpec& a : j->arms) acc->arm_names.push_back(a.name);
    acc->configured_arms = acc->arm_names.size();
    acc->index = accs.size();
    by_id[j->id] = acc.get();
    const int64_t max_horizon = j->horizons_us.empty() ? 0 : j->horizons_us.back();
    acc->grid = CumulativeGrid::For(max_horizon);
    query.journeys.push_back({j->id, j->attribution_window_us, j->pre_period_us,
                              j->refund_horizon_us, VersionWindows(catalog, j->id), max_horizon,
                              j->horizons_us, acc->grid.step_us, acc->grid.points});
    accs.push_back(std::move(acc));
  }

  // One pass over the entries; each lands in exactly one cell. The last
  // journey and segment are cached: the store streams entries grouped by
  // journey, and hashing a string per entry is the dominant cost otherwise.
  JourneyAcc* last_journey = nullptr;
  std::string last_journey_id;
  SegmentAcc* last_segment = nullptr;
  std::string last_segment_value;
  // Stage roll-ups and trends (stage_rollup.h, trends.h) read the same pass.
  CustomerOverlap overlap;
  std::optional<TrendAccumulator> trends;
  if (options.trend_by != TrendBy::kNone) trends.emplace(options.trend_by, accs.size());
  // Analysis in the database (docs/storage.md, "Aggregates") where the
  // source prefers it: the same classification as the entry pass below, one
  // cell of entries at a time, segments, trends and horizons included.
  bool in_database = source.PrefersCells() && accs.size() <= kMaxAnalysedUnitsJourneys &&
                     AnalysedUnitsParams(query) <= kMaxAnalysedUnitsParams;
  if (in_database) {
    // Weekly and monthly trends bucket cells split by day of t0.
    query.cells_by_day = trends.has_value() && TrendNeedsDays(options.trend_by);
    HF_ASSIGN_OR_RETURN(
        const AnalysisAggregates aggregates,
        source.Aggregates(query, options.first_period.value_or(std::numeric_limits<int64_t>::min()),
                          options.last_period.value_or(std::numeric_limits<int64_t>::max())));
    // Segments over too many distinct attribute sets: the entry stream.
    if (aggregates.too_many_attribute_sets) in_database = false;
    for (size_t k = 0; in_database && k < aggregates.cells.size() && k < accs.size(); ++k) {
      JourneyAcc& j = *accs[k];
      for (const AnalysisCell& c : aggregates.cells[k]) {
        if (!c.version_known) j.unknown_version += c.entries;
        if (c.group == EntryGroup::kGlobalHoldout) {
          j.global_excluded += c.entries;
          continue;
        }
        if (!PeriodSelected(c.period, options)) continue;
        // Moments only where measured: an immature cell's sums are not.
        const bool measured = c.mature && !c.in_washout;
        const GroupMoments moments = measured ? MomentsOfCell(c) : GroupMoments();
        const int64_t sends =
            measured ? std::llround(c.s1[kCellSends] + static_cast<double>(c.entries) * c.shift[kCellSends])
                     : 0;
        if (trends) trends->AddCell(j.index, c, moments, sends);
        SegmentAcc& segment = j.Segment(c.segment);
        Cell* cell =
            c.group == EntryGroup::kHoldout ? &segment.holdout : &segment.arms[j.ArmIndex(c.arm)];
        if (c.in_washout) {
          cell->washout += c.entries;
          continue;
        }
        cell->SizeHorizons(j.spec->horizons_us.size(), j.grid);
        if (!c.mature) {
          cell->immature += c.entries;
          for (Cell::Horizon& h : cell->horizons) h.immature += c.entries;
          continue;
        }
        cell->moments.Merge(moments);
        cell->vars.Merge(VarsOfCell(c));
        cell->sends += sends;
        cell->cut += c.window_cut;
        cell->in_refund_horizon += c.in_refund_horizon;
        cell->first_t0 = std::min(cell->first_t0, c.first_t0);
        cell->last_t0 = std::max(cell->last_t0, c.last_t0);
        cell->periods[{c.period, c.config_version}] += c.entries;
      }
    }
    // Horizons (docs/storage.md, "Horizons in the database"): each horizon
    // cell's moments at every horizon and its curve's differences.
    for (size_t k = 0; in_database && k < accs.size(); ++k) {
      JourneyAcc& j = *accs[k];
      const size_t horizons = j.spec->horizons_us.size();
      if (horizons == 0) continue;
      // A source that measured no horizons: an error, not silently empty
      // horizons.
      if (k >= aggregates.horizon_cells.size()) {
        return absl::InternalError(
            absl::StrCat("the analysis source gave no horizon cells for journey ", j.spec->id));
      }
      for (const AnalysisHorizonCell& hc : aggregates.horizon_cells[k]) {
        if (!PeriodSelected(hc.period, options)) continue;
        if (hc.horizons.size() != horizons) {
          return absl::InternalError(absl::StrCat("horizon cells of journey ", j.spec->id, ": ",
                                                  hc.horizons.size(), " horizons, expected ",
                                                  horizons));
        }
        SegmentAcc& segment = j.Segment(hc.segment);
        Cell* cell = hc.group == EntryGroup::kHoldout ? &segment.holdout
                                                      : &segment.arms[j.ArmIndex(hc.arm)];
        cell->SizeHorizons(horizons, j.grid);
        for (size_t h = 0; h < horizons; ++h) {
          const HorizonCellMoments& m = hc.horizons[h];
          Cell::Horizon& out = cell->horizons[h];
          out.vars.Merge(HorizonMomentsOf(m));
          out.overlapping += m.overlapping;
          out.immature += hc.entries - m.entries;
        }
        if (!cell->curve.AddDifferences(hc.curve_n, hc.curve_y, hc.curve_yy, hc.curve_m,
                                        hc.curve_mm)) {
          return absl::InternalError(
              absl::StrCat("horizon cells of journey ", j.spec->id, ": curve of ",
                           hc.curve_n.size(), " differences, expected ", j.grid.points + 1));
        }
      }
    }
    // The customers of each set of journeys, for the stage roll-ups' overlap.
    for (const AnalysedUnitSet& u : aggregates.units) overlap.AddUnitSet(u.journeys, u.units);
  }
  if (!in_database) HF_RETURN_IF_ERROR(source.ForEachEntry(query, [&](const AnalysisEntry& e) {
    if (last_journey == nullptr || e.journey != last_journey_id) {
      auto it = by_id.find(e.journey);
      if (it == by_id.end()) return;  // a source that ignores the journey filter
      last_journey = it->second;
      last_journey_id.assign(e.journey.data(), e.journey.size());
      last_segment = nullptr;
    }
    JourneyAcc& j = *last_journey;
    if (!e.version_known) ++j.unknown_version;
    if (e.group == EntryGroup::kGlobalHoldout) {
      ++j.global_excluded;
      return;
    }
    if (!PeriodSelected(e.period, options)) return;
    if (trends) trends->Add(j.index, e);
    if (last_segment == nullptr || e.segment != last_segment_value) {
      last_segment = &j.Segment(e.segment);
      last_segment_value.assign(e.segment.data(), e.segment.size());
    }
    Cell* cell;
    if (e.group == EntryGroup::kHoldout) {
      cell = &last_segment->holdout;
    } else {
      const int arm = j.ArmIndex(e.arm);
      cell = &last_segment->arms[arm];
    }
    if (e.in_washout) {
      ++cell->washout;
      return;
    }
    const std::vector<int64_t>& horizons = j.spec->horizons_us;
    cell->SizeHorizons(horizons.size(), j.grid);
    if (!e.mature) {
      ++cell->immature;
      for (Cell::Horizon& h : cell->horizons) ++h.immature;
      return;
    }
    if (!horizons.empty()) {
      // Horizons ascending, events sorted: one pass over the events.
      HorizonSums sums;
      size_t next_event = 0;
      for (size_t k = 0; k < horizons.size(); ++k) {
        const int64_t h = horizons[k];
        if (e.t0 > options.as_of - h) {
          ++cell->horizons[k].immature;
          continue;
        }
        while (next_event < e.horizon_events.size() &&
               e.horizon_events[next_event].offset_us < h) {
          const HorizonEvent& ev = e.horizon_events[next_event++];
          sums.y += ev.revenue;
          sums.m += ev.margin;
          sums.orders += ev.order ? 1 : 0;
        }
        cell->horizons[k].vars.Add(HorizonVariablesOf(sums, e.c));
        if (e.next_t0.has_value() && *e.next_t0 - e.t0 < h) ++cell->horizons[k].overlapping;
      }
      cell->curve.Add(e.horizon_events, e.t0, options.as_of);
    }
    cell->moments.Add(ValuesOf(e));
    cell->vars.Add(EntryVariablesOf(e));
    overlap.Add(static_cast<int>(j.index), e.unit);
    cell->sends += e.sends;
    cell->cut += e.window_cut ? 1 : 0;
    cell->in_refund_horizon += e.in_refund_horizon ? 1 : 0;
    cell->first_t0 = std::min(cell->first_t0, e.t0);
    cell->last_t0 = std::max(cell->last_t0, e.t0);
    ++cell->periods[{e.period, e.config_version}];
  }));

  for (const std::unique_ptr<JourneyAcc>& acc : accs) acc->SortUnconfiguredArms();

  LiftReportResult result;
  result.analysed_in_database = in_database;
  result.config_version = config.version;
  result.confidence = options.confidence;
  result.as_of = options.as_of;
  HF_ASSIGN_OR_RETURN(
      result.orphan_refunds,
      source.OrphanRefunds({options.range.from, std::min(options.range.to, options.as_of)}));
  if (result.orphan_refunds > 0) {
    result.warnings.push_back(ReportWarning{
        WarningKind::kOrphanRefunds, Severity::kInfo, "", "", "",
        absl::StrFormat("%d refunds in the range name no stored order (no CONVERSION or ORDER "
                        "of the same unit with that outcome_id); they are counted here and "
                        "subtracted from no entry",
                        result.orphan_refunds)});
  }

  if (options.catalog != nullptr) AddMixedServingWarnings(*options.catalog, options, &result);

  // The everyone row of each journey, arms pooled, for the stage roll-ups.
  std::vector<std::pair<GroupMoments, GroupMoments>> pooled_everyone;
  pooled_everyone.reserve(accs.size());
  std::vector<StageJourneyInput> stage_inputs;
  std::vector<JourneyVolume> volumes;  // parallel to accs
  for (const std::unique_ptr<JourneyAcc>& acc_ptr : accs) {
    JourneyAcc& acc = *acc_ptr;
    const JourneySpec& spec = *acc.spec;
    result.global_holdout_entries_excluded += acc.global_excluded;
    result.unknown_version_entries += acc.unknown_version;
    const TimeRange range = EffectiveRange(spec, options);
    // Fixed costs over the mature part of the range: [from, min(to, as_of -
    // window)), with the serving config's window.
    TimeRange cost_range = range;
    cost_range.to = std::min(range.to, options.as_of - spec.attribution_window_us);
    HF_ASSIGN_OR_RETURN(const JourneyDiagnostics totals,
                        source.GetJourneyTotals(spec, range, cost_range, options.as_of));
    const double journey_fixed_cost = totals.fixed_cost;

    // Segments: everyone ("" key) first, then values by name.
    std::vector<std::pair<std::string, SegmentAcc>> segments;
    {
      SegmentAcc everyone;
      everyone.arms.resize(acc.arm_names.size());
      std::map<std::string, const SegmentAcc*> sorted;
      for (auto& [value, seg] : acc.segments) {
        seg.arms.resize(acc.arm_names.size());
        sorted[value] = &seg;
      }
      for (const auto& [value, seg] : sorted) {
        for (size_t a = 0; a < seg->arms.size(); ++a) everyone.arms[a].Merge(seg->arms[a]);
        everyone.holdout.Merge(seg->holdout);
      }
      segments.emplace_back("", std::move(everyone));
      if (!options.segment_by.empty()) {
        for (const auto& [value, seg] : sorted) {
          segments.emplace_back(SegmentLabel(options.segment_by, value), *seg);
        }
      }
    }
    int64_t journey_treatment_entries = 0;
    for (const Cell& c : segments[0].second.arms) journey_treatment_entries += c.moments.count();

    // Journey-level warnings.
    {
      const SegmentAcc& everyone = segments[0].second;
      int64_t washout_t = 0;
      for (const Cell& c : everyone.arms) washout_t += c.washout;
      const int64_t washout_c = everyone.holdout.washout;
      Cell all;
      for (const Cell& c : everyone.arms) all.Merge(c);
      all.Merge(everyone.holdout);
      volumes.push_back({all.moments.count(), all.first_t0, all.last_t0,
                         spec.holdout.rotation.scheme == RotationScheme::kNone
                             ? 0
                             : spec.holdout.rotation.period_us});
      result.immature_entries_excluded += all.immature;
      result.cut_windows += all.cut;
      result.entries_inside_refund_horizon += all.in_refund_horizon;
      const std::string as_of_text = FormatTime(options.as_of);
      if (all.immature > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kImmatureExcluded, Severity::kInfo, spec.id, "", "",
            absl::StrFormat("%d entries (%d holdout) whose attribution window had not ended at "
                            "as_of %s were excluded, not half-measured; they count once mature",
                            all.immature, everyone.holdout.immature, as_of_text)});
      }
      if (all.in_refund_horizon > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kRefundHorizonOpen, Severity::kInfo, spec.id, "", "",
            absl::StrFormat("%d of %d analysed entries are still inside their refund horizon at "
                            "as_of %s: refunds of their orders may still arrive and lower revenue",
                            all.in_refund_horizon, all.moments.count(), as_of_text)});
      }
      if (all.cut > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kWindowsCut, Severity::kInfo, spec.id, "", "",
            absl::StrFormat("%d analysed entries had their window cut by the same customer's "
                            "next entry into the journey, so no outcome counts for two entries",
                            all.cut)});
      }
      if (acc.unknown_version > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kUnknownConfigVersion, Severity::kCaution, spec.id, "", "",
            absl::StrFormat("%d entries were assigned under config versions the store holds no "
                            "config for (loaded before it kept them); they were analysed with "
                            "the serving config's windows (%s)",
                            acc.unknown_version, config.version)});
      }
      if (washout_t + washout_c > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kWashoutExcluded, Severity::kInfo, spec.id, "", "",
            absl::StrFormat("%d entries in the washout at the start of a rotation period were "
                            "excluded (%d treatment, %d holdout): units that just changed group "
                            "still carry the other group's effect",
                            washout_t + washout_c, washout_t, washout_c)});
      }
      int64_t in_window_sends = everyone.holdout.sends;
      double in_window_cost = everyone.holdout.SendCost();
      if (totals.contaminated_sends > 0 || in_window_sends > 0) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kContamination, Severity::kCritical, spec.id, "", "",
            absl::StrFormat(
                "holdout contamination: the store saw %d sends costing %.4g reach %d held-out "
                "entries in the range, and %d sends costing %.4g fall inside holdout entries' "
                "attribution windows; the holdout was partly treated, so the lift is biased "
                "toward 0. Fix the journey engine's suppression before trusting this journey",
                totals.contaminated_sends, totals.contaminated_cost, totals.contaminated_entries,
                in_window_sends, in_window_cost)});
      }
    }

    // Horizons: the journey's fixed cost over the part of the range mature at
    // each, and its treatment entries measured there (to pro-rate F).
    const std::vector<int64_t>& horizons = spec.horizons_us;
    std::vector<double> horizon_fixed(horizons.size(), 0.0);
    std::vector<int64_t> horizon_treatment(horizons.size(), 0);
    {
      const SegmentAcc& everyone = segments[0].second;
      Cell all;
      for (const Cell& c : everyone.arms) all.Merge(c);
      for (const Cell& c : everyone.arms) {
        for (size_t k = 0; k < c.horizons.size(); ++k) {
          horizon_treatment[k] += c.horizons[k].vars.count();
        }
      }
      all.Merge(everyone.holdout);
      std::string immature_text, overlap_text;
      for (size_t k = 0; k < horizons.size(); ++k) {
        TimeRange cr = range;
        cr.to = std::min(range.to, options.as_of - horizons[k]);
        if (cr.to > cr.from) {
          HF_ASSIGN_OR_RETURN(const JourneyDiagnostics d,
                              source.GetJourneyTotals(spec, range, cr, options.as_of));
          horizon_fixed[k] = d.fixed_cost;
        }
        if (k >= all.horizons.size()) continue;
        const Cell::Horizon& h = all.horizons[k];
        const std::string name = HorizonLabel(horizons[k]);
        if (h.immature > 0) {
          absl::StrAppend(&immature_text, immature_text.empty() ? "" : ", ",
                          absl::StrFormat("%d at %s (%d measured)", h.immature, name,
                                          h.vars.count()));
        }
        if (h.overlapping > 0) {
          absl::StrAppend(&overlap_text, overlap_text.empty() ? "" : ", ",
                          absl::StrFormat("%d of %d at %s", h.overlapping, h.vars.count(), name));
        }
      }
      if (!immature_text.empty()) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kHorizonImmature, Severity::kInfo, spec.id, "", "",
            absl::StrCat("entries not yet mature at a horizon (t0 + horizon after as_of ",
                         FormatTime(options.as_of), ") were counted and left out of it: ",
                         immature_text,
                         "; each horizon is measured on its own mature entries, so horizons "
                         "compare different cohorts")});
      }
      if (!overlap_text.empty()) {
        result.warnings.push_back(ReportWarning{
            WarningKind::kHorizonOverlap, Severity::kInfo, spec.id, "", "",
            absl::StrCat("entries whose horizon overlaps the same customer's next entry into "
                         "the journey: ",
                         overlap_text,
                         "; horizons are not cut, so their later outcomes count for both "
                         "entries and the horizon measures one period's assignment diluted by "
                         "the next (docs/report.md, \"Horizons\")")});
      }
    }

    const bool pooled_only = acc.arm_names.size() <= 1;
    const size_t journey_first_row = result.rows.size();
    for (const auto& [label, seg] : segments) {
      // Arms-within-treatment SRM for this segment.
      double srm_arms = stats::kNaN;
      const bool extra_arms_seen = [&] {
        for (size_t a = acc.configured_arms; a < seg.arms.size(); ++a) {
          if (seg.arms[a].moments.count() > 0) return true;
        }
        return false;
      }();
      if (acc.configured_arms >= 2 && !extra_arms_seen) {
        // One stratum per config version the entries were assigned under,
        // with that version's arm weights (a version lacking one of today's
        // arms is left out of the test).
        std::map<std::string, std::vector<int64_t>> by_version;  // sorted: deterministic
        std::vector<int64_t> counts(acc.configured_arms, 0);
        for (size_t a = 0; a < acc.configured_arms; ++a) {
          counts[a] = seg.arms[a].moments.count();
          for (const auto& [key, n] : seg.arms[a].periods) {
            std::vector<int64_t>& v = by_version[key.second];
            v.resize(acc.configured_arms, 0);
            v[a] += n;
          }
        }
        std::vector<stats::SrmStratum> strata;
        for (const auto& [version, observed] : by_version) {
          const AssignmentConfig* cfg = catalog->Find(version);
          const JourneySpec* vs = cfg != nullptr ? cfg->FindJourney(spec.id) : nullptr;
          if (vs == nullptr) vs = &spec;
          std::vector<double> weights;
          for (size_t a = 0; a < acc.configured_arms; ++a) weights.push_back(ArmWeight(*vs, acc.arm_names[a]));
          if (std::all_of(weights.begin(), weights.end(), [](double w) { return w > 0.0; })) {
            strata.push_back({observed, std::move(weights)});
          }
        }
        std::vector<double> expected;
        absl::StatusOr<stats::SrmResult> srm =
            strata.empty() ? absl::StatusOr<stats::SrmResult>(absl::FailedPreconditionError("no stratum"))
                           : stats::StratifiedSrmTest(strata, &expected);
        if (srm.ok()) {
          srm_arms = srm->p_value;
          if (srm->flagged) {
            std::string detail;
            for (size_t a = 0; a < counts.size(); ++a) {
              absl::StrAppend(&detail, a ? ", " : "", acc.arm_names[a], " ", counts[a],
                              absl::StrFormat(" (expected %.1f)", expected[a]));
            }
            result.warnings.push_back(ReportWarning{
                WarningKind::kSampleRatioMismatch, Severity::kCritical, spec.id, "", label,
                absl::StrFormat("sample ratio mismatch between arms: %s; chi-squared %.2f, p = "
                                "%.3g < 0.001; arm assignment or logging is broken, do not "
                                "compare these arms",
                                detail, srm->chi_square, srm->p_value)});
          }
        }
      }

      Cell pooled;
      for (const Cell& c : seg.arms) pooled.Merge(c);
      const int n_arm_rows = pooled_only ? 0 : static_cast<int>(seg.arms.size());
      for (int a = -1; a < n_arm_rows; ++a) {
        if (a >= 0 && seg.arms[a].moments.count() == 0 && seg.arms[a].washout == 0 &&
            static_cast<size_t>(a) >= acc.configured_arms) {
          continue;  // an unconfigured arm not present in this segment
        }
        const Cell& t = a < 0 ? pooled : seg.arms[a];
        LiftRowResult row;
        row.journey = spec.id;
        row.arm = a < 0 ? kPooledArm : acc.arm_names[a];
        row.segment = label;
        row.stage = spec.stage;
        if (label.empty() && a < 0) {
          row.fixed_cost = journey_fixed_cost;
          pooled_everyone.emplace_back(t.moments, seg.holdout.moments);
          stage_inputs.push_back({spec.id, spec.stage, static_cast<int>(acc.index), nullptr,
                                  nullptr, journey_fixed_cost});
        } else if (journey_treatment_entries > 0) {
          row.fixed_cost = journey_fixed_cost * static_cast<double>(t.moments.count()) /
                           static_cast<double>(journey_treatment_entries);
        }
        stats::LiftOptions lo;
        lo.confidence = options.confidence;
        lo.sequential = options.sequential;
        lo.sequential_tuning_entries = options.sequential_tuning_entries;
        HF_ASSIGN_OR_RETURN(row.lift,
                            stats::ComputeLift(t.moments, seg.holdout.moments, row.fixed_cost, lo));
        {
          const RowSrm srm = RampAwareSrm(*catalog, spec, a < 0 ? std::string() : acc.arm_names[a], t, seg.holdout);
          row.lift.srm = srm.test;
          row.lift.warnings.srm = srm.test.has_value() && srm.test->flagged;
          row.srm_expected_treatment_share = srm.expected_treatment_share;
        }
        row.treatment_sends = t.sends;
        row.holdout_sends = seg.holdout.sends;
        row.holdout_send_cost = seg.holdout.SendCost();
        row.washout_excluded = t.washout + seg.holdout.washout;
        row.immature_excluded = t.immature + seg.holdout.immature;
        row.cut_windows = t.cut + seg.holdout.cut;
        row.inside_refund_horizon = t.in_refund_horizon + seg.holdout.in_refund_horizon;
        row.srm_arms_p_value = srm_arms;
        row.primary = PrimaryVariant(row.lift);
        row.metrics = ComputeLiftMetrics(MetricInputs{
            t.vars, seg.holdout.vars, row.lift, row.primary == IntervalVariant::kSkewCorrected,
            row.fixed_cost, options.confidence, spec});
        const HorizonMoments no_entries;
        for (size_t k = 0; k < horizons.size(); ++k) {
          HorizonRowResult hr;
          hr.horizon_us = horizons[k];
          const Cell::Horizon* th = k < t.horizons.size() ? &t.horizons[k] : nullptr;
          const Cell::Horizon* ch =
              k < seg.holdout.horizons.size() ? &seg.holdout.horizons[k] : nullptr;
          const HorizonMoments& tv = th != nullptr ? th->vars : no_entries;
          const HorizonMoments& cv = ch != nullptr ? ch->vars : no_entries;
          hr.treatment_entries = tv.count();
          hr.holdout_entries = cv.count();
          hr.immature_excluded = (th ? th->immature : 0) + (ch ? ch->immature : 0);
          hr.overlapping_next_entry = (th ? th->overlapping : 0) + (ch ? ch->overlapping : 0);
          if (label.empty() && a < 0) {
            hr.fixed_cost = horizon_fixed[k];
          } else if (horizon_treatment[k] > 0) {
            hr.fixed_cost = horizon_fixed[k] * static_cast<double>(tv.count()) /
                            static_cast<double>(horizon_treatment[k]);
          }
          hr.metrics = ComputeHorizonMetrics(
              HorizonMetricInputs{tv, cv, hr.fixed_cost, options.confidence});
          row.horizons.push_back(std::move(hr));
        }
        if (!horizons.empty()) {
          row.cumulative = CumulativeCurve(t.curve, seg.holdout.curve, options.confidence);
        }
        AddRowWarnings(row, spec, lo, options.confidence, result.warnings);
        if (label.empty()) AddGuardrailWarnings(row, options.confidence, result.warnings);
        result.rows.push_back(std::move(row));
      }
      AddArmComparisons(acc, spec, label, seg, srm_arms, options.confidence,
                        result.arm_comparisons);
    }
    AddHeavyTailWarning(result.rows, journey_first_row, options.confidence, result.warnings);
    if (options.channels) {
      // Channels and K by component: one store query per journey, over the
      // same analysed entries and the same cost range as F.
      ChannelQuery cq;
      cq.journey = query.journeys[acc.index];
      cq.journey.max_horizon_us = 0;
      cq.from = options.range.from;
      cq.to = options.range.to;
      cq.as_of = options.as_of;
      if (options.first_period) cq.first_period = *options.first_period;
      if (options.last_period) cq.last_period = *options.last_period;
      cq.cost_from = cost_range.from;
      cq.cost_to = cost_range.to;
      HF_ASSIGN_OR_RETURN(const JourneyChannels channel_data, source.GetJourneyChannels(cq));
      const LiftRowResult& everyone_row = result.rows[journey_first_row];
      JourneyChannelsInput ci;
      ci.spec = &spec;
      ci.arm_names = acc.arm_names;
      ci.configured_arms = acc.configured_arms;
      ci.lift = &everyone_row.lift;
      ci.skew_corrected_primary = everyone_row.primary == IntervalVariant::kSkewCorrected;
      Cell pooled_t;
      for (const Cell& c : segments[0].second.arms) pooled_t.Merge(c);
      const EntryMoments& tv = pooled_t.vars;
      const EntryMoments& hv = segments[0].second.holdout.vars;
      ci.incentives = tv.Mean(kVarIncentive) * static_cast<double>(tv.count());
      ci.incremental_incentives =
          static_cast<double>(tv.count()) * (tv.Mean(kVarIncentive) - hv.Mean(kVarIncentive));
      for (const ArmComparisonResult& c : result.arm_comparisons) {
        if (c.journey != spec.id || !c.segment.empty()) continue;
        for (const MetricResult& m : c.metrics) {
          if (m.id == "incremental_revenue_return") ci.arm_pairs.push_back({c.arm_a, c.arm_b, m.effect});
        }
      }
      result.channels.push_back(BuildJourneyChannels(ci, channel_data));
    }
    if (trends) {
      stats::LiftOptions lo;
      lo.confidence = options.confidence;
      HF_ASSIGN_OR_RETURN(TrendSeriesResult series,
                          BuildTrendSeries(spec, options.trend_by, trends->Buckets(acc.index),
                                           range, options.as_of, lo, source));
      AddTrendWarning(series, options.trend_by, result.warnings);
      result.trends.push_back(std::move(series));
    }
  }
  for (size_t i = 0; i < stage_inputs.size(); ++i) {
    stage_inputs[i].treatment = &pooled_everyone[i].first;
    stage_inputs[i].holdout = &pooled_everyone[i].second;
  }
  result.trend_by = options.trend_by;
  result.stages = BuildStageRollups(stage_inputs, overlap, options.confidence);
  result.programme = RollUp(kProgrammeStage, stage_inputs, overlap, options.confidence);
  for (const StageRollupResult& r : result.stages) AddStageWarning(r, result.warnings);
  AddStageWarning(result.programme, result.warnings);

  HF_RETURN_IF_ERROR(AdjustFamilies(result));
  SortWarnings(result.warnings);
  for (size_t j = 0; j < accs.size(); ++j) {
    result.decisions.push_back(Decide(result, accs[j]->spec->id, volumes[j], options.confidence));
  }
  return result;
}

}  // namespace holdfast::report
