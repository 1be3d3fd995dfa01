// Power arithmetic against scipy.stats.norm (values printed with
// /usr/bin/python3 -c "from scipy.stats import norm; print(norm.ppf(p))").
#include "lib/config/power.h"

#include <cmath>

#include <gtest/gtest.h>

namespace holdfast::config {
namespace {

TEST(PowerTest, NormalQuantileMatchesScipy) {
  struct Case {
    double p;
    double z;
  };
  const Case cases[] = {
      {0.975, 1.959963984540054},   {0.8, 0.8416212335729143},
      {0.5, 0.0},                   {0.001, -3.090232306167813},
      {1e-10, -6.361340902404056},  {0.999999, 4.753424308817087},
      {0.02, -2.053748910631823},   {0.9, 1.2815515655446004},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(NormalQuantile(c.p), c.z, 1e-12 * std::max(1.0, std::fabs(c.z))) << c.p;
  }
  EXPECT_TRUE(std::isnan(NormalQuantile(0.0)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.0)));
}

TEST(PowerTest, MinimumDetectableEffect) {
  // 2.8015852181129683 * sqrt(0.0475 * (1/9000 + 1/1000)) = 0.020353044745786.
  EXPECT_NEAR(MinimumDetectableEffect(std::sqrt(0.05 * 0.95), 9000, 1000), 0.020353044745786,
              1e-12);
  // alpha 0.01, power 0.9: (2.5758293035489 + 1.2815515655446) * 1 * sqrt(2/100).
  EXPECT_NEAR(MinimumDetectableEffect(1.0, 100, 100, 0.01, 0.9), 0.5455160340310545, 1e-12);
}

TEST(PowerTest, RequiredTotalEntriesInvertsTheMde) {
  const double sigma = std::sqrt(0.05 * 0.95);
  const double n = RequiredTotalEntries(sigma, 0.0025, 0.1);
  EXPECT_NEAR(MinimumDetectableEffect(sigma, 0.9 * n, 0.1 * n), 0.0025, 1e-12);
  // Equal split: N = 4 z^2 sigma^2 / delta^2.
  EXPECT_NEAR(RequiredTotalEntries(1.0, 0.1, 0.5), 4 * 2.8015852181129683 * 2.8015852181129683 / 0.01,
              1e-6);
}

}  // namespace
}  // namespace holdfast::config
