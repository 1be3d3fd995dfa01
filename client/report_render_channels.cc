#include "client/report_render_channels.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/report_render_util.h"

namespace holdfast::cli::render {
namespace {

using holdfast::v1::ChannelRow;
using holdfast::v1::CostComponent;
using holdfast::v1::JourneyChannels;
using holdfast::v1::LiftReport;

constexpr char kChannelNote[] =
    "Last touch: an order in a treatment entry's window is credited to the channel of the "
    "journey's last send before it in that window (refunds of the order netted); orders with no "
    "prior send are unattributed. Attributed ROAS = attributed revenue / the channel's send cost. "
    "It is not causal: compare the sum of attributed revenue with the incremental revenue the "
    "holdout measures (attributed / incremental). Channel-specific incremental ROAS needs "
    "channel-level randomization: only arms that differ by channel, compared in ARM VS ARM, "
    "measure what a channel adds. Holdout columns: sends that reached held-out entries "
    "(contamination).";

constexpr char kCostNote[] =
    "K = sends by channel (treatment windows) + fixed costs by category (pro-rated to the mature "
    "part of the range, as F); the components add up to the cost K of the RETURN table. "
    "Incentives granted on orders are not in K; the incentive-inclusive iROAS adds the "
    "incremental incentives (K incl incentives).";

std::string ChannelLabel(const ChannelRow& c) {
  return c.unattributed() ? std::string("(unattributed)") : c.channel();
}

std::string ArmLabel(const ChannelRow& c) { return c.arm() == "*" ? "all arms" : c.arm(); }

std::vector<std::string> ChannelHeader() {
  return {"journey", "arm", "channel", "sends", "send cost", "attributed orders",
          "attributed revenue", "share", "attributed ROAS", "holdout sends", "holdout cost",
          "holdout attributed", "declared by arms"};
}

std::vector<std::vector<std::string>> ChannelRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const JourneyChannels& j : r.journey_channels()) {
    for (const ChannelRow& c : j.rows()) {
      const bool pooled = c.arm() == "*";
      rows.push_back({j.journey(), ArmLabel(c), ChannelLabel(c), Count(c.sends()),
                      Total(c.send_cost()), Count(c.attributed_orders()),
                      Total(c.attributed_revenue()), Pct(c.revenue_share()),
                      c.unattributed() ? "" : Ratio(c.attributed_roas()),
                      pooled ? Count(c.holdout_sends()) : "", pooled ? Total(c.holdout_send_cost()) : "",
                      pooled ? Total(c.holdout_attributed_revenue()) : "",
                      absl::StrJoin(c.declared_by_arms(), ", ")});
    }
    if (j.rows_size() > 0) {
      rows.push_back({j.journey(), "all arms", "(total attributed)", "", Total(j.send_cost()),
                      Count(j.attributed_orders()), Total(j.attributed_revenue()), "",
                      Ratio(j.attributed_roas()), "", "", "", ""});
    }
  }
  return rows;
}

// The journey line beside the channels: blended iROAS and over-crediting.
std::vector<std::string> VersusHeader() {
  return {"journey", "attributed revenue", "incremental revenue", "attributed / incremental",
          "attributed ROAS", "iROAS (blended)", "unattributed revenue"};
}

std::string IroasText(const JourneyChannels& j) {
  if (!std::isfinite(j.iroas())) return "n/a";
  return absl::StrCat(Ratio(j.iroas()), " [", Ratio(j.iroas_lower()), ", ", Ratio(j.iroas_upper()), "]");
}

std::vector<std::vector<std::string>> VersusRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const JourneyChannels& j : r.journey_channels()) {
    rows.push_back({j.journey(), Total(j.attributed_revenue()), Total(j.incremental_revenue()),
                    std::isfinite(j.attributed_over_incremental())
                        ? absl::StrCat(Ratio(j.attributed_over_incremental()), "x")
                        : "n/a",
                    Ratio(j.attributed_roas()), IroasText(j), Total(j.unattributed_revenue())});
  }
  return rows;
}

std::string KindName(CostComponent::Kind k) {
  switch (k) {
    case CostComponent::COST_SEND: return "send";
    case CostComponent::COST_FIXED: return "fixed";
    case CostComponent::COST_INCENTIVE: return "incentive";
    default: return "";
  }
}

std::string ComponentLabel(const CostComponent& c) {
  switch (c.kind()) {
    case CostComponent::COST_SEND: return absl::StrCat("sends: ", c.name());
    case CostComponent::COST_FIXED:
      return absl::StrCat("fixed: ", c.name().empty() ? std::string("(no category)") : c.name());
    default: return "incentives granted (not in K)";
  }
}

std::vector<std::string> CostHeader() { return {"journey", "component", "amount", "share of K"}; }

std::vector<std::vector<std::string>> CostRows(const LiftReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const JourneyChannels& j : r.journey_channels()) {
    const double k = j.treatment_cost();
    for (const CostComponent& c : j.cost_components()) {
      const bool in_k = c.kind() != CostComponent::COST_INCENTIVE;
      rows.push_back({j.journey(), ComponentLabel(c), Total(c.amount()),
                      in_k && k > 0.0 ? Pct(c.amount() / k) : ""});
    }
    rows.push_back({j.journey(), "send cost (sum of channels)", Total(j.send_cost()),
                    k > 0.0 ? Pct(j.send_cost() / k) : ""});
    rows.push_back({j.journey(), "fixed cost F (sum of categories)", Total(j.fixed_cost()),
                    k > 0.0 ? Pct(j.fixed_cost() / k) : ""});
    rows.push_back({j.journey(), "cost K", Total(k), k > 0.0 ? "100.0%" : ""});
    rows.push_back({j.journey(), "K incl incentives (K + incremental incentives)",
                    Total(j.treatment_cost_with_incentives()), ""});
  }
  return rows;
}

std::string HtmlTableOf(const char* id, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows, size_t left_columns) {
  std::string out = absl::StrCat("<table id=\"", id, "\">\n<tr>");
  for (size_t i = 0; i < header.size(); ++i) {
    absl::StrAppend(&out, i < left_columns ? "<th class=\"l\">" : "<th>", HtmlEscape(header[i]), "</th>");
  }
  absl::StrAppend(&out, "</tr>\n");
  for (const std::vector<std::string>& row : rows) {
    absl::StrAppend(&out, "<tr>");
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&out, i < left_columns ? "<td class=\"l\">" : "<td>", HtmlEscape(row[i]), "</td>");
    }
    absl::StrAppend(&out, "</tr>\n");
  }
  return out + "</table>\n";
}

// The journeys' notes, each prefixed with its journey; a note every journey
// carries word for word (the randomization note) once, without a prefix.
std::vector<std::string> Notes(const LiftReport& r) {
  std::map<std::string, int> count;
  for (const JourneyChannels& j : r.journey_channels()) {
    for (const std::string& n : j.notes()) ++count[n];
  }
  std::vector<std::string> out, shared;
  for (const JourneyChannels& j : r.journey_channels()) {
    for (const std::string& n : j.notes()) {
      if (r.journey_channels_size() > 1 && count[n] == r.journey_channels_size()) {
        if (std::find(shared.begin(), shared.end(), n) == shared.end()) shared.push_back(n);
        continue;
      }
      out.push_back(absl::StrCat(j.journey(), ": ", n));
    }
  }
  out.insert(out.end(), shared.begin(), shared.end());
  return out;
}

}  // namespace

std::string ChannelSectionsText(const LiftReport& r) {
  if (r.journey_channels_size() == 0) return "";
  std::string out = absl::StrCat(
      "CHANNELS (last touch, not causal; docs/report.md \"Channels\")\n",
      TextTable(ChannelHeader(), ChannelRows(r)), "\n",
      TextTable(VersusHeader(), VersusRows(r)), kChannelNote, "\n");
  for (const std::string& n : Notes(r)) absl::StrAppend(&out, "  ", n, "\n");
  absl::StrAppend(&out, "\nCOST COMPONENTS (K by component; docs/report.md \"Cost components\")\n",
                  TextTable(CostHeader(), CostRows(r)), kCostNote, "\n\n");
  return out;
}

std::string ChannelSectionsHtml(const LiftReport& r) {
  if (r.journey_channels_size() == 0) return "";
  std::string out = absl::StrCat(
      "<h2 id=\"cost_components\">Cost components (K by component)</h2>\n",
      HtmlTableOf("costs", CostHeader(), CostRows(r), 2), "<p class=\"note\">", HtmlEscape(kCostNote),
      "</p>\n<h2 id=\"channels_head\">Channels (last touch, not causal)</h2>\n",
      HtmlTableOf("channels_vs", VersusHeader(), VersusRows(r), 1),
      HtmlTableOf("channels", ChannelHeader(), ChannelRows(r), 3), "<p class=\"note\">",
      HtmlEscape(kChannelNote), "</p>\n");
  for (const std::string& n : Notes(r)) {
    absl::StrAppend(&out, "<p class=\"note\">", HtmlEscape(n), "</p>\n");
  }
  return out;
}

void AppendChannelCsvHeader(std::vector<std::string>& h) {
  for (const char* s :
       {"ch_channel", "ch_unattributed", "ch_sends", "ch_send_cost", "ch_attributed_orders",
        "ch_attributed_revenue", "ch_revenue_share", "ch_attributed_roas", "ch_holdout_sends",
        "ch_holdout_send_cost", "ch_holdout_attributed_orders", "ch_holdout_attributed_revenue",
        "ch_declared_by_arms", "kc_kind", "kc_name", "kc_amount"}) {
    h.push_back(s);
  }
}

std::vector<std::vector<std::string>> ChannelCsvRows(const LiftReport& r, size_t first_column) {
  std::vector<std::vector<std::string>> out;
  constexpr size_t kChannelColumns = 13;
  for (const JourneyChannels& j : r.journey_channels()) {
    for (const ChannelRow& c : j.rows()) {
      std::vector<std::string> cells = {j.journey(), c.arm(), ""};
      cells.resize(first_column);
      cells.push_back(c.channel());
      cells.push_back(c.unattributed() ? "1" : "0");
      cells.push_back(absl::StrCat(c.sends()));
      cells.push_back(Exact(c.send_cost()));
      cells.push_back(absl::StrCat(c.attributed_orders()));
      cells.push_back(Exact(c.attributed_revenue()));
      cells.push_back(Exact(c.revenue_share()));
      cells.push_back(Exact(c.attributed_roas()));
      cells.push_back(absl::StrCat(c.holdout_sends()));
      cells.push_back(Exact(c.holdout_send_cost()));
      cells.push_back(absl::StrCat(c.holdout_attributed_orders()));
      cells.push_back(Exact(c.holdout_attributed_revenue()));
      cells.push_back(absl::StrJoin(c.declared_by_arms(), ";"));
      out.push_back(std::move(cells));
    }
    auto component = [&](const std::string& kind, const std::string& name, double amount) {
      std::vector<std::string> cells = {j.journey(), "*", ""};
      cells.resize(first_column + kChannelColumns);
      cells.push_back(kind);
      cells.push_back(name);
      cells.push_back(Exact(amount));
      out.push_back(std::move(cells));
    };
    for (const CostComponent& c : j.cost_components()) component(KindName(c.kind()), c.name(), c.amount());
    component("total", "send_cost", j.send_cost());
    component("total", "fixed_cost", j.fixed_cost());
    component("total", "treatment_cost", j.treatment_cost());
    component("total", "incremental_incentives", j.incremental_incentives());
    component("total", "treatment_cost_with_incentives", j.treatment_cost_with_incentives());
    component("total", "attributed_revenue", j.attributed_revenue());
    component("total", "unattributed_revenue", j.unattributed_revenue());
    component("total", "incremental_revenue", j.incremental_revenue());
    component("total", "attributed_over_incremental", j.attributed_over_incremental());
    component("total", "iroas", j.iroas());
  }
  return out;
}

}  // namespace holdfast::cli::render
