#include "client/report_render_summary.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {

const char kSummaryStyle[] = R"css(
.summary .decision{border-left:6px solid #8c959f;background:#f6f8fa;padding:8px 12px;margin:8px 0;border-radius:4px}
.decision.pays{border-color:#1a7f37;background:#dafbe1}
.decision.loses,.decision.harm{border-color:#cf222e;background:#ffebe9}
.decision.untrusted{border-color:#82071e;background:#ffebe9}
.decision .verdict{font-weight:700;font-size:13px;letter-spacing:.04em;margin-right:8px}
.decision p{margin:4px 0;font-size:14px}.decision p.facts{color:#57606a;font-size:12px}
)css";

namespace {

using holdfast::v1::DecisionVerdict;
using holdfast::v1::JourneySummary;

const char* VerdictClass(DecisionVerdict v) {
  switch (v) {
    case holdfast::v1::DECISION_PAYS: return "pays";
    case holdfast::v1::DECISION_LOSES_MONEY: return "loses";
    case holdfast::v1::DECISION_HARMS_GUARDRAIL: return "harm";
    case holdfast::v1::DECISION_UNTRUSTED: return "untrusted";
    case holdfast::v1::DECISION_INCONCLUSIVE: return "inconclusive";
    default: return "not-evaluated";
  }
}

// Greedy word wrap to `width` columns; continuation lines start with
// `indent` spaces, the first with none (the caller prints its prefix).
std::string Wrap(const std::string& text, size_t width, size_t indent) {
  std::string out, line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      absl::StrAppend(&out, line, "\n", std::string(indent, ' '));
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  return out + line + "\n";
}

// The numbers behind the sentence, for the HTML facts line.
std::string Facts(const JourneySummary& s) {
  std::vector<std::string> parts;
  if (s.iroas().defined()) {
    parts.push_back(absl::StrCat("iROAS ", WithInterval(s.iroas(), Ratio)));
  }
  if (s.margin_iroas().defined()) {
    parts.push_back(absl::StrCat("margin iROAS ", WithInterval(s.margin_iroas(), Ratio)));
  }
  if (!std::isnan(s.breakeven_p_value())) {
    parts.push_back(absl::StrCat("p(iROAS=1) ", PValue(s.breakeven_p_value())));
  }
  parts.push_back(absl::StrCat(Count(s.entries()), " entries"));
  if (std::isfinite(s.iroas_mde())) {
    parts.push_back(absl::StrCat("detectable now: iROAS ", Ratio(s.iroas_mde()),
                                 " away from break-even"));
  }
  if (std::isfinite(s.entries_needed())) {
    std::string needed = absl::StrCat("needed to decide: ",
                                      Count(static_cast<int64_t>(std::ceil(s.entries_needed()))),
                                      " entries");
    if (std::isfinite(s.periods_needed())) {
      absl::StrAppend(&needed, " (", Count(static_cast<int64_t>(s.periods_needed())), " more ",
                      s.period_unit(), s.periods_needed() == 1.0 ? "" : "s", ")");
    }
    parts.push_back(needed);
  }
  return absl::StrJoin(parts, " \xC2\xB7 ");  // middle dot
}

std::string Cell(double v) { return std::isnan(v) ? "" : Exact(v); }

}  // namespace

std::string VerdictName(DecisionVerdict v) {
  switch (v) {
    case holdfast::v1::DECISION_PAYS: return "PAYS";
    case holdfast::v1::DECISION_LOSES_MONEY: return "LOSES MONEY";
    case holdfast::v1::DECISION_INCONCLUSIVE: return "INCONCLUSIVE";
    case holdfast::v1::DECISION_HARMS_GUARDRAIL: return "HARMS GUARDRAIL";
    case holdfast::v1::DECISION_UNTRUSTED: return "UNTRUSTED";
    case holdfast::v1::DECISION_NOT_EVALUATED: return "NOT EVALUATED";
    default: return "n/a";
  }
}

std::string SummaryText(const holdfast::v1::LiftReport& r) {
  if (r.journey_summaries().empty()) return "";
  std::string out = "SUMMARY (the decision per journey; rules: docs/report.md \"Decision summary\")\n";
  constexpr size_t kVerdictWidth = 18;
  for (const JourneySummary& s : r.journey_summaries()) {
    std::string verdict = VerdictName(s.verdict());
    verdict.resize(kVerdictWidth - 2, ' ');
    absl::StrAppend(&out, "  ", verdict, Wrap(s.sentence(), 100, kVerdictWidth));
  }
  return out;
}

std::string SummaryHtml(const holdfast::v1::LiftReport& r) {
  if (r.journey_summaries().empty()) return "";
  std::string out = "<section class=\"summary\" id=\"summary\">\n<h2>Decision</h2>\n";
  for (const JourneySummary& s : r.journey_summaries()) {
    absl::StrAppend(&out, "<div class=\"decision ", VerdictClass(s.verdict()),
                    "\"><p><span class=\"verdict\">", VerdictName(s.verdict()), "</span>",
                    HtmlEscape(s.sentence()), "</p><p class=\"facts\">", HtmlEscape(Facts(s)),
                    "</p></div>\n");
  }
  absl::StrAppend(&out, "<p class=\"note\">Each verdict reads the journey's headline row (all "
                        "arms pooled, everyone): its iROAS interval against break-even 1; a "
                        "guardrail breach or a CRITICAL warning (sample ratio mismatch, "
                        "contamination) overrides it. Entries needed: the total at which the "
                        "interval would exclude 1 with 80% probability if the observed iROAS "
                        "holds. Rules: docs/report.md, \"Decision summary\".</p>\n</section>\n");
  return out;
}

void AppendDecisionCsvHeader(std::vector<std::string>& h) {
  for (const char* s : {"decision", "decision_entries_needed", "decision_additional_entries",
                        "decision_periods_needed", "decision_sentence"}) {
    h.push_back(s);
  }
}

void AppendDecisionCsvCells(const holdfast::v1::LiftReport& r, const holdfast::v1::LiftRow& row,
                            std::vector<std::string>& cells) {
  const JourneySummary* found = nullptr;
  if (row.arm() == "*" && row.segment().empty()) {
    for (const JourneySummary& s : r.journey_summaries()) {
      if (s.journey() == row.journey()) found = &s;
    }
  }
  if (found == nullptr) {
    cells.insert(cells.end(), 5, "");
    return;
  }
  cells.push_back(holdfast::v1::DecisionVerdict_Name(found->verdict()));
  cells.push_back(Cell(found->entries_needed()));
  cells.push_back(Cell(found->additional_entries_needed()));
  cells.push_back(Cell(found->periods_needed()));
  cells.push_back(found->sentence());
}

}  // namespace holdfast::cli::render
