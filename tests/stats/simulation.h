// Deterministic simulation of journey experiments for the coverage tests and
// the coverage table in docs/statistics.md. Own RNG (xoshiro256**) and
// samplers, so the numbers are identical on every platform and standard
// library (std::*_distribution are not portable).
#ifndef HOLDFAST_TESTS_STATS_SIMULATION_H_
#define HOLDFAST_TESTS_STATS_SIMULATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/stats/lift.h"
#include "lib/stats/moments.h"

namespace holdfast::stats::testing {

class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  double Uniform();         // (0, 1), never 0
  double Normal();          // standard normal (Marsaglia polar)
  double LogNormal(double mu, double sigma) ;
  // Number of successes in n Bernoulli(p) trials, by geometric skipping: O(result).
  int64_t Binomial(int64_t n, double p);

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// One journey experiment: revenue per entry is 0 unless the entry converts
// (probability p), then a lognormal order exp(N(mu, sigma^2)). Treatment
// entries cost send_cost each plus coupon_rate * order when they convert;
// holdout entries cost nothing. Margin is margin_rate * revenue.
struct Scenario {
  int64_t n_treatment = 9000;
  int64_t n_holdout = 1000;
  double p_treatment = 0.06;
  double p_holdout = 0.05;
  double mu = 3.5;
  double sigma = 1.0;
  double send_cost = 0.02;
  double coupon_rate = 0.1;
  double margin_rate = 0.3;
  double fixed_cost_per_treated_entry = 0.02;  // F = this * n_treatment

  double MeanOrder() const;
  double TrueRevenueLift() const;  // E[y_T] - E[y_C]
  double TrueIroas() const;        // D / (E[c_T] + F / n_T)
  double FixedCost() const;
};

// Adds one simulated experiment's entries to t and c (which start empty).
void SimulateGroups(const Scenario& s, Rng& rng, GroupMoments& t, GroupMoments& c);

// How one interval variant fared: covered, or missed with the interval
// entirely above (lower > truth) or below (upper < truth) the truth.
struct VariantCounts {
  int covered = 0;
  int above = 0;
  int below = 0;
  void Count(double lower, double upper, double truth) {
    if (lower > truth) {
      ++above;
    } else if (upper < truth) {
      ++below;
    } else if (lower <= truth && truth <= upper) {
      ++covered;
    }
  }
};

struct CoverageCounts {
  int runs = 0;
  int revenue_welch = 0;
  int revenue_hall = 0;
  int iroas_delta = 0;
  int iroas_hall = 0;
  int iroas_fieller = 0;
  // Misses with the interval entirely above the truth (one-sidedness).
  int revenue_welch_above = 0;
  int heavy_tail_warnings = 0;
  // Per variant, with both one-sided miss counts.
  VariantCounts d_welch, d_hall, rel_delta, rel_hall, r_delta, r_hall;
  // Runs where the estimated one-sided error of the plain D (resp. iROAS)
  // interval exceeded the warning threshold.
  int warn_d = 0;
  int warn_iroas = 0;
  // Sum of the estimated one-sided errors (for their mean).
  double tail_error_d_sum = 0.0;
  double tail_error_iroas_sum = 0.0;
  double Rate(int covered) const { return static_cast<double>(covered) / runs; }
};

// Runs `runs` experiments from `seed` and counts how often each 95 % interval
// covers the true value.
CoverageCounts RunCoverage(const Scenario& s, int runs, uint64_t seed);

}  // namespace holdfast::stats::testing

#endif  // HOLDFAST_TESTS_STATS_SIMULATION_H_
