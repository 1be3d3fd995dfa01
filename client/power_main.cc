// `holdfast power`: how many entries a holdout test needs.
//
//   holdfast power --baseline-rate P --mde X [--alpha A] [--power B]
//                  [--holdout-share S] [--entries-per-period N]
//   holdfast power --baseline-mean M --baseline-sd SD --mde X [...]
//
// --mde is relative (0.05 = +5 %). Normal approximation with the baseline
// variance in both groups (lib/config/power.h):
//   N = (z_{1-α/2} + z_{power})² σ² (1/(1-s) + 1/s) / (mde · baseline)²
// Exit code: 0, or 2 for usage errors.
#include <cmath>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli_flags.h"
#include "lib/config/power.h"

namespace holdfast::cli {
namespace {

constexpr char kPowerUsage[] =
    "usage: holdfast power --baseline-rate P --mde X [--alpha A] [--power B]\n"
    "                      [--holdout-share S] [--entries-per-period N]\n"
    "       holdfast power --baseline-mean M --baseline-sd SD --mde X [...]\n"
    "  --baseline-rate       conversion rate in the holdout, in (0, 1)\n"
    "  --baseline-mean/-sd   revenue per entry in the holdout: mean > 0 and sd > 0\n"
    "  --mde                 relative lift to detect, e.g. 0.05 for +5 %\n"
    "  --alpha               two-sided significance level (default 0.05)\n"
    "  --power               power (default 0.8)\n"
    "  --holdout-share       share of entries held out (default 0.5: equal groups)\n"
    "  --entries-per-period  expected entries per period, to get the periods needed\n";

int Usage(const std::string& message) {
  std::cerr << "holdfast power: " << message << "\n" << kPowerUsage;
  return 2;
}

// Reads --name as a double in (lo, hi) (exclusive bounds); `fallback` when
// absent and not required.
bool ReadNumber(const ParsedFlags& flags, const std::string& name, double lo, double hi,
                double fallback, double* out, std::string* error) {
  std::optional<std::string> v = flags.Get(name);
  if (!v) {
    *out = fallback;
    return true;
  }
  if (!absl::SimpleAtod(*v, out) || !std::isfinite(*out) || !(*out > lo && *out < hi)) {
    *error = absl::StrCat("--", name, ": expected a number in (", lo, ", ",
                          std::isinf(hi) ? "inf" : absl::StrCat(hi), "), got '", *v, "'");
    return false;
  }
  return true;
}

std::string Count(double n) { return absl::StrFormat("%.0f", n); }

}  // namespace

int RunPowerCommand(int argc, char** argv) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(
      argc, argv,
      {{"baseline-rate", "baseline-mean", "baseline-sd", "mde", "alpha", "power", "holdout-share",
        "entries-per-period"},
       {"help"}});
  if (!flags.ok()) return Usage(std::string(flags.status().message()));
  if (flags->Has("help")) {
    std::cout << kPowerUsage;
    return 0;
  }
  if (!flags->positional().empty()) return Usage("unexpected argument '" + flags->positional()[0] + "'");
  const bool rate_mode = flags->Has("baseline-rate");
  const bool revenue_mode = flags->Has("baseline-mean") || flags->Has("baseline-sd");
  if (rate_mode == revenue_mode) {
    return Usage("give either --baseline-rate, or --baseline-mean and --baseline-sd");
  }
  if (!flags->Has("mde")) return Usage("--mde is required");
  constexpr double kInf = INFINITY;
  std::string error;
  double rate = 0, mean = 0, sd = 0, mde = 0, alpha = 0, power = 0, share = 0, per_period = 0;
  if (!ReadNumber(*flags, "mde", 0, kInf, 0, &mde, &error) ||
      !ReadNumber(*flags, "alpha", 0, 1, 0.05, &alpha, &error) ||
      !ReadNumber(*flags, "power", 0, 1, 0.8, &power, &error) ||
      !ReadNumber(*flags, "holdout-share", 0, 1, 0.5, &share, &error) ||
      !ReadNumber(*flags, "entries-per-period", 0, kInf, 0, &per_period, &error)) {
    return Usage(error);
  }
  double sigma = 0, baseline = 0;
  std::string metric;
  if (rate_mode) {
    if (!ReadNumber(*flags, "baseline-rate", 0, 1, 0, &rate, &error)) return Usage(error);
    sigma = std::sqrt(rate * (1 - rate));
    baseline = rate;
    metric = absl::StrCat("conversion rate ", rate, " (sd ", absl::StrFormat("%.4g", sigma), ")");
  } else {
    if (!flags->Has("baseline-mean") || !flags->Has("baseline-sd")) {
      return Usage("--baseline-mean and --baseline-sd go together");
    }
    if (!ReadNumber(*flags, "baseline-mean", 0, kInf, 0, &mean, &error) ||
        !ReadNumber(*flags, "baseline-sd", 0, kInf, 0, &sd, &error)) {
      return Usage(error);
    }
    sigma = sd;
    baseline = mean;
    metric = absl::StrCat("revenue per entry, mean ", mean, ", sd ", sd);
  }
  const double delta = mde * baseline;
  const double total = config::RequiredTotalEntries(sigma, delta, share, alpha, power);
  const double n_c = std::ceil(total * share);
  const double n_t = std::ceil(total * (1 - share));
  std::cout << "metric:            " << metric << "\n";
  std::cout << "target:            +" << absl::StrFormat("%g", mde * 100) << "% relative ("
            << absl::StrFormat("%.6g", delta) << " absolute), two-sided alpha " << alpha
            << ", power " << power << "\n";
  std::cout << "holdout share:     " << share << "\n";
  std::cout << "entries needed:    holdout " << Count(n_c) << ", treatment " << Count(n_t)
            << ", total " << Count(n_c + n_t) << "\n";
  if (per_period > 0) {
    const double periods = std::ceil((n_c + n_t) / per_period);
    std::cout << "periods needed:    " << Count(periods) << " at " << Count(per_period)
              << " entries per period\n";
  }
  std::cout << "formula:           N = (z_{1-a/2} + z_{power})^2 sd^2 (1/(1-s) + 1/s) / "
               "(mde * baseline)^2, normal approximation\n";
  return 0;
}

}  // namespace holdfast::cli
