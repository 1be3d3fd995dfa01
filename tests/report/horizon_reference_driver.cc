// Loads raw events from CSV files into a fresh SQLite store, builds the lift
// report of one journey with outcome horizons through StoreAnalysisSource and
// prints it as JSON (the proto's JSON mapping). Driven by
// horizon_reference_check.py, which recomputes every horizon metric and the
// cumulative curve from the same raw events (docs/report.md, "Horizons").
//
//   horizon_reference_driver --dir DIR --db FILE --window_us W --refund_horizon_us H
//       --horizons_us 30d,60d,... (µs, comma-separated) --from T --to T --as_of T
//
// DIR holds entries.csv (unit,period,group,t0; group T or C), sends.csv
// (send_id,unit,at,cost), outcomes.csv (outcome_id,unit,at,type,revenue,
// margin,order_id) and costs.csv (cost_id,start,end,amount); times in µs.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "lib/report/lift_report.h"
#include "lib/report/report_proto.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/sqlite_store.h"
#include "tests/report/reference_csv.h"

ABSL_FLAG(std::string, dir, "", "Directory with the CSV files.");
ABSL_FLAG(std::string, db, "", "SQLite file to create.");
ABSL_FLAG(int64_t, window_us, 0, "Attribution window.");
ABSL_FLAG(int64_t, refund_horizon_us, 0, "Refund horizon.");
ABSL_FLAG(std::string, horizons_us, "", "Horizons, comma-separated µs.");
ABSL_FLAG(int64_t, from, 0, "Range start.");
ABSL_FLAG(int64_t, to, 0, "Range end.");
ABSL_FLAG(int64_t, as_of, 0, "as_of.");

namespace {

using holdfast::reference::Check;
using holdfast::reference::Int;
using holdfast::reference::ReadCsv;
using holdfast::reference::Real;

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  using namespace holdfast;  // NOLINT: a test driver
  const std::string dir = absl::GetFlag(FLAGS_dir);
  auto opened = SqliteStore::Open(absl::GetFlag(FLAGS_db));
  Check(opened.status(), "open");
  std::unique_ptr<SqliteStore> store = std::move(*opened);

  std::vector<EntryRow> entries;
  for (const auto& r : ReadCsv(dir + "/entries.csv")) {
    EntryRow e;
    e.journey = "j";
    e.unit = r[0];
    e.period = Int(r[1]);
    e.group = r[2] == "T" ? EntryGroup::kTreatment : EntryGroup::kHoldout;
    e.arm = r[2] == "T" ? "treatment" : "";
    e.t0 = Int(r[3]);
    e.config_version = "cfg-horizon-reference";
    entries.push_back(std::move(e));
  }
  std::vector<SendRow> sends;
  for (const auto& r : ReadCsv(dir + "/sends.csv")) sends.push_back({r[0], r[1], "j", "email", Int(r[2]), Real(r[3])});
  std::vector<OutcomeRow> outcomes;
  for (const auto& r : ReadCsv(dir + "/outcomes.csv")) {
    outcomes.push_back({r[0], r[1], Int(r[2]), static_cast<OutcomeType>(Int(r[3])), Real(r[4]), Real(r[5]),
                        r.size() > 6 ? r[6] : ""});
  }
  std::vector<FixedCostRow> costs;
  for (const auto& r : ReadCsv(dir + "/costs.csv")) costs.push_back({r[0], "j", Int(r[1]), Int(r[2]), Real(r[3]), ""});
  for (size_t i = 0; i < entries.size(); i += 5000) {
    const size_t e = std::min(entries.size(), i + 5000);
    Check(store->RecordEntries(absl::MakeConstSpan(entries).subspan(i, e - i)).status(), "entries");
  }
  for (size_t i = 0; i < outcomes.size(); i += 5000) {
    const size_t e = std::min(outcomes.size(), i + 5000);
    Check(store->RecordOutcomes(absl::MakeConstSpan(outcomes).subspan(i, e - i)).status(), "outcomes");
  }
  Check(store->RecordSends(sends).status(), "sends");
  Check(store->RecordFixedCosts(costs).status(), "costs");

  AssignmentConfig config;
  config.version = "cfg-horizon-reference";
  JourneySpec j;
  j.id = "j";
  j.holdout.share_ppm = 250000;
  j.holdout.seed = "j:holdout";
  j.arm_seed = "j:arm";
  j.arms = {{"treatment", 1}};
  j.attribution_window_us = absl::GetFlag(FLAGS_window_us);
  j.refund_horizon_us = absl::GetFlag(FLAGS_refund_horizon_us);
  for (absl::string_view h : absl::StrSplit(absl::GetFlag(FLAGS_horizons_us), ',', absl::SkipEmpty())) {
    j.horizons_us.push_back(Int(std::string(h)));
  }
  config.journeys.push_back(j);

  report::LiftReportOptions options;
  options.range = {absl::GetFlag(FLAGS_from), absl::GetFlag(FLAGS_to)};
  options.as_of = absl::GetFlag(FLAGS_as_of);
  report::StoreAnalysisSource source(store.get());
  absl::StatusOr<report::LiftReportResult> result = report::BuildLiftReport(config, source, options);
  Check(result.status(), "report");
  report::LiftProtoContext ctx;
  ctx.range = options.range;
  const holdfast::v1::LiftReport proto = report::ToProto(*result, ctx);
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(proto, &json, print).ok()) return 1;
  std::cout << json << "\n";
  return 0;
}
