// An in-process EventService for client tests and the import benchmark. It
// validates like the real service (a batch is atomic; the first bad record
// rejects it with INVALID_ARGUMENT naming index and field, e.g.
// "sends[17].journey: 'x' is not configured"), is idempotent by record id
// (entries by journey, unit and day), keeps ids in memory, and can be told to
// answer UNAVAILABLE. Configured journeys: cart_abandon, winback.
//
// Thread-safety: safe for concurrent RPCs.
#ifndef HOLDFAST_TESTS_CLIENT_FAKE_EVENT_SERVICE_H_
#define HOLDFAST_TESTS_CLIENT_FAKE_EVENT_SERVICE_H_

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "holdfast/v1/event_service.grpc.pb.h"

namespace holdfast::testing {

class FakeEventService final : public holdfast::v1::EventService::CallbackService {
 public:
  // The next `n` calls fail with UNAVAILABLE (negative: every call).
  void FailNext(int n) { fail_next_.store(n); }
  // After `n` more successful calls, every call fails with UNAVAILABLE.
  void FailAfter(int n) { fail_after_.store(n); }

  int64_t calls() const { return calls_.load(); }
  int64_t records_received() const { return records_.load(); }
  int max_concurrent() const { return max_concurrent_.load(); }
  size_t stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_.size();
  }

  grpc::ServerUnaryReactor* RecordSends(grpc::CallbackServerContext* context,
                                        const holdfast::v1::RecordSendsRequest* request,
                                        holdfast::v1::WriteSummary* response) override {
    return Handle(context, request->sends_size(), response, [&](int i, std::string* key) -> std::string {
      const holdfast::v1::SendRecord& s = request->sends(i);
      if (s.send_id().empty()) return "send_id: must not be empty";
      if (!configured(s.journey())) return absl::StrCat("journey: '", s.journey(), "' is not configured");
      if (s.has_cost() && s.cost() < 0) return absl::StrCat("cost: must be finite and >= 0, got ", s.cost());
      *key = "send/" + s.send_id();
      return "";
    }, "sends");
  }

  grpc::ServerUnaryReactor* RecordOutcomes(grpc::CallbackServerContext* context,
                                           const holdfast::v1::RecordOutcomesRequest* request,
                                           holdfast::v1::WriteSummary* response) override {
    return Handle(context, request->outcomes_size(), response, [&](int i, std::string* key) -> std::string {
      const holdfast::v1::OutcomeRecord& o = request->outcomes(i);
      if (o.type() == holdfast::v1::REFUND && o.order_id().empty()) return "order_id: must not be empty";
      *key = "outcome/" + o.outcome_id();
      return "";
    }, "outcomes");
  }

  grpc::ServerUnaryReactor* RecordFixedCosts(grpc::CallbackServerContext* context,
                                             const holdfast::v1::RecordFixedCostsRequest* request,
                                             holdfast::v1::WriteSummary* response) override {
    return Handle(context, request->costs_size(), response, [&](int i, std::string* key) -> std::string {
      const holdfast::v1::FixedCostRecord& c = request->costs(i);
      if (!configured(c.journey())) return absl::StrCat("journey: '", c.journey(), "' is not configured");
      if (c.end().seconds() <= c.start().seconds()) return "end: must be after start";
      *key = "cost/" + c.cost_id();
      return "";
    }, "costs");
  }

  grpc::ServerUnaryReactor* RecordCustomers(grpc::CallbackServerContext* context,
                                            const holdfast::v1::RecordCustomersRequest* request,
                                            holdfast::v1::WriteSummary* response) override {
    return Handle(context, request->customers_size(), response, [&](int i, std::string* key) -> std::string {
      const holdfast::v1::CustomerRecord& c = request->customers(i);
      if (!c.has_first_seen()) return "first_seen: is required";
      *key = "customer/" + c.unit();
      return "";
    }, "customers");
  }

  grpc::ServerUnaryReactor* RecordEntries(grpc::CallbackServerContext* context,
                                          const holdfast::v1::RecordEntriesRequest* request,
                                          holdfast::v1::WriteSummary* response) override {
    return Handle(context, request->entries_size(), response, [&](int i, std::string* key) -> std::string {
      const holdfast::v1::EntryRecord& e = request->entries(i);
      if (!configured(e.journey())) return absl::StrCat("journey: '", e.journey(), "' is not configured");
      // One entry per (journey, unit, period); a day stands in for the period.
      *key = absl::StrCat("entry/", e.journey(), "/", e.unit(), "/", e.at().seconds() / 86400);
      return "";
    }, "entries");
  }

 private:
  static bool configured(const std::string& journey) {
    return journey == "cart_abandon" || journey == "winback";
  }

  template <typename Check>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context, int n,
                                   holdfast::v1::WriteSummary* response, Check check, const char* name) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    const int now = concurrent_.fetch_add(1) + 1;
    int seen = max_concurrent_.load();
    while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
    }
    reactor->Finish(Apply(n, response, check, name));
    concurrent_.fetch_sub(1);
    return reactor;
  }

  template <typename Check>
  grpc::Status Apply(int n, holdfast::v1::WriteSummary* response, Check check, const char* name) {
    calls_.fetch_add(1);
    records_.fetch_add(n);
    if (int f = fail_next_.load(); f != 0) {
      if (f > 0) fail_next_.fetch_sub(1);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "store unavailable (fake)");
    }
    if (fail_after_.load() == 0) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "store gone (fake)");
    // Validate everything first: the batch is atomic.
    std::vector<std::string> keys(n);
    for (int i = 0; i < n; ++i) {
      std::string reason = check(i, &keys[i]);
      if (!reason.empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat(name, "[", i, "].", reason));
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& k : keys) {
      if (ids_.insert(k).second) {
        response->set_inserted(response->inserted() + 1);
      } else {
        response->set_duplicates(response->duplicates() + 1);
      }
    }
    if (fail_after_.load() > 0) fail_after_.fetch_sub(1);
    return grpc::Status::OK;
  }

  std::atomic<int> fail_next_{0};
  std::atomic<int> fail_after_{-1};
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> records_{0};
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
  std::mutex mu_;
  std::unordered_set<std::string> ids_;
};

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_CLIENT_FAKE_EVENT_SERVICE_H_
