#include "tests/stats/simulation.h"

#include <cmath>

namespace holdfast::stats::testing {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix64(seed);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

double Rng::LogNormal(double mu, double sigma) { return std::exp(mu + sigma * Normal()); }

int64_t Rng::Binomial(int64_t n, double p) {
  if (p <= 0.0) return 0;
  if (p >= 1.0) return n;
  // Gaps between successes are geometric: floor(log U / log(1 - p)).
  const double log_q = std::log1p(-p);
  int64_t count = 0;
  double pos = -1.0;
  while (true) {
    pos += 1.0 + std::floor(std::log(Uniform()) / log_q);
    if (pos >= static_cast<double>(n)) return count;
    ++count;
  }
}

double Scenario::MeanOrder() const { return std::exp(mu + 0.5 * sigma * sigma); }
double Scenario::FixedCost() const {
  return fixed_cost_per_treated_entry * static_cast<double>(n_treatment);
}
double Scenario::TrueRevenueLift() const { return (p_treatment - p_holdout) * MeanOrder(); }
double Scenario::TrueIroas() const {
  const double k = send_cost + coupon_rate * p_treatment * MeanOrder() +
                   FixedCost() / static_cast<double>(n_treatment);
  return TrueRevenueLift() / k;
}

void SimulateGroups(const Scenario& s, Rng& rng, GroupMoments& t, GroupMoments& c) {
  const int64_t k_t = rng.Binomial(s.n_treatment, s.p_treatment);
  t.AddRepeated({0.0, 0.0, 0.0, s.send_cost, 0.0}, s.n_treatment - k_t);
  for (int64_t i = 0; i < k_t; ++i) {
    const double y = rng.LogNormal(s.mu, s.sigma);
    t.Add({y, s.margin_rate * y, 1.0, s.send_cost + s.coupon_rate * y, 0.0});
  }
  const int64_t k_c = rng.Binomial(s.n_holdout, s.p_holdout);
  c.AddRepeated({0.0, 0.0, 0.0, 0.0, 0.0}, s.n_holdout - k_c);
  for (int64_t i = 0; i < k_c; ++i) {
    const double y = rng.LogNormal(s.mu, s.sigma);
    c.Add({y, s.margin_rate * y, 1.0, 0.0, 0.0});
  }
}

CoverageCounts RunCoverage(const Scenario& s, int runs, uint64_t seed) {
  Rng rng(seed);
  CoverageCounts out;
  const double d = s.TrueRevenueLift();
  const double r = s.TrueIroas();
  LiftOptions options;
  auto covers = [](double lo, double hi, double v) { return lo <= v && v <= hi; };
  for (int i = 0; i < runs; ++i) {
    GroupMoments t, c;
    SimulateGroups(s, rng, t, c);
    absl::StatusOr<LiftResult> lift = ComputeLift(t, c, s.FixedCost(), options);
    if (!lift.ok()) continue;
    ++out.runs;
    const Estimate& w = lift->revenue_per_entry_lift;
    out.revenue_welch += covers(w.lower, w.upper, d);
    out.revenue_welch_above += w.lower > d;
    const Estimate& h = lift->revenue_per_entry_lift_skew_corrected;
    out.revenue_hall += covers(h.lower, h.upper, d);
    out.iroas_delta += covers(lift->iroas.lower, lift->iroas.upper, r);
    const Estimate& ih = lift->iroas_skew_corrected;
    out.iroas_hall += covers(ih.lower, ih.upper, r);
    const FiellerSet& f = lift->iroas.fieller;
    bool in_fieller = false;
    switch (f.shape) {
      case FiellerShape::kBounded: in_fieller = covers(f.lower, f.upper, r); break;
      case FiellerShape::kExclusive: in_fieller = r <= f.lower || r >= f.upper; break;
      case FiellerShape::kWholeLine: in_fieller = true; break;
      case FiellerShape::kUndefined: break;
    }
    out.iroas_fieller += in_fieller;
    out.heavy_tail_warnings += lift->warnings.heavy_tail;
    out.d_welch.Count(w.lower, w.upper, d);
    out.d_hall.Count(h.lower, h.upper, d);
    const double rel = d / (s.p_holdout * s.MeanOrder());
    out.rel_delta.Count(lift->revenue_per_entry_relative_lift.lower,
                        lift->revenue_per_entry_relative_lift.upper, rel);
    out.rel_hall.Count(lift->revenue_per_entry_relative_lift_skew_corrected.lower,
                       lift->revenue_per_entry_relative_lift_skew_corrected.upper, rel);
    out.r_delta.Count(lift->iroas.lower, lift->iroas.upper, r);
    out.r_hall.Count(ih.lower, ih.upper, r);
    const double limit = options.heavy_tail_max_tail_error;
    out.warn_d += lift->revenue_lift_tail_error > limit;
    out.warn_iroas += lift->iroas_tail_error > limit;
    if (std::isfinite(lift->revenue_lift_tail_error)) {
      out.tail_error_d_sum += lift->revenue_lift_tail_error;
    }
    if (std::isfinite(lift->iroas_tail_error)) out.tail_error_iroas_sum += lift->iroas_tail_error;
  }
  return out;
}

}  // namespace holdfast::stats::testing
