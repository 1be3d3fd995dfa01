// Command-line front end to lib/stats for the independent reference check
// (tests/stats/reference_check.py). Prints results as JSON with 17
// significant digits; NaN and infinities are printed as NaN / Infinity, which
// Python's json module reads.
//
//   stats_reference_driver lift ROWS.csv FIXED_COST CONFIDENCE TUNING_ENTRIES
//       ROWS.csv: header "group,y,m,x,c,z", group T or C.
//   stats_reference_driver srm COUNTS WEIGHTS        (comma-separated)
//   stats_reference_driver adjust P_VALUES           (comma-separated, "nan" allowed)
//   stats_reference_driver power ALPHA POWER
//       then reads lines from stdin, one query per line:
//         mde_mean SD_T N_T SD_C N_C
//         mde_prop P N_T N_C
//         plan_prop P REL H
//         plan_mean MEAN SD REL H
//         rel_mde_prop P TOTAL H
//         rel_mde_mean MEAN SD TOTAL H
//       and prints one JSON object per line.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/stats/estimators.h"
#include "lib/stats/lift.h"
#include "lib/stats/moments.h"
#include "lib/stats/multiple_testing.h"
#include "lib/stats/power.h"
#include "lib/stats/srm.h"

namespace hs = holdfast::stats;

namespace {

std::string Num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

class JsonObject {
 public:
  JsonObject& Add(const std::string& key, double v) { return Raw(key, Num(v)); }
  JsonObject& Add(const std::string& key, bool v) { return Raw(key, v ? "true" : "false"); }
  JsonObject& Add(const std::string& key, const JsonObject& v) { return Raw(key, v.str()); }
  JsonObject& Raw(const std::string& key, const std::string& json) {
    if (!body_.empty()) body_ += ",";
    body_ += "\"" + key + "\":" + json;
    return *this;
  }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

JsonObject ToJson(const hs::Estimate& e) {
  JsonObject o;
  o.Add("value", e.value).Add("lower", e.lower).Add("upper", e.upper);
  o.Add("std_error", e.std_error).Add("p_value", e.p_value).Add("df", e.df);
  o.Add("defined", e.defined);
  return o;
}

JsonObject ToJson(const hs::FiellerSet& f) {
  JsonObject o;
  o.Add("shape", static_cast<double>(static_cast<int>(f.shape)));
  o.Add("lower", f.lower).Add("upper", f.upper);
  return o;
}

JsonObject ToJson(const hs::RatioEstimate& e) {
  JsonObject o;
  o.Add("value", e.value).Add("lower", e.lower).Add("upper", e.upper);
  o.Add("std_error", e.std_error).Add("p_value", e.p_value).Add("df", e.df);
  o.Add("break_even_p_value", e.break_even_p_value).Add("defined", e.defined);
  o.Add("fieller", ToJson(e.fieller));
  return o;
}

JsonObject ToJson(const hs::GroupSummary& g) {
  JsonObject o;
  o.Add("entries", static_cast<double>(g.entries)).Add("conversions", g.conversions);
  o.Add("conversion_rate", g.conversion_rate).Add("revenue_per_entry", g.revenue_per_entry);
  o.Add("revenue_sd", g.revenue_sd).Add("revenue_skewness", g.revenue_skewness);
  o.Add("margin_per_entry", g.margin_per_entry).Add("cost_per_entry", g.cost_per_entry);
  o.Add("total_revenue", g.total_revenue).Add("total_cost", g.total_cost);
  return o;
}

std::vector<double> ParseList(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::strtod(item.c_str(), nullptr));
  return out;
}

std::string ListJson(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + Num(v[i]);
  return s + "]";
}

int Fail(const std::string& msg) {
  std::cerr << msg << "\n";
  return 2;
}

int RunLift(int argc, char** argv) {
  if (argc != 6) return Fail("usage: lift ROWS.csv FIXED_COST CONFIDENCE TUNING_ENTRIES");
  std::ifstream in(argv[2]);
  if (!in) return Fail("cannot open rows file");
  hs::GroupMoments t, c;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string group, field;
    std::getline(ss, group, ',');
    double v[5];
    for (double& x : v) {
      std::getline(ss, field, ',');
      x = std::strtod(field.c_str(), nullptr);
    }
    const hs::EntryValues row{v[0], v[1], v[2], v[3], v[4]};
    (group == "T" ? t : c).Add(row);
  }
  hs::LiftOptions options;
  options.confidence = std::strtod(argv[4], nullptr);
  options.sequential = true;
  options.sequential_tuning_entries = std::strtod(argv[5], nullptr);
  options.expected_treatment_share = 0.5;
  absl::StatusOr<hs::LiftResult> r = hs::ComputeLift(t, c, std::strtod(argv[3], nullptr), options);
  if (!r.ok()) return Fail(r.status().ToString());
  JsonObject o;
  o.Add("treatment", ToJson(r->treatment)).Add("holdout", ToJson(r->holdout));
  o.Add("conversion_rate_lift", ToJson(r->conversion_rate_lift));
  o.Add("conversion_rate_relative_lift", ToJson(r->conversion_rate_relative_lift));
  o.Add("revenue_per_entry_lift", ToJson(r->revenue_per_entry_lift));
  o.Add("revenue_per_entry_relative_lift", ToJson(r->revenue_per_entry_relative_lift));
  o.Add("revenue_per_entry_lift_skew_corrected", ToJson(r->revenue_per_entry_lift_skew_corrected));
  o.Add("revenue_lift_skewness", r->revenue_lift_skewness);
  o.Add("margin_per_entry_lift", ToJson(r->margin_per_entry_lift));
  o.Add("margin_per_entry_relative_lift", ToJson(r->margin_per_entry_relative_lift));
  o.Add("margin_per_entry_lift_skew_corrected", ToJson(r->margin_per_entry_lift_skew_corrected));
  o.Add("incremental_revenue", ToJson(r->incremental_revenue));
  o.Add("incremental_margin", ToJson(r->incremental_margin));
  o.Add("incremental_conversions", ToJson(r->incremental_conversions));
  o.Add("treatment_cost", r->treatment_cost);
  o.Add("iroas", ToJson(r->iroas)).Add("iroas_skew_corrected", ToJson(r->iroas_skew_corrected));
  o.Add("margin_iroas", ToJson(r->margin_iroas));
  o.Add("margin_iroas_skew_corrected", ToJson(r->margin_iroas_skew_corrected));
  o.Add("attributed_roas", r->attributed_roas);
  o.Add("cost_per_incremental_conversion", ToJson(r->cost_per_incremental_conversion));
  JsonObject cuped;
  cuped.Add("lift", ToJson(r->cuped_revenue_lift.lift)).Add("theta", r->cuped_revenue_lift.theta);
  cuped.Add("variance_reduction", r->cuped_revenue_lift.variance_reduction);
  cuped.Add("defined", r->cuped_revenue_lift.defined);
  o.Add("cuped_revenue_lift", cuped);
  o.Add("sequential_revenue_lift", ToJson(r->sequential_revenue_lift));
  JsonObject mde;
  mde.Add("revenue_per_entry", r->mde.revenue_per_entry);
  mde.Add("revenue_per_entry_relative", r->mde.revenue_per_entry_relative);
  mde.Add("conversion_rate", r->mde.conversion_rate);
  mde.Add("conversion_rate_relative", r->mde.conversion_rate_relative);
  o.Add("mde", mde);
  if (r->srm) {
    JsonObject srm;
    srm.Add("chi_square", r->srm->chi_square).Add("p_value", r->srm->p_value);
    srm.Add("flagged", r->srm->flagged);
    o.Add("srm", srm);
  }
  JsonObject w;
  w.Add("too_few_entries", r->warnings.too_few_entries).Add("heavy_tail", r->warnings.heavy_tail);
  w.Add("conversion_relative_unreliable", r->warnings.conversion_relative_unreliable);
  w.Add("revenue_relative_unreliable", r->warnings.revenue_relative_unreliable);
  w.Add("margin_relative_unreliable", r->warnings.margin_relative_unreliable);
  w.Add("srm", r->warnings.srm);
  o.Add("warnings", w);
  std::cout << o.str() << "\n";
  return 0;
}

int RunSrm(int argc, char** argv) {
  if (argc != 4) return Fail("usage: srm COUNTS WEIGHTS");
  std::vector<int64_t> counts;
  for (double v : ParseList(argv[2])) counts.push_back(static_cast<int64_t>(v));
  const std::vector<double> weights = ParseList(argv[3]);
  absl::StatusOr<hs::SrmResult> r = hs::SrmTest(counts, weights);
  if (!r.ok()) return Fail(r.status().ToString());
  JsonObject o;
  o.Add("chi_square", r->chi_square).Add("df", static_cast<double>(r->degrees_of_freedom));
  o.Add("p_value", r->p_value).Add("flagged", r->flagged);
  std::cout << o.str() << "\n";
  return 0;
}

int RunAdjust(int argc, char** argv) {
  if (argc != 3) return Fail("usage: adjust P_VALUES");
  const std::vector<double> p = ParseList(argv[2]);
  absl::StatusOr<std::vector<double>> holm = hs::HolmAdjust(p);
  absl::StatusOr<std::vector<double>> bh = hs::BenjaminiHochbergAdjust(p);
  if (!holm.ok()) return Fail(holm.status().ToString());
  if (!bh.ok()) return Fail(bh.status().ToString());
  JsonObject o;
  o.Raw("holm", ListJson(*holm)).Raw("bh", ListJson(*bh));
  std::cout << o.str() << "\n";
  return 0;
}

int RunPower(int argc, char** argv) {
  if (argc != 4) return Fail("usage: power ALPHA POWER < queries");
  const hs::PowerSpec spec{.alpha = std::strtod(argv[2], nullptr),
                           .power = std::strtod(argv[3], nullptr)};
  std::string line;
  while (std::getline(std::cin, line)) {
    std::stringstream ss(line);
    std::string kind;
    ss >> kind;
    std::vector<double> a;
    double v;
    while (ss >> v) a.push_back(v);
    JsonObject o;
    o.Raw("query", "\"" + line + "\"");
    auto put = [&](const char* key, const absl::StatusOr<double>& r) {
      o.Add(key, r.ok() ? *r : std::nan(""));
    };
    auto put_plan = [&](const absl::StatusOr<hs::SampleSizePlan>& p) {
      if (!p.ok()) {
        o.Add("exact_total_entries", std::nan(""));
        return;
      }
      o.Add("exact_total_entries", p->exact_total_entries);
      o.Add("treatment_entries", static_cast<double>(p->treatment_entries));
      o.Add("holdout_entries", static_cast<double>(p->holdout_entries));
      o.Add("total_entries", static_cast<double>(p->total_entries));
    };
    if (kind == "mde_mean" && a.size() == 4) {
      put("mde", hs::MeanMde(a[0], a[1], a[2], a[3], spec));
    } else if (kind == "mde_prop" && a.size() == 3) {
      put("mde", hs::ProportionMde(a[0], a[1], a[2], spec));
    } else if (kind == "plan_prop" && a.size() == 3) {
      put_plan(hs::PlanForProportion(
          {.baseline_rate = a[0], .relative_mde = a[1], .holdout_share = a[2]}, spec));
    } else if (kind == "plan_mean" && a.size() == 4) {
      put_plan(hs::PlanForMean({.baseline_mean = a[0], .baseline_sd = a[1],
                                .relative_mde = a[2], .holdout_share = a[3]},
                               spec));
    } else if (kind == "rel_mde_prop" && a.size() == 3) {
      put("mde", hs::RelativeMdeForProportion(a[0], a[1], a[2], spec));
    } else if (kind == "rel_mde_mean" && a.size() == 4) {
      put("mde", hs::RelativeMdeForMean(a[0], a[1], a[2], a[3], spec));
    } else {
      return Fail("bad power query: " + line);
    }
    put("multiplier", hs::DetectableEffectInStdErrors(spec));
    std::cout << o.str() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("usage: stats_reference_driver lift|srm|adjust|power ...");
  const std::string cmd = argv[1];
  if (cmd == "lift") return RunLift(argc, argv);
  if (cmd == "srm") return RunSrm(argc, argv);
  if (cmd == "adjust") return RunAdjust(argc, argv);
  if (cmd == "power") return RunPower(argc, argv);
  return Fail("unknown command " + cmd);
}
