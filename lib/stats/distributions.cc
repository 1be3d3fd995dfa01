#include "lib/stats/distributions.h"

#include <cmath>
#include <limits>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace holdfast::stats {
namespace {

namespace bm = boost::math;
using NoThrow = bm::policies::policy<bm::policies::domain_error<bm::policies::ignore_error>,
                                     bm::policies::overflow_error<bm::policies::ignore_error>,
                                     bm::policies::pole_error<bm::policies::ignore_error>,
                                     bm::policies::evaluation_error<bm::policies::ignore_error>>;
using Normal = bm::normal_distribution<double, NoThrow>;
using StudentT = bm::students_t_distribution<double, NoThrow>;
using ChiSquared = bm::chi_squared_distribution<double, NoThrow>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Beyond this many degrees of freedom t and normal agree to ~1e-11.
constexpr double kNormalDf = 1e10;

bool UseNormal(double df) { return std::isinf(df) || df > kNormalDf; }

}  // namespace

double NormalCdf(double x) {
  if (std::isnan(x)) return kNaN;
  return bm::cdf(Normal(), x);
}

double NormalQuantile(double p) {
  if (!(p > 0.0 && p < 1.0)) return kNaN;
  return bm::quantile(Normal(), p);
}

double StudentTCdf(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  if (UseNormal(df)) return NormalCdf(t);
  return bm::cdf(StudentT(df), t);
}

double StudentTQuantile(double p, double df) {
  if (!(p > 0.0 && p < 1.0) || !(df > 0.0)) return kNaN;
  if (UseNormal(df)) return NormalQuantile(p);
  return bm::quantile(StudentT(df), p);
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0.0)) return kNaN;
  const double a = std::fabs(t);
  if (std::isinf(a)) return 0.0;
  const double tail = UseNormal(df) ? bm::cdf(bm::complement(Normal(), a))
                                    : bm::cdf(bm::complement(StudentT(df), a));
  return std::fmin(1.0, 2.0 * tail);
}

double ChiSquaredSurvival(double x, double df) {
  if (std::isnan(x) || !(df > 0.0)) return kNaN;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return bm::cdf(bm::complement(ChiSquared(df), x));
}

}  // namespace holdfast::stats
