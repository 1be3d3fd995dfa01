// Prints the coverage-by-size table of docs/statistics.md:
//   build-stats/tests/stats/stats_coverage_table [runs]
// Deterministic (fixed seeds); ~50 s on one core at the default 4,000 runs.
// Second argument: sigma of the log order value (default 1.0).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tests/stats/simulation.h"

using holdfast::stats::testing::CoverageCounts;
using holdfast::stats::testing::RunCoverage;
using holdfast::stats::testing::Scenario;

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 4000;
  const double sigma = argc > 2 ? std::atof(argv[2]) : 1.0;
  std::printf("| holdout n_C | treatment n_T | skew(y_C) | Welch D | Hall D | D misses above | iROAS delta | iROAS Hall | iROAS Fieller | heavy-tail warned |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (long n_c : {200L, 500L, 1000L, 2000L, 5000L, 10000L, 20000L, 50000L}) {
    Scenario s;
    s.sigma = sigma;
    s.n_holdout = n_c;
    s.n_treatment = 9 * n_c;
    const CoverageCounts c = RunCoverage(s, runs, 1000 + n_c);
    // Skewness of y in the holdout: y = x L, E[y^k] = p E[L^k].
    const double p = s.p_holdout;
    auto ml = [&](double k) { return std::exp(k * s.mu + 0.5 * k * k * s.sigma * s.sigma); };
    const double m1 = p * ml(1), m2 = p * ml(2), m3 = p * ml(3);
    const double var = m2 - m1 * m1;
    const double mu3 = m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1;
    std::printf("| %ld | %ld | %.1f | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.0f %% |\n",
                n_c, 9 * n_c, mu3 / std::pow(var, 1.5), 100 * c.Rate(c.revenue_welch),
                100 * c.Rate(c.revenue_hall), 100 * c.Rate(c.revenue_welch_above),
                100 * c.Rate(c.iroas_delta), 100 * c.Rate(c.iroas_hall),
                100 * c.Rate(c.iroas_fieller), 100 * c.Rate(c.heavy_tail_warnings));
  }
  return 0;
}
