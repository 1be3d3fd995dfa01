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
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli_app.h"
#include "client/cli_output.h"
#include "client/commands.h"
#include "lib/config/power.h"

namespace holdfast::cli {
namespace {

struct PowerFlags {
  std::optional<double> baseline_rate;
  std::optional<double> baseline_mean;
  std::optional<double> baseline_sd;
  std::optional<double> mde;
  double alpha = 0.05;
  double power = 0.8;
  double holdout_share = 0.5;
  std::optional<double> entries_per_period;
};

int Usage(const std::string& message) {
  return ReportError("power", absl::InvalidArgumentError(message), /*usage=*/true);
}

// Checks --name's value is finite and in (lo, hi) (exclusive bounds).
bool InRange(const std::string& name, double v, double lo, double hi, std::string* error) {
  if (std::isfinite(v) && v > lo && v < hi) return true;
  *error = absl::StrCat("--", name, ": expected a number in (", lo, ", ",
                        std::isinf(hi) ? "inf" : absl::StrCat(hi), "), got ", v);
  return false;
}

// Whole entries with thousands separators, like every count the CLI prints.
std::string Count(double n) { return Grouped(std::llround(n)); }

int RunPower(const PowerFlags& flags) {
  const bool rate_mode = flags.baseline_rate.has_value();
  const bool revenue_mode = flags.baseline_mean || flags.baseline_sd;
  if (rate_mode == revenue_mode) {
    return Usage("give either --baseline-rate, or --baseline-mean and --baseline-sd");
  }
  if (!flags.mde) return Usage("--mde is required");
  constexpr double kInf = INFINITY;
  std::string error;
  const double mde = *flags.mde, alpha = flags.alpha, power = flags.power, share = flags.holdout_share;
  const double per_period = flags.entries_per_period.value_or(0);
  if (!InRange("mde", mde, 0, kInf, &error) || !InRange("alpha", alpha, 0, 1, &error) ||
      !InRange("power", power, 0, 1, &error) || !InRange("holdout-share", share, 0, 1, &error) ||
      (flags.entries_per_period && !InRange("entries-per-period", per_period, 0, kInf, &error))) {
    return Usage(error);
  }
  double sigma = 0, baseline = 0;
  std::string metric;
  if (rate_mode) {
    const double rate = *flags.baseline_rate;
    if (!InRange("baseline-rate", rate, 0, 1, &error)) return Usage(error);
    sigma = std::sqrt(rate * (1 - rate));
    baseline = rate;
    metric = absl::StrCat("conversion rate ", rate, " (sd ", absl::StrFormat("%.4g", sigma), ")");
  } else {
    if (!flags.baseline_mean || !flags.baseline_sd) {
      return Usage("--baseline-mean and --baseline-sd go together");
    }
    const double mean = *flags.baseline_mean, sd = *flags.baseline_sd;
    if (!InRange("baseline-mean", mean, 0, kInf, &error) || !InRange("baseline-sd", sd, 0, kInf, &error)) {
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
  std::cout << "holdout share:     " << Share(share) << "\n";
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

}  // namespace

void AddPowerCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<PowerFlags>();
  CLI::App* cmd = app.add_subcommand("power", "entries and periods a journey needs");
  cmd->add_option("--baseline-rate", flags->baseline_rate, "conversion rate in the holdout, in (0, 1)");
  cmd->add_option("--baseline-mean", flags->baseline_mean, "revenue per entry in the holdout: mean > 0");
  cmd->add_option("--baseline-sd", flags->baseline_sd, "revenue per entry in the holdout: sd > 0");
  cmd->add_option("--mde", flags->mde, "relative lift to detect, e.g. 0.05 for +5 %");
  cmd->add_option("--alpha", flags->alpha, "two-sided significance level")->capture_default_str();
  cmd->add_option("--power", flags->power, "power")->capture_default_str();
  cmd->add_option("--holdout-share", flags->holdout_share, "share of entries held out (0.5: equal groups)")
      ->capture_default_str();
  cmd->add_option("--entries-per-period", flags->entries_per_period,
                  "expected entries per period, to get the periods needed");
  cmd->footer(
      "Normal approximation with the baseline variance in both groups:\n"
      "  N = (z_{1-a/2} + z_{power})^2 sd^2 (1/(1-s) + 1/s) / (mde * baseline)^2");
  cmd->callback([flags, exit_code] { *exit_code = RunPower(*flags); });
}

}  // namespace holdfast::cli
