// In-process cost of assignment, against the cost of the SHA-256 it is built
// on. Results and commands: docs/performance.md, "Assignment (in-process)".
//
// The reference is the fast form of the hash (reused EVP_MD_CTX, EVP_MD
// fetched once) over the same length-prefixed bytes HashV1 digests; OpenSSL's
// one-shot SHA256() is measured only to show why it is not the reference.
// A decision does 1 to 3 hashes (global holdout, journey holdout, arm split),
// so each decision benchmark reports `hashes` = mean SHA-256 calls per
// decision over its unit set, and the fair ratio is time / (hashes x raw).
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "lib/assign/assigner.h"
#include "lib/assign/hash.h"

namespace holdfast {
namespace {

constexpr int kUnits = 4096;  // cycled through; a power of two

// The machines are shared: other processes only ever add time, so the
// fastest repetition is the best estimate of the cost; report it beside the
// median.
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
constexpr char kSeed[] = "holdout:cart_abandon";
constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr UnixMicros kEpoch = 1767571200LL * 1000000;  // 2026-01-05
constexpr UnixMicros kNow = kEpoch + 17 * kDayUs + 3600LL * 1000000;

const std::vector<std::string>& Units() {
  static const auto* units = [] {
    auto* v = new std::vector<std::string>();
    for (int i = 0; i < kUnits; ++i) v->push_back("cust-" + std::to_string(1000000 + i * 7919));
    return v;
  }();
  return *units;
}

// The exact bytes HashV1({kSeed, unit}) digests.
std::string Encode(std::initializer_list<absl::string_view> fields) {
  std::string out;
  for (absl::string_view f : fields) {
    const uint32_t n = static_cast<uint32_t>(f.size());
    out.push_back(static_cast<char>(n >> 24));
    out.push_back(static_cast<char>(n >> 16));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
    out.append(f.data(), f.size());
  }
  return out;
}

std::vector<std::string> EncodedUnits() {
  std::vector<std::string> v;
  for (const std::string& u : Units()) v.push_back(Encode({kSeed, u}));
  return v;
}

void BM_Sha256ReusedCtx(benchmark::State& state) {
  const std::vector<std::string> msgs = EncodedUnits();
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& m = msgs[i++ & (kUnits - 1)];
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, m.data(), m.size());
    EVP_DigestFinal_ex(ctx, out, &len);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(msgs[0].size()) + "-byte message");
}
BENCHMARK(BM_Sha256ReusedCtx)->ComputeStatistics("min", Min);

// The reference digest fed as HashV1 did before it encoded into one buffer:
// a 4-byte length and the bytes of each field as separate updates.
void BM_Sha256ReusedCtxPerFieldUpdates(benchmark::State& state) {
  const std::vector<std::string>& units = Units();
  const absl::string_view seed = kSeed;
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& u = units[i++ & (kUnits - 1)];
    EVP_DigestInit_ex2(ctx, md, nullptr);
    for (absl::string_view f : {seed, absl::string_view(u)}) {
      const uint32_t n = static_cast<uint32_t>(f.size());
      const unsigned char l[4] = {static_cast<unsigned char>(n >> 24),
                                  static_cast<unsigned char>(n >> 16),
                                  static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
      EVP_DigestUpdate(ctx, l, sizeof(l));
      EVP_DigestUpdate(ctx, f.data(), f.size());
    }
    EVP_DigestFinal_ex(ctx, out, &len);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256ReusedCtxPerFieldUpdates)->ComputeStatistics("min", Min);

void BM_Sha256OneShot(benchmark::State& state) {
  const std::vector<std::string> msgs = EncodedUnits();
  unsigned char out[SHA256_DIGEST_LENGTH];
  size_t i = 0;
  for (auto _ : state) {
    const std::string& m = msgs[i++ & (kUnits - 1)];
    SHA256(reinterpret_cast<const unsigned char*>(m.data()), m.size(), out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256OneShot)->ComputeStatistics("min", Min);

// OpenSSL's deprecated low-level SHA256_Init/Update/Final: same assembly,
// no provider dispatch. Shown for the size of the EVP overhead only; the
// library does not use deprecated APIs.
void BM_Sha256LowLevelDeprecated(benchmark::State& state) {
  const std::vector<std::string> msgs = EncodedUnits();
  unsigned char out[SHA256_DIGEST_LENGTH];
  size_t i = 0;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX c;
  for (auto _ : state) {
    const std::string& m = msgs[i++ & (kUnits - 1)];
    SHA256_Init(&c);
    SHA256_Update(&c, m.data(), m.size());
    SHA256_Final(out, &c);
    benchmark::DoNotOptimize(out);
  }
#pragma GCC diagnostic pop
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256LowLevelDeprecated)->ComputeStatistics("min", Min);

void BM_HashV1(benchmark::State& state) {
  const std::vector<std::string>& units = Units();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(HashV1({kSeed, units[i++ & (kUnits - 1)]}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashV1)->ComputeStatistics("min", Min);

void BM_HashV1LongUnit(benchmark::State& state) {
  const std::string unit(kMaxUnitBytes, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(HashV1({kSeed, unit}));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashV1LongUnit)->ComputeStatistics("min", Min);

HoldoutSpec Holdout(RotationScheme scheme, uint32_t share_ppm, std::string seed) {
  HoldoutSpec h;
  h.share_ppm = share_ppm;
  h.seed = std::move(seed);
  h.rotation.scheme = scheme;
  if (scheme != RotationScheme::kNone) {
    h.rotation.period_us = 7 * kDayUs;
    h.rotation.epoch_us = kEpoch;
    h.rotation.washout_us = kDayUs;
    h.rotation.stride_ppm = share_ppm;
  }
  return h;
}

void BM_InHoldout(benchmark::State& state) {
  const HoldoutSpec spec = Holdout(static_cast<RotationScheme>(state.range(0)), 100000, kSeed);
  const std::vector<std::string>& units = Units();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(InHoldout(spec, units[i++ & (kUnits - 1)], 2));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InHoldout)
    ->ComputeStatistics("min", Min)
    ->ArgName("scheme")
    ->Arg(static_cast<int>(RotationScheme::kNone))
    ->Arg(static_cast<int>(RotationScheme::kSliding))
    ->Arg(static_cast<int>(RotationScheme::kResalt));

// Config shapes for the decision benchmarks.
enum Shape : int64_t {
  kStaticOnly = 0,       // journey static holdout, one arm: 1 hash
  kSlidingOnly = 1,      // journey SLIDING holdout, one arm: 1 hash
  kResaltOnly = 2,       // journey RESALT holdout, one arm: 1 hash
  kGlobalStaticArms = 3, // global + static journey + 3 arms: 1..3 hashes
  kGlobalSlidingArms = 4,
  kGlobalResaltArms = 5,
};

std::shared_ptr<const AssignmentConfig> MakeConfig(Shape shape) {
  auto c = std::make_shared<AssignmentConfig>();
  c->version = "cfg-bench";
  const bool global = shape >= kGlobalStaticArms;
  const auto scheme = static_cast<RotationScheme>(shape % 3);
  if (global) c->global_holdout = Holdout(RotationScheme::kNone, 50000, "global:v1");
  // 24 journeys so the lookup in Assign does a real binary search.
  for (int j = 0; j < 24; ++j) {
    JourneySpec js;
    js.id = "journey_" + std::to_string(100 + j);
    js.holdout = Holdout(scheme, 100000, "holdout:" + js.id);
    js.arm_seed = "arms:" + js.id;
    js.arms.push_back({"a", 1, {}});
    if (global) {
      js.arms.push_back({"b", 1, {}});
      js.arms.push_back({"c", 2, {}});
    }
    c->journeys.push_back(std::move(js));
  }
  return c;
}

constexpr char kJourney[] = "journey_117";

// Mean SHA-256 calls per decision for this config over the unit set.
double HashesPerDecision(const Assigner& a, const JourneySpec& j) {
  const bool global = a.config().global_holdout.share_ppm > 0;
  double total = 0;
  for (const std::string& u : Units()) {
    const Decision d = a.AssignValidated(j, u, kNow);
    int n = global ? 1 : 0;
    if (d.group != AssignedGroup::kGlobalHoldout) ++n;  // journey holdout hash
    if (d.group == AssignedGroup::kTreatment && j.arms.size() > 1) ++n;  // arm hash
    total += n;
  }
  return total / kUnits;
}

void BM_AssignValidated(benchmark::State& state) {
  Assigner a(MakeConfig(static_cast<Shape>(state.range(0))));
  const JourneySpec& j = *a.config().FindJourney(kJourney);
  const std::vector<std::string>& units = Units();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.AssignValidated(j, units[i++ & (kUnits - 1)], kNow));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hashes"] = HashesPerDecision(a, j);
}

void BM_Assign(benchmark::State& state) {
  Assigner a(MakeConfig(static_cast<Shape>(state.range(0))));
  const JourneySpec& j = *a.config().FindJourney(kJourney);
  const std::vector<std::string>& units = Units();
  const absl::string_view journey = kJourney;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.Assign(journey, units[i++ & (kUnits - 1)], kNow));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hashes"] = HashesPerDecision(a, j);
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("min", Min)->ArgName("shape");
  for (int64_t s = kStaticOnly; s <= kGlobalResaltArms; ++s) b->Arg(s);
}
BENCHMARK(BM_AssignValidated)->Apply(Shapes);
BENCHMARK(BM_Assign)->Apply(Shapes);

}  // namespace
}  // namespace holdfast

BENCHMARK_MAIN();
