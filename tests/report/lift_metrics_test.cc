// The generic metrics (lib/report/lift_metrics.h): declarations are unique
// and documented, guardrail verdicts follow their rule, undefined estimates
// say why, and the new intervals (complier average effect, average order
// value, iROAS net of unsubscribes, margin iROAS with incentives) cover at
// their nominal rate in simulation. Exact agreement with statsmodels is
// metric_reference_check.py's job.
#include "lib/report/lift_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "lib/report/analysis_source.h"
#include "lib/stats/lift.h"
#include "lib/stats/metric_estimators.h"
#include "lib/stats/moments.h"

namespace holdfast::report {
namespace {

AnalysisEntry Entry(double y, int orders, int unsub, int sends, double c = 0.0) {
  AnalysisEntry e;
  e.y = y;
  e.m = 0.3 * y;
  e.x = orders > 0 ? 1 : 0;
  e.orders = orders;
  e.unsubscribed = unsub;
  e.sends = sends;
  e.c = c;
  return e;
}

AnalysisEntry WithIncentive(AnalysisEntry e, double incentive) {
  e.incentive = incentive;
  return e;
}

MetricResult Compute(const char* id, const EntryMoments& t, const EntryMoments& c,
                     const JourneySpec& journey, double fixed_cost = 0.0) {
  const stats::LiftResult lift;
  const MetricDefinition* d = FindLiftMetric(id);
  EXPECT_NE(d, nullptr) << id;
  return d->compute(MetricInputs{t, c, lift, false, fixed_cost, 0.95, journey});
}

TEST(LiftMetricsTest, DefinitionsAreUniqueAndEachAnchorIsADocsHeading) {
  std::ifstream in(std::string(HOLDFAST_SOURCE_DIR) + "/docs/statistics.md");
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> anchors;
  for (std::string line; std::getline(text, line);) {
    if (line.rfind("#", 0) != 0) continue;
    // GitHub's anchor: lower case, punctuation dropped, spaces to '-'.
    std::string a;
    const std::string title = line.substr(line.find(' ') + 1);
    for (char ch : absl::StripLeadingAsciiWhitespace(title)) {
      if (std::isalnum(static_cast<unsigned char>(ch))) a.push_back(absl::ascii_tolower(ch));
      else if (ch == ' ' || ch == '-') a.push_back('-');
    }
    anchors.insert("#" + a);
  }
  std::set<std::string> ids;
  for (const MetricDefinition& d : LiftMetricDefinitions()) {
    EXPECT_TRUE(ids.insert(d.id).second) << "duplicate id " << d.id;
    EXPECT_EQ(anchors.count(d.doc_anchor), 1u) << d.id << " -> " << d.doc_anchor;
    EXPECT_NE(std::string(d.description), "") << d.id;
    EXPECT_NE(std::string(d.label), "") << d.id;
  }
}

TEST(LiftMetricsTest, UndefinedEstimatesSayWhy) {
  EntryMoments t, c;
  for (int i = 0; i < 50; ++i) t.Add(EntryVariablesOf(Entry(i % 5 ? 0 : 20, i % 5 ? 0 : 1, 0, 1)));
  JourneySpec j;
  const MetricResult aov = Compute("average_order_value", t, c, j);
  EXPECT_FALSE(aov.effect.defined);
  EXPECT_EQ(aov.undefined_reason, "fewer than 2 holdout entries");
  const MetricResult net = Compute("iroas_net_of_unsubscribes", t, c, j);
  EXPECT_FALSE(net.effect.defined);
  EXPECT_NE(net.undefined_reason.find("value_per_event"), std::string::npos);
  // No events anywhere: the guardrail is not evaluated (and no 0 p-value).
  for (int i = 0; i < 50; ++i) c.Add(EntryVariablesOf(Entry(0, 0, 0, 0)));
  const MetricResult unsub = Compute("unsubscribe_rate", t, c, j);
  EXPECT_FALSE(unsub.effect.defined);
  ASSERT_TRUE(unsub.guardrail.has_value());
  EXPECT_EQ(unsub.guardrail->status, GuardrailStatus::kNotEvaluated);
  EXPECT_TRUE(std::isnan(unsub.effect.p_value));
}

// Every order worth the same (37.3): the average order value has no
// variation in either group, and its delta-method variance is 0 in exact
// arithmetic but +-rounding in floating point, its sign depending on the
// order the entries were added and merged in. Every order gives "no
// variation", never a zero-width interval (the entry stream and the
// database's cells add in different orders).
TEST(LiftMetricsTest, AConstantOrderValueHasNoVariationWhateverTheSummationOrder) {
  std::vector<AnalysisEntry> entries;
  for (int i = 0; i < 60; ++i) {
    const int orders = i % 3 == 0 ? 2 : i % 3 == 1 ? 1 : 0;
    entries.push_back(Entry(37.3 * orders, orders, 0, 1));
  }
  std::mt19937_64 rng(11);
  JourneySpec j;
  int defined = 0;
  for (int trial = 0; trial < 40; ++trial) {
    std::shuffle(entries.begin(), entries.end(), rng);
    // Treatment folded entry by entry; holdout as two merged halves.
    EntryMoments t, c, c2;
    for (const AnalysisEntry& e : entries) t.Add(EntryVariablesOf(e));
    for (size_t i = 0; i < entries.size(); ++i) {
      (i < 23 ? c : c2).Add(EntryVariablesOf(entries[i]));
    }
    c.Merge(c2);
    const MetricResult aov = Compute("average_order_value", t, c, j);
    EXPECT_NEAR(aov.effect.value, 0.0, 1e-12);
    if (aov.effect.defined) ++defined;
    EXPECT_EQ(aov.undefined_reason, "no variation in either group") << "trial " << trial;
  }
  EXPECT_EQ(defined, 0);
}

// n_T = n_C = 20,000 with unsubscribe rates p_T, p_C: the verdict follows
// the documented rule.
GuardrailStatus Verdict(double p_t, double p_c, double max_increase) {
  EntryMoments t, c;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    t.Add(EntryVariablesOf(Entry(0, 0, i < p_t * n ? 1 : 0, 1)));
    c.Add(EntryVariablesOf(Entry(0, 0, i < p_c * n ? 1 : 0, 0)));
  }
  JourneySpec j;
  j.unsubscribe_max_increase = max_increase;
  return Compute("unsubscribe_rate", t, c, j).guardrail->status;
}

TEST(LiftMetricsTest, GuardrailVerdicts) {
  // +1.0 pp (se ~0.12 pp): significant and beyond 0.2 pp.
  EXPECT_EQ(Verdict(0.015, 0.005, 0.002), GuardrailStatus::kHarm);
  // +0.3 pp, significant, but within a 0.5 pp threshold? upper ~0.45 pp < 0.5: pass.
  EXPECT_EQ(Verdict(0.008, 0.005, 0.005), GuardrailStatus::kPass);
  // +0.1 pp: not significant, upper bound ~0.3 pp > 0.2 pp: cannot exclude.
  EXPECT_EQ(Verdict(0.006, 0.005, 0.002), GuardrailStatus::kCannotExclude);
  // Significant +0.3 pp but the estimate is within a 0.35 pp threshold: only CAUTION.
  EXPECT_EQ(Verdict(0.008, 0.005, 0.0035), GuardrailStatus::kCannotExclude);
  // No increase, tight: pass.
  EXPECT_EQ(Verdict(0.005, 0.005, 0.003), GuardrailStatus::kPass);
}

TEST(LiftMetricsTest, IroasNetOfUnsubscribesChargesTheirValue) {
  EntryMoments t, c;
  std::mt19937_64 rng(3);
  std::bernoulli_distribution order_t(0.12), order_c(0.08), unsub_t(0.02), unsub_c(0.005);
  for (int i = 0; i < 4000; ++i) {
    t.Add(EntryVariablesOf(Entry(order_t(rng) ? 50 : 0, 0, unsub_t(rng), 1, 0.5)));
    c.Add(EntryVariablesOf(Entry(order_c(rng) ? 50 : 0, 0, unsub_c(rng), 0)));
  }
  JourneySpec j;
  j.unsubscribe_value = 40.0;
  const MetricResult net = Compute("iroas_net_of_unsubscribes", t, c, j, /*fixed_cost=*/100.0);
  ASSERT_TRUE(net.effect.defined) << net.undefined_reason;
  const double n_t = static_cast<double>(t.count());
  const double expected =
      ((t.Mean(kVarRevenue) - c.Mean(kVarRevenue)) -
       40.0 * (t.Mean(kVarUnsubscribed) - c.Mean(kVarUnsubscribed))) /
      (t.Mean(kVarCost) + 100.0 / n_t);
  EXPECT_NEAR(net.effect.value, expected, 1e-9 * std::fabs(expected));
  const MetricResult gross = Compute("iroas_messaging_cost", t, c, j);
  EXPECT_GT(gross.effect.value, net.effect.value);
}

TEST(LiftMetricsTest, IncentivesCountAsTheirIncrementOverTheHoldout) {
  EntryMoments t, c;
  std::mt19937_64 rng(5);
  std::bernoulli_distribution order_t(0.12), order_c(0.08), sitewide(0.3);
  for (int i = 0; i < 4000; ++i) {
    const bool bt = order_t(rng), bc = order_c(rng);
    t.Add(EntryVariablesOf(WithIncentive(Entry(bt ? 50 : 0, bt, 0, 1, 0.5), bt ? 5.0 : 0.0)));
    c.Add(EntryVariablesOf(
        WithIncentive(Entry(bc ? 50 : 0, bc, 0, 0), bc && sitewide(rng) ? 2.5 : 0.0)));
  }
  JourneySpec j;
  const double n_t = static_cast<double>(t.count());
  const double dy = t.Mean(kVarRevenue) - c.Mean(kVarRevenue);
  const double den = t.Mean(kVarCost) + t.Mean(kVarIncentive) - c.Mean(kVarIncentive) + 100.0 / n_t;
  const MetricResult with = Compute("iroas_with_incentives", t, c, j, /*fixed_cost=*/100.0);
  ASSERT_TRUE(with.effect.defined) << with.undefined_reason;
  EXPECT_NEAR(with.effect.value, dy / den, 1e-9 * std::fabs(dy / den));
  const MetricResult margin = Compute("margin_iroas_with_incentives", t, c, j, 100.0);
  EXPECT_NEAR(margin.effect.value, 0.3 * dy / den, 1e-9 * std::fabs(dy / den));
  // Without the incentives the same journey looks better.
  EXPECT_GT(Compute("iroas_messaging_cost", t, c, j).effect.value, 1.5 * with.effect.value);
  const MetricResult per_entry = Compute("incentive_per_entry", t, c, j);
  EXPECT_NEAR(per_entry.effect.value, t.Mean(kVarIncentive) - c.Mean(kVarIncentive), 1e-12);
  EXPECT_DOUBLE_EQ(per_entry.holdout, c.Mean(kVarIncentive));

  // Arm vs arm: the change's cost is its sends plus its incentives.
  const stats::LiftResult lift;
  const std::vector<MetricResult> pair =
      ComputeArmPairMetrics(MetricInputs{t, c, lift, false, 0.0, 0.95, j});
  const auto find = [&](const char* id) {
    for (const MetricResult& r : pair) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << id;
    return MetricResult{};
  };
  const double d_cost = t.Mean(kVarCost) + t.Mean(kVarIncentive) - c.Mean(kVarCost) - c.Mean(kVarIncentive);
  EXPECT_NEAR(find("incremental_revenue_return").effect.value, dy / d_cost, 1e-9 * std::fabs(dy / d_cost));
  EXPECT_NEAR(find("incentive_per_entry").effect.value, per_entry.effect.value, 1e-12);
}

// Coverage by simulation: 2,000 experiments each (fixed seed); the 95 %
// interval should cover the truth 95 % of the time (binomial sd 0.5 points;
// bounds 93.5-96.5 %). HF_COVERAGE_RUNS=N runs more by hand (4,000: complier
// effect 95.5 %, AOV 95.0 %, the ITT Welch baseline 95.4 %).
struct Coverage {
  int covered = 0, runs = 0;
  void Count(const MetricResult& r, double truth) {
    ++runs;
    if (r.effect.defined && r.effect.lower <= truth && truth <= r.effect.upper) ++covered;
  }
  double rate() const { return static_cast<double>(covered) / runs; }
};

TEST(LiftMetricsCoverageTest, ComplierEffectAndAverageOrderValueCoverAtNominal) {
  std::mt19937_64 rng(20261202);
  std::bernoulli_distribution deliver_t(0.7), deliver_c(0.03), buys(0.1);
  std::lognormal_distribution<double> value(3.5, 0.9);
  std::poisson_distribution<int> extra_orders(0.4);
  // Delivery lifts the purchase probability by 0.05 and the order value by
  // 10 %: CACE on revenue = delivered E[y | treated] - E[y | untreated].
  const double mean_value = std::exp(3.5 + 0.5 * 0.9 * 0.9);
  const double mean_orders = 1.0 + 0.4;
  const double y_untreated = 0.1 * mean_orders * mean_value;
  const double y_treated = 0.15 * mean_orders * mean_value * 1.1;
  const double cace_truth = y_treated - y_untreated;
  Coverage cace, aov, itt_cov;
  JourneySpec j;
  const int kRuns = std::getenv("HF_COVERAGE_RUNS") ? std::atoi(std::getenv("HF_COVERAGE_RUNS")) : 2000;
  for (int run = 0; run < kRuns; ++run) {
    EntryMoments t, c;
    auto entry = [&](bool delivered) {
      std::bernoulli_distribution buy(delivered ? 0.15 : 0.1);
      const int orders = buy(rng) ? 1 + extra_orders(rng) : 0;
      double y = 0.0;
      for (int k = 0; k < orders; ++k) y += value(rng) * (delivered ? 1.1 : 1.0);
      return EntryVariablesOf(Entry(y, orders, 0, delivered ? 1 : 0));
    };
    for (int i = 0; i < 3000; ++i) t.Add(entry(deliver_t(rng)));
    for (int i = 0; i < 1500; ++i) c.Add(entry(deliver_c(rng)));
    cace.Count(Compute("revenue_per_delivered_entry", t, c, j), cace_truth);
    {
      // Baseline: the plain Welch interval of the ITT revenue lift.
      stats::PairMoments pt = t.Pair(EntryWeights{1}, EntryWeights{1});
      stats::PairMoments pc = c.Pair(EntryWeights{1}, EntryWeights{1});
      MetricResult itt;
      itt.effect = stats::DifferenceOfMeansEstimate(pt, pc, 0.95).estimate;
      itt_cov.Count(itt, (0.7 - 0.03) * cace_truth);
    }
    // AOV truth: delivered orders are worth 10 % more; T's order mix weights
    // delivered entries by their order share.
    const double w_t = 0.7 * 0.15 / (0.7 * 0.15 + 0.3 * 0.1);
    const double w_c = 0.03 * 0.15 / (0.03 * 0.15 + 0.97 * 0.1);
    const double aov_truth = mean_value * ((w_t * 1.1 + (1 - w_t)) - (w_c * 1.1 + (1 - w_c)));
    aov.Count(Compute("average_order_value", t, c, j), aov_truth);
  }
  EXPECT_GE(cace.rate(), 0.935) << cace.covered << "/" << cace.runs;
  EXPECT_LE(cace.rate(), 0.965) << cace.covered << "/" << cace.runs;
  EXPECT_GE(aov.rate(), 0.935) << aov.covered << "/" << aov.runs;
  EXPECT_LE(aov.rate(), 0.965) << aov.covered << "/" << aov.runs;
  std::printf("coverage: complier effect %.3f, AOV %.3f, ITT revenue lift (Welch) %.3f (%d runs)\n",
              cace.rate(), aov.rate(), itt_cov.rate(), kRuns);
}

// A coupon journey near break-even after its incentives: treatment buys with
// p 0.15 and gets 10 % of the basket back; the holdout buys with p 0.1 and
// 30 % of its orders carry a 5 % sitewide discount; sends cost 0.01. Truth:
// 0.3 (0.15 - 0.1) E[V] / (0.01 + 0.1 * 0.15 E[V] - 0.05 * 0.3 * 0.1 E[V]).
// The report's row as BuildLiftReport forms it: the generic moments and the
// headline LiftResult over the same entries, Hall's interval primary.
TEST(LiftMetricsCoverageTest, MarginIroasWithIncentivesCoversAtNominal) {
  std::mt19937_64 rng(20261203);
  std::bernoulli_distribution buys_t(0.15), buys_c(0.1), sitewide(0.3);
  std::lognormal_distribution<double> value(3.5, 0.9);
  const double mean_value = std::exp(3.5 + 0.5 * 0.9 * 0.9);
  const double truth = 0.3 * 0.05 * mean_value /
                       (0.01 + 0.1 * 0.15 * mean_value - 0.05 * 0.3 * 0.1 * mean_value);
  Coverage hall, delta;
  JourneySpec j;
  const MetricDefinition* d = FindLiftMetric("margin_iroas_with_incentives");
  ASSERT_NE(d, nullptr);
  const int kRuns = std::getenv("HF_COVERAGE_RUNS") ? std::atoi(std::getenv("HF_COVERAGE_RUNS")) : 4000;
  for (int run = 0; run < kRuns; ++run) {
    EntryMoments t, c;
    stats::GroupMoments gt, gc;
    for (int i = 0; i < 3000; ++i) {
      const double v = buys_t(rng) ? value(rng) : 0.0;
      const AnalysisEntry e = WithIncentive(Entry(v, v > 0, 0, 1, 0.01), 0.1 * v);
      t.Add(EntryVariablesOf(e));
      gt.Add(ValuesOf(e));
    }
    for (int i = 0; i < 1500; ++i) {
      const double v = buys_c(rng) ? value(rng) : 0.0;
      const AnalysisEntry e = WithIncentive(Entry(v, v > 0, 0, 0), v > 0 && sitewide(rng) ? 0.05 * v : 0.0);
      c.Add(EntryVariablesOf(e));
      gc.Add(ValuesOf(e));
    }
    const absl::StatusOr<stats::LiftResult> lift = stats::ComputeLift(gt, gc, 0.0, {});
    ASSERT_TRUE(lift.ok()) << lift.status();
    const MetricResult primary = d->compute(MetricInputs{t, c, *lift, true, 0.0, 0.95, j});
    ASSERT_TRUE(std::find(primary.flags.begin(), primary.flags.end(), "skew_corrected") !=
                primary.flags.end());
    hall.Count(primary, truth);
    delta.Count(d->compute(MetricInputs{t, c, *lift, false, 0.0, 0.95, j}), truth);
  }
  // Measured: Hall 93.85 %, delta 93.73 % in these 4,000 runs (4,000, not
  // 2,000: the bound then sits ~2.5 binomial sd under the true rate, not
  // 1.7); 94.37 % and 94.02 % over 12,000 (HF_COVERAGE_RUNS=12000): both a
  // little below nominal, the denominator (the incentives) moving with the
  // skewed numerator (docs/statistics.md section 14.6). The bounds fail on a
  // real slip (a wrong variance or skewness falls far outside).
  EXPECT_GE(hall.rate(), 0.935) << hall.covered << "/" << hall.runs;
  EXPECT_LE(hall.rate(), 0.965) << hall.covered << "/" << hall.runs;
  EXPECT_GE(delta.rate(), 0.92) << delta.covered << "/" << delta.runs;
  std::printf("coverage: margin iROAS with incentives, Hall %.4f, delta %.4f (%d runs, truth %.3f)\n",
              hall.rate(), delta.rate(), kRuns, truth);
}

// Arm vs arm: is the coupon arm's extra spend worth it? Arm a (email, 0.01
// per entry) buys with p 0.12; arm b (email + sms, 0.05, and 10 % of the
// basket back as a coupon) with p 0.16. The change's incremental margin
// return: Δmargin / Δcost = 0.3 (0.16 - 0.12) E[V] / (0.04 + 0.1 * 0.16 E[V]);
// the revenue return likewise with 1 for 0.3 (margin is 0.3 revenue here, so
// the two intervals scale together and cover alike: the revenue one pins the
// metric's wiring). Measured 94.80 % in these 2,000 runs, 94.97 % over 8,000.
TEST(LiftMetricsCoverageTest, IncrementalReturnOfAnArmChangeCoversAtNominal) {
  std::mt19937_64 rng(20261204);
  std::bernoulli_distribution buys_a(0.12), buys_b(0.16);
  std::lognormal_distribution<double> value(3.5, 0.9);
  const double mean_value = std::exp(3.5 + 0.5 * 0.9 * 0.9);
  const double d_cost = 0.04 + 0.1 * 0.16 * mean_value;
  const double margin_truth = 0.3 * 0.04 * mean_value / d_cost;
  const double revenue_truth = 0.04 * mean_value / d_cost;
  Coverage margin, revenue;
  JourneySpec j;
  const int kRuns = std::getenv("HF_COVERAGE_RUNS") ? std::atoi(std::getenv("HF_COVERAGE_RUNS")) : 2000;
  for (int run = 0; run < kRuns; ++run) {
    EntryMoments b, a;
    for (int i = 0; i < 4000; ++i) {
      const double v = buys_b(rng) ? value(rng) : 0.0;
      b.Add(EntryVariablesOf(WithIncentive(Entry(v, v > 0, 0, 2, 0.05), 0.1 * v)));
    }
    for (int i = 0; i < 4000; ++i) {
      const double v = buys_a(rng) ? value(rng) : 0.0;
      a.Add(EntryVariablesOf(Entry(v, v > 0, 0, 1, 0.01)));
    }
    const stats::LiftResult unused;
    for (const MetricResult& r :
         ComputeArmPairMetrics(MetricInputs{b, a, unused, false, 0.0, 0.95, j})) {
      if (r.id == "incremental_margin_return") margin.Count(r, margin_truth);
      if (r.id == "incremental_revenue_return") revenue.Count(r, revenue_truth);
    }
  }
  ASSERT_EQ(margin.runs, kRuns);
  ASSERT_EQ(revenue.runs, kRuns);
  EXPECT_GE(margin.rate(), 0.935) << margin.covered << "/" << margin.runs;
  EXPECT_LE(margin.rate(), 0.965) << margin.covered << "/" << margin.runs;
  EXPECT_GE(revenue.rate(), 0.935) << revenue.covered << "/" << revenue.runs;
  EXPECT_LE(revenue.rate(), 0.965) << revenue.covered << "/" << revenue.runs;
  std::printf("coverage: incremental return of the change, margin %.4f, revenue %.4f (%d runs, "
              "truth %.3f / %.3f)\n",
              margin.rate(), revenue.rate(), kRuns, margin_truth, revenue_truth);
}

}  // namespace
}  // namespace holdfast::report
