// The HTTP/JSON endpoint over a real in-process daemon on 127.0.0.1 (port 0),
// called with httplib::Client: every route, the same answers and errors as
// gRPC for the same request, bad JSON, wrong Content-Type, oversized bodies,
// unknown routes and methods, tokens and roles, the shared write budget,
// metrics and the access log, and HTTPS.
#include <fstream>
#include <sstream>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/holdfast_client.h"
#include "lib/auth/token.h"
#include "lib/base/clock.h"
#include "server/event_log.h"
#include "server/holdfast_daemon.h"
#include "server/http_gateway.h"
#include "server/http_status.h"
#include "tests/testing/process_util.h"
#include "tests/testing/test_certs.h"

namespace holdfast::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJson[] = "application/json";
constexpr char kConfig[] =
    "journeys { id: \"cart_abandon\" holdout_share: 0.3 arms { name: \"a\" weight: 1 } arms { name: \"b\" weight: 1 } "
    "channel_costs { channel: \"email\" cost_per_send: 0.001 } }\n";

std::string Field(const std::string& json, const std::string& name) {
  // The value of "name":"..." or "name":number in a flat reading (tests only).
  const std::string key = "\"" + name + "\":";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  if (json[start] == '"') {
    const size_t end = json.find('"', start + 1);
    return json.substr(start + 1, end - start - 1);
  }
  const size_t end = json.find_first_of(",}", start);
  return json.substr(start, end - start);
}

// The value of the one sample of `name` with every label in `labels`.
double Sample(const std::string& text, const std::string& name, const std::vector<std::string>& labels) {
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
  return 0;
}

class HttpGatewayTest : public ::testing::Test {
 protected:
  void Start(DaemonOptions options = {}, bool metrics = false) {
    std::ofstream(dir_.File("holdfast.textproto")) << kConfig;
    options.config_path = dir_.File("holdfast.textproto");
    options.db_path = dir_.File("holdfast.db");
    options.listen_address = "127.0.0.1:0";
    options.http_listen = "127.0.0.1:0";
    if (metrics) options.metrics_listen = "127.0.0.1:0";
    options.log = &log_;
    options.access_log_sample = 1.0;
    absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    ASSERT_GT(daemon_->http_port(), 0);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", daemon_->http_port());
    http_->set_read_timeout(10, 0);
    grpc_ = client::HoldfastClient::Connect("127.0.0.1:" + std::to_string(daemon_->port()));
  }

  httplib::Result Post(const std::string& path, const std::string& body, const httplib::Headers& headers = {}) {
    return http_->Post(path.c_str(), headers, body, kJson);
  }

  std::string Scrape() {
    httplib::Client m("127.0.0.1", daemon_->metrics_port());
    httplib::Result r = m.Get("/metrics");
    return r ? r->body : "";
  }

  holdfast::testing::TempDir dir_;
  std::ostringstream log_text_;
  EventLog log_{LogFormat::kJson, &log_text_, RealClock::Get()};
  std::unique_ptr<HoldfastDaemon> daemon_;
  std::unique_ptr<httplib::Client> http_;
  std::unique_ptr<client::HoldfastClient> grpc_;
};

TEST_F(HttpGatewayTest, AssignOverHttpEqualsGrpcForTheSameUnit) {
  Start();
  for (int i = 0; i < 40; ++i) {
    const std::string unit = absl::StrCat("cust-", i, i % 7 == 0 ? "-ü" : "");
    holdfast::v1::AssignRequest req;
    req.set_journey("cart_abandon");
    req.set_unit(unit);
    req.mutable_at()->set_seconds(1790000000);
    req.set_dry_run(true);
    absl::StatusOr<holdfast::v1::AssignResponse> via_grpc = grpc_->Assign(req);
    ASSERT_TRUE(via_grpc.ok()) << via_grpc.status();

    req.set_dry_run(false);
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(req, &json).ok());
    httplib::Result r = Post("/v1/assign", json);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), kJson);
    holdfast::v1::AssignResponse via_http;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &via_http).ok()) << r->body;
    EXPECT_TRUE(via_http.assignment().new_entry());  // recorded, unlike the dry run
    via_http.mutable_assignment()->set_new_entry(false);
    EXPECT_EQ(via_http.SerializeAsString(), via_grpc->SerializeAsString()) << unit << ": " << r->body;
  }
  // Proto field names and every field present, as docs/api.md shows.
  httplib::Result r = Post("/v1/assign", R"({"journey":"cart_abandon","unit":"cust-1","dry_run":true})");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr("\"config_version\":"));
  EXPECT_THAT(r->body, HasSubstr("\"new_entry\":false"));
  EXPECT_THAT(r->body, HasSubstr("\"in_washout\":false"));
}

TEST_F(HttpGatewayTest, EveryRouteAnswers) {
  Start();
  httplib::Result health = http_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"SERVING"})");

  httplib::Result journeys = http_->Get("/v1/journeys");
  ASSERT_TRUE(journeys);
  ASSERT_EQ(journeys->status, 200);
  holdfast::v1::ListJourneysResponse list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(journeys->body, &list).ok());
  ASSERT_EQ(list.journeys_size(), 1);
  EXPECT_EQ(list.journeys(0).id(), "cart_abandon");
  EXPECT_EQ(list.config_version(), daemon_->serving_version());

  httplib::Result batch = Post("/v1/batch_assign", R"({"journey":"cart_abandon","units":["u1","u2","u3"]})");
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->status, 200) << batch->body;
  holdfast::v1::BatchAssignResponse assigned;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(batch->body, &assigned).ok());
  ASSERT_EQ(assigned.assignments_size(), 3);
  EXPECT_EQ(assigned.assignments(2).unit(), "u3");
  EXPECT_TRUE(assigned.assignments(0).new_entry());

  httplib::Result entries = Post(
      "/v1/entries",
      R"({"entries":[{"journey":"cart_abandon","unit":"e1","at":"2026-11-30T10:00:00Z","attributes":{"country":"FR"}}]})");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->status, 200) << entries->body;
  EXPECT_EQ(Field(entries->body, "inserted"), "1") << entries->body;

  const std::string send =
      R"({"sends":[{"send_id":"s-1","unit":"e1","journey":"cart_abandon","channel":"email","at":"2026-11-30T10:05:00Z"}]})";
  httplib::Result sends = Post("/v1/sends", send);
  ASSERT_TRUE(sends);
  ASSERT_EQ(sends->status, 200) << sends->body;
  EXPECT_EQ(Field(sends->body, "inserted"), "1") << sends->body;
  // A retried write with the same id is a duplicate, not a second send.
  httplib::Result again = Post("/v1/sends", send);
  ASSERT_TRUE(again);
  EXPECT_EQ(Field(again->body, "inserted"), "0") << again->body;
  EXPECT_EQ(Field(again->body, "duplicates"), "1") << again->body;

  httplib::Result outcomes = Post(
      "/v1/outcomes",
      R"({"outcomes":[{"outcome_id":"o-1","unit":"e1","at":"2026-11-30T12:00:00Z","type":"ORDER","revenue":42.5}]})");
  ASSERT_TRUE(outcomes);
  ASSERT_EQ(outcomes->status, 200) << outcomes->body;
  EXPECT_EQ(Field(outcomes->body, "inserted"), "1") << outcomes->body;
}

TEST_F(HttpGatewayTest, ValidationErrorsAreGrpcsWithTheMappedStatus) {
  Start();
  struct Case {
    std::string body;
    int http;
  };
  const std::vector<Case> cases = {
      {R"({"journey":"cart_abandon","unit":""})", 400},
      {R"({"journey":"no_such_journey","unit":"u"})", 404},
      {R"({"journey":"","unit":"u"})", 400},
      {absl::StrCat(R"({"journey":"cart_abandon","unit":")", std::string(300, 'x'), R"("})"), 400},
  };
  for (const Case& c : cases) {
    holdfast::v1::AssignRequest req;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(c.body, &req).ok());
    const absl::Status via_grpc = grpc_->Assign(req).status();
    ASSERT_FALSE(via_grpc.ok());
    httplib::Result r = Post("/v1/assign", c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.http) << c.body;
    EXPECT_EQ(r->status, HttpStatusOf(via_grpc.code()));
    EXPECT_EQ(r->body, ErrorBody(via_grpc)) << c.body;
    EXPECT_LT(r->body.size(), 300u);  // never the whole unbounded input
  }
}

TEST_F(HttpGatewayTest, BadJsonNamesTheReasonWithoutEchoingTheBody) {
  Start();
  struct Case {
    std::string body;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {R"({"journey": "cart_abandon", "unit": )", "Unexpected end of string"},
      {"not json", "Unexpected token"},
      {R"({"journey":"cart_abandon","unit_id":"u"})", "unit_id: Cannot find field"},
      {R"({"journey":"cart_abandon","unit":5})", "invalid value 5"},
      {"", "body: empty; expected a JSON object (holdfast.v1.AssignRequest)"},
      {R"({"journey":"cart_abandon","unit":"u"} trailing)", "Parsing terminated before end of input"},
  };
  for (const Case& c : cases) {
    httplib::Result r = Post("/v1/assign", c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body;
    EXPECT_EQ(Field(r->body, "code"), "INVALID_ARGUMENT");
    EXPECT_THAT(r->body, HasSubstr(c.reason)) << r->body;
  }
  // A long bad key is cut, not echoed whole.
  const std::string key(5000, 'k');
  httplib::Result r = Post("/v1/assign", absl::StrCat("{\"", key, "\":1}"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_LT(r->body.size(), 400u) << r->body.substr(0, 400);
}

TEST_F(HttpGatewayTest, ContentTypeRoutesAndMethods) {
  Start();
  const std::string body = R"({"journey":"cart_abandon","unit":"u"})";
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"}) {
    httplib::Result r = http_->Post("/v1/assign", body, type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 415) << type;
    EXPECT_EQ(Field(r->body, "code"), "INVALID_ARGUMENT");
    EXPECT_THAT(r->body, HasSubstr("Content-Type"));
  }
  // The refused body was read, so the kept-alive connection serves the next
  // request in step.
  for (const char* type : {"application/json", "Application/JSON; charset=UTF-8"}) {
    httplib::Result r = http_->Post("/v1/assign", body, type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << type << ": " << r->body;
  }

  httplib::Result unknown = Post("/v1/nope", body);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Field(unknown->body, "code"), "NOT_FOUND");
  httplib::Result root = http_->Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 404);

  httplib::Result get_assign = http_->Get("/v1/assign");
  ASSERT_TRUE(get_assign);
  EXPECT_EQ(get_assign->status, 405);
  EXPECT_EQ(get_assign->get_header_value("Allow"), "POST");
  httplib::Result post_journeys = Post("/v1/journeys", "{}");
  ASSERT_TRUE(post_journeys);
  EXPECT_EQ(post_journeys->status, 405);
  EXPECT_EQ(post_journeys->get_header_value("Allow"), "GET");
  httplib::Result put = http_->Put("/v1/sends", "{}", kJson);
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(Field(put->body, "code"), "UNIMPLEMENTED");
}

TEST_F(HttpGatewayTest, OversizedBodiesAnswer413) {
  DaemonOptions options;
  options.http_max_body_bytes = 4096;
  Start(options);
  std::string big = R"({"journey":"cart_abandon","units":[)";
  for (int i = 0; i < 1000; ++i) big += absl::StrCat(i ? "," : "", "\"unit-", i, "\"");
  big += "]}";
  ASSERT_GT(big.size(), 4096u);
  httplib::Result r = Post("/v1/batch_assign", big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Field(r->body, "code"), "RESOURCE_EXHAUSTED");

  // Chunked (no Content-Length) is bounded the same way: the server stops
  // reading at the limit and answers 413, which the client may or may not
  // see before its write fails; either way the body is not served.
  size_t sent = 0;
  httplib::Client chunker("127.0.0.1", daemon_->http_port());
  httplib::Result chunked = chunker.Post(
      "/v1/batch_assign",
      [&](size_t, httplib::DataSink& sink) {
        if (sent < big.size()) {
          const size_t n = std::min<size_t>(1024, big.size() - sent);
          sink.write(big.data() + sent, n);
          sent += n;
        } else {
          sink.done();
        }
        return true;
      },
      kJson);
  if (chunked) {
    EXPECT_EQ(chunked->status, 413);
  }

  // Under the limit it is served.
  httplib::Client fresh("127.0.0.1", daemon_->http_port());
  httplib::Result small = fresh.Post("/v1/batch_assign", R"({"journey":"cart_abandon","units":["a"]})", kJson);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
  // Requests are logged after their answer is written: read the log once the
  // endpoint has stopped.
  daemon_->Shutdown();
  EXPECT_THAT(log_text_.str(), HasSubstr(R"("route":"/v1/batch_assign","method":"POST","status":"413")"));
}

TEST_F(HttpGatewayTest, WritesShareTheServersByteBudget) {
  DaemonOptions options;
  options.max_pending_bytes = 96 << 10;
  options.http_max_body_bytes = 64 << 10;
  Start(options);
  // ~50 KiB of JSON: the body fits the HTTP limit and its own lease, but the
  // recording call behind it is charged several times its size on the same
  // budget, so it is refused as gRPC would refuse it.
  std::string big = R"({"journey":"cart_abandon","units":[)";
  for (int i = 0; i < 2500; ++i) big += absl::StrCat(i ? "," : "", "\"unit-", 100000 + i, "\"");
  big += "]}";
  ASSERT_LT(big.size(), 64u << 10);
  httplib::Result r = Post("/v1/batch_assign", big);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << r->body;
  EXPECT_EQ(Field(r->body, "code"), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  // A dry run records nothing and needs no budget for its call.
  std::string dry = big;
  dry.insert(1, R"("dry_run":true,)");
  httplib::Result d = Post("/v1/batch_assign", dry);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200);
}

TEST_F(HttpGatewayTest, MetricsAndAccessLogCountHttpRequests) {
  Start({}, /*metrics=*/true);
  ASSERT_TRUE(Post("/v1/assign", R"({"journey":"cart_abandon","unit":"u1"})", {{"X-Request-Id", "req-7"}}));
  ASSERT_TRUE(Post("/v1/assign", R"({"journey":"cart_abandon","unit":""})"));
  ASSERT_TRUE(http_->Get("/no/such/route/1"));
  ASSERT_TRUE(http_->Get("/no/such/route/2"));
  // A request is counted after its answer is written: wait until all four are.
  std::string m;
  for (int i = 0; i < 500; ++i) {
    m = Scrape();
    if (Sample(m, "holdfast_http_requests_total", {"route=\"other\"", "status=\"404\""}) >= 2 &&
        Sample(m, "holdfast_http_requests_total", {"route=\"/v1/assign\"", "status=\"400\""}) >= 1 &&
        Sample(m, "holdfast_http_requests_total", {"route=\"/v1/assign\"", "status=\"200\""}) >= 1) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Sample(m, "holdfast_http_requests_total", {"route=\"/v1/assign\"", "status=\"200\""}), 1) << m;
  EXPECT_EQ(Sample(m, "holdfast_http_requests_total", {"route=\"/v1/assign\"", "status=\"400\""}), 1) << m;
  EXPECT_EQ(Sample(m, "holdfast_http_requests_total", {"route=\"other\"", "status=\"404\""}), 2) << m;
  EXPECT_THAT(m, Not(HasSubstr("/no/such/route")));
  // The gRPC method behind the route is counted as every call is.
  EXPECT_EQ(Sample(m, "holdfast_rpc_requests_total", {"method=\"Assign\"", "code=\"OK\""}), 1) << m;
  EXPECT_EQ(Sample(m, "holdfast_assignments_total", {"journey=\"cart_abandon\"", "group=\"treatment\""}) +
                Sample(m, "holdfast_assignments_total", {"journey=\"cart_abandon\"", "group=\"holdout\""}),
            1)
      << m;
  daemon_->Shutdown();  // every log line written
  const std::string log = log_text_.str();
  EXPECT_THAT(log, HasSubstr(R"("event":"http","route":"/v1/assign","method":"POST","status":"200")"));
  EXPECT_THAT(log, HasSubstr(R"("request_id":"req-7")"));
  EXPECT_THAT(log, HasSubstr(R"("event":"http","route":"-","method":"GET","status":"404")"));
  EXPECT_THAT(log, HasSubstr(R"("peer":"127.0.0.1:)"));
  EXPECT_THAT(log, Not(HasSubstr("/no/such/route")));
}

TEST(HttpGatewayAuthTest, SameTokensAndRolesAsGrpc) {
  holdfast::testing::TempDir dir;
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  const std::string assign_token = "hf_http-test-assign-token";
  const std::string ingest_token = "hf_http-test-ingest-token";
  std::ofstream(dir.File("tokens")) << "assign " << auth::DigestHex(auth::DigestToken(assign_token)) << " engine\n"
                                    << "ingest " << auth::DigestHex(auth::DigestToken(ingest_token)) << " etl\n";
  std::ostringstream log_text;
  EventLog log(LogFormat::kJson, &log_text, RealClock::Get());
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.security.auth_tokens_path = dir.File("tokens");
  options.log = &log;
  options.access_log_sample = 1.0;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  httplib::Client http("127.0.0.1", (*daemon)->http_port());
  const std::string assign = R"({"journey":"cart_abandon","unit":"u1"})";
  const std::string send =
      R"({"sends":[{"send_id":"s-1","unit":"u1","journey":"cart_abandon","channel":"email","at":"2026-11-30T10:05:00Z"}]})";
  auto post = [&](const std::string& path, const std::string& body, const std::string& authorization) {
    httplib::Headers headers;
    if (!authorization.empty()) headers.emplace("Authorization", authorization);
    httplib::Result r = http.Post(path.c_str(), headers, body, kJson);
    EXPECT_TRUE(r);
    return r ? std::make_pair(r->status, r->body) : std::make_pair(0, std::string());
  };
  EXPECT_EQ(post("/v1/assign", assign, "").first, 401);
  EXPECT_EQ(post("/v1/assign", assign, "Bearer hf_not-a-token").first, 401);
  EXPECT_EQ(post("/v1/assign", assign, "Basic dXNlcjpwYXNz").first, 401);
  const auto wrong_role = post("/v1/assign", assign, "Bearer " + ingest_token);
  EXPECT_EQ(wrong_role.first, 403);
  EXPECT_EQ(Field(wrong_role.second, "code"), "PERMISSION_DENIED");
  EXPECT_THAT(wrong_role.second, HasSubstr("role ingest may not call /holdfast.v1.AssignmentService/Assign"));
  EXPECT_EQ(post("/v1/assign", assign, "Bearer " + assign_token).first, 200);
  EXPECT_EQ(post("/v1/assign", assign, "bearer " + assign_token).first, 200);  // scheme case-insensitive
  EXPECT_EQ(post("/v1/sends", send, "Bearer " + assign_token).first, 403);
  EXPECT_EQ(post("/v1/sends", send, "Bearer " + ingest_token).first, 200);
  {
    httplib::Headers two = {{"Authorization", "Bearer " + assign_token}, {"Authorization", "Bearer " + ingest_token}};
    httplib::Result r = http.Post("/v1/assign", two, assign, kJson);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  // A refused request's body is drained: the connection serves the next one.
  EXPECT_EQ(post("/v1/assign", assign, "").first, 401);
  EXPECT_EQ(post("/v1/assign", assign, "Bearer " + assign_token).first, 200);
  httplib::Result journeys = http.Get("/v1/journeys");
  ASSERT_TRUE(journeys);
  EXPECT_EQ(journeys->status, 401);
  journeys = http.Get("/v1/journeys", {{"Authorization", "Bearer " + assign_token}});
  ASSERT_TRUE(journeys);
  EXPECT_EQ(journeys->status, 200);
  // Health probes need no token, as gRPC's health check.
  httplib::Result health = http.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  (*daemon)->Shutdown();
  EXPECT_THAT(log_text.str(), Not(HasSubstr(assign_token)));
  EXPECT_THAT(log_text.str(), Not(HasSubstr(ingest_token)));
}

TEST(HttpGatewayListenTest, NonLoopbackNeedsTokensLikeGrpc) {
  holdfast::testing::TempDir dir;
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.http_listen = "0.0.0.0:0";
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_FALSE(daemon.ok());
  EXPECT_EQ(daemon.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(daemon.status().message()), HasSubstr("--http_listen"));
}

TEST(HttpGatewayListenTest, ASecondServerCannotTakeTheSamePort) {
  // cpp-httplib turns SO_REUSEPORT on by default, which would let a second
  // daemon split the port's requests; the gateway binds without it.
  HttpGateway::Options options;
  options.listen_address = "127.0.0.1:0";
  HttpGateway::Dependencies deps;
  deps.channel = client::HoldfastClient::Connect("127.0.0.1:1")->channel();
  absl::StatusOr<std::unique_ptr<HttpGateway>> first = HttpGateway::Start(options, deps);
  ASSERT_TRUE(first.ok()) << first.status();
  options.listen_address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<HttpGateway>> second = HttpGateway::Start(options, deps);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("--http_listen"));
  (*first)->Shutdown();
}

TEST(HttpGatewayTlsTest, ServesHttpsOnlyAndRefusesTlsItCannotLoad) {
  holdfast::testing::TempDir dir;
  holdfast::testing::TestCerts certs;
  const std::string error = holdfast::testing::MakeTestCerts(dir.path(), &certs);
  ASSERT_EQ(error, "") << error;
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.security.tls_cert_path = certs.server_cert;
  options.security.tls_key_path = certs.server_key;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port = (*daemon)->http_port();

  httplib::SSLClient https("127.0.0.1", port);
  https.set_ca_cert_path(certs.ca_pem.c_str());
  https.enable_server_certificate_verification(true);
  httplib::Result r = https.Post("/v1/assign", R"({"journey":"cart_abandon","unit":"u1"})", kJson);
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;

  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(5, 0);
  httplib::Result p = plain.Get("/healthz");
  EXPECT_FALSE(p && p->status == 200) << "plaintext served on the TLS port";
  (*daemon)->Shutdown();

  // The gateway itself refuses files it cannot load instead of serving plaintext.
  HttpGateway::Options bad;
  bad.listen_address = "127.0.0.1:0";
  bad.tls_cert_path = dir.File("missing.pem");
  bad.tls_key_path = certs.server_key;
  HttpGateway::Dependencies deps;
  deps.channel = client::HoldfastClient::Connect("127.0.0.1:1")->channel();
  absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Start(bad, std::move(deps));
  ASSERT_FALSE(gateway.ok());
  EXPECT_THAT(std::string(gateway.status().message()), HasSubstr("refusing to serve HTTP in plaintext"));
}

TEST(HttpGatewayTlsTest, MutualTlsNeedsAClientCertificate) {
  holdfast::testing::TempDir dir;
  holdfast::testing::TestCerts certs;
  const std::string error = holdfast::testing::MakeTestCerts(dir.path(), &certs);
  ASSERT_EQ(error, "") << error;
  std::ofstream(dir.File("holdfast.textproto")) << kConfig;
  DaemonOptions options;
  options.config_path = dir.File("holdfast.textproto");
  options.db_path = dir.File("holdfast.db");
  options.listen_address = "127.0.0.1:0";
  options.http_listen = "127.0.0.1:0";
  options.security.tls_cert_path = certs.server_cert;
  options.security.tls_key_path = certs.server_key;
  options.security.tls_client_ca_path = certs.ca_pem;
  absl::StatusOr<std::unique_ptr<HoldfastDaemon>> daemon = HoldfastDaemon::Start(options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const int port = (*daemon)->http_port();

  httplib::SSLClient anonymous("127.0.0.1", port);
  anonymous.set_ca_cert_path(certs.ca_pem.c_str());
  httplib::Result refused = anonymous.Get("/healthz");
  EXPECT_FALSE(refused && refused->status == 200);

  httplib::SSLClient with_cert("127.0.0.1", port, certs.client_cert, certs.client_key);
  with_cert.set_ca_cert_path(certs.ca_pem.c_str());
  httplib::Result ok = with_cert.Get("/healthz");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);

  httplib::SSLClient stranger("127.0.0.1", port, certs.stranger_cert, certs.stranger_key);
  stranger.set_ca_cert_path(certs.ca_pem.c_str());
  httplib::Result s = stranger.Get("/healthz");
  EXPECT_FALSE(s && s->status == 200);
}

}  // namespace
}  // namespace holdfast::server
