#include "lib/report/report_proto.h"

#include <cmath>

namespace holdfast::report {
namespace {

namespace v1 = ::holdfast::v1;

v1::Estimate ToProtoRatio(const stats::RatioEstimate& r) {
  v1::Estimate out;
  if (!r.defined) return out;
  out.set_value(r.value);
  out.set_lower(r.lower);
  out.set_upper(r.upper);
  out.set_std_error(r.std_error);
  out.set_p_value(r.p_value);
  out.set_df(r.df);
  out.set_defined(true);
  return out;
}

v1::FiellerInterval ToProto(const stats::FiellerSet& f) {
  v1::FiellerInterval out;
  switch (f.shape) {
    case stats::FiellerShape::kBounded: out.set_shape(v1::FiellerInterval::BOUNDED); break;
    case stats::FiellerShape::kExclusive: out.set_shape(v1::FiellerInterval::EXCLUSIVE); break;
    case stats::FiellerShape::kWholeLine: out.set_shape(v1::FiellerInterval::WHOLE_LINE); return out;
    case stats::FiellerShape::kUndefined: return out;
  }
  out.set_lower(f.lower);
  out.set_upper(f.upper);
  return out;
}

v1::GroupSummary ToProto(const stats::GroupSummary& g, int64_t sends) {
  v1::GroupSummary out;
  out.set_entries(g.entries);
  out.set_conversions(static_cast<int64_t>(std::llround(g.conversions)));
  out.set_conversion_rate(g.entries > 0 ? g.conversion_rate : 0.0);
  out.set_revenue(g.total_revenue);
  out.set_revenue_per_entry(g.entries > 0 ? g.revenue_per_entry : 0.0);
  out.set_margin(g.total_margin);
  out.set_margin_per_entry(g.entries > 0 ? g.margin_per_entry : 0.0);
  out.set_send_cost(g.total_cost);
  out.set_sends(sends);
  out.set_revenue_skewness(g.revenue_skewness);
  out.set_revenue_sd(g.revenue_sd);
  return out;
}

v1::Warning ToProto(const ReportWarning& w) {
  v1::Warning out;
  out.set_kind(static_cast<v1::Warning::Kind>(static_cast<int>(w.kind)));
  out.set_severity(static_cast<v1::Warning::Severity>(static_cast<int>(w.severity)));
  out.set_journey(w.journey);
  out.set_arm(w.arm);
  out.set_segment(w.segment);
  out.set_message(w.message);
  return out;
}

double SrmP(const stats::LiftResult& l) { return l.srm.has_value() ? l.srm->p_value : stats::kNaN; }

}  // namespace

google::protobuf::Timestamp ToTimestamp(UnixMicros t) {
  google::protobuf::Timestamp ts;
  int64_t seconds = t / 1000000;
  int64_t micros = t % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(micros * 1000));
  return ts;
}

UnixMicros FromTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

v1::Estimate ToProto(const stats::Estimate& e) {
  v1::Estimate out;
  if (!e.defined) return out;
  out.set_value(e.value);
  out.set_lower(e.lower);
  out.set_upper(e.upper);
  out.set_std_error(e.std_error);
  out.set_p_value(e.p_value);
  out.set_df(e.df);
  out.set_defined(true);
  return out;
}

namespace {

// An undefined metric estimate carries NaN, never a 0 p-value a client could
// read as significant.
v1::Estimate ToMetricEstimate(const stats::Estimate& e) {
  if (e.defined) return ::holdfast::report::ToProto(e);
  v1::Estimate out;
  for (auto set : {&v1::Estimate::set_value, &v1::Estimate::set_lower, &v1::Estimate::set_upper,
                   &v1::Estimate::set_std_error, &v1::Estimate::set_p_value, &v1::Estimate::set_df}) {
    (out.*set)(stats::kNaN);
  }
  return out;
}

v1::MetricResult ToProto(const MetricResult& m) {
  v1::MetricResult out;
  out.set_id(m.id);
  out.set_treatment(m.treatment);
  out.set_holdout(m.holdout);
  *out.mutable_effect() = ToMetricEstimate(m.effect);
  out.set_undefined_reason(m.undefined_reason);
  for (const std::string& f : m.flags) out.add_flags(f);
  if (m.guardrail.has_value()) {
    const GuardrailResult& g = *m.guardrail;
    v1::GuardrailVerdict* v = out.mutable_guardrail();
    // GuardrailStatus k maps to proto value k + 1 (0 is UNSPECIFIED there).
    v->set_status(static_cast<v1::GuardrailVerdict::Status>(static_cast<int>(g.status) + 1));
    v->set_max_increase(g.max_increase);
    v->set_p_value_harm(g.p_value_harm);
    v->set_p_value_within_threshold(g.p_value_within_threshold);
    v->set_upper_bound(g.upper_bound);
  }
  return out;
}

google::protobuf::Duration ToDuration(int64_t us) {
  google::protobuf::Duration d;
  d.set_seconds(us / 1000000);
  d.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return d;
}

template <typename Inputs>
v1::MetricDefinition ToProto(const BasicMetricDefinition<Inputs>& d) {
  v1::MetricDefinition def;
  def.set_id(d.id);
  def.set_label(d.label);
  def.set_kind(static_cast<v1::MetricKind>(static_cast<int>(d.kind)));
  def.set_unit(static_cast<v1::MetricUnit>(static_cast<int>(d.unit)));
  def.set_higher_is_better(d.higher_is_better);
  def.set_doc_anchor(d.doc_anchor);
  def.set_description(d.description);
  return def;
}

v1::StageRollup ToProto(const StageRollupResult& r) {
  v1::StageRollup out;
  out.set_stage(r.stage);
  for (const std::string& j : r.journeys) out.add_journeys(j);
  out.set_treatment_entries(r.treatment_entries);
  out.set_holdout_entries(r.holdout_entries);
  *out.mutable_incremental_revenue() = ::holdfast::report::ToProto(r.incremental_revenue);
  *out.mutable_incremental_margin() = ::holdfast::report::ToProto(r.incremental_margin);
  out.set_treatment_cost(r.treatment_cost);
  out.set_fixed_cost(r.fixed_cost);
  *out.mutable_iroas() = ::holdfast::report::ToProto(r.iroas);
  out.set_iroas_breakeven_p_value(r.iroas_breakeven_p_value);
  *out.mutable_margin_iroas() = ::holdfast::report::ToProto(r.margin_iroas);
  out.set_margin_iroas_breakeven_p_value(r.margin_iroas_breakeven_p_value);
  *out.mutable_incremental_revenue_any_overlap() =
      ::holdfast::report::ToProto(r.incremental_revenue_any_overlap);
  *out.mutable_iroas_any_overlap() = ::holdfast::report::ToProto(r.iroas_any_overlap);
  out.set_customers(r.customers);
  out.set_shared_customers(r.shared_customers);
  out.set_overlap_measured(r.overlap_measured);
  out.set_undefined_reason(r.undefined_reason);
  return out;
}

v1::TrendSeries ToProto(const TrendSeriesResult& s) {
  v1::TrendSeries out;
  out.set_journey(s.journey);
  for (const TrendPointResult& p : s.points) {
    const stats::LiftResult& l = p.lift;
    v1::TrendPoint* q = out.add_points();
    q->set_bucket(p.label);
    if (p.span.from != kMinTimeMicros) *q->mutable_start() = ToTimestamp(p.span.from);
    if (p.span.to != kMaxTimeMicros) *q->mutable_end() = ToTimestamp(p.span.to);
    q->set_treatment_entries(l.treatment.entries);
    q->set_holdout_entries(l.holdout.entries);
    q->set_washout_excluded(p.washout_excluded);
    q->set_immature_excluded(p.immature_excluded);
    q->set_complete(p.complete);
    const bool corrected = p.skew_corrected_primary;
    *q->mutable_revenue_lift() = ::holdfast::report::ToProto(
        corrected ? l.revenue_per_entry_lift_skew_corrected : l.revenue_per_entry_lift);
    *q->mutable_relative_revenue_lift() = ToProtoRatio(l.revenue_per_entry_relative_lift);
    *q->mutable_incremental_revenue() = ::holdfast::report::ToProto(
        corrected ? l.incremental_revenue_skew_corrected : l.incremental_revenue);
    q->set_treatment_cost(l.treatment_cost);
    q->set_fixed_cost(p.fixed_cost);
    *q->mutable_iroas() = corrected && l.iroas_skew_corrected.defined
                              ? ::holdfast::report::ToProto(l.iroas_skew_corrected)
                              : ToProtoRatio(l.iroas);
    *q->mutable_iroas_plain() = ToProtoRatio(l.iroas);
    q->set_iroas_breakeven_p_value(l.iroas.break_even_p_value);
    q->set_primary_interval(corrected ? v1::SKEW_CORRECTED : v1::PLAIN);
    *q->mutable_conversion_lift() = ::holdfast::report::ToProto(l.conversion_rate_lift);
  }
  v1::TrendDrift* d = out.mutable_drift();
  d->set_buckets(s.drift.buckets);
  d->set_weighted_iroas(s.drift.weighted_iroas);
  d->set_q(s.drift.q);
  d->set_q_p_value(s.drift.q_p_value);
  d->set_slope(s.drift.slope);
  d->set_slope_std_error(s.drift.slope_std_error);
  d->set_slope_p_value(s.drift.slope_p_value);
  return out;
}

// Estimates of a decision keep NaN when undefined (as the metrics do).
v1::JourneySummary ToProto(const JourneyDecision& d) {
  v1::JourneySummary out;
  out.set_journey(d.journey);
  // Verdict k maps to proto value k (0 is UNSPECIFIED there).
  out.set_verdict(static_cast<v1::DecisionVerdict>(static_cast<int>(d.verdict)));
  out.set_money_verdict(static_cast<v1::DecisionVerdict>(static_cast<int>(d.money_verdict)));
  out.set_margin_verdict(static_cast<v1::DecisionVerdict>(static_cast<int>(d.margin_verdict)));
  out.set_sentence(d.sentence);
  *out.mutable_iroas() = ToMetricEstimate(d.iroas);
  *out.mutable_margin_iroas() = ToMetricEstimate(d.margin_iroas);
  out.set_primary_interval(d.skew_corrected_primary ? v1::SKEW_CORRECTED : v1::PLAIN);
  out.set_breakeven_p_value(d.breakeven_p_value);
  out.set_entries(d.entries);
  out.set_iroas_mde(d.iroas_mde);
  out.set_entries_needed(d.entries_needed);
  out.set_additional_entries_needed(d.additional_entries_needed);
  out.set_entries_per_period(d.entries_per_period);
  out.set_period_unit(d.period_unit);
  out.set_period_seconds(d.period_us / 1000000);
  out.set_periods_needed(d.periods_needed);
  for (WarningKind k : d.blocking_kinds) {
    out.add_blocking_kinds(static_cast<v1::Warning::Kind>(static_cast<int>(k)));
  }
  for (const GuardrailHarm& h : d.harms) {
    v1::DecisionGuardrailHarm* p = out.add_harms();
    p->set_arm(h.arm);
    p->set_metric_id(h.metric_id);
    p->set_metric_label(h.metric_label);
    p->set_increase(h.increase);
    p->set_max_increase(h.max_increase);
  }
  out.set_caution_warnings(d.caution_warnings);
  return out;
}

}  // namespace

v1::LiftReport ToProto(const LiftReportResult& result, const LiftProtoContext& ctx) {
  v1::LiftReport out;
  out.set_config_version(result.config_version);
  *out.mutable_generated_at() = ToTimestamp(ctx.generated_at);
  out.set_confidence(result.confidence);
  if (ctx.range.from != kMinTimeMicros) *out.mutable_from() = ToTimestamp(ctx.range.from);
  if (ctx.range.to != kMaxTimeMicros) *out.mutable_to() = ToTimestamp(ctx.range.to);
  out.set_global_holdout_entries_excluded(result.global_holdout_entries_excluded);
  out.set_orphan_refunds(result.orphan_refunds);
  out.set_analysed_in_database(result.analysed_in_database);
  out.set_cuped(ctx.cuped);
  out.set_sequential(ctx.sequential);
  if (result.as_of != kMaxTimeMicros) *out.mutable_as_of() = ToTimestamp(result.as_of);
  out.set_immature_entries_excluded(result.immature_entries_excluded);
  out.set_cut_windows(result.cut_windows);
  out.set_entries_inside_refund_horizon(result.entries_inside_refund_horizon);
  out.set_unknown_version_entries(result.unknown_version_entries);
  for (const LiftRowResult& r : result.rows) {
    const stats::LiftResult& l = r.lift;
    v1::LiftRow* row = out.add_rows();
    row->set_journey(r.journey);
    row->set_arm(r.arm);
    row->set_segment(r.segment);
    row->set_stage(r.stage);
    *row->mutable_treatment() = ToProto(l.treatment, r.treatment_sends);
    *row->mutable_holdout() = ToProto(l.holdout, r.holdout_sends);
    *row->mutable_conversion_lift() = ToProto(l.conversion_rate_lift);
    *row->mutable_relative_conversion_lift() = ToProtoRatio(l.conversion_rate_relative_lift);
    *row->mutable_fieller_relative_conversion_lift() = ToProto(l.conversion_rate_relative_lift.fieller);
    *row->mutable_revenue_lift() = ToProto(l.revenue_per_entry_lift);
    *row->mutable_relative_revenue_lift() = ToProtoRatio(l.revenue_per_entry_relative_lift);
    *row->mutable_fieller_relative_revenue_lift() = ToProto(l.revenue_per_entry_relative_lift.fieller);
    *row->mutable_revenue_lift_skew_corrected() = ToProto(l.revenue_per_entry_lift_skew_corrected);
    row->set_revenue_lift_skewness(l.revenue_lift_skewness);
    *row->mutable_margin_lift() = ToProto(l.margin_per_entry_lift);
    *row->mutable_incremental_revenue() = ToProto(l.incremental_revenue);
    *row->mutable_incremental_conversions() = ToProto(l.incremental_conversions);
    row->set_treatment_cost(l.treatment_cost);
    row->set_fixed_cost(r.fixed_cost);
    *row->mutable_iroas() = ToProtoRatio(l.iroas);
    row->set_iroas_breakeven_p_value(l.iroas.break_even_p_value);
    *row->mutable_iroas_skew_corrected() = ToProto(l.iroas_skew_corrected);
    *row->mutable_margin_iroas() = ToProtoRatio(l.margin_iroas);
    row->set_attributed_roas(l.attributed_roas);
    *row->mutable_cost_per_incremental_conversion() = ToProto(l.cost_per_incremental_conversion);
    if (ctx.cuped) {
      *row->mutable_cuped_revenue_lift() = ToProto(l.cuped_revenue_lift.lift);
      row->set_cuped_variance_reduction(l.cuped_revenue_lift.variance_reduction);
      row->set_cuped_theta(l.cuped_revenue_lift.theta);
    }
    if (ctx.sequential) *row->mutable_sequential_revenue_lift() = ToProto(l.sequential_revenue_lift);
    row->set_p_value_holm(r.p_value_holm);
    row->set_p_value_bh(r.p_value_bh);
    row->set_primary_interval(r.primary == IntervalVariant::kSkewCorrected ? v1::SKEW_CORRECTED
                                                                            : v1::PLAIN);
    *row->mutable_incremental_revenue_skew_corrected() = ToProto(l.incremental_revenue_skew_corrected);
    *row->mutable_margin_iroas_skew_corrected() = ToProto(l.margin_iroas_skew_corrected);
    row->set_revenue_lift_tail_error(l.revenue_lift_tail_error);
    row->set_iroas_tail_error(l.iroas_tail_error);
    row->set_iroas_breakeven_p_value_holm(r.breakeven_p_value_holm);
    row->set_iroas_breakeven_p_value_bh(r.breakeven_p_value_bh);
    row->set_mde_revenue(l.mde.revenue_per_entry);
    row->set_mde_revenue_relative(l.mde.revenue_per_entry_relative);
    row->set_mde_conversion(l.mde.conversion_rate);
    row->set_mde_conversion_relative(l.mde.conversion_rate_relative);
    row->set_srm_p_value(SrmP(l));
    row->set_srm_arms_p_value(r.srm_arms_p_value);
    row->set_contaminated_sends(r.holdout_sends);
    row->set_contaminated_cost(r.holdout_send_cost);
    row->set_washout_excluded(r.washout_excluded);
    row->set_immature_excluded(r.immature_excluded);
    row->set_cut_windows(r.cut_windows);
    row->set_inside_refund_horizon(r.inside_refund_horizon);
    for (const MetricResult& m : r.metrics) *row->add_metrics() = ToProto(m);
    for (const HorizonRowResult& h : r.horizons) {
      v1::HorizonResult* p = row->add_horizons();
      *p->mutable_horizon() = ToDuration(h.horizon_us);
      p->set_treatment_entries(h.treatment_entries);
      p->set_holdout_entries(h.holdout_entries);
      p->set_immature_excluded(h.immature_excluded);
      p->set_overlapping_next_entry(h.overlapping_next_entry);
      p->set_fixed_cost(h.fixed_cost);
      for (const MetricResult& m : h.metrics) *p->add_metrics() = ToProto(m);
    }
    for (const CumulativePoint& c : r.cumulative) {
      v1::CumulativePoint* p = row->add_cumulative();
      *p->mutable_since_entry() = ToDuration(c.offset_us);
      p->set_treatment_entries(c.treatment_entries);
      p->set_holdout_entries(c.holdout_entries);
      p->set_treatment_revenue(c.treatment_revenue);
      p->set_holdout_revenue(c.holdout_revenue);
      p->set_treatment_margin(c.treatment_margin);
      p->set_holdout_margin(c.holdout_margin);
      *p->mutable_revenue() = ToMetricEstimate(c.revenue);
      *p->mutable_margin() = ToMetricEstimate(c.margin);
    }
  }
  for (const MetricDefinition& d : LiftMetricDefinitions()) *out.add_metric_definitions() = ToProto(d);
  for (const ArmComparisonResult& c : result.arm_comparisons) {
    v1::ArmComparison* p = out.add_arm_comparisons();
    p->set_journey(c.journey);
    p->set_segment(c.segment);
    p->set_arm_a(c.arm_a);
    p->set_arm_b(c.arm_b);
    p->set_entries_a(c.entries_a);
    p->set_entries_b(c.entries_b);
    for (const MetricResult& m : c.metrics) *p->add_metrics() = ToProto(m);
    p->set_srm_arms_p_value(c.srm_arms_p_value);
    p->set_p_value_holm(c.p_value_holm);
    p->set_p_value_bh(c.p_value_bh);
  }
  for (const MetricDefinition& d : ArmPairMetricDefinitions()) {
    *out.add_arm_pair_metric_definitions() = ToProto(d);
  }
  for (const StageRollupResult& st : result.stages) *out.add_stages() = ToProto(st);
  *out.mutable_programme() = ToProto(result.programme);
  out.set_trend_by(static_cast<v1::TrendBy>(static_cast<int>(result.trend_by)));
  for (const TrendSeriesResult& t : result.trends) *out.add_trends() = ToProto(t);
  for (const HorizonMetricDefinition& d : HorizonMetricDefinitions()) {
    *out.add_horizon_metric_definitions() = ToProto(d);
  }
  for (const ReportWarning& w : result.warnings) *out.add_warnings() = ToProto(w);
  for (const JourneyDecision& d : result.decisions) *out.add_journey_summaries() = ToProto(d);
  for (const JourneyChannelsResult& j : result.channels) {
    v1::JourneyChannels* p = out.add_journey_channels();
    p->set_journey(j.journey);
    for (const ChannelRowResult& r : j.rows) {
      v1::ChannelRow* q = p->add_rows();
      q->set_arm(r.arm);
      q->set_channel(r.channel);
      q->set_unattributed(r.unattributed);
      q->set_sends(r.sends);
      q->set_send_cost(r.send_cost);
      q->set_attributed_orders(r.attributed_orders);
      q->set_attributed_revenue(r.attributed_revenue);
      q->set_attributed_roas(r.attributed_roas);
      q->set_revenue_share(r.revenue_share);
      q->set_holdout_sends(r.holdout_sends);
      q->set_holdout_send_cost(r.holdout_send_cost);
      q->set_holdout_attributed_orders(r.holdout_attributed_orders);
      q->set_holdout_attributed_revenue(r.holdout_attributed_revenue);
      for (const std::string& a : r.declared_by_arms) q->add_declared_by_arms(a);
    }
    p->set_attributed_revenue(j.attributed_revenue);
    p->set_attributed_orders(j.attributed_orders);
    p->set_unattributed_revenue(j.unattributed_revenue);
    p->set_unattributed_orders(j.unattributed_orders);
    p->set_incremental_revenue(j.incremental_revenue);
    p->set_iroas(j.iroas);
    p->set_iroas_lower(j.iroas_lower);
    p->set_iroas_upper(j.iroas_upper);
    p->set_attributed_over_incremental(j.attributed_over_incremental);
    p->set_attributed_roas(j.attributed_roas);
    for (const CostComponentResult& c : j.cost_components) {
      v1::CostComponent* q = p->add_cost_components();
      q->set_kind(static_cast<v1::CostComponent::Kind>(static_cast<int>(c.kind)));
      q->set_name(c.name);
      q->set_amount(c.amount);
    }
    p->set_send_cost(j.send_cost);
    p->set_fixed_cost(j.fixed_cost);
    p->set_treatment_cost(j.treatment_cost);
    p->set_incentives(j.incentives);
    p->set_incremental_incentives(j.incremental_incentives);
    p->set_treatment_cost_with_incentives(j.treatment_cost_with_incentives);
    p->set_arms_differ_by_channel(j.arms_differ_by_channel);
    for (const std::string& n : j.notes) p->add_notes(n);
  }
  for (const MultiplicityFamily& f : result.families) {
    v1::MultiplicityFamily* family = out.add_families();
    family->set_name(f.name);
    family->set_size(f.size);
  }
  return out;
}

v1::ProgramReport ToProto(const ProgramReportResult& result, UnixMicros generated_at,
                          const TimeRange& range) {
  v1::ProgramReport out;
  out.set_config_version(result.config_version);
  *out.mutable_generated_at() = ToTimestamp(generated_at);
  out.set_confidence(result.confidence);
  if (range.from != kMinTimeMicros) *out.mutable_from() = ToTimestamp(range.from);
  if (range.to != kMaxTimeMicros) *out.mutable_to() = ToTimestamp(range.to);
  if (result.as_of != kMaxTimeMicros) *out.mutable_as_of() = ToTimestamp(result.as_of);
  for (int64_t k : result.unfinished_periods) out.add_unfinished_periods(k);
  for (const ProgramRowResult& r : result.rows) {
    const stats::LiftResult& l = r.lift;
    v1::ProgramRow* row = out.add_rows();
    row->set_period(r.period);
    *row->mutable_start() = ToTimestamp(r.span.from);
    *row->mutable_end() = ToTimestamp(r.span.to);
    row->set_config_version(r.config_version);
    row->set_global_holdout_share(static_cast<double>(r.share_ppm) / kShareScale);
    *row->mutable_exposed() = ToProto(l.treatment, r.exposed_sends);
    *row->mutable_global_holdout() = ToProto(l.holdout, r.holdout_sends);
    *row->mutable_revenue_lift() = ToProto(l.revenue_per_entry_lift);
    *row->mutable_relative_revenue_lift() = ToProtoRatio(l.revenue_per_entry_relative_lift);
    *row->mutable_conversion_lift() = ToProto(l.conversion_rate_lift);
    *row->mutable_margin_lift() = ToProto(l.margin_per_entry_lift);
    *row->mutable_incremental_revenue() = ToProto(l.incremental_revenue);
    *row->mutable_incremental_margin() = ToProto(l.incremental_margin);
    row->set_program_cost(l.treatment_cost);
    row->set_fixed_cost(r.fixed_cost);
    *row->mutable_iroas() = ToProtoRatio(l.iroas);
    row->set_iroas_breakeven_p_value(l.iroas.break_even_p_value);
    *row->mutable_margin_iroas() = ToProtoRatio(l.margin_iroas);
    row->set_attributed_roas(l.attributed_roas);
    row->set_srm_p_value(SrmP(l));
    row->set_joined_units(r.joined_units);
    row->set_joined_sends(r.joined_sends);
    row->set_joined_send_cost(r.joined_send_cost);
    row->set_all_sends(r.all_sends);
    row->set_total_cost(r.total_cost);
    *row->mutable_iroas_total_cost() = ToProtoRatio(r.lift_all_sends.iroas);
  }
  for (const ReportWarning& w : result.warnings) *out.add_warnings() = ToProto(w);
  return out;
}

}  // namespace holdfast::report
