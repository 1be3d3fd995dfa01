// The decision a journey's report leads with (docs/report.md, "Decision
// summary"): one verdict per journey in plain words, computed once here so
// the table, the HTML page and every JSON / HTTP client read the same one.
//
// The verdict reads the headline comparison: the pooled-arm ("*") everyone
// row, its primary iROAS interval (lift_report.h, PrimaryVariant) against
// break-even 1:
//   UNTRUSTED        a CRITICAL warning other than a guardrail breach on the
//                    journey's everyone rows (SRM, contamination): the
//                    comparison itself is broken, no verdict is given
//                    (the sentence still quotes what was measured, marked
//                    as no verdict);
//   HARMS_GUARDRAIL  a guardrail verdict HARM on an everyone row (any arm);
//                    the money verdict is still stated beside it;
//   PAYS             the iROAS interval lies entirely above 1;
//   LOSES_MONEY      entirely below 1;
//   INCONCLUSIVE     it contains 1;
//   NOT_EVALUATED    iROAS undefined (no cost, too few entries).
// For an inconclusive money verdict, "entries needed to decide" is the total
// number of entries at which the iROAS interval would exclude 1 with 80 %
// probability if the observed iROAS were the truth, the split and per-entry
// variances staying as observed (stats::TotalEntriesToReject with the
// delta-method standard error), and "periods at current volume" divides the
// entries still missing by the analysed entries per rotation period (per
// week for a journey without rotation) seen in the report (docs/statistics.md
// section 9, "Entries needed to decide").
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_REPORT_DECISION_H_
#define HOLDFAST_LIB_REPORT_DECISION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/clock.h"
#include "lib/base/time_util.h"
#include "lib/report/lift_metrics.h"
#include "lib/report/report_warning.h"
#include "lib/stats/estimators.h"
#include "lib/stats/lift.h"

namespace holdfast::report {

// Values mirror holdfast.v1.DecisionVerdict.
enum class Verdict : int {
  kPays = 1,
  kLosesMoney = 2,
  kInconclusive = 3,
  kHarmsGuardrail = 4,
  kUntrusted = 5,
  kNotEvaluated = 6,
};

// How many analysed entries a journey collects per unit of time, from the
// entries of the report itself.
struct JourneyVolume {
  // Analysed entries (treatment + holdout) of the everyone rows.
  int64_t analysed_entries = 0;
  // Earliest and latest t0 among them (first > last when there are none).
  UnixMicros first_t0 = kMaxTimeMicros;
  UnixMicros last_t0 = kMinTimeMicros;
  // The journey's rotation period; 0 for a journey without rotation (the
  // decision then counts weeks).
  int64_t rotation_period_us = 0;
};

// A guardrail metric whose verdict is HARM on one everyone row.
struct GuardrailHarm {
  std::string arm;           // the row's arm ("*" pooled)
  std::string metric_id;     // "unsubscribe_rate"
  std::string metric_label;  // "Unsubscribe rate"
  double increase = stats::kNaN;      // the effect, a share of entries
  double max_increase = stats::kNaN;  // the tolerated increase
};

struct DecisionInput {
  std::string journey;
  // The pooled everyone row's estimates; nullptr when the journey has none.
  const stats::LiftResult* lift = nullptr;
  // Whether that row's primary intervals are Hall's (LiftRowResult.primary).
  bool skew_corrected_primary = false;
  // Every warning whose journey is this one.
  std::vector<ReportWarning> warnings;
  // HARM verdicts on the journey's everyone rows.
  std::vector<GuardrailHarm> harms;
  JourneyVolume volume;
  // Of the report's intervals, in (0, 1); power of "entries needed", in
  // (1 - confidence, 1).
  double confidence = 0.95;
  double power = 0.80;
};

struct JourneyDecision {
  std::string journey;
  Verdict verdict = Verdict::kNotEvaluated;
  // The verdict on the iROAS interval alone (kPays, kLosesMoney,
  // kInconclusive, kNotEvaluated), given also when `verdict` is a guardrail
  // harm or untrusted; and the same on margin iROAS.
  Verdict money_verdict = Verdict::kNotEvaluated;
  Verdict margin_verdict = Verdict::kNotEvaluated;
  // One or three sentences for the analyst, starting with the journey id.
  std::string sentence;
  // The primary iROAS and margin iROAS of the pooled everyone row.
  stats::Estimate iroas;
  stats::Estimate margin_iroas;
  bool skew_corrected_primary = false;
  // p-value of iROAS = 1 from the Welch test of revenue minus cost.
  double breakeven_p_value = stats::kNaN;
  // Analysed entries of the pooled everyone row (treatment + holdout).
  int64_t entries = 0;
  // m * se(iROAS), m = 2.8016 at 95 % / 80 %: the smallest distance of the
  // true iROAS from any reference (e.g. 1) the report detects with 80 %
  // probability at its current size; NaN when iROAS is undefined.
  double iroas_mde = stats::kNaN;
  // Total entries (treatment + holdout, the observed split) at which the
  // interval excludes 1 with probability `power` if the observed iROAS is
  // the truth; NaN when not applicable (decided, untrusted, undefined),
  // +inf when the estimate is exactly 1.
  double entries_needed = stats::kNaN;
  // max(0, ceil(entries_needed) - entries): 0 when decided, NaN when not
  // applicable, +inf with entries_needed.
  double additional_entries_needed = stats::kNaN;
  // Analysed entries per period at the report's volume:
  // (entries - 1) * period / (last t0 - first t0); NaN with fewer than two
  // entries or a zero span.
  double entries_per_period = stats::kNaN;
  // "rotation period" or "week", and its length.
  std::string period_unit;
  int64_t period_us = 0;
  // ceil(additional_entries_needed / entries_per_period); NaN when either is.
  double periods_needed = stats::kNaN;
  // Kinds of the CRITICAL warnings that make the comparison untrusted.
  std::vector<WarningKind> blocking_kinds;
  // The guardrail breaches (from the input).
  std::vector<GuardrailHarm> harms;
  // CAUTION warnings of the journey (read them before deciding).
  int64_t caution_warnings = 0;
};

// The decision for one journey (rules in the file comment).
JourneyDecision DecideJourney(const DecisionInput& in);

// "pays", "loses money", "harms a guardrail", "cannot be trusted",
// "inconclusive", "not evaluated".
const char* VerdictPhrase(Verdict v);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_DECISION_H_
