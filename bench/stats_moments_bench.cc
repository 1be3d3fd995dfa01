// Cost of feeding the report: GroupMoments::Add per entry (the report builder
// calls it once per streamed row), AddRepeated and Merge, and one ComputeLift.
//   build-stats/tests/stats/stats_moments_bench
#include <vector>

#include "benchmark/benchmark.h"
#include "lib/stats/lift.h"
#include "lib/stats/moments.h"

namespace {

using holdfast::stats::EntryValues;
using holdfast::stats::GroupMoments;

std::vector<EntryValues> Rows(int n) {
  std::vector<EntryValues> rows;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const double u = static_cast<double>(x >> 11) * 0x1.0p-53;
    const bool conv = u < 0.05;
    rows.push_back({conv ? 100 * u : 0.0, conv ? 30 * u : 0.0, conv ? 1.0 : 0.0, 0.02, u});
  }
  return rows;
}

void BM_Add(benchmark::State& state) {
  const std::vector<EntryValues> rows = Rows(4096);
  for (auto _ : state) {
    GroupMoments g;
    for (const EntryValues& r : rows) g.Add(r);
    benchmark::DoNotOptimize(g);
  }
  state.SetItemsProcessed(state.iterations() * rows.size());
}
BENCHMARK(BM_Add);

void BM_Merge(benchmark::State& state) {
  const std::vector<EntryValues> rows = Rows(1000);
  GroupMoments a, b;
  for (const EntryValues& r : rows) a.Add(r);
  for (auto _ : state) {
    b.Merge(a);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_Merge);

void BM_ComputeLift(benchmark::State& state) {
  const std::vector<EntryValues> rows = Rows(20000);
  GroupMoments t, c;
  for (size_t i = 0; i < rows.size(); ++i) (i % 10 ? t : c).Add(rows[i]);
  const holdfast::stats::LiftOptions options;
  for (auto _ : state) {
    auto r = holdfast::stats::ComputeLift(t, c, 100.0, options);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ComputeLift);

}  // namespace

BENCHMARK_MAIN();
