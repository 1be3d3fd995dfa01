// Writes the HTML lift and program reports of fixed in-memory data to a
// directory, for html_layout_check.py (headless Chromium at 1400 and 400 px)
// and for looking at by hand. The lift report has what stresses a layout:
// long journey and arm names, a segmented breakdown with one tiny segment
// (an interval far wider than the rest: clipped in the forest plot), a
// guardrail breach, contamination (a CRITICAL warning), an undecided
// journey, and several warnings of one kind (grouped).
//
// Usage: report_html_fixture OUTPUT_DIR   (writes lift.html, program.html)
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "client/report_render.h"
#include "lib/report/in_memory_source.h"
#include "lib/report/lift_report.h"
#include "lib/report/program_report.h"
#include "lib/report/report_proto.h"

namespace holdfast::report {
namespace {

constexpr int64_t kDay = 86400LL * 1000000;

AssignmentConfig Config() {
  AssignmentConfig config;
  config.version = "cfg-layout-fixture-0123456789abcdef";
  config.global_holdout.share_ppm = 50000;
  JourneySpec cart;
  cart.id = "cart_abandonment_reminder_sequence";
  cart.holdout.share_ppm = 200000;
  cart.holdout.rotation.scheme = RotationScheme::kResalt;
  cart.holdout.rotation.period_us = 7 * kDay;
  cart.arms = {{"discount_ten_percent_coupon", 1}, {"no_discount_reminder_only", 1}};
  JourneySpec winback;
  winback.id = "winback";
  winback.holdout.share_ppm = 250000;
  winback.arms = {{"default", 1}};
  JourneySpec renewal;
  renewal.id = "renewal";
  renewal.holdout.share_ppm = 100000;
  renewal.arms = {{"default", 1}};
  config.journeys = {cart, renewal, winback};
  return config;
}

StoredEntry Entry(const std::string& journey, bool holdout, const std::string& arm, int i) {
  StoredEntry e;
  e.journey = journey;
  e.unit = journey + std::to_string(i);
  e.group = holdout ? EntryGroup::kHoldout : EntryGroup::kTreatment;
  e.arm = holdout ? "" : arm;
  e.t0 = kDay + static_cast<int64_t>(i) * (21 * kDay / 6000);
  e.period = e.t0 / (7 * kDay);
  return e;
}

// A fixed pseudo-random 0/1 per entry (Knuth's multiplicative hash), so
// segments are independent of the groups and arms.
int Coin(int i) { return static_cast<int>((static_cast<uint32_t>(i) * 2654435761u) >> 31); }

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: report_html_fixture OUTPUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  InMemoryAnalysisSource s;
  const char* countries[] = {"DE", "FR", "LU"};
  for (int i = 0; i < 6000; ++i) {
    // cart: pays, segmented; LU is tiny (2 in 50 entries, half of them held out).
    {
      const bool holdout = i % 5 == 0;
      StoredEntry e = Entry("cart_abandonment_reminder_sequence", holdout,
                            i % 2 ? "discount_ten_percent_coupon" : "no_discount_reminder_only", i);
      const double y = (i % 9 == 0 ? 40.0 + i % 13 : 0.0) + (holdout ? 0.0 : (i % 3) * 2.0);
      e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, holdout ? 0.0 : 0.5, 0.0});
      e.orders = y > 0 ? 1 : 0;
      e.sends = holdout ? 0 : 1;
      e.attributes["country"] = countries[i % 50 < 2 ? 2 : Coin(i)];
      s.AddEntry(e);
    }
    // renewal: undecided; winback: breaches the unsubscribe guardrail.
    if (i < 3000) {
      const bool holdout = i % 10 == 0;
      StoredEntry e = Entry("renewal", holdout, "default", i);
      const double y = i % 11 == 0 ? 30.0 + i % 7 : 0.0;
      e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, holdout ? 0.0 : 0.3, 0.0});
      e.sends = holdout ? 0 : 1;
      e.attributes["country"] = countries[Coin(i)];
      s.AddEntry(e);
    }
    if (i < 4000) {
      const bool holdout = i % 4 == 0;
      StoredEntry e = Entry("winback", holdout, "default", i);
      const double y = i % 7 == 0 ? 25.0 + i % 5 : 0.0;
      e.SetValues({y, y / 3, y > 0 ? 1.0 : 0.0, holdout ? 0.0 : 0.2, 0.0});
      e.sends = holdout ? 0 : 1;
      e.unsubscribed = holdout ? ((i / 4) % 200 == 0) : (i % 33 == 1);
      e.attributes["country"] = countries[Coin(i)];
      s.AddEntry(e);
    }
  }
  s.AddContaminatedSend({"renewal", "renewal10", 2 * kDay, 0.3});
  s.AddFixedCost({"cart_abandonment_reminder_sequence", 0, 30 * kDay, 400.0});
  LiftReportOptions o;
  o.segment_by = "country";
  absl::StatusOr<LiftReportResult> r = BuildLiftReport(Config(), s, o);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
    return 1;
  }
  LiftProtoContext ctx;
  ctx.generated_at = 1767225600LL * 1000000;
  Write(dir + "/lift.html", cli::RenderLiftHtml(ToProto(*r, ctx)));

  InMemoryAnalysisSource p;
  for (int i = 0; i < 3000; ++i) {
    const std::string unit = "u" + std::to_string(i);
    p.AddCustomer({unit, 0});
    p.AddProgramOutcome({unit, kDay + i, i % 6 > 3, (i % 6) * 1.0, 0.0});
    p.AddProgramSend({unit, kDay + i, 0.1});
  }
  ProgramReportOptions po;
  po.range = {kDay, 2 * kDay};
  po.as_of = 3 * kDay;
  absl::StatusOr<ProgramReportResult> pr = BuildProgramReport(Config(), p, po);
  if (!pr.ok()) {
    std::fprintf(stderr, "%s\n", std::string(pr.status().message()).c_str());
    return 1;
  }
  Write(dir + "/program.html", cli::RenderProgramHtml(ToProto(*pr, 0, po.range)));
  return 0;
}

}  // namespace
}  // namespace holdfast::report

int main(int argc, char** argv) { return holdfast::report::Main(argc, argv); }
