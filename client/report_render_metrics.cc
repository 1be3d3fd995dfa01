#include "client/report_render_metrics.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {
namespace {

using holdfast::v1::GuardrailVerdict;
using holdfast::v1::MetricDefinition;
using holdfast::v1::MetricResult;

// Events per entry: 3 decimals, as money per entry.
std::string PerEntryCount(double v) { return Fixed(v, 3); }
// Shares of entries with 2 decimals: guardrail rates live near 0.1 %.
std::string Share(double v) { return std::isfinite(v) ? Fixed(100.0 * v, 2) + "%" : Fixed(v, 2); }

// The one format of a metric's group values and of its effect, by unit
// (docs/cli.md, "Numbers in tables"): shares in % (2 decimals), their differences in
// percentage points, money per entry or order with 3 decimals, ratios 2.
using Format = std::string (*)(double);
Format ValueFormat(const MetricDefinition& d) {
  switch (d.unit()) {
    case holdfast::v1::PROPORTION: return Share;
    case holdfast::v1::CURRENCY: return PerEntry;
    case holdfast::v1::COUNT: return PerEntryCount;
    default: return Ratio;
  }
}
Format EffectFormat(const MetricDefinition& d) {
  return d.unit() == holdfast::v1::PROPORTION ? Points : ValueFormat(d);
}

const char* StatusName(GuardrailVerdict::Status s) {
  switch (s) {
    case GuardrailVerdict::HARM: return "HARM";
    case GuardrailVerdict::CANNOT_EXCLUDE: return "CAUTION";
    case GuardrailVerdict::PASS: return "pass";
    case GuardrailVerdict::NOT_EVALUATED: return "n/a";
    default: return "";
  }
}

}  // namespace

std::string MetricValue(const MetricDefinition& d, double v) { return ValueFormat(d)(v); }

const MetricResult* FindMetric(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                               const std::string& id) {
  for (int k = 0; k < r.metric_definitions_size() && k < row.metrics_size(); ++k) {
    if (r.metric_definitions(k).id() == id) return &row.metrics(k);
  }
  return nullptr;
}

std::string MetricEffectById(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                             const std::string& id) {
  for (int k = 0; k < r.metric_definitions_size() && k < row.metrics_size(); ++k) {
    if (r.metric_definitions(k).id() != id) continue;
    const MetricResult& m = row.metrics(k);
    return m.effect().defined() ? WithInterval(m.effect(), EffectFormat(r.metric_definitions(k))) : "n/a";
  }
  return "n/a";
}

std::string MetricEffect(const MetricDefinition& d, const MetricResult& m) {
  if (!m.effect().defined()) {
    return m.undefined_reason().empty() ? "n/a" : absl::StrCat("n/a (", m.undefined_reason(), ")");
  }
  return WithInterval(m.effect(), EffectFormat(d));
}

std::string MetricNote(const MetricResult& m) {
  if (m.has_guardrail()) {
    return absl::StrCat("guardrail ", StatusName(m.guardrail().status()), " (max +",
                        Points(m.guardrail().max_increase()), ")");
  }
  return absl::StrJoin(m.flags(), ", ");
}

bool GuardrailHarm(const MetricResult& m) {
  return m.has_guardrail() && m.guardrail().status() == GuardrailVerdict::HARM;
}

std::vector<std::string> MetricTableHeader() {
  return {"row", "metric", "treatment", "holdout", "effect [interval]", "p", "note"};
}

std::vector<std::vector<std::string>> MetricTableRows(const holdfast::v1::LiftReport& r) {
  std::vector<std::vector<std::string>> out;
  for (const holdfast::v1::LiftRow& row : r.rows()) {
    const std::string label = RowLabel(row);
    for (int k = 0; k < row.metrics_size() && k < r.metric_definitions_size(); ++k) {
      const MetricDefinition& d = r.metric_definitions(k);
      const MetricResult& m = row.metrics(k);
      out.push_back({label, d.label(), MetricValue(d, m.treatment()), MetricValue(d, m.holdout()),
                     MetricEffect(d, m), PValue(m.effect().defined() ? m.effect().p_value() : NAN),
                     MetricNote(m)});
    }
  }
  return out;
}

std::vector<std::string> ArmPairTableHeader() {
  return {"comparison", "metric", "arm b", "arm a", "effect b - a [interval]", "p", "note"};
}

std::string ArmPairLabel(const holdfast::v1::ArmComparison& c) {
  return absl::StrCat(c.journey(), c.segment().empty() ? "" : " / ", c.segment(), ": ", c.arm_b(),
                      " vs ", c.arm_a());
}

std::vector<std::vector<std::string>> ArmPairTableRows(const holdfast::v1::LiftReport& r) {
  std::vector<std::vector<std::string>> out;
  for (const holdfast::v1::ArmComparison& c : r.arm_comparisons()) {
    const std::string label = ArmPairLabel(c);
    for (int k = 0; k < c.metrics_size() && k < r.arm_pair_metric_definitions_size(); ++k) {
      const MetricDefinition& d = r.arm_pair_metric_definitions(k);
      const MetricResult& m = c.metrics(k);
      std::string note = MetricNote(m);
      if (d.id() == "incremental_margin_return") {
        note = absl::StrCat("p Holm ", PValue(c.p_value_holm()), note.empty() ? "" : ", ", note);
      }
      out.push_back({label, d.label(), MetricValue(d, m.treatment()), MetricValue(d, m.holdout()),
                     MetricEffect(d, m), PValue(m.effect().defined() ? m.effect().p_value() : NAN),
                     note});
    }
  }
  return out;
}

void AppendMetricCsvHeader(const holdfast::v1::LiftReport& r, std::vector<std::string>& h) {
  for (const MetricDefinition& d : r.metric_definitions()) {
    for (const char* s : {"_treatment", "_holdout", "_effect", "_lower", "_upper", "_p", "_status"}) {
      h.push_back(absl::StrCat("m_", d.id(), s));
    }
  }
}

namespace {

// The seven CSV cells of one metric (or seven empty ones when the row has no
// result at `k`): group values, effect, bounds, p, and the status — the
// guardrail verdict, else why the effect is undefined, else the flags.
void AppendMetricCells(const google::protobuf::RepeatedPtrField<MetricResult>& results, int k,
                       std::vector<std::string>& cells) {
  if (k >= results.size()) {
    cells.insert(cells.end(), 7, "");
    return;
  }
  const MetricResult& m = results[k];
  cells.push_back(Exact(m.treatment()));
  cells.push_back(Exact(m.holdout()));
  if (m.effect().defined()) {
    for (double v : {m.effect().value(), m.effect().lower(), m.effect().upper(), m.effect().p_value()}) {
      cells.push_back(Exact(v));
    }
  } else {
    cells.insert(cells.end(), 4, "");
  }
  if (m.has_guardrail()) {
    cells.push_back(StatusName(m.guardrail().status()));
  } else if (!m.effect().defined()) {
    cells.push_back(absl::StrCat("undefined: ", m.undefined_reason()));
  } else {
    cells.push_back(absl::StrJoin(m.flags(), ";"));
  }
}

}  // namespace

void AppendMetricCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                          std::vector<std::string>& cells) {
  for (int k = 0; k < r.metric_definitions_size(); ++k) AppendMetricCells(row.metrics(), k, cells);
}

void AppendArmPairCsvHeader(const holdfast::v1::LiftReport& r, std::vector<std::string>& h) {
  for (const MetricDefinition& d : r.arm_pair_metric_definitions()) {
    for (const char* s : {"_b", "_a", "_effect", "_lower", "_upper", "_p", "_status"}) {
      h.push_back(absl::StrCat("ap_", d.id(), s));
    }
  }
  h.push_back("ap_p_holm");
  h.push_back("ap_p_bh");
}

void ArmPairCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::ArmComparison& c,
                     size_t width, std::vector<std::string>& cells) {
  cells = {c.journey(), absl::StrCat(c.arm_b(), " vs ", c.arm_a()), c.segment()};
  cells.resize(width);
  for (int k = 0; k < r.arm_pair_metric_definitions_size(); ++k) AppendMetricCells(c.metrics(), k, cells);
  cells.push_back(Exact(c.p_value_holm()));
  cells.push_back(Exact(c.p_value_bh()));
}

}  // namespace holdfast::cli::render
