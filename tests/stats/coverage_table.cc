// Prints the coverage-by-size table of docs/statistics.md section 11:
//   build/tests/stats/stats_coverage_table [runs] [sigma] [sizes...]
// Deterministic (fixed seeds). Defaults: 4,000 runs, sigma 1.0 (of the log
// order value), holdout sizes 200 500 1000 3000 10000 30000 (treatment 9x).
// Each interval cell is "coverage % (misses above / below %)"; the warning
// columns are the share of runs whose estimated one-sided error of the plain
// D (or iROAS) interval exceeded 1 point (the heavy_tail rule).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tests/stats/simulation.h"

using holdfast::stats::testing::CoverageCounts;
using holdfast::stats::testing::RunCoverage;
using holdfast::stats::testing::Scenario;
using holdfast::stats::testing::VariantCounts;

namespace {

void Cell(const VariantCounts& v, int runs) {
  std::printf(" %.1f (%.1f/%.1f) |", 100.0 * v.covered / runs, 100.0 * v.above / runs,
              100.0 * v.below / runs);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 4000;
  const double sigma = argc > 2 ? std::atof(argv[2]) : 1.0;
  std::vector<long> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(std::atol(argv[i]));
  if (sizes.empty()) sizes = {200, 500, 1000, 3000, 10000, 30000};
  std::printf("| n_C | n_T | skew(y_C) | Welch D | Hall D | delta rel. lift | Hall rel. lift | "
              "delta iROAS | Hall iROAS | mean est. tail error D / iROAS | warned D | "
              "warned iROAS | warned (either) |\n");
  std::printf("|---:|---:|---:|---|---|---|---|---|---|---:|---:|---:|---:|\n");
  for (long n_c : sizes) {
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
    std::printf("| %ld | %ld | %.1f |", n_c, 9 * n_c, mu3 / std::pow(var, 1.5));
    Cell(c.d_welch, c.runs);
    Cell(c.d_hall, c.runs);
    Cell(c.rel_delta, c.runs);
    Cell(c.rel_hall, c.runs);
    Cell(c.r_delta, c.runs);
    Cell(c.r_hall, c.runs);
    std::printf(" %.1f / %.1f | %.0f %% | %.0f %% | %.0f %% |\n", 100.0 * c.tail_error_d_sum / c.runs,
                100.0 * c.tail_error_iroas_sum / c.runs, 100.0 * c.warn_d / c.runs,
                100.0 * c.warn_iroas / c.runs, 100.0 * c.heavy_tail_warnings / c.runs);
    std::fflush(stdout);
  }
  return 0;
}
