#include "server/http_gateway.h"

#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <utility>

#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "holdfast/v1/assignment_service.grpc.pb.h"
#include "holdfast/v1/event_service.grpc.pb.h"
#include "lib/base/text.h"
#include "server/http_routes.h"
#include "server/http_status.h"
#include "server/http_task_queue.h"
#include "server/rpc_interceptor.h"

namespace holdfast::server {
namespace {

using Clock = std::chrono::steady_clock;

// An error whose HTTP status is not the one its code maps to (413, 415):
// the status rides along as a payload.
constexpr absl::string_view kHttpStatusPayload = "holdfast.http_status";

absl::Status WithHttpStatus(absl::Status status, int http_status) {
  status.SetPayload(kHttpStatusPayload, absl::Cord(absl::StrCat(http_status)));
  return status;
}

int HttpStatusFor(const absl::Status& status) {
  if (absl::optional<absl::Cord> p = status.GetPayload(kHttpStatusPayload)) {
    int code = 0;
    if (absl::SimpleAtoi(std::string(*p), &code)) return code;
  }
  return HttpStatusOf(status.code());
}

void SetError(const absl::Status& status, httplib::Response& res) {
  res.status = HttpStatusFor(status);
  absl::Status plain(status.code(), status.message());
  res.set_content(ErrorBody(plain), "application/json");
  // Overload and unavailability pass: say when to try again.
  if (res.status == 429 || res.status == 503) res.set_header("Retry-After", "1");
}

// The request's Content-Type is JSON in UTF-8 (parameters other than
// charset are ignored, as RFC 8259 defines no others).
absl::Status CheckJsonContentType(const httplib::Request& req) {
  const std::string value = req.get_header_value("Content-Type");
  const size_t semicolon = value.find(';');
  const std::string media = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value.substr(0, semicolon)));
  bool charset_ok = true;
  if (semicolon != std::string::npos) {
    const std::string params = absl::AsciiStrToLower(value.substr(semicolon + 1));
    const size_t at = params.find("charset=");
    if (at != std::string::npos) {
      std::string charset(absl::StripAsciiWhitespace(params.substr(at + 8)));
      charset = charset.substr(0, charset.find(';'));
      absl::StripAsciiWhitespace(&charset);
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
      charset_ok = charset == "utf-8" || charset == "utf8";
    }
  }
  if (media == "application/json" && charset_ok) return absl::OkStatus();
  return WithHttpStatus(
      absl::InvalidArgumentError(absl::StrCat("Content-Type: expected 'application/json' (UTF-8), got '",
                                              EchoInput(value), "'")),
      415);
}

// Why protobuf's JSON parser refused a body, bounded: its first line only
// (the following lines quote the input around the error), cut by EchoInput.
std::string JsonErrorReason(absl::string_view message) {
  return EchoInput(message.substr(0, message.find('\n')));
}

template <typename Message>
absl::Status ParseBody(const std::string& body, Message* request) {
  if (absl::StripAsciiWhitespace(body).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("body: empty; expected a JSON object (",
                                                   Message::descriptor()->full_name(), ")"));
  }
  google::protobuf::util::JsonParseOptions options;
  // Strict: a misspelt field ("unit_id") is an error, not a silent default.
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(body, request, options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("body: not a valid ", Message::descriptor()->full_name(),
                                                 " in JSON: ", JsonErrorReason(status.message().as_string())));
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// The metrics label of an HTTP status: the ones this endpoint answers, else
// "other" (bounded).
absl::string_view StatusLabel(int status) {
  static constexpr struct {
    int status;
    absl::string_view label;
  } kKnown[] = {{200, "200"}, {400, "400"}, {401, "401"}, {403, "403"}, {404, "404"}, {405, "405"},
                {408, "408"}, {409, "409"}, {413, "413"}, {414, "414"}, {415, "415"}, {429, "429"},
                {431, "431"}, {499, "499"}, {500, "500"}, {501, "501"}, {503, "503"}, {504, "504"}};
  for (const auto& k : kKnown) {
    if (k.status == status) return k.label;
  }
  return "other";
}

absl::string_view MethodLabel(const std::string& method) {
  for (absl::string_view m : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "-";
}

// host:port → (host, port); IPv6 hosts in brackets.
absl::Status SplitHostPort(absl::string_view address, std::string* host, int* port) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--http_listen '", EchoInput(address), "': expected host:port"));
  }
  absl::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (!absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http_listen '", EchoInput(address), "': bad port"));
  }
  *host = std::string(h);
  return absl::OkStatus();
}

// When the current request started: set by the pre-routing handler, read by
// the logger on the same worker thread (cpp-httplib serves a request on one
// thread, start to finish). Requests refused before routing (a malformed
// request line) have none and are logged with latency 0.
thread_local Clock::time_point request_start;
thread_local bool request_started = false;

}  // namespace

// The route handlers and what they use.
class HttpGateway::Handlers {
 public:
  Handlers(const Options& options, Dependencies deps)
      : options_(options),
        deps_(std::move(deps)),
        assignment_(holdfast::v1::AssignmentService::NewStub(deps_.channel)),
        events_(holdfast::v1::EventService::NewStub(deps_.channel)) {}

  void Install(httplib::Server& http) {
    using holdfast::v1::AssignmentService;
    using holdfast::v1::EventService;
    Relay<AssignmentService::StubInterface, holdfast::v1::AssignRequest, holdfast::v1::AssignResponse>(
        http, "/v1/assign", assignment_.get(), &AssignmentService::StubInterface::Assign);
    Relay<AssignmentService::StubInterface, holdfast::v1::BatchAssignRequest, holdfast::v1::BatchAssignResponse>(
        http, "/v1/batch_assign", assignment_.get(), &AssignmentService::StubInterface::BatchAssign);
    Relay<EventService::StubInterface, holdfast::v1::RecordEntriesRequest, holdfast::v1::WriteSummary>(
        http, "/v1/entries", events_.get(), &EventService::StubInterface::RecordEntries);
    Relay<EventService::StubInterface, holdfast::v1::RecordSendsRequest, holdfast::v1::WriteSummary>(
        http, "/v1/sends", events_.get(), &EventService::StubInterface::RecordSends);
    Relay<EventService::StubInterface, holdfast::v1::RecordOutcomesRequest, holdfast::v1::WriteSummary>(
        http, "/v1/outcomes", events_.get(), &EventService::StubInterface::RecordOutcomes);
    Relay<AssignmentService::StubInterface, holdfast::v1::ListJourneysRequest, holdfast::v1::ListJourneysResponse>(
        http, "/v1/journeys", assignment_.get(), &AssignmentService::StubInterface::ListJourneys);
    const HttpRoute* health = FindHttpRoute("/healthz");
    http.Get(std::string(health->path), [this, health](const httplib::Request& req, httplib::Response& res) {
      if (absl::Status s = Authorize(*health, req); !s.ok()) return SetError(s, res);
      res.set_content("{\"status\":\"SERVING\"}", "application/json");
    });

    http.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      request_start = Clock::now();
      request_started = true;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // Every answer of 400 or more passes here, ours included (they already
    // have a body); the rest are the library's: no route, wrong method, a
    // body over the limit, a malformed request.
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                   httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const HttpRoute* route = FindHttpRoute(req.path);
      if (res.status == 404 && route != nullptr) {
        res.set_header("Allow", std::string(route->http_method));
        SetError(WithHttpStatus(absl::UnimplementedError(absl::StrCat(route->path, " takes ", route->http_method,
                                                                      ", not ", MethodLabel(req.method))),
                                405),
                 res);
      } else if (res.status == 404) {
        SetError(absl::NotFoundError("no such route; the routes are listed in docs/api.md"), res);
      } else if (res.status == 413) {
        SetError(WithHttpStatus(absl::ResourceExhaustedError("body: larger than the endpoint accepts"), 413), res);
      } else if (res.status == 414) {
        SetError(WithHttpStatus(absl::InvalidArgumentError("request target: too long"), 414), res);
      } else {
        const int status = res.status;
        SetError(WithHttpStatus(absl::InvalidArgumentError("malformed HTTP request"), status), res);
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      SetError(absl::InternalError("the HTTP endpoint failed to serve this request"), res);
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) { Observe(req, res); });
  }

 private:
  // Registers `path`: POST routes read a JSON body, GET routes take none.
  template <typename Stub, typename Request, typename Response>
  void Relay(httplib::Server& http, absl::string_view path, Stub* stub,
             grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
    const HttpRoute* route = FindHttpRoute(path);
    auto call = [this, route, stub, method](const httplib::Request& req, httplib::Response& res,
                                            const std::string& body) {
      Request request;
      if (route->http_method == "POST") {
        if (absl::Status s = ParseBody(body, &request); !s.ok()) return SetError(s, res);
      }
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(options_.call_deadline_ms));
      if (req.has_header("X-Request-Id")) {
        context.AddMetadata("x-request-id", SafeRequestId(req.get_header_value("X-Request-Id")));
      }
      Response response;
      if (absl::Status s = FromGrpc((stub->*method)(&context, request, &response)); !s.ok()) {
        return SetError(s, res);
      }
      google::protobuf::util::JsonPrintOptions print;
      // Every field present (a template reads "arm" or "new_entry" without
      // guarding for absence) under its proto name, as docs/api.md shows.
      print.always_print_primitive_fields = true;
      print.preserve_proto_field_names = true;
      std::string json;
      if (!google::protobuf::util::MessageToJsonString(response, &json, print).ok()) {
        return SetError(absl::InternalError("cannot write the answer as JSON"), res);
      }
      res.set_content(std::move(json), "application/json");
    };
    if (route->http_method == "GET") {
      http.Get(std::string(path), [this, route, call](const httplib::Request& req, httplib::Response& res) {
        if (absl::Status s = Authorize(*route, req); !s.ok()) return SetError(s, res);
        call(req, res, "");
      });
      return;
    }
    http.Post(std::string(path), [this, route, call](const httplib::Request& req, httplib::Response& res,
                                                     const httplib::ContentReader& reader) {
      // Refusals that need no body come first; the body is still read (and
      // dropped, up to the limit) so the connection stays in step for the
      // next request on it.
      absl::Status s = Authorize(*route, req);
      if (s.ok()) s = CheckJsonContentType(req);
      std::shared_ptr<WriteBudget::Lease> lease;
      if (s.ok() && deps_.write_budget != nullptr) {
        // Clamped in unsigned arithmetic: a huge Content-Length (answered 413
        // by the reader below) must not wrap to a negative lease.
        const uint64_t limit = static_cast<uint64_t>(options_.max_body_bytes);
        const int64_t bytes = static_cast<int64_t>(
            req.has_header("Content-Length") ? std::min(req.get_header_value<uint64_t>("Content-Length"), limit)
                                             : limit);
        lease = deps_.write_budget->TryReserve(bytes);
        if (lease == nullptr) s = absl::ResourceExhaustedError(deps_.write_budget->BusyMessage(bytes));
      }
      std::string body;
      const bool keep = s.ok();
      size_t received = 0;
      bool too_large = false;
      const bool read = reader([&](const char* data, size_t n) {
        received += n;
        if (received > static_cast<size_t>(options_.max_body_bytes)) {
          too_large = true;
          return false;
        }
        if (keep) body.append(data, n);
        return true;
      });
      if (!s.ok()) return SetError(s, res);
      if (too_large || res.status == 413) {
        return SetError(WithHttpStatus(absl::ResourceExhaustedError(absl::StrCat(
                                           "body: larger than ", options_.max_body_bytes, " bytes")),
                                       413),
                        res);
      }
      if (!read) return SetError(absl::InvalidArgumentError("body: could not be read (truncated or malformed)"), res);
      res.status = -1;
      call(req, res, body);
    });
  }

  // The token check of `route`'s gRPC method (open without an authorizer).
  absl::Status Authorize(const HttpRoute& route, const httplib::Request& req) const {
    if (deps_.authorizer == nullptr) return absl::OkStatus();
    if (req.get_header_value_count("Authorization") > 1) {
      return absl::UnauthenticatedError("authorization: send exactly one 'Authorization' header");
    }
    return deps_.authorizer->Check(req.get_header_value("Authorization"), route.grpc_method);
  }

  // Metrics and the access log, for every answer (the library's too).
  void Observe(const httplib::Request& req, const httplib::Response& res) {
    const double seconds =
        request_started ? std::chrono::duration<double>(Clock::now() - request_start).count() : 0.0;
    request_started = false;
    const HttpRoute* route = FindHttpRoute(req.path);
    const absl::string_view route_label = route != nullptr ? route->path : kOtherRouteLabel;
    if (deps_.metrics != nullptr) deps_.metrics->ObserveHttp(route_label, StatusLabel(res.status), seconds);
    if (deps_.access_log != nullptr && (res.status >= 400 || SampleAccessLog(deps_.access_log_sample))) {
      // The path is the caller's text: logged only when it is a route.
      deps_.access_log->Log(res.status >= 400 ? "WARN" : "INFO", "http",
                            {{"route", route != nullptr ? std::string(route->path) : "-"},
                             {"method", std::string(MethodLabel(req.method))},
                             {"status", absl::StrCat(res.status)},
                             {"latency_ms", absl::StrFormat("%.3f", seconds * 1e3)},
                             {"peer", absl::StrCat(req.remote_addr, ":", req.remote_port)},
                             {"request_id", req.has_header("X-Request-Id")
                                                ? SafeRequestId(req.get_header_value("X-Request-Id"))
                                                : "-"}});
    }
  }

  const Options options_;
  const Dependencies deps_;
  std::unique_ptr<holdfast::v1::AssignmentService::StubInterface> assignment_;
  std::unique_ptr<holdfast::v1::EventService::StubInterface> events_;
};

HttpGateway::HttpGateway() = default;

HttpGateway::~HttpGateway() { Shutdown(); }

grpc::ChannelArguments HttpGateway::ChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return args;
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(const Options& options, Dependencies deps) {
  if (deps.channel == nullptr) return absl::InvalidArgumentError("the HTTP endpoint needs the server's channel");
  if (options.threads <= 0 || options.max_queued_connections <= 0 || options.max_body_bytes <= 0 ||
      options.io_timeout_seconds <= 0 || options.keep_alive_seconds <= 0 || options.keep_alive_max_requests <= 0 ||
      options.call_deadline_ms <= 0) {
    return absl::InvalidArgumentError("http: threads, queue, body limit, timeouts and deadline must be > 0");
  }
  std::string host;
  int port = 0;
  if (absl::Status s = SplitHostPort(options.listen_address, &host, &port); !s.ok()) return s;

  std::unique_ptr<HttpGateway> gateway(new HttpGateway());
  const bool tls = !options.tls_cert_path.empty() || !options.tls_key_path.empty();
  if (tls) {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    auto ssl = std::make_unique<httplib::SSLServer>(
        options.tls_cert_path.c_str(), options.tls_key_path.c_str(),
        options.tls_client_ca_path.empty() ? nullptr : options.tls_client_ca_path.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http_listen: cannot load --tls_cert ", options.tls_cert_path, " / --tls_key ", options.tls_key_path,
          options.tls_client_ca_path.empty() ? "" : absl::StrCat(" / --tls_client_ca ", options.tls_client_ca_path),
          " for HTTPS; refusing to serve HTTP in plaintext"));
    }
    SSL_CTX_set_min_proto_version(ssl->ssl_context(), TLS1_2_VERSION);
    gateway->http_ = std::move(ssl);
#else
    return absl::FailedPreconditionError(
        "--http_listen with TLS: this build's cpp-httplib has no OpenSSL support; refusing to serve HTTP in "
        "plaintext");
#endif
  } else if (!options.tls_client_ca_path.empty()) {
    return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
  } else {
    gateway->http_ = std::make_unique<httplib::Server>();
  }
  gateway->tls_ = tls;
  httplib::Server& http = *gateway->http_;
  const int threads = options.threads;
  const size_t queued = static_cast<size_t>(options.max_queued_connections);
  http.new_task_queue = [threads, queued] { return new BoundedTaskQueue(threads, queued); };
  http.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));
  http.set_read_timeout(options.io_timeout_seconds, 0);
  http.set_write_timeout(options.io_timeout_seconds, 0);
  http.set_keep_alive_timeout(options.keep_alive_seconds);
  http.set_keep_alive_max_count(static_cast<size_t>(options.keep_alive_max_requests));
  http.set_tcp_nodelay(true);
  // cpp-httplib's default turns SO_REUSEPORT on, which would let a second
  // daemon bind the same port and take half the requests (the gRPC port
  // refuses that too): only SO_REUSEADDR, for restarts over TIME_WAIT.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  gateway->handlers_ = std::make_unique<Handlers>(options, std::move(deps));
  gateway->handlers_->Install(http);

  if (port == 0) {
    gateway->port_ = http.bind_to_any_port(host);
  } else if (http.bind_to_port(host, port)) {
    gateway->port_ = port;
  }
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address, " (--http_listen)"));
  }
  HttpGateway* g = gateway.get();
  gateway->listener_ = std::thread([g] {
    g->http_->listen_after_bind();
    g->listening_done_ = true;
  });
  return gateway;
}

void HttpGateway::Shutdown() {
  if (!listener_.joinable()) return;
  // stop() acts only once the accept loop runs; a Shutdown() right after
  // Start() waits for it to begin.
  while (!listening_done_) {
    if (http_->is_running()) http_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  listener_.join();
}

}  // namespace holdfast::server
