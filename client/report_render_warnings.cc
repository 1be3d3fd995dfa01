#include "client/report_render_warnings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {
namespace {

using holdfast::v1::Warning;

// At most this many places are named on a grouped line; the rest are counted.
constexpr size_t kMaxWheres = 3;

std::string WheresText(const WarningGroup& g) {
  std::vector<std::string> shown(g.wheres.begin(),
                                 g.wheres.begin() + std::min(g.wheres.size(), kMaxWheres));
  if (g.wheres.size() > kMaxWheres) shown.push_back(absl::StrCat("+", g.wheres.size() - kMaxWheres, " more"));
  return absl::StrJoin(shown, ", ");
}

std::string Heading(const Warning& w) {
  return absl::StrCat(SeverityName(w.severity()), " ", Warning::Kind_Name(w.kind()));
}

}  // namespace

std::string WarningWhere(const Warning& w) {
  std::string where = w.journey();
  if (!w.arm().empty()) absl::StrAppend(&where, where.empty() ? "" : " / ", w.arm());
  if (!w.segment().empty()) absl::StrAppend(&where, where.empty() ? "" : " / ", w.segment());
  return where;
}

std::vector<WarningGroup> GroupWarnings(const Warnings& warnings) {
  std::vector<WarningGroup> groups;
  for (const Warning& w : warnings) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const WarningGroup& g) {
      const Warning& f = *g.members.front();
      return f.journey() == w.journey() && f.kind() == w.kind() && f.severity() == w.severity();
    });
    if (it == groups.end()) {
      groups.emplace_back();
      it = groups.end() - 1;
    }
    it->members.push_back(&w);
    const std::string where = WarningWhere(w);
    if (std::find(it->wheres.begin(), it->wheres.end(), where) == it->wheres.end()) {
      it->wheres.push_back(where);
    }
  }
  return groups;
}

std::string GroupedWarningsText(const Warnings& warnings) {
  if (warnings.empty()) return "No warnings.\n";
  const std::vector<WarningGroup> groups = GroupWarnings(warnings);
  std::string out = absl::StrCat("WARNINGS (", warnings.size());
  if (groups.size() < static_cast<size_t>(warnings.size())) {
    absl::StrAppend(&out, " in ", groups.size(), " groups: one line per journey and kind, every "
                    "message in JSON and CSV");
  }
  absl::StrAppend(&out, ")\n");
  for (const WarningGroup& g : groups) {
    const Warning& first = *g.members.front();
    const std::string where = WheresText(g);
    absl::StrAppend(&out, "  ", Heading(first), where.empty() ? "" : " [", where,
                    where.empty() ? "" : "]");
    if (g.members.size() > 1) {
      absl::StrAppend(&out, " (", g.members.size(), " warnings; the first)");
    }
    absl::StrAppend(&out, ": ", first.message(), "\n");
  }
  return out;
}

std::string GroupedWarningsHtml(const Warnings& warnings) {
  std::string out = "<section class=\"warnings\" id=\"warnings\">\n<h2>Warnings</h2>\n";
  if (warnings.empty()) {
    absl::StrAppend(&out, "<p class=\"ok\">No warnings: the checks below found nothing that "
                          "undermines these estimates.</p>\n");
  }
  for (const WarningGroup& g : GroupWarnings(warnings)) {
    const Warning& first = *g.members.front();
    const std::string cls = absl::AsciiStrToLower(SeverityName(first.severity()));
    const std::string where = WheresText(g);
    absl::StrAppend(&out, "<div class=\"warning ", cls, "\"><span class=\"sev\">", Heading(first),
                    "</span>");
    if (g.members.size() > 1) {
      absl::StrAppend(&out, "<span class=\"count\">", g.members.size(), " warnings</span>");
    }
    if (!where.empty()) absl::StrAppend(&out, "<span class=\"where\">", HtmlEscape(where), "</span>");
    absl::StrAppend(&out, HtmlEscape(first.message()));
    if (g.members.size() > 1) {
      absl::StrAppend(&out, "<details><summary>all ", g.members.size(), " messages</summary><ul>");
      for (const Warning* w : g.members) {
        absl::StrAppend(&out, "<li><span class=\"where\">", HtmlEscape(WarningWhere(*w)), "</span>",
                        HtmlEscape(w->message()), "</li>");
      }
      absl::StrAppend(&out, "</ul></details>");
    }
    absl::StrAppend(&out, "</div>\n");
  }
  absl::StrAppend(&out, "</section>\n");
  return out;
}

void AppendWarningCsvHeader(std::vector<std::string>& h) {
  for (const char* s : {"warning_severity", "warning_kind", "warning_message"}) h.push_back(s);
}

std::vector<std::vector<std::string>> WarningCsvLines(const Warnings& warnings, size_t width,
                                                      bool place_columns) {
  std::vector<std::vector<std::string>> out;
  for (const Warning& w : warnings) {
    std::vector<std::string> c;
    if (place_columns) c = {w.journey(), w.arm(), w.segment()};
    c.resize(width);
    c.push_back(SeverityName(w.severity()));
    c.push_back(Warning::Kind_Name(w.kind()));
    c.push_back(w.message());
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace holdfast::cli::render
