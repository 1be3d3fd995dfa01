#include "lib/stats/lift.h"

#include <cmath>
#include <cstdint>

#include "absl/status/status.h"
#include "lib/stats/power.h"
#include "lib/stats/sequential.h"

namespace holdfast::stats {
namespace {

constexpr int kY = GroupMoments::Index(Metric::kRevenue);
constexpr int kM = GroupMoments::Index(Metric::kMargin);
constexpr int kC = GroupMoments::Index(Metric::kCost);
constexpr int kZ = GroupMoments::Index(Metric::kPreRevenue);
constexpr int kI = GroupMoments::Index(Metric::kIncentive);

MetricWeights Unit(int metric, double weight = 1.0) {
  MetricWeights w{};
  w[metric] = weight;
  return w;
}

// The contrast mean(w_t . v)_T - mean(w_c . v)_C - offset with its Welch
// variance components.
Contrast MeansContrast(const GroupMoments& t, const GroupMoments& c, const MetricWeights& w_t,
                       const MetricWeights& w_c, double offset = 0.0) {
  Contrast k;
  const double n_t = static_cast<double>(t.count());
  const double n_c = static_cast<double>(c.count());
  k.n_t = n_t;
  k.n_c = n_c;
  if (t.count() == 0 || c.count() == 0) return k;
  k.estimate = GroupMoments::ContrastOfMeans(t, w_t, c, w_c) - offset;
  k.v_t = t.SampleVarianceOf(w_t) / n_t;
  k.v_c = c.SampleVarianceOf(w_c) / n_c;
  return k;
}

// Skewness kappa3 / se^3 of the contrast estimator; the third cumulant of a
// mean of n iid values is mu3 / n^2.
double ContrastSkewness(const GroupMoments& t, const GroupMoments& c, const MetricWeights& w_t,
                        const MetricWeights& w_c, double se) {
  const double n_t = static_cast<double>(t.count());
  const double n_c = static_cast<double>(c.count());
  const double kappa3 =
      t.ThirdCentralMomentOf(w_t) / (n_t * n_t) - c.ThirdCentralMomentOf(w_c) / (n_c * n_c);
  return kappa3 / (se * se * se);
}

GroupSummary Summarize(const GroupMoments& g) {
  GroupSummary s;
  s.entries = g.count();
  s.conversions = g.Sum(Metric::kConverted);
  s.total_revenue = g.Sum(Metric::kRevenue);
  s.total_margin = g.Sum(Metric::kMargin);
  s.total_cost = g.Sum(Metric::kCost);
  if (g.count() > 0) {
    s.conversion_rate = g.Mean(Metric::kConverted);
    s.revenue_per_entry = g.Mean(Metric::kRevenue);
    s.margin_per_entry = g.Mean(Metric::kMargin);
    s.cost_per_entry = g.Mean(Metric::kCost);
  }
  s.revenue_sd = std::sqrt(g.SampleVariance(Metric::kRevenue));
  s.revenue_skewness = g.Skewness(Metric::kRevenue);
  return s;
}

// Relative lift mean_T / mean_C - 1 of metric `metric` (revenue or margin).
// Delta method with Welch-Satterthwaite df of the linearized components;
// Fieller's set (shifted by -1) at the critical value of the difference test,
// so "0 in Fieller" <=> "difference test does not reject".
RatioEstimate RelativeOfMeans(const GroupMoments& t, const GroupMoments& c, int metric,
                              const Estimate& difference, double confidence) {
  RatioEstimate r;
  r.p_value = difference.p_value;
  if (t.count() < 2 || c.count() < 2) return r;
  const Metric mt = static_cast<Metric>(metric);
  const double mean_t = t.Mean(mt);
  const double mean_c = c.Mean(mt);
  const double v_t = t.SampleVariance(mt) / static_cast<double>(t.count());
  const double v_c = c.SampleVariance(mt) / static_cast<double>(c.count());
  if (difference.defined) {
    const double q_diff = TwoSidedCritical(confidence, difference.df);
    const FiellerSet f = Fieller(mean_t, mean_c, v_t, v_c, 0.0, q_diff);
    r.fieller = f;
    if (f.shape == FiellerShape::kBounded || f.shape == FiellerShape::kExclusive) {
      r.fieller.lower -= 1.0;
      r.fieller.upper -= 1.0;
    }
  }
  if (mean_c == 0.0) return r;
  const double rho = mean_t / mean_c;
  Contrast lin;
  lin.estimate = rho - 1.0;
  lin.v_t = v_t / (mean_c * mean_c);
  lin.v_c = rho * rho * v_c / (mean_c * mean_c);
  lin.n_t = static_cast<double>(t.count());
  lin.n_c = static_cast<double>(c.count());
  const Estimate e = WelchEstimate(lin, confidence);
  r.value = rho - 1.0;
  if (!e.defined) return r;
  r.lower = e.lower;
  r.upper = e.upper;
  r.std_error = e.std_error;
  r.df = e.df;
  r.defined = true;
  return r;
}

// Hall's interval for the relative lift rho - 1 = mean_T / mean_C - 1 from the
// skewness of its linearization (mean_T(y) - rho mean_C(y)) / mean_C: weights
// 1 / mean_C in T and rho / mean_C in C.
struct RelativeSkewOutputs {
  Estimate corrected;
  double skewness = kNaN;
};
RelativeSkewOutputs RelativeSkewCorrected(const GroupMoments& t, const GroupMoments& c, int metric,
                                          const RatioEstimate& delta, double confidence) {
  RelativeSkewOutputs out;
  out.corrected.value = delta.value;
  out.corrected.p_value = delta.p_value;
  if (!delta.defined) return out;
  const double mean_c = c.Mean(static_cast<Metric>(metric));
  const double rho = delta.value + 1.0;
  out.skewness = ContrastSkewness(t, c, Unit(metric, 1.0 / mean_c), Unit(metric, rho / mean_c),
                                  delta.std_error);
  out.corrected = HallSkewCorrected(delta.value, delta.std_error, delta.df, out.skewness,
                                    confidence);
  out.corrected.p_value = delta.p_value;
  return out;
}

struct RoasOutputs {
  RatioEstimate ratio;
  Estimate skew_corrected;
  double skewness = kNaN;
};

// What an iROAS-type ratio divides by: mean(cost_t . v)_T - mean(cost_c . v)_C
// + F / n_T. The plain iROAS reads the treatment's send cost alone; the
// "ROAS with discount" adds the treatment's incentives and subtracts the
// holdout's (the incremental incentives).
struct RoasCost {
  MetricWeights cost_t;
  MetricWeights cost_c;
};

RoasCost SendCost() { return {Unit(kC), MetricWeights{}}; }

RoasCost SendCostAndIncrementalIncentives() {
  RoasCost k{Unit(kC), Unit(kI)};
  k.cost_t[kI] = 1.0;
  return k;
}

// iROAS-type ratio R = D / k, D = mean(num_T) - mean(num_C),
// k = mean(cost_t)_T - mean(cost_c)_C + F / n_T. Linearization:
//   R-hat - R ~ [ mean_T(num - R cost_t) - mean_C(num - R cost_c) ] / k,
// so the delta variance is
//   [ var_T(num - R cost_t) / n_T + var_C(num - R cost_c) / n_C ] / k^2,
// which carries the revenue-cost covariance of each group, and Hall's
// correction reads the third moments of the same two combinations.
RoasOutputs Roas(const GroupMoments& t, const GroupMoments& c, int num, const RoasCost& cost,
                 double fixed_cost, const Estimate& difference,
                 const Estimate& difference_skew_corrected, double confidence) {
  RoasOutputs out;
  RatioEstimate& r = out.ratio;
  r.p_value = difference.p_value;
  out.skew_corrected.p_value = difference_skew_corrected.p_value;
  if (t.count() < 2 || c.count() < 2) return out;
  const double n_t = static_cast<double>(t.count());
  const double n_c = static_cast<double>(c.count());
  const double k =
      GroupMoments::ContrastOfMeans(t, cost.cost_t, c, cost.cost_c) + fixed_cost / n_t;
  // Break-even (R = 1): Welch test of mean(num_T - cost_T) - F/n_T - mean(num_C - cost_C).
  {
    MetricWeights w_t = Unit(num);
    MetricWeights w_c = Unit(num);
    for (int a = 0; a < kNumMetrics; ++a) {
      w_t[a] -= cost.cost_t[a];
      w_c[a] -= cost.cost_c[a];
    }
    const Estimate be =
        WelchEstimate(MeansContrast(t, c, w_t, w_c, fixed_cost / n_t), confidence);
    r.break_even_p_value = be.p_value;
  }
  if (!(k > 0.0) || !difference.defined) return out;
  const double d = difference.value;
  const double ratio = d / k;
  r.value = ratio;
  out.skew_corrected.value = ratio;
  MetricWeights lin_t = Unit(num, 1.0 / k);
  MetricWeights lin_c = Unit(num, 1.0 / k);
  for (int a = 0; a < kNumMetrics; ++a) {
    if (cost.cost_t[a] != 0.0) lin_t[a] -= ratio / k * cost.cost_t[a];
    if (cost.cost_c[a] != 0.0) lin_c[a] -= ratio / k * cost.cost_c[a];
  }
  Contrast lin = MeansContrast(t, c, lin_t, lin_c);
  lin.estimate = ratio;
  const Estimate e = WelchEstimate(lin, confidence);
  if (e.defined) {
    r.lower = e.lower;
    r.upper = e.upper;
    r.std_error = e.std_error;
    r.df = e.df;
    r.defined = true;
    const double a = ContrastSkewness(t, c, lin_t, lin_c, e.std_error);
    out.skewness = a;
    out.skew_corrected = HallSkewCorrected(ratio, e.std_error, e.df, a, confidence);
    out.skew_corrected.p_value = difference_skew_corrected.p_value;
  }
  const MetricWeights w_num = Unit(num);
  const double v_num = difference.std_error * difference.std_error;
  double v_den = t.SampleVarianceOf(cost.cost_t) / n_t;
  double cov = t.SampleCovarianceOf(w_num, cost.cost_t) / n_t;
  if (cost.cost_c != MetricWeights{}) {
    v_den += c.SampleVarianceOf(cost.cost_c) / n_c;
    cov += c.SampleCovarianceOf(w_num, cost.cost_c) / n_c;
  }
  r.fieller = Fieller(d, k, v_num, v_den, cov, TwoSidedCritical(confidence, difference.df));
  return out;
}

struct DifferenceOutputs {
  Estimate welch;
  Estimate skew_corrected;
  double skewness = kNaN;
};

DifferenceOutputs MeanDifference(const GroupMoments& t, const GroupMoments& c, int metric,
                                 double confidence) {
  DifferenceOutputs out;
  const MetricWeights w = Unit(metric);
  out.welch = WelchEstimate(MeansContrast(t, c, w, w), confidence);
  if (out.welch.defined) {
    out.skewness = ContrastSkewness(t, c, w, w, out.welch.std_error);
    out.skew_corrected = HallSkewCorrected(out.welch.value, out.welch.std_error, out.welch.df,
                                           out.skewness, confidence);
  } else {
    out.skew_corrected.value = out.welch.value;
  }
  return out;
}

CupedEstimate Cuped(const GroupMoments& t, const GroupMoments& c, const Estimate& plain,
                    double confidence) {
  CupedEstimate out;
  if (t.count() < 2 || c.count() < 2) return out;
  GroupMoments all = t;
  all.Merge(c);
  const double m_zz = all.CoMoment2(Metric::kPreRevenue, Metric::kPreRevenue);
  if (!(m_zz > 0.0)) return out;
  const double theta = all.CoMoment2(Metric::kRevenue, Metric::kPreRevenue) / m_zz;
  MetricWeights w = Unit(kY);
  w[kZ] = -theta;
  // The centring constant theta * mean(z) over both groups cancels in the
  // difference and does not change any variance, so it is left out.
  out.lift = WelchEstimate(MeansContrast(t, c, w, w), confidence);
  out.theta = theta;
  if (out.lift.defined && plain.defined) {
    out.variance_reduction = 1.0 - (out.lift.std_error * out.lift.std_error) /
                                       (plain.std_error * plain.std_error);
  }
  out.defined = out.lift.defined;
  return out;
}

}  // namespace

double OneSidedErrorEstimate(double a, double q) {
  if (!std::isfinite(a) || !std::isfinite(q)) return kNaN;
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  const double phi = kInvSqrt2Pi * std::exp(-0.5 * q * q);
  return std::fabs(a) * (2.0 * q * q + 1.0) * phi / 6.0;
}

absl::StatusOr<LiftResult> ComputeLift(const GroupMoments& treatment, const GroupMoments& holdout,
                                       double fixed_cost, const LiftOptions& options) {
  const double conf = options.confidence;
  if (!(conf > 0.0 && conf < 1.0)) {
    return absl::InvalidArgumentError("confidence must be in (0, 1)");
  }
  if (!(options.power > 1.0 - conf && options.power < 1.0)) {
    return absl::InvalidArgumentError("power must be in (1 - confidence, 1)");
  }
  if (!(options.heavy_tail_max_tail_error > 0.0 && options.heavy_tail_max_tail_error < 0.5)) {
    return absl::InvalidArgumentError("heavy_tail_max_tail_error must be in (0, 0.5)");
  }
  if (!std::isfinite(fixed_cost) || fixed_cost < 0.0) {
    return absl::InvalidArgumentError("fixed_cost must be finite and >= 0");
  }
  const GroupMoments& t = treatment;
  const GroupMoments& c = holdout;
  const double n_t = static_cast<double>(t.count());
  const double n_c = static_cast<double>(c.count());

  LiftResult r;
  r.treatment = Summarize(t);
  r.holdout = Summarize(c);

  // Conversion: p(1 - p) / n variances (not the n - 1 sample variance), z.
  {
    const double p_t = r.treatment.conversion_rate;
    const double p_c = r.holdout.conversion_rate;
    if (t.count() > 0 && c.count() > 0) {
      const double v_t = p_t * (1.0 - p_t) / n_t;
      const double v_c = p_c * (1.0 - p_c) / n_c;
      r.conversion_rate_lift = NormalEstimate(p_t - p_c, std::sqrt(v_t + v_c), conf);
      RatioEstimate& rel = r.conversion_rate_relative_lift;
      rel.p_value = r.conversion_rate_lift.p_value;
      const double z = TwoSidedCritical(conf, kInf);
      rel.fieller = Fieller(p_t, p_c, v_t, v_c, 0.0, z);
      if (rel.fieller.shape == FiellerShape::kBounded ||
          rel.fieller.shape == FiellerShape::kExclusive) {
        rel.fieller.lower -= 1.0;
        rel.fieller.upper -= 1.0;
      }
      if (p_c > 0.0) {
        const double rho = p_t / p_c;
        rel.value = rho - 1.0;
        const Estimate e =
            NormalEstimate(rho - 1.0, std::sqrt(v_t + rho * rho * v_c) / p_c, conf);
        if (e.defined) {
          rel.lower = e.lower;
          rel.upper = e.upper;
          rel.std_error = e.std_error;
          rel.df = e.df;
          rel.defined = true;
        }
      }
      r.warnings.conversion_relative_unreliable = rel.fieller.shape != FiellerShape::kBounded;
    }
    r.incremental_conversions = Scaled(r.conversion_rate_lift, n_t);
  }

  // Revenue and margin per entry.
  const DifferenceOutputs revenue = MeanDifference(t, c, kY, conf);
  r.revenue_per_entry_lift = revenue.welch;
  r.revenue_per_entry_lift_skew_corrected = revenue.skew_corrected;
  r.revenue_lift_skewness = revenue.skewness;
  r.revenue_per_entry_relative_lift = RelativeOfMeans(t, c, kY, revenue.welch, conf);
  if (revenue.welch.defined) {
    r.revenue_lift_tail_error = OneSidedErrorEstimate(
        revenue.skewness, TwoSidedCritical(conf, revenue.welch.df));
  }
  {
    const RelativeSkewOutputs rel =
        RelativeSkewCorrected(t, c, kY, r.revenue_per_entry_relative_lift, conf);
    r.revenue_per_entry_relative_lift_skew_corrected = rel.corrected;
    r.relative_revenue_lift_skewness = rel.skewness;
  }
  r.incremental_revenue = Scaled(revenue.welch, n_t);
  r.incremental_revenue_skew_corrected = Scaled(revenue.skew_corrected, n_t);

  const DifferenceOutputs margin = MeanDifference(t, c, kM, conf);
  r.margin_per_entry_lift = margin.welch;
  r.margin_per_entry_lift_skew_corrected = margin.skew_corrected;
  r.margin_per_entry_relative_lift = RelativeOfMeans(t, c, kM, margin.welch, conf);
  r.incremental_margin = Scaled(margin.welch, n_t);

  // Cost and ROAS.
  r.treatment_cost = r.treatment.total_cost + fixed_cost;
  if (t.count() > 0 && r.treatment_cost > 0.0) {
    r.attributed_roas = r.treatment.total_revenue / r.treatment_cost;
  }
  const RoasOutputs iroas =
      Roas(t, c, kY, SendCost(), fixed_cost, revenue.welch, revenue.skew_corrected, conf);
  r.iroas = iroas.ratio;
  r.iroas_skew_corrected = iroas.skew_corrected;
  r.iroas_skewness = iroas.skewness;
  if (r.iroas.defined) {
    r.iroas_tail_error = OneSidedErrorEstimate(iroas.skewness,
                                               TwoSidedCritical(conf, r.iroas.df));
  }
  const RoasOutputs margin_iroas =
      Roas(t, c, kM, SendCost(), fixed_cost, margin.welch, margin.skew_corrected, conf);
  r.margin_iroas = margin_iroas.ratio;
  r.margin_iroas_skew_corrected = margin_iroas.skew_corrected;
  // "ROAS with discount": the incremental incentives added to K.
  {
    const RoasOutputs with = Roas(t, c, kY, SendCostAndIncrementalIncentives(), fixed_cost,
                                  revenue.welch, revenue.skew_corrected, conf);
    r.iroas_with_incentives = with.ratio;
    r.iroas_with_incentives_skew_corrected = with.skew_corrected;
    const RoasOutputs margin_with = Roas(t, c, kM, SendCostAndIncrementalIncentives(), fixed_cost,
                                         margin.welch, margin.skew_corrected, conf);
    r.margin_iroas_with_incentives = margin_with.ratio;
    r.margin_iroas_with_incentives_skew_corrected = margin_with.skew_corrected;
  }

  // Cost per incremental conversion, K / (n_T dp), monotone decreasing in dp.
  {
    const Estimate& dp = r.conversion_rate_lift;
    Estimate& cpic = r.cost_per_incremental_conversion;
    cpic.p_value = dp.p_value;
    if (dp.defined && dp.value > 0.0 && t.count() > 0) {
      cpic.value = r.treatment_cost / (n_t * dp.value);
      cpic.lower = r.treatment_cost / (n_t * dp.upper);
      cpic.upper = dp.lower > 0.0 ? r.treatment_cost / (n_t * dp.lower) : kInf;
      cpic.df = dp.df;
      cpic.defined = true;
    }
  }

  r.cuped_revenue_lift = Cuped(t, c, revenue.welch, conf);

  if (options.sequential && revenue.welch.defined) {
    r.sequential_revenue_lift =
        AlwaysValidEstimate(revenue.welch.value, revenue.welch.std_error, n_t + n_c,
                            options.sequential_tuning_entries, conf);
  }

  // Minimum detectable effects for the sizes seen.
  {
    const PowerSpec spec{.alpha = 1.0 - conf, .power = options.power};
    if (t.count() >= 2 && c.count() >= 2) {
      absl::StatusOr<double> mde =
          MeanMde(r.treatment.revenue_sd, n_t, r.holdout.revenue_sd, n_c, spec);
      if (mde.ok()) {
        r.mde.revenue_per_entry = *mde;
        if (r.holdout.revenue_per_entry != 0.0) {
          r.mde.revenue_per_entry_relative = *mde / std::fabs(r.holdout.revenue_per_entry);
        }
      }
    }
    if (t.count() > 0 && c.count() > 0) {
      absl::StatusOr<double> mde = ProportionMde(r.holdout.conversion_rate, n_t, n_c, spec);
      if (mde.ok()) {
        r.mde.conversion_rate = *mde;
        r.mde.conversion_rate_relative = *mde / r.holdout.conversion_rate;
      }
    }
  }

  if (options.expected_treatment_share > 0.0 && options.expected_treatment_share < 1.0) {
    const int64_t counts[2] = {t.count(), c.count()};
    const double weights[2] = {options.expected_treatment_share,
                               1.0 - options.expected_treatment_share};
    absl::StatusOr<SrmResult> srm = SrmTest(counts, weights);
    if (srm.ok()) {
      r.srm = *srm;
      r.warnings.srm = srm->flagged;
    }
  }

  // Warnings.
  {
    LiftWarnings& w = r.warnings;
    for (const GroupSummary* g : {&r.treatment, &r.holdout}) {
      const double n = static_cast<double>(g->entries);
      if (g->entries < options.min_entries_per_group ||
          g->conversions < static_cast<double>(options.min_conversions_per_group) ||
          n - g->conversions < static_cast<double>(options.min_conversions_per_group)) {
        w.too_few_entries = true;
      }
    }
    const double limit = options.heavy_tail_max_tail_error;
    w.heavy_tail = (std::isfinite(r.revenue_lift_tail_error) && r.revenue_lift_tail_error > limit) ||
                   (std::isfinite(r.iroas_tail_error) && r.iroas_tail_error > limit);
    w.revenue_relative_unreliable =
        r.revenue_per_entry_relative_lift.fieller.shape != FiellerShape::kBounded;
    w.margin_relative_unreliable =
        r.margin_per_entry_relative_lift.fieller.shape != FiellerShape::kBounded;
  }
  return r;
}

std::vector<std::string> DescribeWarnings(const LiftWarnings& w) {
  std::vector<std::string> out;
  if (w.srm) {
    out.push_back(
        "sample ratio mismatch (chi-squared p < 0.001): group sizes do not match the configured "
        "split; assignment or logging is broken and no estimate can be trusted");
  }
  if (w.too_few_entries) {
    out.push_back(
        "too few entries or conversions in a group for the normal-approximation intervals to "
        "mean anything");
  }
  if (w.heavy_tail) {
    out.push_back(
        "revenue is heavily skewed for this sample size: by Hall's first-order term one tail of "
        "the plain Welch / delta interval misses materially more often than stated; use the "
        "skewness-corrected intervals");
  }
  if (w.conversion_relative_unreliable) {
    out.push_back(
        "holdout conversion rate is not significantly above 0: the relative conversion lift "
        "interval is unreliable; Fieller's set is unbounded");
  }
  if (w.revenue_relative_unreliable) {
    out.push_back(
        "holdout revenue per entry is not significantly different from 0: the relative revenue "
        "lift interval is unreliable; Fieller's set is unbounded");
  }
  if (w.margin_relative_unreliable) {
    out.push_back(
        "holdout margin per entry is not significantly different from 0: the relative margin "
        "lift interval is unreliable; Fieller's set is unbounded");
  }
  return out;
}

}  // namespace holdfast::stats
