// Reads journeys and per-entry rows from stdin and prints the lift report's
// JSON with its stage / programme roll-ups and trends, so
// rollup_reference_check.py can recompute them from the same raw rows with
// numpy / scipy / statsmodels.
//
// Input lines, whitespace-separated:
//   options BY AS_OF_SECONDS          BY: none|period|week|month
//   config JOURNEY STAGE FIXED_COST FIXED_FROM FIXED_TO WINDOW_SECONDS PERIOD_SECONDS
//                                     STAGE "-" = none; PERIOD 0 = no rotation;
//                                     fixed cost spread over [FROM, TO) seconds
//   JOURNEY T|C UNIT T0_SECONDS PERIOD MATURE(0|1) y m x c
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_proto.h"

namespace holdfast::report {
namespace {

constexpr int64_t kUs = 1000000;

int Main() {
  AssignmentConfig config;
  config.version = "cfg-rollup-reference";
  InMemoryAnalysisSource source;
  LiftReportOptions options;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string first;
    if (!(in >> first)) continue;
    if (first == "options") {
      std::string by;
      int64_t as_of = 0;
      in >> by >> as_of;
      options.trend_by = by == "period" ? TrendBy::kPeriod
                         : by == "week" ? TrendBy::kWeek
                         : by == "month" ? TrendBy::kMonth
                                         : TrendBy::kNone;
      options.as_of = as_of * kUs;
      continue;
    }
    if (first == "config") {
      JourneySpec j;
      double fixed = 0;
      int64_t fixed_from = 0, fixed_to = 0, window = 0, period = 0;
      in >> j.id >> j.stage >> fixed >> fixed_from >> fixed_to >> window >> period;
      if (j.stage == "-") j.stage.clear();
      j.holdout.share_ppm = 200000;
      j.arms = {{"treatment", 1}};
      j.attribution_window_us = window * kUs;
      if (period > 0) {
        j.holdout.rotation.scheme = RotationScheme::kResalt;
        j.holdout.rotation.period_us = period * kUs;
      }
      config.journeys.push_back(j);
      if (fixed > 0) source.AddFixedCost({j.id, fixed_from * kUs, fixed_to * kUs, fixed});
      continue;
    }
    StoredEntry e;
    std::string group;
    int64_t t0 = 0;
    int mature = 0;
    e.journey = first;
    in >> group >> e.unit >> t0 >> e.period >> mature >> e.y >> e.m >> e.x >> e.c;
    if (!in) {
      std::fprintf(stderr, "bad line: %s\n", line.c_str());
      return 2;
    }
    e.group = group == "T" ? EntryGroup::kTreatment : EntryGroup::kHoldout;
    e.arm = group == "T" ? "treatment" : "";
    e.t0 = t0 * kUs;
    e.mature = mature != 0;
    e.sends = e.c > 0 ? 1 : 0;
    source.AddEntry(std::move(e));
  }
  absl::StatusOr<LiftReportResult> result = BuildLiftReport(config, source, options);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  LiftProtoContext ctx;
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  json.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(ToProto(*result, ctx), &out, json).ok()) return 1;
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace holdfast::report

int main() { return holdfast::report::Main(); }
