#include "lib/report/decision.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/report/report_text.h"
#include "lib/stats/power.h"

namespace holdfast::report {
namespace {

constexpr int64_t kWeekUs = 7LL * 86400 * 1000000;
constexpr double kBreakEven = 1.0;


// The interval the tables show: Hall's when primary and defined.
stats::Estimate Primary(const stats::RatioEstimate& plain, const stats::Estimate& corrected,
                        bool skew_corrected_primary) {
  if (skew_corrected_primary && corrected.defined) return corrected;
  return plain.AsEstimate();
}

Verdict AgainstBreakEven(const stats::Estimate& e) {
  if (!e.defined || !std::isfinite(e.lower) || !std::isfinite(e.upper)) {
    return Verdict::kNotEvaluated;
  }
  if (e.lower > kBreakEven) return Verdict::kPays;
  if (e.upper < kBreakEven) return Verdict::kLosesMoney;
  return Verdict::kInconclusive;
}

// Thousands separators on an integer.
std::string Grouped(double v) {
  if (!std::isfinite(v)) return v > 0 ? "infinitely many" : "n/a";
  return FormatGrouped(v, 0);
}

// Rounded up to two significant digits, for "about N entries".
double RoundUpTwoDigits(double v) {
  if (!(v > 0.0) || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, std::floor(std::log10(v)) - 1.0);
  return std::ceil(v / scale - 1e-9) * scale;
}

std::string KindWords(WarningKind k) {
  switch (k) {
    case WarningKind::kSampleRatioMismatch: return "a sample ratio mismatch";
    case WarningKind::kContamination: return "holdout contamination";
    case WarningKind::kTooFewEntries: return "too few entries";
    case WarningKind::kHeavyTail: return "heavy-tailed revenue";
    case WarningKind::kUnreliableRelativeInterval: return "an unreliable relative interval";
    case WarningKind::kUnknownConfigVersion: return "unknown config versions";
    case WarningKind::kGuardrailUncertain: return "a guardrail not yet cleared";
    case WarningKind::kTrendDrift: return "an iROAS drifting over time";
    default: return "a warning";
  }
}

// "iROAS 2.31 (95% interval 1.62 to 3.05) is above break-even 1: ...".
std::string MoneyClause(Verdict v, const stats::Estimate& e, double confidence) {
  const std::string iroas = absl::StrFormat("iROAS %.2f (%s interval %.2f to %.2f)", e.value,
                                            FormatPercent(confidence), e.lower, e.upper);
  switch (v) {
    case Verdict::kPays:
      return absl::StrFormat(
          "%s is above break-even 1: each 1.00 of cost brought back %.2f of incremental revenue",
          iroas, e.value);
    case Verdict::kLosesMoney:
      return absl::StrFormat(
          "%s is below break-even 1: each 1.00 of cost brought back only %.2f of incremental "
          "revenue",
          iroas, e.value);
    case Verdict::kInconclusive:
      return absl::StrCat(iroas, " includes break-even 1, so it may pay or lose money");
    default: return "";
  }
}

// Why iROAS is undefined, in words.
std::string NotEvaluatedReason(const stats::LiftResult* l) {
  if (l == nullptr || l->treatment.entries == 0 || l->holdout.entries == 0) {
    return "no analysed entries in one of the groups";
  }
  if (l->treatment.entries < 2 || l->holdout.entries < 2) {
    return absl::StrFormat("too few entries (%d treatment, %d holdout) for an interval",
                           l->treatment.entries, l->holdout.entries);
  }
  if (!(l->treatment_cost > 0.0)) {
    std::string out =
        "no cost is recorded for its treatment entries, so iROAS (incremental revenue per unit "
        "of cost) is undefined";
    const stats::Estimate& d = l->revenue_per_entry_lift;
    if (d.defined) {
      absl::StrAppend(&out, absl::StrFormat("; revenue lift per entry %.3f (interval %.3f to %.3f)",
                                            d.value, d.lower, d.upper));
    }
    return out;
  }
  return "the revenue lift has no interval (no variance in the data)";
}

std::string NeededClause(const JourneyDecision& d, double power) {
  if (std::isinf(d.entries_needed)) {
    return "The estimate sits exactly at break-even, so no number of entries is expected to "
           "decide it.";
  }
  if (!std::isfinite(d.entries_needed)) return "";
  const std::string chance = FormatPercent(power);
  // "an 80%", "an 11%", "an 18%", "a 90%": the article follows the spoken number.
  const bool vowel = absl::StartsWith(chance, "8") ||
                     (chance.size() > 2 && (absl::StartsWith(chance, "11") ||
                                            absl::StartsWith(chance, "18")) &&
                      !std::isdigit(static_cast<unsigned char>(chance[2])));
  std::string out = absl::StrFormat(
      "If the observed iROAS holds, about %s entries in total (%s more than the %s analysed) "
      "give the interval %s %s chance of excluding break-even",
      Grouped(RoundUpTwoDigits(std::ceil(d.entries_needed))),
      Grouped(RoundUpTwoDigits(d.additional_entries_needed)), Grouped(static_cast<double>(d.entries)),
      vowel ? "an" : "a", chance);
  if (std::isfinite(d.periods_needed)) {
    const double days = static_cast<double>(d.period_us) / (86400.0 * 1e6);
    absl::StrAppend(&out, absl::StrFormat(
                              ": about %s %s%s%s at the current %s entries per %s",
                              Grouped(d.periods_needed), d.period_unit,
                              d.periods_needed == 1.0 ? "" : "s",
                              d.period_unit == "week" ? "" : absl::StrFormat(" of %g days", days),
                              Grouped(d.entries_per_period), d.period_unit));
  }
  return out + ".";
}

std::string MarginClause(const JourneyDecision& d, double confidence) {
  if (d.margin_verdict == Verdict::kNotEvaluated || d.money_verdict == Verdict::kNotEvaluated ||
      d.margin_verdict == d.money_verdict) {
    return "";
  }
  const stats::Estimate& e = d.margin_iroas;
  const char* tail = d.margin_verdict == Verdict::kPays         ? "is above 1: it pays in profit"
                     : d.margin_verdict == Verdict::kLosesMoney ? "is below 1: in profit it loses money"
                                                                : "includes 1: in profit it is undecided";
  return absl::StrFormat("Margin iROAS %.2f (%s interval %.2f to %.2f) %s.", e.value,
                         FormatPercent(confidence), e.lower, e.upper, tail);
}

// Each breached metric once: on all arms pooled when that row breaches,
// else on each arm that does.
std::string HarmsClause(const std::vector<GuardrailHarm>& harms) {
  std::vector<std::string> parts;
  for (const GuardrailHarm& h : harms) {
    const bool pooled_breach = std::any_of(harms.begin(), harms.end(), [&](const GuardrailHarm& o) {
      return o.metric_id == h.metric_id && o.arm == "*";
    });
    if (pooled_breach && h.arm != "*") continue;
    parts.push_back(absl::StrFormat(
        "%s up %+.2fpp against the tolerated %+.2fpp (%s)", absl::AsciiStrToLower(h.metric_label),
        100.0 * h.increase, 100.0 * h.max_increase,
        h.arm == "*" ? std::string("all arms") : absl::StrCat("arm ", h.arm)));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

const char* VerdictPhrase(Verdict v) {
  switch (v) {
    case Verdict::kPays: return "pays";
    case Verdict::kLosesMoney: return "loses money";
    case Verdict::kInconclusive: return "inconclusive";
    case Verdict::kHarmsGuardrail: return "harms a guardrail";
    case Verdict::kUntrusted: return "cannot be trusted";
    case Verdict::kNotEvaluated: return "not evaluated";
  }
  return "not evaluated";
}

JourneyDecision DecideJourney(const DecisionInput& in) {
  JourneyDecision d;
  d.journey = in.journey;
  d.harms = in.harms;
  d.skew_corrected_primary = in.skew_corrected_primary;
  const stats::LiftResult* l = in.lift;

  // Warnings: the blocking CRITICAL ones of the everyone rows, the segment
  // rows' CRITICAL ones (named, not blocking), the cautions.
  std::vector<std::string> critical_segments;
  std::vector<WarningKind> caution_kinds;
  for (const ReportWarning& w : in.warnings) {
    if (w.severity == Severity::kCritical && w.kind != WarningKind::kGuardrailHarm) {
      if (w.segment.empty()) {
        if (std::find(d.blocking_kinds.begin(), d.blocking_kinds.end(), w.kind) ==
            d.blocking_kinds.end()) {
          d.blocking_kinds.push_back(w.kind);
        }
      } else if (std::find(critical_segments.begin(), critical_segments.end(), w.segment) ==
                 critical_segments.end()) {
        critical_segments.push_back(w.segment);
      }
    } else if (w.severity == Severity::kCaution) {
      ++d.caution_warnings;
      if (std::find(caution_kinds.begin(), caution_kinds.end(), w.kind) == caution_kinds.end()) {
        caution_kinds.push_back(w.kind);
      }
    }
  }

  if (l != nullptr) {
    d.entries = l->treatment.entries + l->holdout.entries;
    d.iroas = Primary(l->iroas, l->iroas_skew_corrected, in.skew_corrected_primary);
    d.margin_iroas =
        Primary(l->margin_iroas, l->margin_iroas_skew_corrected, in.skew_corrected_primary);
    d.breakeven_p_value = l->iroas.break_even_p_value;
  }
  d.money_verdict = AgainstBreakEven(d.iroas);
  d.margin_verdict = AgainstBreakEven(d.margin_iroas);

  // Volume: analysed entries per period over the span of their t0.
  d.period_us = in.volume.rotation_period_us > 0 ? in.volume.rotation_period_us : kWeekUs;
  d.period_unit = in.volume.rotation_period_us > 0 ? "rotation period" : "week";
  if (in.volume.analysed_entries >= 2 && in.volume.last_t0 > in.volume.first_t0) {
    d.entries_per_period = static_cast<double>(in.volume.analysed_entries - 1) *
                           static_cast<double>(d.period_us) /
                           static_cast<double>(in.volume.last_t0 - in.volume.first_t0);
  }

  const stats::PowerSpec spec{.alpha = 1.0 - in.confidence, .power = in.power};
  if (l != nullptr && l->iroas.defined) {
    absl::StatusOr<double> m = stats::DetectableEffectInStdErrors(spec);
    if (m.ok()) d.iroas_mde = *m * l->iroas.std_error;
  }
  const bool untrusted = !d.blocking_kinds.empty();
  if (!untrusted) {
    if (d.money_verdict == Verdict::kPays || d.money_verdict == Verdict::kLosesMoney) {
      d.additional_entries_needed = 0.0;
      d.periods_needed = 0.0;
    } else if (d.money_verdict == Verdict::kInconclusive) {
      // The plain delta-method standard error: Hall's correction is of lower
      // order and vanishes as the sample grows.
      absl::StatusOr<double> n = stats::TotalEntriesToReject(
          l->iroas.value, l->iroas.std_error, kBreakEven, static_cast<double>(d.entries), spec);
      if (n.ok()) {
        d.entries_needed = *n;
        d.additional_entries_needed =
            std::isinf(*n) ? *n : std::max(0.0, std::ceil(*n) - static_cast<double>(d.entries));
        if (std::isfinite(d.entries_per_period) && d.entries_per_period > 0.0 &&
            std::isfinite(d.additional_entries_needed)) {
          d.periods_needed = std::ceil(d.additional_entries_needed / d.entries_per_period);
        }
      }
    }
  }

  // The verdict and its sentence.
  std::string s;
  if (untrusted) {
    d.verdict = Verdict::kUntrusted;
    std::vector<std::string> words;
    for (WarningKind k : d.blocking_kinds) words.push_back(KindWords(k));
    s = absl::StrCat(in.journey, " cannot be trusted: ", absl::StrJoin(words, " and "),
                     words.size() == 1 ? " (CRITICAL) breaks" : " (CRITICAL) break",
                     " the comparison itself, so no verdict is given; fix the cause and run the "
                     "report again.");
    // What the broken comparison shows, plainly marked as no verdict.
    std::vector<std::string> measured;
    if (!in.harms.empty()) measured.push_back(absl::StrCat("guardrail ", HarmsClause(in.harms)));
    if (d.money_verdict != Verdict::kNotEvaluated) {
      measured.push_back(absl::StrFormat("iROAS %.2f (%s interval %.2f to %.2f)", d.iroas.value,
                                         FormatPercent(in.confidence), d.iroas.lower,
                                         d.iroas.upper));
    }
    if (!measured.empty()) {
      absl::StrAppend(&s, " As measured, not a verdict: ", absl::StrJoin(measured, "; "), ".");
    }
  } else if (!in.harms.empty()) {
    d.verdict = Verdict::kHarmsGuardrail;
    s = absl::StrCat(in.journey, " harms a guardrail: ", HarmsClause(in.harms),
                     ", significant. On money alone it ",
                     d.money_verdict == Verdict::kPays || d.money_verdict == Verdict::kLosesMoney
                         ? ""
                         : "is ",
                     VerdictPhrase(d.money_verdict));
    if (d.money_verdict == Verdict::kNotEvaluated) {
      absl::StrAppend(&s, ": ", NotEvaluatedReason(l), ".");
    } else {
      absl::StrAppend(&s, ": ", MoneyClause(d.money_verdict, d.iroas, in.confidence), ".");
    }
  } else {
    d.verdict = d.money_verdict;
    switch (d.verdict) {
      case Verdict::kPays:
      case Verdict::kLosesMoney:
        s = absl::StrCat(in.journey, " ", VerdictPhrase(d.verdict), ": ",
                         MoneyClause(d.verdict, d.iroas, in.confidence), ".");
        break;
      case Verdict::kInconclusive:
        s = absl::StrCat(in.journey, " is inconclusive: ",
                         MoneyClause(d.verdict, d.iroas, in.confidence), ".");
        break;
      default:
        s = absl::StrCat(in.journey, " is not evaluated: ", NotEvaluatedReason(l), ".");
    }
  }
  if (!untrusted) {
    for (const std::string& clause :
         {MarginClause(d, in.confidence),
          d.money_verdict == Verdict::kInconclusive ? NeededClause(d, in.power) : std::string()}) {
      if (!clause.empty()) absl::StrAppend(&s, " ", clause);
    }
  }
  if (!critical_segments.empty()) {
    absl::StrAppend(&s, " Segment rows ", absl::StrJoin(critical_segments, ", "),
                    " carry CRITICAL warnings: do not read them.");
  }
  if (!untrusted && d.caution_warnings > 0) {
    std::vector<std::string> words;
    for (WarningKind k : caution_kinds) words.push_back(KindWords(k));
    absl::StrAppend(&s, absl::StrFormat(" Read the %d CAUTION warning%s (%s) before deciding.",
                                        d.caution_warnings, d.caution_warnings == 1 ? "" : "s",
                                        absl::StrJoin(words, ", ")));
  }
  d.sentence = std::move(s);
  return d;
}

}  // namespace holdfast::report
