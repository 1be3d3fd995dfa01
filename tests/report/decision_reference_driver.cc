// Reads per-entry rows from stdin and prints the lift report's JSON, so
// decision_reference_check.py can recompute every journey's decision (the
// verdict, the entries needed to decide, the periods at current volume)
// from the same raw rows with numpy / scipy / statsmodels.
//
// Input, whitespace-separated:
//   config JOURNEY ROTATION_DAYS FIXED_COST    (once per journey, first;
//                                              ROTATION_DAYS 0 = no rotation)
//   JOURNEY T|C T0_SECONDS Y C                 (one line per entry)
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

constexpr int64_t kDayUs = 86400LL * 1000000;

int Main() {
  AssignmentConfig config;
  config.version = "cfg-decision-reference";
  InMemoryAnalysisSource source;
  std::string line;
  int64_t id = 0;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string first;
    if (!(in >> first)) continue;
    if (first == "config") {
      JourneySpec j;
      int64_t rotation_days = 0;
      double fixed = 0;
      in >> j.id >> rotation_days >> fixed;
      j.holdout.share_ppm = 100000;
      if (rotation_days > 0) {
        j.holdout.rotation.scheme = RotationScheme::kResalt;
        j.holdout.rotation.period_us = rotation_days * kDayUs;
      }
      j.arms = {{"a", 1}};
      config.journeys.push_back(j);
      // Over every entry's t0, so the report range gets all of it.
      if (fixed > 0) source.AddFixedCost({j.id, 0, 1000 * kDayUs, fixed});
      continue;
    }
    StoredEntry e;
    std::string group;
    int64_t t0_seconds = 0;
    e.journey = first;
    in >> group >> t0_seconds >> e.y >> e.c;
    if (!in) {
      std::fprintf(stderr, "bad line: %s\n", line.c_str());
      return 2;
    }
    e.group = group == "T" ? EntryGroup::kTreatment : EntryGroup::kHoldout;
    e.arm = group == "T" ? "a" : "";
    e.m = e.y / 2;
    e.x = e.y > 0 ? 1 : 0;
    e.sends = e.c > 0 ? 1 : 0;
    e.t0 = t0_seconds * 1000000;
    const JourneySpec* spec = config.FindJourney(e.journey);
    const int64_t period = spec != nullptr ? spec->holdout.rotation.period_us : 0;
    e.period = period > 0 ? e.t0 / period : 0;
    e.unit = "u" + std::to_string(id++);
    source.AddEntry(std::move(e));
  }
  absl::StatusOr<LiftReportResult> result = BuildLiftReport(config, source, LiftReportOptions{});
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  json.always_print_primitive_fields = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(ToProto(*result, LiftProtoContext{}), &out, json)
           .ok()) {
    return 1;
  }
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace holdfast::report

int main() { return holdfast::report::Main(); }
