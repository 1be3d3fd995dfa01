// The journey lift / iROAS report: streams analysis entries once, keeps one
// GroupMoments per (journey, segment, group, arm), and turns them into rows
// with lib/stats. Every row compares treatment (one arm, or all arms pooled
// as arm "*") with the journey holdout over the same entries' range.
//
// What is excluded, and counted:
//   - global-holdout entries (they belong to the program report);
//   - washout entries (both groups), per row and in a WASHOUT_EXCLUDED warning;
//   - immature entries (full window not ended at as_of), per row and in an
//     IMMATURE_EXCLUDED warning;
//   - entries outside [first_period, last_period] when a period range is set.
// Each entry is analysed with the windows of the config version it was
// assigned under (options.catalog); the store applies the per-entry rules.
// Fixed cost F of a journey over the range is pro-rated to a row by the row's
// share of the journey's analysed treatment entries (the pooled row of
// everyone gets F exactly). Holm and Benjamini-Hochberg adjust p-values
// within declared families (MultiplicityFamily). Journeys with several arms
// also get every pair of arms compared directly (ArmComparisonResult).
//
// Example:
//   LiftReportOptions options;
//   options.segment_by = "country";
//   absl::StatusOr<LiftReportResult> r = BuildLiftReport(*config, source, options);
//
// Thread-safety: BuildLiftReport is reentrant; the source must allow
// concurrent reads if called concurrently.
#ifndef HOLDFAST_LIB_REPORT_LIFT_REPORT_H_
#define HOLDFAST_LIB_REPORT_LIFT_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/assign/assignment_config.h"
#include "lib/catalog/config_catalog.h"
#include "lib/report/analysis_source.h"
#include "lib/report/channels.h"
#include "lib/report/cumulative.h"
#include "lib/report/decision.h"
#include "lib/report/lift_metrics.h"
#include "lib/report/report_warning.h"
#include "lib/report/stage_rollup.h"
#include "lib/report/trends.h"
#include "lib/stats/lift.h"

namespace holdfast::report {

// The pooled-arm name.
inline constexpr char kPooledArm[] = "*";

struct LiftReportOptions {
  // Journeys to report; empty = every configured journey. Unknown = NOT_FOUND.
  std::vector<std::string> journeys;
  // Entries with t0 in range. Default: everything.
  TimeRange range;
  // Journey period bounds (inclusive), each optional.
  std::optional<int64_t> first_period;
  std::optional<int64_t> last_period;
  // Entry attribute to break rows down by; "" = no segment rows.
  std::string segment_by;
  // Confidence of every interval, in (0, 1). Default 0.95.
  double confidence = 0.95;
  // Compute always-valid intervals. Default false.
  bool sequential = false;
  // Tuning size of the always-valid interval (> 0). Default 5,000.
  double sequential_tuning_entries = 5000.0;
  // Only events before as_of count; an entry is analysed only when
  // t0 + its full window <= as_of (docs/storage.md). The server passes the
  // request time by default; the library default counts everything.
  UnixMicros as_of = kMaxTimeMicros;
  // Compiled config of each version entries may carry; nullptr = only
  // `config`. Entries of versions it lacks use `config` and are counted.
  const ConfigCatalog* catalog = nullptr;
  // Polled while scanning; true stops the report with CANCELLED. Default: never.
  CancelCheck cancelled;
  // Split each journey's everyone row into trend buckets (trends.h).
  // Default: no trends.
  TrendBy trend_by = TrendBy::kNone;
  // Per-journey channels and cost components (channels.h; one more store
  // query per journey, about 1.3x the rest of the report). Default false:
  // asked for with LiftReportRequest.channels / holdfast report --channels.
  bool channels = false;
};

// Which interval the tables and the forest plot show as primary for the
// revenue lift D, the incremental revenue n_T D, iROAS and margin iROAS
// (docs/statistics.md section 11, "Primary intervals"). The relative lift
// always shows its delta interval; conversion its normal interval.
enum class IntervalVariant : int {
  kPlain = 1,          // Welch for D, delta method for iROAS
  kSkewCorrected = 2,  // Hall's skewness-corrected intervals
};

// The rule: Hall's interval whenever it is defined (in every row of the
// coverage table it covers at least as often as the plain one, with misses
// closer to balanced; with no skew it is the plain interval).
IntervalVariant PrimaryVariant(const stats::LiftResult& lift);

// One horizon of a row (docs/report.md, "Horizons").
struct HorizonRowResult {
  int64_t horizon_us = 0;
  // Entries measured at the horizon: analysed entries (mature at the window,
  // not in washout) with t0 + h <= as_of.
  int64_t treatment_entries = 0;
  int64_t holdout_entries = 0;
  // Entries of the row (treatment + holdout, not washout) not mature at h.
  int64_t immature_excluded = 0;
  // Measured entries whose horizon overlaps the unit's next entry into the
  // journey (next t0 < t0 + h): its outcomes count for both entries.
  int64_t overlapping_next_entry = 0;
  // The journey's fixed cost over [from, min(to, as_of - h)), pro-rated to
  // the row by its share of the journey's treatment entries measured at h.
  double fixed_cost = 0.0;
  // One per HorizonMetricDefinitions() entry, in that order.
  std::vector<MetricResult> metrics;
};

struct LiftRowResult {
  std::string journey;
  std::string arm;      // arm name or kPooledArm
  std::string segment;  // "key=value" or ""
  // The journey's lifecycle stage (JourneySpec::stage; "" = none).
  std::string stage;
  stats::LiftResult lift;
  // The variant shown as primary (PrimaryVariant).
  IntervalVariant primary = IntervalVariant::kPlain;
  // F pro-rated to this row (see file comment).
  double fixed_cost = 0.0;
  int64_t treatment_sends = 0;
  // Sends to this row's holdout entries within their windows (contamination).
  int64_t holdout_sends = 0;
  double holdout_send_cost = 0.0;
  // Washout entries of this row's treatment (arm or all arms) + holdout.
  int64_t washout_excluded = 0;
  // Entries of this row's treatment + holdout not mature at as_of (excluded;
  // an entry both in washout and immature counts as washout).
  int64_t immature_excluded = 0;
  // Analysed entries of the row whose window was cut by a re-entry, and
  // those still inside their refund horizon.
  int64_t cut_windows = 0;
  int64_t inside_refund_horizon = 0;
  // Share of treatment (or the arm) the ramp-aware SRM expected over the
  // analysed entries: sum_k n_k s_k / sum_k n_k with the share s_k in force
  // in period k (lift.srm holds the test); NaN when not tested.
  double srm_expected_treatment_share = stats::kNaN;
  // SRM of the arms against their weights inside treatment (journey x
  // segment); NaN with one arm.
  double srm_arms_p_value = stats::kNaN;
  // Revenue-lift p-value adjusted in the row's family (see
  // MultiplicityFamily): Holm and Benjamini-Hochberg; NaN when the row's
  // test is undefined.
  double p_value_holm = stats::kNaN;
  double p_value_bh = stats::kNaN;
  // Break-even (iROAS = 1) p-value adjusted in its own family.
  double breakeven_p_value_holm = stats::kNaN;
  double breakeven_p_value_bh = stats::kNaN;
  // One result per LiftMetricDefinitions() entry, in that order.
  std::vector<MetricResult> metrics;
  // One per horizon of the journey (JourneySpec::horizons_us), ascending.
  std::vector<HorizonRowResult> horizons;
  // The cumulative incremental value curve up to the longest horizon
  // (cumulative.h); empty when the journey declares no horizons.
  std::vector<CumulativePoint> cumulative;
};

// A declared multiple-testing family: the tests whose p-values are adjusted
// together (docs/report.md, "Multiple testing"). Four families per report:
//   kFamilyRows             revenue-lift test of every everyone row
//                           (journey x arm, pooled arm "*" included);
//   kFamilySegments         revenue-lift test of every segment row;
//   kFamilyBreakEven        break-even test of every everyone row;
//   kFamilySegmentBreakEven break-even test of every segment row.
// So asking for --segment-by never changes an everyone row's adjusted
// p-values, and break-even decisions carry their own correction.
inline constexpr char kFamilyRows[] = "revenue_lift";
inline constexpr char kFamilySegments[] = "segment_revenue_lift";
inline constexpr char kFamilyBreakEven[] = "iroas_breakeven";
inline constexpr char kFamilySegmentBreakEven[] = "segment_iroas_breakeven";
// The margin-return test (Δmargin = 0) of every arm pair of the everyone
// rows, and of the segment rows.
inline constexpr char kFamilyArmPairs[] = "arm_pairs";
inline constexpr char kFamilySegmentArmPairs[] = "segment_arm_pairs";

// Two arms of one journey (and segment) compared directly (docs/report.md,
// "Arm vs arm"): arm_b is the costlier per entry (ties: the later arm in
// config order), so the differences are "what the change adds".
struct ArmComparisonResult {
  std::string journey;
  std::string segment;
  std::string arm_a;
  std::string arm_b;
  int64_t entries_a = 0;
  int64_t entries_b = 0;
  // One per ArmPairMetricDefinitions() entry; treatment = b, holdout = a.
  std::vector<MetricResult> metrics;
  // The journey x segment arms SRM (as on the rows).
  double srm_arms_p_value = stats::kNaN;
  // The incremental_margin_return p-value adjusted in its family.
  double p_value_holm = stats::kNaN;
  double p_value_bh = stats::kNaN;
};

struct MultiplicityFamily {
  std::string name;
  // Number of defined p-values in the family (the m of Holm and BH).
  int64_t size = 0;
};

struct LiftReportResult {
  std::string config_version;
  double confidence = 0.95;
  // Order: journey (config order = by id), segment ("" first, then values by
  // name), arm (kPooledArm first, then config order; a single-arm journey has
  // only kPooledArm).
  std::vector<LiftRowResult> rows;
  // Most severe first (SortWarnings).
  std::vector<ReportWarning> warnings;
  int64_t global_holdout_entries_excluded = 0;
  int64_t orphan_refunds = 0;
  // The entries were summed into cells by the source (analysis in the
  // database) instead of streamed.
  bool analysed_in_database = false;
  UnixMicros as_of = kMaxTimeMicros;
  // Totals over the reported journeys' everyone rows (see LiftRowResult).
  int64_t immature_entries_excluded = 0;
  int64_t cut_windows = 0;
  int64_t entries_inside_refund_horizon = 0;
  // Entries (any group, before exclusions) whose config version the catalog
  // lacks.
  int64_t unknown_version_entries = 0;
  // Every pair of configured arms with entries, per journey x segment, in
  // row order (everyone first), pairs in config order.
  std::vector<ArmComparisonResult> arm_comparisons;
  // The six families, in the order above.
  std::vector<MultiplicityFamily> families;
  // One roll-up per lifecycle stage of the reported journeys, and one over
  // all of them (stage_rollup.h).
  std::vector<StageRollupResult> stages;
  StageRollupResult programme;
  // With options.trend_by: one series per reported journey, in row order.
  TrendBy trend_by = TrendBy::kNone;
  std::vector<TrendSeriesResult> trends;
  // One per reported journey, in row order: sends, cost and last-touch
  // attributed revenue per channel, and K by component (channels.h).
  std::vector<JourneyChannelsResult> channels;
  // One decision per reported journey, in row order (decision.h).
  std::vector<JourneyDecision> decisions;
};

// Builds the report. INVALID_ARGUMENT for a confidence outside (0, 1), an
// empty range, or first_period > last_period; NOT_FOUND for an unknown
// journey; source errors pass through.
[[nodiscard]] absl::StatusOr<LiftReportResult> BuildLiftReport(const AssignmentConfig& config,
                                                               AnalysisSource& source,
                                                               const LiftReportOptions& options);

// The segment label of a row: "key=value", "key=(none)" for entries without
// the attribute, "" when key is "".
std::string SegmentLabel(absl::string_view key, absl::string_view value);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_LIFT_REPORT_H_
