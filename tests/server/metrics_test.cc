// holdfastd's observability against a real daemon on 127.0.0.1: after some
// traffic, /metrics (scraped over HTTP) has the documented series with the
// counts the traffic implies, and the access log has one line per call with
// method, code, latency, peer and request id, never customer attributes.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/holdfast_client.h"
#include "lib/auth/token.h"
#include "lib/base/clock.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of the one sample of `name` whose labels include every one of
// `labels` (each `key="value"`); NaN when there is none.
double Sample(const std::string& text, const std::string& name, const std::vector<std::string>& labels = {}) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t end = line.find_first_of("{ ");
    if (end == absl::string_view::npos || line.substr(0, end) != name) continue;
    bool all = true;
    for (const std::string& l : labels) all &= absl::StrContains(line, l);
    if (!all) continue;
    double v = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) return v;
  }
  return std::nan("");
}

// A daemon on 127.0.0.1 with /metrics and every call in the access log,
// its store and config in `dir`, logging to `log`.
DaemonOptions ObservedDaemon(const holdfast::testing::TempDir& dir, EventLog* log) {
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.metrics_listen = "127.0.0.1:0";
  options.log = log;
  options.access_log_sample = 1.0;
  return options;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("holdfast.textproto"))
        << "journeys { id: \"cart_abandon\" holdout_share: 0.2 arms { name: \"a\" weight: 1 } }\n";
    DaemonOptions options = ObservedDaemon(dir_, &log_);
    options.version = "test-version";
    absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    ASSERT_GT(daemon_->metrics_port(), 0);
    client_ = client::HoldfastClient::Connect("127.0.0.1:" + std::to_string(daemon_->port()));
  }

  std::string Scrape() {
    httplib::Client http("127.0.0.1", daemon_->metrics_port());
    httplib::Result r = http.Get("/metrics");
    EXPECT_TRUE(r) << "scrape failed";
    if (!r) return "";
    EXPECT_EQ(r->status, 200);
    return r->body;
  }

  holdfast::testing::TempDir dir_;
  std::ostringstream log_text_;
  EventLog log_{LogFormat::kJson, &log_text_, RealClock::Get()};
  std::unique_ptr<HoldfastDaemon> daemon_;
  std::unique_ptr<client::HoldfastClient> client_;
};

TEST_F(MetricsTest, ScrapeAfterTrafficShowsTheDocumentedSeries) {
  constexpr int kAssigns = 20;
  for (int i = 0; i < kAssigns; ++i) {
    holdfast::v1::AssignRequest req;
    req.set_journey("cart_abandon");
    req.set_unit("cust-" + std::to_string(i));
    (*req.mutable_attributes())["country"] = "SECRET-ATTRIBUTE";
    ASSERT_TRUE(client_->Assign(req).ok());
  }
  holdfast::v1::BatchAssignRequest batch;
  batch.set_journey("cart_abandon");
  for (int i = 0; i < 30; ++i) batch.add_units("batch-" + std::to_string(i));
  batch.set_dry_run(true);
  ASSERT_TRUE(client_->BatchAssign(batch).ok());
  holdfast::v1::AssignRequest bad;
  bad.set_journey("no_such_journey");
  bad.set_unit("u");
  EXPECT_FALSE(client_->Assign(bad).ok());
  ASSERT_TRUE(client_->ReloadConfig("").ok());
  {
    holdfast::v1::LiftReportRequest req;
    holdfast::v1::LiftReport report;
    auto ctx = client_->NewContext();
    ASSERT_TRUE(client_->reports()->GetLiftReport(ctx.get(), req, &report).ok());
  }
  {
    auto ctx = client_->NewContext();
    ctx->AddMetadata("x-request-id", "req-0042");
    holdfast::v1::PingResponse pong;
    ASSERT_TRUE(client_->admin()->Ping(ctx.get(), {}, &pong).ok());
  }

  const std::string m = Scrape();
  const std::string assign = "method=\"Assign\"";
  const std::string service = "service=\"holdfast.v1.AssignmentService\"";
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {assign, service, "code=\"OK\""}), kAssigns) << m;
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {assign, "code=\"NOT_FOUND\""}) +
                Sample(m, "holdfast_rpc_requests_total", {assign, "code=\"INVALID_ARGUMENT\""}),
            1);
  EXPECT_EQ(Sample(m, "holdfast_rpc_duration_seconds_count", {assign}), kAssigns + 1);
  EXPECT_GT(Sample(m, "holdfast_rpc_duration_seconds_sum", {assign}), 0);
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {"method=\"BatchAssign\"", "code=\"OK\""}), 1);
  const double treated = Sample(m, "holdfast_assignments_total", {"journey=\"cart_abandon\"", "group=\"treatment\""});
  const double held = Sample(m, "holdfast_assignments_total", {"journey=\"cart_abandon\"", "group=\"holdout\""});
  EXPECT_EQ(treated + held, kAssigns + 30) << m;
  EXPECT_GT(treated, held);  // 20 % holdout
  EXPECT_THAT(m, Not(HasSubstr("no_such_journey")));  // journeys come from the config only
  EXPECT_EQ(Sample(m, "holdfast_entries_recorded_total", {"source=\"assign\""}), kAssigns);
  EXPECT_GE(Sample(m, "holdfast_store_commit_records_count"), 1);
  EXPECT_GE(Sample(m, "holdfast_store_commit_records_sum"), kAssigns);  // plus config history rows
  EXPECT_GT(Sample(m, "holdfast_store_commit_duration_seconds_sum"), 0);
  EXPECT_EQ(Sample(m, "holdfast_write_queue_records"), 0);
  EXPECT_EQ(Sample(m, "holdfast_write_queue_bytes"), 0);
  EXPECT_EQ(Sample(m, "holdfast_config_info", {"version=\"" + daemon_->serving_version() + "\""}), 1);
  EXPECT_EQ(Sample(m, "holdfast_config_reloads_total", {"outcome=\"unchanged\""}), 1);
  EXPECT_EQ(Sample(m, "holdfast_config_reloads_total", {"outcome=\"rejected\""}), 0);
  EXPECT_EQ(Sample(m, "holdfast_report_duration_seconds_count", {"kind=\"lift\""}), 1);
  EXPECT_EQ(Sample(m, "holdfast_build_info", {"version=\"test-version\""}), 1);
  EXPECT_FALSE(std::isnan(Sample(m, "holdfast_store_checkpoint_duration_seconds_count")));

  // Access log: one JSON line per call, no attribute values.
  const std::string log = log_text_.str();
  std::vector<std::string> rpc_lines;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    if (absl::StrContains(line, "\"event\":\"rpc\"")) rpc_lines.emplace_back(line);
  }
  EXPECT_EQ(rpc_lines.size(), static_cast<size_t>(kAssigns + 5)) << log;  // + batch, bad, reload, report, ping
  EXPECT_THAT(log, Not(HasSubstr("SECRET-ATTRIBUTE")));
  EXPECT_THAT(log, HasSubstr("\"method\":\"/holdfast.v1.AdminService/Ping\",\"code\":\"OK\""));
  EXPECT_THAT(log, HasSubstr("\"request_id\":\"req-0042\""));
  EXPECT_THAT(log, HasSubstr("\"peer\":\"ipv4:127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("\"latency_ms\":\""));
  EXPECT_THAT(log, HasSubstr("\"event\":\"reload\",\"trigger\":\"rpc\",\"changed\":\"false\""));
}

// A call whose handler answers OK after the caller's deadline was seen by
// the caller as DEADLINE_EXCEEDED: the access log and the request counter
// say so too, not OK.
TEST(MetricsDeadlineTest, ACallFinishedAfterItsDeadlineIsCountedAsTheCallerSawIt) {
  holdfast::testing::TempDir dir;
  std::ofstream(dir.File("holdfast.textproto")) << "journeys { id: \"cart_abandon\" holdout_share: 0.2 }\n";
  const std::string stall = dir.File("stall");
  std::ofstream(stall).close();
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  DaemonOptions options = ObservedDaemon(dir, &log);
  options.test_stall_writes_while = stall;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto client = client::HoldfastClient::Connect("127.0.0.1:" + std::to_string((*daemon)->port()));
  holdfast::v1::RecordSendsRequest req;
  holdfast::v1::SendRecord* send = req.add_sends();
  send->set_send_id("s1");
  send->set_unit("u1");
  send->set_journey("cart_abandon");
  send->set_channel("email");
  send->mutable_at()->set_seconds(1790000000);
  send->set_cost(0.01);
  {
    // Connect first, so the deadline below is spent waiting on the store.
    auto ping = client->NewContext();
    holdfast::v1::PingResponse pong;
    ASSERT_TRUE(client->admin()->Ping(ping.get(), {}, &pong).ok());
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  holdfast::v1::WriteSummary summary;
  const grpc::Status s = client->events()->RecordSends(&ctx, req, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  // The writer resumes: the handler commits and answers OK, too late. (Not
  // at once: the server's copy of the deadline, from the grpc-timeout
  // header, may fall a few ms after the client's.)
  absl::SleepFor(absl::Milliseconds(500));
  std::remove(stall.c_str());
  const std::string method = "method=\"RecordSends\"";
  double late = std::nan("");
  for (int i = 0; i < 200; ++i) {
    httplib::Client http("127.0.0.1", (*daemon)->metrics_port());
    httplib::Result r = http.Get("/metrics");
    ASSERT_TRUE(r);
    late = Sample(r->body, "holdfast_rpc_requests_total", {method, "code=\"DEADLINE_EXCEEDED\""});
    if (late == 1) {
      EXPECT_TRUE(std::isnan(Sample(r->body, "holdfast_rpc_requests_total", {method, "code=\"OK\""})) ||
                  Sample(r->body, "holdfast_rpc_requests_total", {method, "code=\"OK\""}) == 0)
          << r->body;
      break;
    }
    absl::SleepFor(absl::Milliseconds(25));
  }
  EXPECT_EQ(late, 1);
  EXPECT_THAT(log_text.str(),
              HasSubstr("\"method\":\"/holdfast.v1.EventService/RecordSends\",\"code\":\"DEADLINE_EXCEEDED\""));
  (*daemon)->Shutdown();
}

// With --auth_tokens: calls refused for their token are counted and logged
// like any other (so an alert can see a client with a revoked token), and
// the token never reaches the access log.
TEST(MetricsAuthTest, RefusedCallsAreCountedAndTokensNeverLogged) {
  holdfast::testing::TempDir dir;
  std::ofstream(dir.File("holdfast.textproto"))
      << "journeys { id: \"cart_abandon\" holdout_share: 0.2 arms { name: \"a\" weight: 1 } }\n";
  const std::string token = "hf_metrics-test-assign-token";
  std::ofstream(dir.File("tokens")) << "assign " << auth::DigestHex(auth::DigestToken(token)) << " engine\n";
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  DaemonOptions options = ObservedDaemon(dir, &log);
  options.security.auth_tokens_path = dir.File("tokens");
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const std::string address = "127.0.0.1:" + std::to_string((*daemon)->port());

  holdfast::v1::AssignRequest req;
  req.set_journey("cart_abandon");
  req.set_unit("cust-1");
  client::ConnectionOptions with_token;
  with_token.token = token;
  EXPECT_TRUE(client::HoldfastClient::Connect(address, with_token)->Assign(req).ok());
  client::ConnectionOptions wrong;
  wrong.token = "hf_not-a-listed-token";
  EXPECT_EQ(client::HoldfastClient::Connect(address, wrong)->Assign(req).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(client::HoldfastClient::Connect(address)->Assign(req).status().code(),
            absl::StatusCode::kUnauthenticated);

  httplib::Client http("127.0.0.1", (*daemon)->metrics_port());
  httplib::Result r = http.Get("/metrics");
  ASSERT_TRUE(r);
  const std::string& m = r->body;
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {"method=\"Assign\"", "code=\"OK\""}), 1) << m;
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {"method=\"Assign\"", "code=\"UNAUTHENTICATED\""}), 2) << m;
  (*daemon)->Shutdown();
  const std::string text = log_text.str();
  EXPECT_THAT(text, Not(HasSubstr(token)));
  EXPECT_THAT(text, Not(HasSubstr("hf_not-a-listed-token")));
  EXPECT_THAT(text, HasSubstr("\"code\":\"UNAUTHENTICATED\""));
}

TEST(EventLogTest, TextAndJsonLinesQuoteWhatNeedsIt) {
  FakeClock clock(1767225600LL * 1000000);
  std::ostringstream sink;
  EventLog text(LogFormat::kText, &sink, &clock);
  EXPECT_EQ(text.Format("INFO", "reload", {{"serving", "v1"}, {"error", "bad \"x\" = 1"}}),
            "2026-01-01T00:00:00Z INFO reload serving=v1 error=\"bad \\\"x\\\" = 1\"");
  EventLog json(LogFormat::kJson, &sink, &clock);
  EXPECT_EQ(json.Format("WARN", "rpc", {{"method", "/a/B"}, {"note", "line\nbreak"}}),
            "{\"ts\":\"2026-01-01T00:00:00Z\",\"level\":\"WARN\",\"event\":\"rpc\",\"method\":\"/a/B\","
            "\"note\":\"line\\nbreak\"}");
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace holdfast::server
