// Horizons and the cumulative incremental value curve (docs/report.md,
// "Horizons"): the grid, the bounded-memory accumulator against a brute-force
// recomputation, the report's counts and fixed-cost pro-rating, and the
// coverage of the horizon and curve intervals on generated data with known
// long-run effects (docs/statistics.md section 18.4).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/report/cumulative.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = kMicrosPerDay;

TEST(CumulativeGridTest, DailyUpToAYearThenWholeDays) {
  const CumulativeGrid g90 = CumulativeGrid::For(90 * kDay);
  EXPECT_EQ(g90.step_us, kDay);
  EXPECT_EQ(g90.points, 90);
  EXPECT_EQ(g90.PointOffset(90), 90 * kDay);
  const CumulativeGrid g400 = CumulativeGrid::For(400 * kDay);
  EXPECT_EQ(g400.step_us, 2 * kDay);
  EXPECT_EQ(g400.points, 200);
  const CumulativeGrid g36h = CumulativeGrid::For(36 * 3600LL * 1000000);
  EXPECT_EQ(g36h.points, 2);
  EXPECT_EQ(g36h.PointOffset(2), 36 * 3600LL * 1000000);  // the last point is the horizon
  EXPECT_EQ(CumulativeGrid::For(0).points, 0);
  EXPECT_LE(CumulativeGrid::For(3650 * kDay).points, kMaxCumulativePoints);
}

TEST(CumulativeAccumulatorTest, MatchesBruteForceSumsAndMaturity) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> offset(0, 30 * kDay - 1), t0(0, 40 * kDay);
  std::uniform_real_distribution<double> amount(-20, 50);
  const CumulativeGrid grid = CumulativeGrid::For(30 * kDay);
  CumulativeAccumulator acc(grid), a(grid), b(grid);
  const UnixMicros as_of = 50 * kDay;
  std::vector<long double> n(30), y(30), yy(30), m(30), mm(30);
  for (int i = 0; i < 500; ++i) {
    std::vector<HorizonEvent> ev(static_cast<size_t>(i % 5));
    for (HorizonEvent& e : ev) e = {offset(rng), amount(rng), amount(rng), true};
    std::sort(ev.begin(), ev.end(), [](auto& p, auto& q) { return p.offset_us < q.offset_us; });
    const UnixMicros t = t0(rng);
    acc.Add(ev, t, as_of);
    (i % 2 ? a : b).Add(ev, t, as_of);
    for (int k = 1; k <= 30; ++k) {
      if (t + k * kDay > as_of) continue;
      const HorizonSums s = SumHorizon(ev, k * kDay);
      n[k - 1] += 1;
      y[k - 1] += s.y;
      yy[k - 1] += static_cast<long double>(s.y) * s.y;
      m[k - 1] += s.m;
      mm[k - 1] += static_cast<long double>(s.m) * s.m;
    }
  }
  a.Merge(b);
  for (const CumulativeAccumulator* x : {&acc, &a}) {
    const std::vector<CumulativeAccumulator::Point> p = x->Points();
    ASSERT_EQ(p.size(), 30u);
    for (int k = 0; k < 30; ++k) {
      EXPECT_EQ(p[k].n, static_cast<int64_t>(n[k])) << k;
      EXPECT_NEAR(static_cast<double>(p[k].y), static_cast<double>(y[k]), 1e-9) << k;
      EXPECT_NEAR(static_cast<double>(p[k].yy), static_cast<double>(yy[k]), 1e-6) << k;
      EXPECT_NEAR(static_cast<double>(p[k].m), static_cast<double>(m[k]), 1e-9) << k;
      EXPECT_NEAR(static_cast<double>(p[k].mm), static_cast<double>(mm[k]), 1e-6) << k;
    }
  }
}

AssignmentConfig OneJourney(std::vector<int64_t> horizons) {
  AssignmentConfig config;
  config.version = "cfg-horizons";
  JourneySpec j;
  j.id = "j";
  j.holdout.share_ppm = 333333;
  j.arms = {{"treatment", 1}};
  j.attribution_window_us = 7 * kDay;
  j.horizons_us = std::move(horizons);
  config.journeys.push_back(j);
  return config;
}

StoredEntry MakeEntry(int id, bool treated, UnixMicros t0, std::vector<HorizonEvent> events,
                      double cost = 0.0) {
  StoredEntry e;
  e.journey = "j";
  e.unit = "u" + std::to_string(id);
  e.group = treated ? EntryGroup::kTreatment : EntryGroup::kHoldout;
  e.arm = treated ? "treatment" : "";
  e.t0 = t0;
  e.c = cost;
  e.horizon_events = std::move(events);
  return e;
}

TEST(HorizonReportTest, CountsMaturityOverlapAndProRatesFixedCost) {
  InMemoryAnalysisSource source;
  // Entries at day 0 (mature at 30 and 60 days as of day 70) and day 20
  // (mature at 30 only); one overlapped by its next entry 25 days later.
  int id = 0;
  for (int i = 0; i < 20; ++i) {
    source.AddEntry(MakeEntry(id++, true, 0, {{kDay, 10.0 + i, 3.0, true}}, 0.5));
    source.AddEntry(MakeEntry(id++, false, 0, {{2 * kDay, 5.0 + (i % 3), 1.0, true}}));
    StoredEntry late = MakeEntry(id++, i % 2 == 0, 20 * kDay, {{40 * kDay, 8.0 + i, 2.0, true}}, 0.5);
    if (i == 0) late.next_t0 = 45 * kDay;
    source.AddEntry(late);
  }
  source.AddFixedCost({"j", 0, 100 * kDay, 100.0});
  LiftReportOptions options;
  options.range = {0, 30 * kDay};
  options.as_of = 70 * kDay;
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(OneJourney({30 * kDay, 60 * kDay}), source, options);
  ASSERT_TRUE(r.ok()) << r.status();
  const LiftRowResult& row = r->rows[0];
  ASSERT_EQ(row.horizons.size(), 2u);
  EXPECT_EQ(row.horizons[0].treatment_entries, 30);
  EXPECT_EQ(row.horizons[0].holdout_entries, 30);
  EXPECT_EQ(row.horizons[0].immature_excluded, 0);
  EXPECT_EQ(row.horizons[0].overlapping_next_entry, 1);  // next entry 25 days later, inside 30
  EXPECT_EQ(row.horizons[1].treatment_entries, 20);
  EXPECT_EQ(row.horizons[1].immature_excluded, 20);
  // Fixed cost over [0, min(30d, 70d - h)): 30 days at 30d, 10 days at 60d.
  EXPECT_DOUBLE_EQ(row.horizons[0].fixed_cost, 30.0);
  EXPECT_DOUBLE_EQ(row.horizons[1].fixed_cost, 10.0);
  // Day 1 holds no event (offsets are at >= 1 day, counted from t0 + 1d on).
  ASSERT_FALSE(row.cumulative.empty());
  EXPECT_EQ(row.cumulative.size(), 60u);
  EXPECT_DOUBLE_EQ(row.cumulative[0].treatment_revenue, 0.0);
  // At 60 days only the day-0 entries count: mean 19.5 vs 5.95.
  EXPECT_NEAR(row.cumulative[59].revenue.value, 19.5 - 5.95, 1e-12);
  EXPECT_NEAR(row.horizons[1].metrics[0].effect.value, 19.5 - 5.95, 1e-12);
  bool immature_warned = false;
  for (const ReportWarning& w : r->warnings) immature_warned |= w.kind == WarningKind::kHorizonImmature;
  EXPECT_TRUE(immature_warned);
}

// Horizons in the database (docs/storage.md, "Horizons in the database"):
// the builder's cell path, with the in-memory source's own fold into
// horizon cells, gives every horizon and curve number the entry stream
// gives: refunds (negative events), entries immature at some horizons,
// washout, next entries inside a horizon, segments, a period window.
TEST(HorizonReportTest, HorizonCellsGiveTheHorizonsTheEntryStreamGives) {
  InMemoryAnalysisSource source;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 400; ++i) {
    std::vector<HorizonEvent> events;
    const int n = static_cast<int>(u(rng) * 4);
    for (int k = 0; k < n; ++k) {
      const int64_t off = static_cast<int64_t>(u(rng) * 70 * kDay);
      const double v = 20 + 80 * u(rng);
      events.push_back({off, v, 0.3 * v, true});
      if (u(rng) < 0.3) events.push_back({off + static_cast<int64_t>(u(rng) * 5 * kDay), -0.5 * v, -0.15 * v, false});
    }
    std::sort(events.begin(), events.end(),
              [](const HorizonEvent& a, const HorizonEvent& b) { return a.offset_us < b.offset_us; });
    StoredEntry e = MakeEntry(i, u(rng) < 0.6, static_cast<int64_t>(u(rng) * 40 * kDay), events,
                              0.2 + 0.1 * u(rng));
    e.period = e.t0 / (14 * kDay);
    e.mature = u(rng) > 0.1;
    e.in_washout = u(rng) < 0.05;
    if (u(rng) < 0.2) e.next_t0 = e.t0 + static_cast<int64_t>(u(rng) * 40 * kDay);
    if (u(rng) < 0.5) e.attributes = {{"tier", u(rng) < 0.5 ? "vip" : "std"}};
    source.AddEntry(e);
  }
  const AssignmentConfig config = OneJourney({7 * kDay, 30 * kDay, 60 * kDay});
  auto near = [](double x, double y) {
    return (std::isnan(x) && std::isnan(y)) || std::fabs(x - y) <= 1e-9 * (1.0 + std::fabs(y));
  };
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    LiftReportOptions o;
    o.range = {0, 50 * kDay};
    o.as_of = 90 * kDay;
    if (variant == 1) o.segment_by = "tier";
    if (variant == 2) o.first_period = o.last_period = 1;
    source.set_prefers_cells(false);
    absl::StatusOr<LiftReportResult> a = BuildLiftReport(config, source, o);
    source.set_prefers_cells(true);
    absl::StatusOr<LiftReportResult> b = BuildLiftReport(config, source, o);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_FALSE(a->analysed_in_database);
    EXPECT_TRUE(b->analysed_in_database);
    ASSERT_EQ(a->rows.size(), b->rows.size());
    for (size_t r = 0; r < a->rows.size(); ++r) {
      const LiftRowResult& ra = a->rows[r];
      const LiftRowResult& rb = b->rows[r];
      SCOPED_TRACE(ra.segment + "/" + ra.arm);
      ASSERT_EQ(ra.horizons.size(), 3u);
      ASSERT_EQ(rb.horizons.size(), 3u);
      for (size_t h = 0; h < 3; ++h) {
        EXPECT_EQ(ra.horizons[h].treatment_entries, rb.horizons[h].treatment_entries);
        EXPECT_EQ(ra.horizons[h].holdout_entries, rb.horizons[h].holdout_entries);
        EXPECT_EQ(ra.horizons[h].immature_excluded, rb.horizons[h].immature_excluded);
        EXPECT_EQ(ra.horizons[h].overlapping_next_entry, rb.horizons[h].overlapping_next_entry);
        ASSERT_EQ(ra.horizons[h].metrics.size(), rb.horizons[h].metrics.size());
        for (size_t m = 0; m < ra.horizons[h].metrics.size(); ++m) {
          const MetricResult& ma = ra.horizons[h].metrics[m];
          const MetricResult& mb = rb.horizons[h].metrics[m];
          EXPECT_PRED2(near, ma.treatment, mb.treatment) << ma.id;
          EXPECT_PRED2(near, ma.effect.value, mb.effect.value) << ma.id;
          EXPECT_PRED2(near, ma.effect.lower, mb.effect.lower) << ma.id;
          EXPECT_PRED2(near, ma.effect.upper, mb.effect.upper) << ma.id;
        }
      }
      ASSERT_EQ(ra.cumulative.size(), rb.cumulative.size());
      EXPECT_GE(ra.cumulative.size(), 30u);
      for (size_t k = 0; k < ra.cumulative.size(); ++k) {
        const CumulativePoint& pa = ra.cumulative[k];
        const CumulativePoint& pb = rb.cumulative[k];
        EXPECT_EQ(pa.offset_us, pb.offset_us);
        EXPECT_EQ(pa.treatment_entries, pb.treatment_entries);
        EXPECT_EQ(pa.holdout_entries, pb.holdout_entries);
        EXPECT_PRED2(near, pa.treatment_revenue, pb.treatment_revenue) << k;
        EXPECT_PRED2(near, pa.holdout_margin, pb.holdout_margin) << k;
        EXPECT_PRED2(near, pa.revenue.lower, pb.revenue.lower) << k;
        EXPECT_PRED2(near, pa.margin.upper, pb.margin.upper) << k;
      }
    }
  }
}

TEST(HorizonReportTest, NoHorizonsNoCurve) {
  InMemoryAnalysisSource source;
  for (int i = 0; i < 10; ++i) source.AddEntry(MakeEntry(i, i % 2 == 0, 0, {}));
  LiftReportOptions options;
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(OneJourney({}), source, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->rows[0].horizons.empty());
  EXPECT_TRUE(r->rows[0].cumulative.empty());
}

// --- coverage (docs/statistics.md section 18.4) ---

// The model: propensity w in {0.5, 1, 2} (.4/.4/.2); a window order with
// probability 0.04 w (1 + 0.25 T) at U(0, 14 d); later orders Poisson(0.25 w
// (1 + 0.6 T)) at U(0, 100 d); values lognormal(3.5, 0.9); 15 % of orders
// refunded by a share U(0.5, 1) within the refund horizon (so at the order's
// offset); cost 0.2 + 0.1 Bernoulli(0.5) per treated entry.
struct Model {
  static constexpr double kMu = 3.5, kSigma = 0.9;
  static double Value() { return std::exp(kMu + kSigma * kSigma / 2) * (1 - 0.15 * 0.75); }
  static double WindowShare(double d) { return std::min(1.0, d / 14.0); }
  static double LaterShare(double d) { return std::min(1.0, d / 100.0); }
  static double Orders(bool t, double d) {
    return 0.04 * (1 + 0.25 * t) * WindowShare(d) + 0.25 * (1 + 0.6 * t) * LaterShare(d);  // E[w] = 1
  }
  static void Shares(bool t, double d, double* retained, double* repeat) {
    *retained = *repeat = 0;
    for (auto [w, p] : {std::pair{0.5, 0.4}, {1.0, 0.4}, {2.0, 0.2}}) {
      const double a = 0.04 * w * (1 + 0.25 * t) * WindowShare(d);
      const double mu = 0.25 * w * (1 + 0.6 * t) * LaterShare(d);
      const double p0 = (1 - a) * std::exp(-mu);
      const double p1 = a * std::exp(-mu) + (1 - a) * mu * std::exp(-mu);
      *retained += p * (1 - p0);
      *repeat += p * (1 - p0 - p1);
    }
  }
};

struct Coverage {
  int covered = 0, runs = 0, below = 0;
  void Count(const stats::Estimate& e, double truth) {
    ++runs;
    if (e.defined && e.lower <= truth && truth <= e.upper) ++covered;
    if (e.defined && e.upper < truth) ++below;
  }
  double rate() const { return static_cast<double>(covered) / runs; }
};

TEST(HorizonCoverageTest, HorizonAndCurveIntervalsCoverAtNominal) {
  const int runs = std::getenv("HF_COVERAGE_RUNS") ? std::atoi(std::getenv("HF_COVERAGE_RUNS")) : 400;
  const int n_t = 3000, n_c = 1500;
  std::mt19937_64 rng(20261202);
  std::uniform_real_distribution<double> unif(0, 1);
  std::lognormal_distribution<double> value(Model::kMu, Model::kSigma);
  const std::vector<int64_t> horizons = {30 * kDay, 60 * kDay, 90 * kDay};
  const AssignmentConfig config = OneJourney(horizons);
  const char* kIds[] = {"revenue_per_entry", "margin_per_entry", "orders_per_entry",
                        "retention_rate", "repeat_purchase_rate", "iroas", "margin_iroas"};
  std::vector<std::vector<Coverage>> cov(3, std::vector<Coverage>(7));
  std::vector<int> curve_days = {7, 14, 30, 60, 90};
  std::vector<Coverage> curve(curve_days.size());
  for (int run = 0; run < runs; ++run) {
    InMemoryAnalysisSource source;
    for (int i = 0; i < n_t + n_c; ++i) {
      const bool t = i < n_t;
      const double u = unif(rng);
      const double w = u < 0.4 ? 0.5 : (u < 0.8 ? 1.0 : 2.0);
      std::vector<HorizonEvent> ev;
      auto order = [&](int64_t at) {
        const double v = value(rng);
        ev.push_back({at, v, 0.3 * v, true});
        if (unif(rng) < 0.15) {
          const double share = 0.5 + 0.5 * unif(rng);
          ev.push_back({at, -share * v, -share * 0.3 * v, false});
        }
      };
      if (unif(rng) < 0.04 * w * (1 + 0.25 * t)) order(static_cast<int64_t>(unif(rng) * 14 * kDay));
      std::poisson_distribution<int> later(0.25 * w * (1 + 0.6 * t));
      for (int k = later(rng); k > 0; --k) order(static_cast<int64_t>(unif(rng) * 100 * kDay));
      std::stable_sort(ev.begin(), ev.end(), [](auto& a, auto& b) { return a.offset_us < b.offset_us; });
      const UnixMicros t0 = static_cast<int64_t>(unif(rng) * 60 * kDay);
      source.AddEntry(MakeEntry(i, t, t0, std::move(ev), t ? 0.2 + 0.1 * (unif(rng) < 0.5) : 0.0));
    }
    LiftReportOptions options;
    options.range = {0, 60 * kDay};
    options.as_of = 150 * kDay;  // every entry mature at 90 days
    absl::StatusOr<LiftReportResult> r = BuildLiftReport(config, source, options);
    ASSERT_TRUE(r.ok()) << r.status();
    const LiftRowResult& row = r->rows[0];
    for (size_t h = 0; h < horizons.size(); ++h) {
      const double d = static_cast<double>(horizons[h]) / kDay;
      const double dorders = Model::Orders(true, d) - Model::Orders(false, d);
      double rt, pt, rc, pc;
      Model::Shares(true, d, &rt, &pt);
      Model::Shares(false, d, &rc, &pc);
      const double truths[] = {Model::Value() * dorders, 0.3 * Model::Value() * dorders, dorders,
                               rt - rc, pt - pc, Model::Value() * dorders / 0.25,
                               0.3 * Model::Value() * dorders / 0.25};
      for (int k = 0; k < 7; ++k) {
        ASSERT_EQ(row.horizons[h].metrics[k].id, kIds[k]);
        cov[h][k].Count(row.horizons[h].metrics[k].effect, truths[k]);
      }
    }
    for (size_t k = 0; k < curve_days.size(); ++k) {
      const double d = curve_days[k];
      curve[k].Count(row.cumulative[curve_days[k] - 1].revenue,
                     Model::Value() * (Model::Orders(true, d) - Model::Orders(false, d)));
    }
  }
  for (size_t h = 0; h < horizons.size(); ++h) {
    for (int k = 0; k < 7; ++k) {
      std::printf("coverage: %2lldd %-22s %.3f (misses above the truth %d of %d)\n",
                  static_cast<long long>(horizons[h] / kDay), kIds[k], cov[h][k].rate(),
                  cov[h][k].runs - cov[h][k].covered - cov[h][k].below, cov[h][k].runs);
      // Nominal 95 %; with 400 runs the standard error of a rate is ~1.1 points.
      EXPECT_GE(cov[h][k].rate(), 0.915) << kIds[k] << " at " << horizons[h] / kDay;
      EXPECT_LE(cov[h][k].rate(), 0.98) << kIds[k] << " at " << horizons[h] / kDay;
    }
  }
  for (size_t k = 0; k < curve_days.size(); ++k) {
    std::printf("coverage: curve day %2d revenue %.3f\n", curve_days[k], curve[k].rate());
    EXPECT_GE(curve[k].rate(), 0.915) << "day " << curve_days[k];
    EXPECT_LE(curve[k].rate(), 0.98) << "day " << curve_days[k];
  }
}

}  // namespace
}  // namespace holdfast::report
