#include "lib/report/lift_metrics.h"

#include <cmath>

#include "lib/stats/metric_estimators.h"

namespace holdfast::report {
namespace {

using stats::MetricEstimate;
using stats::PairMoments;

EntryWeights W(EntryVariable v, double w = 1.0) {
  EntryWeights out{};
  out[v] = w;
  return out;
}

PairMoments Pair(const EntryMoments& g, const EntryWeights& a, const EntryWeights& b) {
  return g.Pair(a, b);
}


MetricResult Result(const char* id, const MetricEstimate& m) {
  MetricResult r;
  r.id = id;
  r.effect = m.estimate;
  r.undefined_reason = m.undefined_reason;
  if (m.weak_denominator) r.flags.push_back("weak_denominator");
  return r;
}

// A headline estimate from lib/stats/lift.h: the skew-corrected variant when
// the row shows it as primary and it is defined.
MetricResult Headline(const char* id, const stats::Estimate& plain,
                      const stats::Estimate& corrected, bool use_corrected) {
  MetricResult r;
  r.id = id;
  if (use_corrected && corrected.defined) {
    r.effect = corrected;
    r.flags.push_back("skew_corrected");
  } else {
    r.effect = plain;
  }
  if (!r.effect.defined) r.undefined_reason = "too few entries or no variation";
  return r;
}

// Guardrail verdict on an increase in a harm rate (docs/report.md,
// "Guardrails"): CRITICAL when the one-sided test of "no increase" rejects at
// 1 - confidence and the estimate exceeds the threshold; CAUTION when the
// one-sided upper bound exceeds it; otherwise pass.
void EvaluateGuardrail(double max_increase, double confidence, MetricResult& r) {
  GuardrailResult g;
  g.max_increase = max_increase;
  if (r.effect.defined) {
    g.p_value_harm = stats::UpperTailPValue(r.effect, 0.0);
    g.p_value_within_threshold = stats::LowerTailPValue(r.effect, max_increase);
    g.upper_bound = stats::OneSidedUpper(r.effect, confidence);
    if (g.p_value_harm < 1.0 - confidence && r.effect.value > max_increase) {
      g.status = GuardrailStatus::kHarm;
    } else if (g.upper_bound > max_increase) {
      g.status = GuardrailStatus::kCannotExclude;
    } else {
      g.status = GuardrailStatus::kPass;
    }
  }
  r.guardrail = g;
}

MetricResult Rate(const char* id, const MetricInputs& in, EntryVariable v) {
  const PairMoments t = Pair(in.treatment, W(v), W(v));
  const PairMoments c = Pair(in.holdout, W(v), W(v));
  MetricResult r = Result(id, stats::RateDifferenceEstimate(t, c, in.confidence));
  r.treatment = in.treatment.count() > 0 ? t.mean_a : stats::kNaN;
  r.holdout = in.holdout.count() > 0 ? c.mean_a : stats::kNaN;
  return r;
}

// R = (mean_T(a) - mean_C(a)) / (mean_T(b_t) - k mean_C(b_c) + extra / n_T):
// the denominator may read different variables in the two groups (the
// incentive-inclusive iROAS: sends plus incentives in treatment, incentives
// alone in the holdout, which has no sends of the journey to pay for).
MetricResult RatioOfDifferences(const char* id, const MetricInputs& in, const EntryWeights& a,
                                const EntryWeights& b_t, const EntryWeights& b_c,
                                double holdout_weight, double extra) {
  const double n_t = static_cast<double>(in.treatment.count());
  const double diff = EntryMoments::ContrastOfMeans(in.treatment, in.holdout, a);
  return Result(id, stats::RatioOfDifferencesEstimate(
                        Pair(in.treatment, a, b_t), Pair(in.holdout, a, b_c), holdout_weight,
                        n_t > 0.0 ? extra / n_t : 0.0, in.confidence, diff));
}

// The same denominator variables in both groups.
MetricResult RatioOfDifferences(const char* id, const MetricInputs& in, const EntryWeights& a,
                                const EntryWeights& b, double holdout_weight, double extra) {
  return RatioOfDifferences(id, in, a, b, b, holdout_weight, extra);
}

// Send cost plus the incentives granted: what an arm costs (arm vs arm) and
// the treatment side of the incentive-inclusive iROAS.
EntryWeights CostWithIncentives() {
  EntryWeights w = W(kVarCost);
  w[kVarIncentive] = 1.0;
  return w;
}

MetricResult RatioOfMeans(const char* id, const MetricInputs& in, EntryVariable a,
                          EntryVariable b) {
  const PairMoments t = Pair(in.treatment, W(a), W(b));
  const PairMoments c = Pair(in.holdout, W(a), W(b));
  MetricResult r = Result(id, stats::RatioOfMeansContrast(t, c, in.confidence));
  r.treatment = stats::RatioOfMeans(t);
  r.holdout = stats::RatioOfMeans(c);
  return r;
}

MetricResult DifferenceOfMeans(const char* id, const MetricInputs& in, EntryVariable v) {
  const PairMoments t = Pair(in.treatment, W(v), W(v));
  const PairMoments c = Pair(in.holdout, W(v), W(v));
  MetricResult r = Result(
      id, stats::DifferenceOfMeansEstimate(
              t, c, in.confidence, EntryMoments::ContrastOfMeans(in.treatment, in.holdout, W(v))));
  r.treatment = in.treatment.count() > 0 ? t.mean_a : stats::kNaN;
  r.holdout = in.holdout.count() > 0 ? c.mean_a : stats::kNaN;
  return r;
}

// --- the compute functions, one per definition ---

MetricResult ConversionRate(const MetricInputs& in) {
  MetricResult r = Headline("conversion_rate", in.lift.conversion_rate_lift,
                            in.lift.conversion_rate_lift, false);
  r.treatment = in.lift.treatment.conversion_rate;
  r.holdout = in.lift.holdout.conversion_rate;
  return r;
}

MetricResult RevenuePerEntry(const MetricInputs& in) {
  MetricResult r = Headline("revenue_per_entry", in.lift.revenue_per_entry_lift,
                            in.lift.revenue_per_entry_lift_skew_corrected,
                            in.skew_corrected_primary);
  r.treatment = in.lift.treatment.revenue_per_entry;
  r.holdout = in.lift.holdout.revenue_per_entry;
  return r;
}

MetricResult MarginPerEntry(const MetricInputs& in) {
  MetricResult r = Headline("margin_per_entry", in.lift.margin_per_entry_lift,
                            in.lift.margin_per_entry_lift_skew_corrected,
                            in.skew_corrected_primary);
  r.treatment = in.lift.treatment.margin_per_entry;
  r.holdout = in.lift.holdout.margin_per_entry;
  return r;
}

MetricResult Iroas(const MetricInputs& in) {
  return Headline("iroas", in.lift.iroas.AsEstimate(), in.lift.iroas_skew_corrected,
                  in.skew_corrected_primary);
}

MetricResult MarginIroas(const MetricInputs& in) {
  return Headline("margin_iroas", in.lift.margin_iroas.AsEstimate(),
                  in.lift.margin_iroas_skew_corrected, in.skew_corrected_primary);
}

MetricResult IroasMessagingCost(const MetricInputs& in) {
  return RatioOfDifferences("iroas_messaging_cost", in, W(kVarRevenue), W(kVarCost), 0.0, 0.0);
}

MetricResult MarginIroasMessagingCost(const MetricInputs& in) {
  return RatioOfDifferences("margin_iroas_messaging_cost", in, W(kVarMargin), W(kVarCost), 0.0,
                            0.0);
}

MetricResult IroasNetOfUnsubscribes(const MetricInputs& in) {
  const double value = in.journey.unsubscribe_value;
  if (!std::isfinite(value)) {
    MetricResult r;
    r.id = "iroas_net_of_unsubscribes";
    r.undefined_reason = "no value_per_event on the journey's UNSUBSCRIBE guardrail";
    return r;
  }
  EntryWeights a = W(kVarRevenue);
  a[kVarUnsubscribed] = -value;
  return RatioOfDifferences("iroas_net_of_unsubscribes", in, a, W(kVarCost), 0.0, in.fixed_cost);
}

// Δa / (mean_T(c + incentive) - mean_C(incentive) + F / n_T): the
// incentives counted as the incremental incentives the journey gave away.
// The delta interval and the weak-denominator flag come from the generic
// ratio of differences; where the row shows Hall's intervals (as for iROAS),
// the effect is Hall's interval of the same linearization, from the row's
// third moments (lib/stats/lift.h, iroas_with_incentives_skew_corrected),
// with the numerator's skew-corrected p-value.
MetricResult WithIncentives(const char* id, const MetricInputs& in, EntryVariable a,
                            const stats::Estimate& corrected) {
  MetricResult r = RatioOfDifferences(id, in, W(a), CostWithIncentives(), W(kVarIncentive), 1.0,
                                      in.fixed_cost);
  if (in.skew_corrected_primary && r.effect.defined && corrected.defined) {
    r.effect = corrected;
    r.flags.push_back("skew_corrected");
  }
  return r;
}

MetricResult IroasWithIncentives(const MetricInputs& in) {
  return WithIncentives("iroas_with_incentives", in, kVarRevenue,
                        in.lift.iroas_with_incentives_skew_corrected);
}

MetricResult MarginIroasWithIncentives(const MetricInputs& in) {
  return WithIncentives("margin_iroas_with_incentives", in, kVarMargin,
                        in.lift.margin_iroas_with_incentives_skew_corrected);
}

MetricResult IncentivePerEntry(const MetricInputs& in) {
  return DifferenceOfMeans("incentive_per_entry", in, kVarIncentive);
}

MetricResult OrdersPerEntry(const MetricInputs& in) {
  const PairMoments t = Pair(in.treatment, W(kVarOrders), W(kVarOrders));
  const PairMoments c = Pair(in.holdout, W(kVarOrders), W(kVarOrders));
  MetricResult r = Result(
      "orders_per_entry",
      stats::DifferenceOfMeansEstimate(
          t, c, in.confidence,
          EntryMoments::ContrastOfMeans(in.treatment, in.holdout, W(kVarOrders))));
  r.treatment = in.treatment.count() > 0 ? t.mean_a : stats::kNaN;
  r.holdout = in.holdout.count() > 0 ? c.mean_a : stats::kNaN;
  return r;
}

MetricResult AverageOrderValue(const MetricInputs& in) {
  return RatioOfMeans("average_order_value", in, kVarRevenue, kVarOrders);
}

MetricResult UnsubscribeRate(const MetricInputs& in) {
  MetricResult r = Rate("unsubscribe_rate", in, kVarUnsubscribed);
  EvaluateGuardrail(in.journey.unsubscribe_max_increase, in.confidence, r);
  return r;
}

MetricResult ComplaintRate(const MetricInputs& in) {
  MetricResult r = Rate("complaint_rate", in, kVarComplained);
  EvaluateGuardrail(in.journey.complaint_max_increase, in.confidence, r);
  return r;
}

MetricResult DeliveryRate(const MetricInputs& in) { return Rate("delivery_rate", in, kVarDelivered); }

MetricResult RevenuePerDeliveredEntry(const MetricInputs& in) {
  return RatioOfDifferences("revenue_per_delivered_entry", in, W(kVarRevenue), W(kVarDelivered),
                            1.0, 0.0);
}

MetricResult ConversionPerDeliveredEntry(const MetricInputs& in) {
  return RatioOfDifferences("conversion_per_delivered_entry", in, W(kVarConverted),
                            W(kVarDelivered), 1.0, 0.0);
}

// Descriptive: the holdout's sends are contamination, so a contrast of
// conversions per send between the groups means nothing; only the group
// values are shown.
MetricResult ConversionsPerSend(const MetricInputs& in) {
  MetricResult r = RatioOfMeans("conversions_per_send", in, kVarConverted, kVarSends);
  r.effect = stats::Estimate{};
  r.undefined_reason = "descriptive only (the holdout's sends are contamination)";
  r.flags.clear();
  return r;
}

using K = MetricKind;
using U = MetricUnit;

constexpr MetricDefinition kDefinitions[] = {
    {"conversion_rate", "Conversion rate", K::kRate, U::kProportion, true, "#141-rates",
     "share of entries with an order in the window; effect p_T - p_C", ConversionRate},
    {"revenue_per_entry", "Revenue per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#142-differences-of-means",
     "revenue per entry net of refunds; effect the lift D (Hall's interval when skewed)",
     RevenuePerEntry},
    {"margin_per_entry", "Margin per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#142-differences-of-means", "margin per entry net of refunds; effect the margin lift",
     MarginPerEntry},
    {"iroas", "iROAS (send + fixed cost)", K::kRatioOfDifferences, U::kRatio, true,
     "#144-ratios-of-differences",
     "incremental revenue per unit of cost K = sends + fixed cost (break-even 1)", Iroas},
    {"margin_iroas", "Margin iROAS (send + fixed cost)", K::kRatioOfDifferences, U::kRatio, true,
     "#144-ratios-of-differences", "incremental margin per unit of cost K (break-even 1)",
     MarginIroas},
    {"iroas_messaging_cost", "iROAS (send cost only)", K::kRatioOfDifferences, U::kRatio, true,
     "#144-ratios-of-differences",
     "incremental revenue per unit of messaging cost, fixed costs left out", IroasMessagingCost},
    {"margin_iroas_messaging_cost", "Margin iROAS (send cost only)", K::kRatioOfDifferences,
     U::kRatio, true, "#144-ratios-of-differences",
     "incremental margin per unit of messaging cost, fixed costs left out",
     MarginIroasMessagingCost},
    {"iroas_net_of_unsubscribes", "iROAS net of unsubscribes", K::kRatioOfDifferences, U::kRatio,
     true, "#144-ratios-of-differences",
     "incremental revenue minus the value of the extra unsubscribes, per unit of cost K",
     IroasNetOfUnsubscribes},
    {"iroas_with_incentives", "iROAS (send + fixed + incentives)", K::kRatioOfDifferences,
     U::kRatio, true, "#144-ratios-of-differences",
     "incremental revenue per unit of K plus the incremental incentives (coupons, discounts) "
     "granted: \"ROAS with discount\"",
     IroasWithIncentives},
    {"margin_iroas_with_incentives", "Margin iROAS (send + fixed + incentives)",
     K::kRatioOfDifferences, U::kRatio, true, "#144-ratios-of-differences",
     "incremental margin per unit of K plus the incremental incentives granted (break-even 1)",
     MarginIroasWithIncentives},
    {"incentive_per_entry", "Incentive per entry", K::kDifferenceOfMeans, U::kCurrency, false,
     "#142-differences-of-means",
     "coupon/discount value granted on the window's orders per entry; effect the incremental "
     "incentive",
     IncentivePerEntry},
    {"orders_per_entry", "Orders per entry", K::kDifferenceOfMeans, U::kCount, true,
     "#142-differences-of-means", "orders (CONVERSION or ORDER outcomes) per entry in the window",
     OrdersPerEntry},
    {"average_order_value", "Average order value", K::kRatioOfMeans, U::kCurrency, true,
     "#143-ratios-of-means", "revenue per order in each group; effect AOV_T - AOV_C",
     AverageOrderValue},
    {"unsubscribe_rate", "Unsubscribe rate", K::kRate, U::kProportion, false, "#141-rates",
     "share of entries that unsubscribed in the window (guardrail)", UnsubscribeRate},
    {"complaint_rate", "Complaint rate", K::kRate, U::kProportion, false, "#141-rates",
     "share of entries that complained (spam report) in the window (guardrail)", ComplaintRate},
    {"delivery_rate", "Delivery rate", K::kRate, U::kProportion, true, "#141-rates",
     "share of entries with at least one send of the journey in the window (holdout: "
     "contamination)",
     DeliveryRate},
    {"revenue_per_delivered_entry", "Revenue effect per delivered entry", K::kRatioOfDifferences,
     U::kCurrency, true, "#144-ratios-of-differences",
     "complier average effect: revenue lift / difference in delivery rates", RevenuePerDeliveredEntry},
    {"conversion_per_delivered_entry", "Conversion effect per delivered entry",
     K::kRatioOfDifferences, U::kProportion, true, "#144-ratios-of-differences",
     "complier average effect on conversion: conversion lift / difference in delivery rates",
     ConversionPerDeliveredEntry},
    {"conversions_per_send", "Conversions per send", K::kRatioOfMeans, U::kRatio, true,
     "#143-ratios-of-means",
     "converted entries per send in each group (the denominator CRM tools quote; not causal)",
     ConversionsPerSend},
};

// --- arm vs arm: treatment = arm b, holdout = arm a ---

MetricResult PairRevenue(const MetricInputs& in) {
  return DifferenceOfMeans("revenue_per_entry", in, kVarRevenue);
}
MetricResult PairMargin(const MetricInputs& in) {
  return DifferenceOfMeans("margin_per_entry", in, kVarMargin);
}
MetricResult PairCost(const MetricInputs& in) {
  return DifferenceOfMeans("cost_per_entry", in, kVarCost);
}
MetricResult PairIncentive(const MetricInputs& in) {
  return DifferenceOfMeans("incentive_per_entry", in, kVarIncentive);
}
MetricResult PairConversion(const MetricInputs& in) {
  return Rate("conversion_rate", in, kVarConverted);
}
MetricResult PairUnsubscribes(const MetricInputs& in) {
  return Rate("unsubscribe_rate", in, kVarUnsubscribed);
}
MetricResult PairRevenueReturn(const MetricInputs& in) {
  return RatioOfDifferences("incremental_revenue_return", in, W(kVarRevenue),
                            CostWithIncentives(), 1.0, 0.0);
}
MetricResult PairMarginReturn(const MetricInputs& in) {
  return RatioOfDifferences("incremental_margin_return", in, W(kVarMargin), CostWithIncentives(),
                            1.0, 0.0);
}

constexpr MetricDefinition kArmPairDefinitions[] = {
    {"revenue_per_entry", "Revenue per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#142-differences-of-means", "revenue per entry in each arm; effect b - a", PairRevenue},
    {"margin_per_entry", "Margin per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#142-differences-of-means", "margin per entry in each arm; effect b - a", PairMargin},
    {"cost_per_entry", "Cost per entry", K::kDifferenceOfMeans, U::kCurrency, false,
     "#142-differences-of-means",
     "send cost per entry in each arm; effect b - a (what the change costs in messaging)",
     PairCost},
    {"incentive_per_entry", "Incentive per entry", K::kDifferenceOfMeans, U::kCurrency, false,
     "#142-differences-of-means",
     "coupon/discount value granted per entry in each arm; effect b - a (what the change gives "
     "away)",
     PairIncentive},
    {"conversion_rate", "Conversion rate", K::kRate, U::kProportion, true, "#141-rates",
     "share converting in each arm; effect b - a in pp", PairConversion},
    {"unsubscribe_rate", "Unsubscribe rate", K::kRate, U::kProportion, false, "#141-rates",
     "share unsubscribing in each arm; effect b - a in pp", PairUnsubscribes},
    {"incremental_revenue_return", "Revenue return of the change", K::kRatioOfDifferences,
     U::kRatio, true, "#144-ratios-of-differences",
     "Δrevenue / Δcost of arm b over arm a, cost = sends + incentives: revenue each extra unit "
     "of cost brings",
     PairRevenueReturn},
    {"incremental_margin_return", "Margin return of the change", K::kRatioOfDifferences, U::kRatio,
     true, "#144-ratios-of-differences",
     "Δmargin / Δcost of arm b over arm a, cost = sends + incentives: above 1 the extra cost (a "
     "coupon, a channel) pays for itself in profit",
     PairMarginReturn},
};

// --- horizons: the same estimators over HorizonMoments ---

using HorizonWeights = HorizonMoments::Weights;

HorizonWeights HW(HorizonVariable v) {
  HorizonWeights out{};
  out[v] = 1.0;
  return out;
}

MetricResult HorizonDifference(const char* id, const HorizonMetricInputs& in, HorizonVariable v) {
  const PairMoments t = in.treatment.Pair(HW(v), HW(v));
  const PairMoments c = in.holdout.Pair(HW(v), HW(v));
  MetricResult r = Result(
      id, stats::DifferenceOfMeansEstimate(
              t, c, in.confidence,
              HorizonMoments::ContrastOfMeans(in.treatment, in.holdout, HW(v))));
  r.treatment = in.treatment.count() > 0 ? t.mean_a : stats::kNaN;
  r.holdout = in.holdout.count() > 0 ? c.mean_a : stats::kNaN;
  return r;
}

MetricResult HorizonRate(const char* id, const HorizonMetricInputs& in, HorizonVariable v) {
  const PairMoments t = in.treatment.Pair(HW(v), HW(v));
  const PairMoments c = in.holdout.Pair(HW(v), HW(v));
  MetricResult r = Result(id, stats::RateDifferenceEstimate(t, c, in.confidence));
  r.treatment = in.treatment.count() > 0 ? t.mean_a : stats::kNaN;
  r.holdout = in.holdout.count() > 0 ? c.mean_a : stats::kNaN;
  return r;
}

// D_h / (mean_T(c) + F_h / n_T), the revenue-cost covariance in T.
MetricResult HorizonIroas(const char* id, const HorizonMetricInputs& in, HorizonVariable a) {
  const double n_t = static_cast<double>(in.treatment.count());
  const double diff = HorizonMoments::ContrastOfMeans(in.treatment, in.holdout, HW(a));
  return Result(id, stats::RatioOfDifferencesEstimate(
                        in.treatment.Pair(HW(a), HW(kHorizonCost)),
                        in.holdout.Pair(HW(a), HW(kHorizonCost)), 0.0,
                        n_t > 0.0 ? in.fixed_cost / n_t : 0.0, in.confidence, diff));
}

MetricResult HRevenue(const HorizonMetricInputs& in) {
  return HorizonDifference("revenue_per_entry", in, kHorizonRevenue);
}
MetricResult HMargin(const HorizonMetricInputs& in) {
  return HorizonDifference("margin_per_entry", in, kHorizonMargin);
}
MetricResult HOrders(const HorizonMetricInputs& in) {
  return HorizonDifference("orders_per_entry", in, kHorizonOrders);
}
MetricResult HRetention(const HorizonMetricInputs& in) {
  return HorizonRate("retention_rate", in, kHorizonRetained);
}
MetricResult HRepeat(const HorizonMetricInputs& in) {
  return HorizonRate("repeat_purchase_rate", in, kHorizonRepeat);
}
MetricResult HIroas(const HorizonMetricInputs& in) {
  return HorizonIroas("iroas", in, kHorizonRevenue);
}
MetricResult HMarginIroas(const HorizonMetricInputs& in) {
  return HorizonIroas("margin_iroas", in, kHorizonMargin);
}

constexpr HorizonMetricDefinition kHorizonDefinitions[] = {
    {"revenue_per_entry", "Revenue per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#18-horizons",
     "revenue per entry over [entry, entry + h), refunds following their order; effect T - C",
     HRevenue},
    {"margin_per_entry", "Margin per entry", K::kDifferenceOfMeans, U::kCurrency, true,
     "#18-horizons", "margin per entry over the horizon; effect T - C", HMargin},
    {"orders_per_entry", "Orders per entry", K::kDifferenceOfMeans, U::kCount, true,
     "#18-horizons", "CONVERSION and ORDER outcomes per entry over the horizon", HOrders},
    {"retention_rate", "Retention (>= 1 order)", K::kRate, U::kProportion, true, "#18-horizons",
     "share of entries with at least one order or conversion over the horizon; effect in pp",
     HRetention},
    {"repeat_purchase_rate", "Repeat purchase (>= 2 orders)", K::kRate, U::kProportion, true,
     "#18-horizons", "share of entries with at least two orders over the horizon; effect in pp",
     HRepeat},
    {"iroas", "iROAS at the horizon", K::kRatioOfDifferences, U::kRatio, true, "#18-horizons",
     "horizon revenue lift per unit of cost (window sends + fixed cost pro-rated to the entries "
     "mature at h); break-even 1",
     HIroas},
    {"margin_iroas", "Margin iROAS at the horizon", K::kRatioOfDifferences, U::kRatio, true,
     "#18-horizons", "horizon margin lift per unit of the same cost; break-even 1", HMarginIroas},
};

}  // namespace

absl::Span<const HorizonMetricDefinition> HorizonMetricDefinitions() { return kHorizonDefinitions; }

std::vector<MetricResult> ComputeHorizonMetrics(const HorizonMetricInputs& inputs) {
  std::vector<MetricResult> out;
  out.reserve(std::size(kHorizonDefinitions));
  for (const HorizonMetricDefinition& d : kHorizonDefinitions) out.push_back(d.compute(inputs));
  return out;
}

absl::Span<const MetricDefinition> ArmPairMetricDefinitions() { return kArmPairDefinitions; }

std::vector<MetricResult> ComputeArmPairMetrics(const MetricInputs& inputs) {
  std::vector<MetricResult> out;
  out.reserve(std::size(kArmPairDefinitions));
  for (const MetricDefinition& d : kArmPairDefinitions) out.push_back(d.compute(inputs));
  return out;
}

absl::Span<const MetricDefinition> LiftMetricDefinitions() { return kDefinitions; }

std::vector<MetricResult> ComputeLiftMetrics(const MetricInputs& inputs) {
  std::vector<MetricResult> out;
  out.reserve(std::size(kDefinitions));
  for (const MetricDefinition& d : kDefinitions) out.push_back(d.compute(inputs));
  return out;
}

const MetricDefinition* FindLiftMetric(absl::string_view id) {
  for (const MetricDefinition& d : kDefinitions) {
    if (id == d.id) return &d;
  }
  return nullptr;
}

}  // namespace holdfast::report
