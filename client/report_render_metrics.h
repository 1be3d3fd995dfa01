// The generic metrics table shared by the text and HTML renderers, and the
// CSV columns of every metric: all of them iterate the report's own
// metric_definitions (LiftReport field 31), so a metric declared in
// lib/report/lift_metrics.cc appears in every format without touching this.
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_METRICS_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_METRICS_H_

#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// The row's result for metric `id` (LiftReport.metric_definitions), or
// nullptr when the report does not declare it.
const holdfast::v1::MetricResult* FindMetric(const holdfast::v1::LiftReport& r,
                                             const holdfast::v1::LiftRow& row, const std::string& id);
// The effect of metric `id` on the row with its interval in the metric's
// format; "n/a" when undeclared or undefined.
std::string MetricEffectById(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                             const std::string& id);

// A group value in the metric's unit ("3.2%", "41.50", "2.13").
std::string MetricValue(const holdfast::v1::MetricDefinition& d, double v);
// The effect with its interval: percentage points for PROPORTION, "n/a
// (reason)" when undefined.
std::string MetricEffect(const holdfast::v1::MetricDefinition& d,
                         const holdfast::v1::MetricResult& m);
// "HARM", "CAUTION", "pass", "n/a" for a guardrail metric; the flags
// otherwise ("" when none).
std::string MetricNote(const holdfast::v1::MetricResult& m);
// True when the guardrail verdict is HARM.
bool GuardrailHarm(const holdfast::v1::MetricResult& m);

// Long table: one line per (row, metric) — row, metric label, treatment,
// holdout, effect [interval], p, note.
std::vector<std::string> MetricTableHeader();
std::vector<std::vector<std::string>> MetricTableRows(const holdfast::v1::LiftReport& r);

// Arm vs arm: one line per (comparison, metric) — "journey: b vs a"
// (segment appended), metric label, arm b, arm a, effect b - a [interval],
// p, note (Holm p of the family metric).
std::vector<std::string> ArmPairTableHeader();
std::vector<std::vector<std::string>> ArmPairTableRows(const holdfast::v1::LiftReport& r);
// "journey: b vs a" or "journey / segment: b vs a".
std::string ArmPairLabel(const holdfast::v1::ArmComparison& c);

// CSV: per metric m_<id>_{treatment,holdout,effect,lower,upper,p,status}.
void AppendMetricCsvHeader(const holdfast::v1::LiftReport& r, std::vector<std::string>& h);
void AppendMetricCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                          std::vector<std::string>& cells);
// Arm comparisons in the same CSV: columns ap_<id>_{b,a,effect,lower,upper,
// p,status} after the m_ ones, plus ap_p_holm and ap_p_bh; a comparison's
// line has journey, arm "b vs a", segment, then only its ap_ cells (a lift
// row's ap_ cells are empty). `width` is the number of columns before ap_.
void AppendArmPairCsvHeader(const holdfast::v1::LiftReport& r, std::vector<std::string>& h);
void ArmPairCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::ArmComparison& c,
                     size_t width, std::vector<std::string>& cells);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_METRICS_H_
