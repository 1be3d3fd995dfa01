#include "lib/config/lint.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "lib/config/diff.h"
#include "lib/config/source_map.h"

namespace holdfast::config {
namespace {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

// GitHub workflow command escaping: data escapes %, CR, LF; property values
// also ':' and ','.
std::string GithubData(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string GithubProperty(absl::string_view s) {
  std::string out;
  for (char c : GithubData(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

const char* GithubCommand(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "notice";
  }
  return "error";
}

// Path of a journey (by id) in the raw NEW config, for positions.
std::string RawJourneyPath(const holdfast::v1::Config& raw, const std::string& id) {
  for (int i = 0; i < raw.journeys_size(); ++i) {
    if (raw.journeys(i).id() == id) return JourneyPath(i);
  }
  return "";
}

Diagnostic At(const SourceMap& map, const std::string& path, Severity severity, std::string rule,
              std::string message) {
  SourceLocation at = map.Locate(path);
  return Diagnostic{severity, std::move(at.file), at.line, at.col, std::move(rule),
                    std::move(message)};
}

const holdfast::v1::Journey* FindJourney(const holdfast::v1::Config& c, const std::string& id) {
  for (const auto& j : c.journeys()) {
    if (j.id() == id) return &j;
  }
  return nullptr;
}

// Whether the subject's effective settings (and the global holdout, which
// every journey sees) are identical in OLD and NEW.
bool Unchanged(const holdfast::v1::Config& a, const holdfast::v1::Config& b,
               const SubjectImpact& s) {
  using google::protobuf::util::MessageDifferencer;
  if (!MessageDifferencer::Equals(a.global_holdout(), b.global_holdout())) return false;
  if (s.is_global) return true;
  const holdfast::v1::Journey* ja = FindJourney(a, s.subject);
  const holdfast::v1::Journey* jb = FindJourney(b, s.subject);
  return ja != nullptr && jb != nullptr && MessageDifferencer::Equals(*ja, *jb);
}

}  // namespace

absl::StatusOr<LintFormat> ParseLintFormat(absl::string_view name) {
  if (name == "text") return LintFormat::kText;
  if (name == "json") return LintFormat::kJson;
  if (name == "github") return LintFormat::kGithub;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: '", name, "' is not one of text, json, github"));
}

std::vector<Diagnostic> CompareConfigs(const ConfigCheck& old_config,
                                       const ConfigCheck& new_config, UnixMicros now,
                                       const ImpactOptions& options) {
  std::vector<Diagnostic> out;
  const SourceMap& map = new_config.parsed.source_map;
  const std::string file = map.fallback_file();
  for (std::string& line : DiffConfigs(old_config.effective, new_config.effective)) {
    out.push_back(Diagnostic{Severity::kNote, file, 0, 0, "diff", std::move(line)});
  }
  const ImpactReport report = CheckImpact(*old_config.compiled, old_config.effective,
                                          *new_config.compiled, new_config.effective, now, options);
  for (const SubjectImpact& s : report.subjects) {
    const std::string base =
        s.is_global ? std::string("global_holdout") : RawJourneyPath(new_config.parsed.config, s.subject);
    const std::string label = s.is_global ? "global_holdout" : absl::StrCat("journey ", s.subject);
    // Subjects that did not change and moved no one would only add noise.
    const bool moved = std::any_of(s.movements.begin(), s.movements.end(),
                                   [](const Movement& m) { return m.moved > 0; });
    if (moved || !s.reshuffles.empty() || !Unchanged(old_config.effective, new_config.effective, s)) {
      out.push_back(At(map, base, Severity::kNote, "impact", DescribeImpact(s, report.sample_size)));
    }
    // The instant where the most units move is the one to show.
    const Movement* worst = nullptr;
    for (const Movement& m : s.movements) {
      if (worst == nullptr || m.moved > worst->moved) worst = &m;
    }
    for (const Reshuffle& r : s.reshuffles) {
      std::string moved;
      if (worst != nullptr) {
        moved = absl::StrCat(FormatFraction(worst->moved), " of units move (", worst->label,
                             ": group ", FormatFraction(worst->changed_group), ", left holdout ",
                             FormatFraction(worst->left_holdout), ", entered holdout ",
                             FormatFraction(worst->entered_holdout));
        if (!s.is_global) absl::StrAppend(&moved, ", arm ", FormatFraction(worst->changed_arm));
        moved += ")";
      }
      const std::string path = base.empty() ? base : Field(base, r.field);
      if (s.acknowledged_by.empty()) {
        out.push_back(At(map, path, Severity::kError, r.rule,
                         absl::StrCat(label, ": ", r.what, " reshuffles units mid-experiment: ",
                                      moved, "; set a new intended_change to confirm")));
      } else {
        out.push_back(At(map, path, Severity::kNote, r.rule,
                         absl::StrCat(label, ": ", r.what, " (", moved,
                                      ") acknowledged by intended_change \"", s.acknowledged_by,
                                      "\"")));
      }
    }
  }
  return out;
}

std::string RenderDiagnostics(const std::vector<Diagnostic>& diagnostics, LintFormat format) {
  std::string out;
  switch (format) {
    case LintFormat::kText: {
      int errors = 0, warnings = 0;
      for (const Diagnostic& d : diagnostics) {
        absl::StrAppend(&out, FormatDiagnostic(d), "\n");
        if (d.severity == Severity::kError) ++errors;
        if (d.severity == Severity::kWarning) ++warnings;
      }
      absl::StrAppend(&out, errors, errors == 1 ? " error, " : " errors, ", warnings,
                      warnings == 1 ? " warning\n" : " warnings\n");
      break;
    }
    case LintFormat::kJson: {
      out = "[";
      for (size_t i = 0; i < diagnostics.size(); ++i) {
        const Diagnostic& d = diagnostics[i];
        absl::StrAppend(&out, i == 0 ? "\n" : ",\n", "  {\"severity\": ", JsonString(SeverityName(d.severity)),
                        ", \"file\": ", JsonString(d.file), ", \"line\": ", d.line,
                        ", \"col\": ", d.col, ", \"rule\": ", JsonString(d.rule),
                        ", \"message\": ", JsonString(d.message), "}");
      }
      out += diagnostics.empty() ? "]\n" : "\n]\n";
      break;
    }
    case LintFormat::kGithub:
      for (const Diagnostic& d : diagnostics) {
        std::string props;
        if (!d.file.empty()) props = absl::StrCat(" file=", GithubProperty(d.file));
        if (d.line > 0) absl::StrAppend(&props, ",line=", d.line);
        if (d.col > 0) absl::StrAppend(&props, ",col=", d.col);
        absl::StrAppend(&out, "::", GithubCommand(d.severity), props, "::",
                        GithubData(absl::StrCat(d.message, " [", d.rule, "]")), "\n");
      }
      break;
  }
  return out;
}

LintResult LintPaths(const std::vector<std::string>& paths, const LintOptions& options) {
  LintResult result;
  std::optional<ConfigCheck> old_config;
  if (!options.against_path.empty()) {
    old_config = CheckConfigPath(options.against_path);
    if (!old_config->ok()) {
      for (const Diagnostic& d : old_config->diagnostics) {
        if (d.severity != Severity::kError) continue;
        Diagnostic e = d;
        e.rule = "against-invalid";
        e.message = absl::StrCat("--against config has errors, impact not checked: ", d.message,
                                 " [", d.rule, "]");
        result.diagnostics.push_back(std::move(e));
      }
    }
  }
  for (const std::string& path : paths) {
    ConfigCheck check = CheckConfigPath(path);
    std::vector<Diagnostic> found = check.diagnostics;
    if (old_config && old_config->ok() && check.ok()) {
      std::vector<Diagnostic> impact = CompareConfigs(*old_config, check, options.now, options.impact);
      found.insert(found.end(), impact.begin(), impact.end());
      SortDiagnostics(found);
    }
    result.diagnostics.insert(result.diagnostics.end(), found.begin(), found.end());
  }
  const bool errors = HasErrors(result.diagnostics);
  const bool warnings =
      std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                  [](const Diagnostic& d) { return d.severity == Severity::kWarning; });
  result.exit_code = (errors || (options.strict && warnings)) ? 1 : 0;
  result.output = RenderDiagnostics(result.diagnostics, options.format);
  return result;
}

}  // namespace holdfast::config
