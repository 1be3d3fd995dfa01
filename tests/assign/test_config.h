// Small builders for AssignmentConfig in tests. Test-only.
#ifndef HOLDFAST_TESTS_ASSIGN_TEST_CONFIG_H_
#define HOLDFAST_TESTS_ASSIGN_TEST_CONFIG_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "lib/assign/assignment_config.h"

namespace holdfast::testing {

inline constexpr int64_t kDayUs = 86400LL * 1000000;
inline constexpr int64_t kWeekUs = 7 * kDayUs;
// Monday 2026-01-05T00:00:00Z.
inline constexpr UnixMicros kEpoch2026 = 1767571200LL * 1000000;

inline HoldoutSpec StaticHoldout(uint32_t share_ppm, std::string seed) {
  HoldoutSpec h;
  h.share_ppm = share_ppm;
  h.seed = std::move(seed);
  return h;
}

inline HoldoutSpec RotatingHoldout(RotationScheme scheme, uint32_t share_ppm, std::string seed,
                                   int64_t period_us, UnixMicros epoch_us, int64_t washout_us = 0,
                                   uint32_t stride_ppm = 0) {
  HoldoutSpec h = StaticHoldout(share_ppm, std::move(seed));
  h.rotation.scheme = scheme;
  h.rotation.period_us = period_us;
  h.rotation.epoch_us = epoch_us;
  h.rotation.washout_us = washout_us;
  h.rotation.stride_ppm = stride_ppm;
  return h;
}

inline JourneySpec Journey(std::string id, HoldoutSpec holdout, std::string arm_seed = "",
                           std::vector<uint32_t> weights = {1}) {
  JourneySpec j;
  j.id = std::move(id);
  j.holdout = std::move(holdout);
  j.arm_seed = std::move(arm_seed);
  for (size_t i = 0; i < weights.size(); ++i) {
    j.arms.push_back(ArmSpec{absl::StrCat("arm", i), weights[i], {}});
  }
  return j;
}

// Journeys are sorted by id here, as the config compiler guarantees.
inline std::shared_ptr<const AssignmentConfig> Config(HoldoutSpec global,
                                                      std::vector<JourneySpec> journeys) {
  auto c = std::make_shared<AssignmentConfig>();
  c->version = "cfg-test";
  c->global_holdout = std::move(global);
  c->journeys = std::move(journeys);
  std::sort(c->journeys.begin(), c->journeys.end(),
            [](const JourneySpec& a, const JourneySpec& b) { return a.id < b.id; });
  return c;
}

// The i-th synthetic unit id of a test population.
inline std::string UnitId(int64_t i) { return absl::StrCat("u", i); }

// Expects `count` successes out of `n` to lie within `sigmas` binomial
// standard deviations of n·p.
inline void ExpectBinomial(int64_t count, int64_t n, double p, double sigmas,
                           const std::string& what) {
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(static_cast<double>(n) * p * (1 - p));
  EXPECT_LE(std::abs(static_cast<double>(count) - mean), sigmas * sd)
      << what << ": " << count << " of " << n << ", expected " << mean << " ± " << sigmas
      << "·" << sd;
}

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_ASSIGN_TEST_CONFIG_H_
