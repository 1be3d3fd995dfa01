// The decision summary the text and HTML lift reports open with: one verdict
// per journey (LiftReport.journey_summaries, computed once in
// lib/report/decision.cc) with its plain-words sentence, and the CSV
// columns that carry it (docs/report.md, "Decision summary").
#ifndef HOLDFAST_CLIENT_REPORT_RENDER_SUMMARY_H_
#define HOLDFAST_CLIENT_REPORT_RENDER_SUMMARY_H_

#include <string>
#include <vector>

#include "holdfast/v1/report.pb.h"

namespace holdfast::cli::render {

// "PAYS", "LOSES MONEY", "INCONCLUSIVE", "HARMS GUARDRAIL", "UNTRUSTED",
// "NOT EVALUATED".
std::string VerdictName(holdfast::v1::DecisionVerdict v);

// "SUMMARY (...)" then per journey the verdict and its sentence, wrapped.
std::string SummaryText(const holdfast::v1::LiftReport& r);
// <section id="summary"> with one <div class="decision VERDICT"> per journey.
std::string SummaryHtml(const holdfast::v1::LiftReport& r);
// The CSS of the summary (part of the page's <style>).
extern const char kSummaryStyle[];

// CSV: decision, decision_entries_needed, decision_additional_entries,
// decision_periods_needed, decision_sentence — filled on each journey's
// pooled everyone row ("*", segment ""), empty elsewhere.
void AppendDecisionCsvHeader(std::vector<std::string>& h);
void AppendDecisionCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                            std::vector<std::string>& cells);

}  // namespace holdfast::cli::render

#endif  // HOLDFAST_CLIENT_REPORT_RENDER_SUMMARY_H_
