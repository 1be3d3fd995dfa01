// Loads raw events from CSV files into a fresh SQLite store, builds the
// program report through StoreAnalysisSource and prints it as JSON (the
// proto's JSON mapping). Driven by program_reference_check.py, which
// recomputes every number from the same CSV files.
//
//   program_reference_driver --dir DIR --db FILE --scheme resalt --share_ppm 300000
//       --seed g --period_us P --epoch_us 0 --washout_us W --stride_ppm S
//       --from T --to T --as_of T
//
// DIR holds customers.csv (unit,first_seen), entries.csv (unit,t0),
// sends.csv (send_id,unit,journey,at,cost), outcomes.csv
// (outcome_id,unit,at,type,revenue,margin,order_id) and costs.csv
// (cost_id,journey,start,end,amount); times in microseconds, no quoting.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "google/protobuf/util/json_util.h"
#include "lib/report/program_report.h"
#include "lib/report/report_proto.h"
#include "lib/report/store_analysis_source.h"
#include "lib/storage/sqlite_store.h"
#include "tests/report/reference_csv.h"

ABSL_FLAG(std::string, dir, "", "Directory with the CSV files.");
ABSL_FLAG(std::string, db, "", "SQLite file to create.");
ABSL_FLAG(std::string, scheme, "none", "Global rotation: none, sliding or resalt.");
ABSL_FLAG(int64_t, share_ppm, 0, "Global holdout share (ppm).");
ABSL_FLAG(std::string, seed, "global", "Global holdout seed.");
ABSL_FLAG(int64_t, period_us, 0, "Rotation period.");
ABSL_FLAG(int64_t, epoch_us, 0, "Rotation epoch.");
ABSL_FLAG(int64_t, washout_us, 0, "Rotation washout.");
ABSL_FLAG(int64_t, stride_ppm, 0, "SLIDING stride (ppm).");
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

  std::vector<CustomerRow> customers;
  for (const auto& r : ReadCsv(dir + "/customers.csv")) customers.push_back({r[0], Int(r[1])});
  std::vector<EntryRow> entries;
  int64_t n = 0;
  for (const auto& r : ReadCsv(dir + "/entries.csv")) {
    EntryRow e;
    e.journey = "j";
    e.unit = r[0];
    e.period = n++;  // distinct keys: every entry row is stored
    e.t0 = Int(r[1]);
    e.config_version = "v";
    entries.push_back(std::move(e));
  }
  std::vector<SendRow> sends;
  for (const auto& r : ReadCsv(dir + "/sends.csv")) sends.push_back({r[0], r[1], r[2], "email", Int(r[3]), Real(r[4])});
  std::vector<OutcomeRow> outcomes;
  for (const auto& r : ReadCsv(dir + "/outcomes.csv")) {
    outcomes.push_back({r[0], r[1], Int(r[2]), static_cast<OutcomeType>(Int(r[3])), Real(r[4]), Real(r[5]),
                        r.size() > 6 ? r[6] : ""});
  }
  std::vector<FixedCostRow> costs;
  for (const auto& r : ReadCsv(dir + "/costs.csv")) costs.push_back({r[0], r[1], Int(r[2]), Int(r[3]), Real(r[4]), ""});
  for (size_t i = 0; i < customers.size(); i += 5000) {
    const size_t e = std::min(customers.size(), i + 5000);
    Check(store->RecordCustomers(absl::MakeConstSpan(customers).subspan(i, e - i)).status(), "customers");
  }
  Check(store->RecordEntries(entries).status(), "entries");
  Check(store->RecordSends(sends).status(), "sends");
  Check(store->RecordOutcomes(outcomes).status(), "outcomes");
  Check(store->RecordFixedCosts(costs).status(), "costs");

  AssignmentConfig config;
  config.version = "cfg-reference";
  HoldoutSpec& g = config.global_holdout;
  g.share_ppm = static_cast<uint32_t>(absl::GetFlag(FLAGS_share_ppm));
  g.seed = absl::GetFlag(FLAGS_seed);
  const std::string scheme = absl::GetFlag(FLAGS_scheme);
  g.rotation.scheme = scheme == "resalt"    ? RotationScheme::kResalt
                      : scheme == "sliding" ? RotationScheme::kSliding
                                            : RotationScheme::kNone;
  g.rotation.period_us = absl::GetFlag(FLAGS_period_us);
  g.rotation.epoch_us = absl::GetFlag(FLAGS_epoch_us);
  g.rotation.washout_us = absl::GetFlag(FLAGS_washout_us);
  g.rotation.stride_ppm = static_cast<uint32_t>(absl::GetFlag(FLAGS_stride_ppm));

  report::ProgramReportOptions options;
  options.range = {absl::GetFlag(FLAGS_from), absl::GetFlag(FLAGS_to)};
  options.as_of = absl::GetFlag(FLAGS_as_of);
  report::StoreAnalysisSource source(store.get());
  absl::StatusOr<report::ProgramReportResult> result = report::BuildProgramReport(config, source, options);
  Check(result.status(), "report");
  const holdfast::v1::ProgramReport proto = report::ToProto(*result, 0, options.range);
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(proto, &json, print).ok()) return 1;
  std::cout << json << "\n";
  return 0;
}
