// The lift report's metrics, each declared once: id, label, kind, unit,
// direction, the doc anchor that gives its formula, and the function that
// computes it for one row from the row's per-entry co-moments (and, for the
// headline metrics with skew-corrected intervals, the row's LiftResult).
// Every output format (proto/JSON, table, CSV, HTML) iterates
// LiftMetricDefinitions(); adding a metric is one entry in lift_metrics.cc,
// its row in docs/statistics.md section 14 and its test.
//
// Example:
//   for (const MetricDefinition& d : LiftMetricDefinitions()) {
//     MetricResult r = d.compute(inputs);
//     printf("%s %g\n", d.id, r.effect.value);
//   }
//
// Thread-safety: the definitions are immutable; compute functions are pure.
#ifndef HOLDFAST_LIB_REPORT_LIFT_METRICS_H_
#define HOLDFAST_LIB_REPORT_LIFT_METRICS_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "lib/assign/assignment_config.h"
#include "lib/stats/co_moments.h"
#include "lib/stats/estimators.h"
#include "lib/stats/lift.h"
#include "lib/storage/analysis.h"

namespace holdfast::report {

// The per-entry variables the generic metrics read (AnalysisEntry fields).
enum EntryVariable : int {
  kVarRevenue = 0,    // y
  kVarMargin,         // m
  kVarConverted,      // x
  kVarCost,           // c (sends of this journey in the window)
  kVarOrders,         // orders
  kVarUnsubscribed,   // unsubscribed (0/1)
  kVarComplained,     // complained (0/1)
  kVarDelivered,      // 1 when sends > 0
  kVarSends,          // sends
  kVarIncentive,      // incentive (coupons, discounts granted on the orders)
  kNumEntryVariables,
};
using EntryMoments = stats::CoMoments<kNumEntryVariables>;
using EntryWeights = EntryMoments::Weights;

inline EntryMoments::Values EntryVariablesOf(const AnalysisEntry& e) {
  return {e.y,
          e.m,
          static_cast<double>(e.x),
          e.c,
          static_cast<double>(e.orders),
          static_cast<double>(e.unsubscribed),
          static_cast<double>(e.complained),
          e.sends > 0 ? 1.0 : 0.0,
          static_cast<double>(e.sends),
          e.incentive};
}

// How the estimate is formed (docs/statistics.md section 14).
enum class MetricKind : int {
  kDifferenceOfMeans = 1,   // mean_T - mean_C, Welch t
  kRatioOfMeans = 2,        // ratio of two means per group, compared T - C
  kRate = 3,                // share of entries, p_T - p_C, normal
  kRatioOfDifferences = 4,  // a difference over a difference (or a cost)
};

// What the per-group values and the effect are measured in.
enum class MetricUnit : int {
  kCurrency = 1,    // per entry or per order
  kProportion = 2,  // share of entries (rendered in % / pp)
  kCount = 3,       // events per entry
  kRatio = 4,       // currency returned per currency spent, or per delivery
};

// Guardrail verdict of a harm metric (docs/report.md, "Guardrails").
enum class GuardrailStatus : int {
  kNotEvaluated = 0,   // the increase has no estimate (e.g. no events at all)
  kPass = 1,           // an increase beyond the threshold is excluded
  kCannotExclude = 2,  // CAUTION: the one-sided upper bound is above it
  kHarm = 3,           // CRITICAL: significant increase, estimate above it
};

struct GuardrailResult {
  // The tolerated increase (config, or the default).
  double max_increase = stats::kNaN;
  GuardrailStatus status = GuardrailStatus::kNotEvaluated;
  // One-sided p-value of "no increase" (effect <= 0): the test of harm.
  double p_value_harm = stats::kNaN;
  // One-sided p-value of "increase >= max_increase" (non-inferiority).
  double p_value_within_threshold = stats::kNaN;
  // One-sided upper confidence bound of the increase at the report's
  // confidence.
  double upper_bound = stats::kNaN;
};

struct MetricResult {
  // The definition's id.
  std::string id;
  // Per-group value (a mean, share or ratio of means); NaN where the kind
  // has none (ratios of differences) or the group cannot give one.
  double treatment = stats::kNaN;
  double holdout = stats::kNaN;
  // The contrast with its interval and two-sided p-value; defined = false
  // with undefined_reason when there is none.
  stats::Estimate effect;
  std::string undefined_reason;
  // Short machine-readable notes: "skew_corrected" (Hall's interval shown),
  // "weak_denominator" (the denominator's contrast is not significant: the
  // delta interval is unreliable).
  std::vector<std::string> flags;
  std::optional<GuardrailResult> guardrail;
};

// What a row's metrics are computed from.
struct MetricInputs {
  const EntryMoments& treatment;
  const EntryMoments& holdout;
  // The headline estimators (lib/stats/lift.h) over the same entries.
  const stats::LiftResult& lift;
  // Show Hall's interval for the headline revenue metrics (PrimaryVariant).
  bool skew_corrected_primary = false;
  // F pro-rated to the row.
  double fixed_cost = 0.0;
  double confidence = 0.95;
  const JourneySpec& journey;
};

// The per-entry variables of a horizon h (docs/report.md, "Horizons"): the
// entry's HorizonSums over [t0, t0 + h) and its window cost.
enum HorizonVariable : int {
  kHorizonRevenue = 0,  // y over the horizon, refunds following their order
  kHorizonMargin,       // m, same
  kHorizonRetained,     // 1 when >= 1 CONVERSION/ORDER in the horizon
  kHorizonRepeat,       // 1 when >= 2
  kHorizonOrders,       // CONVERSION/ORDER outcomes in the horizon
  kHorizonCost,         // c: the entry's window send cost (what the journey spent on it)
  kNumHorizonVariables,
};
using HorizonMoments = stats::CoMoments<kNumHorizonVariables>;

inline HorizonMoments::Values HorizonVariablesOf(const HorizonSums& s, double window_cost) {
  return {s.y,
          s.m,
          s.orders >= 1 ? 1.0 : 0.0,
          s.orders >= 2 ? 1.0 : 0.0,
          static_cast<double>(s.orders),
          window_cost};
}

// What a row's metrics at one horizon are computed from.
struct HorizonMetricInputs {
  const HorizonMoments& treatment;
  const HorizonMoments& holdout;
  // F pro-rated to the row over the entries mature at the horizon.
  double fixed_cost = 0.0;
  double confidence = 0.95;
};

template <typename Inputs>
struct BasicMetricDefinition {
  // Stable id, snake_case (proto MetricResult.id, CSV column prefix).
  const char* id;
  // Short label for tables ("Unsubscribe rate").
  const char* label;
  MetricKind kind;
  MetricUnit unit;
  // True when an increase is good (revenue), false for harm (unsubscribes).
  bool higher_is_better;
  // Anchor in docs/statistics.md with the formula ("#141-rates").
  const char* doc_anchor;
  // One sentence for the analyst: what the per-group value and the effect are.
  const char* description;
  MetricResult (*compute)(const Inputs&);
};
using MetricDefinition = BasicMetricDefinition<MetricInputs>;
// Declared once per report and computed at each of a journey's horizons.
using HorizonMetricDefinition = BasicMetricDefinition<HorizonMetricInputs>;

// In report order: the headline revenue metrics first, then return, orders,
// guardrails, delivery.
absl::Span<const MetricDefinition> LiftMetricDefinitions();

// Every definition's result, in definition order.
std::vector<MetricResult> ComputeLiftMetrics(const MetricInputs& inputs);

// A definition by id, or nullptr.
const MetricDefinition* FindLiftMetric(absl::string_view id);

// Arm vs arm (docs/report.md, "Arm vs arm"): the same machinery with
// `treatment` = the costlier arm b (the change) and `holdout` = arm a (the
// baseline); `lift` is unused. The differences b - a, and the incremental
// return of the change, Δrevenue / Δcost and Δmargin / Δcost, where the
// cost of an arm is its sends plus the incentives it granted.
absl::Span<const MetricDefinition> ArmPairMetricDefinitions();
std::vector<MetricResult> ComputeArmPairMetrics(const MetricInputs& inputs);

// Horizon metrics (docs/report.md, "Horizons"): revenue, margin and orders
// per entry, retention and repeat-purchase rates, iROAS and margin iROAS at
// the horizon, each T vs holdout.
absl::Span<const HorizonMetricDefinition> HorizonMetricDefinitions();
std::vector<MetricResult> ComputeHorizonMetrics(const HorizonMetricInputs& inputs);

// The arm-pair metric whose p-value is adjusted in the arm-pair families.
inline constexpr char kArmPairFamilyMetric[] = "incremental_margin_return";

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_LIFT_METRICS_H_
