// Reads per-entry rows from stdin and prints the lift report's JSON (the
// proto, as clients see it), so metric_reference_check.py can recompute
// every generic metric from the same raw rows with scipy / statsmodels.
//
// Input, one line per entry, whitespace-separated:
//   journey group(T|C) arm y m x c orders unsubscribed complained sends incentive
// A first line "config journey unsubscribe_max_increase unsubscribe_value
// fixed_cost" per journey precedes its entries (value "nan" = not valued).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_proto.h"
#include "google/protobuf/util/json_util.h"

namespace holdfast::report {
namespace {

int Main() {
  AssignmentConfig config;
  config.version = "cfg-metric-reference";
  InMemoryAnalysisSource source;
  std::string line;
  int64_t id = 0;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string first;
    if (!(in >> first)) continue;
    if (first == "config") {
      JourneySpec j;
      std::string value;
      double fixed = 0;
      in >> j.id >> j.unsubscribe_max_increase >> value >> fixed;
      j.unsubscribe_value = value == "nan" ? std::nan("") : std::stod(value);
      j.holdout.share_ppm = 100000;
      j.arms = {{"a", 1}, {"b", 1}};
      config.journeys.push_back(j);
      if (fixed > 0) source.AddFixedCost({j.id, 0, 2000, fixed});
      continue;
    }
    StoredEntry e;
    std::string group;
    e.journey = first;
    in >> group >> e.arm >> e.y >> e.m >> e.x >> e.c >> e.orders >> e.unsubscribed >>
        e.complained >> e.sends >> e.incentive;
    if (!in) {
      std::fprintf(stderr, "bad line: %s\n", line.c_str());
      return 2;
    }
    e.group = group == "T" ? EntryGroup::kTreatment : EntryGroup::kHoldout;
    if (e.arm == "-") e.arm.clear();
    e.unit = "u" + std::to_string(id++);
    e.t0 = 1000;
    source.AddEntry(std::move(e));
  }
  LiftReportOptions options;
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
