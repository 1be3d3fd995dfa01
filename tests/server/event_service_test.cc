// EventService over a real in-process server and a real SQLite store.
#include <cmath>
#include <limits>
#include <memory>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "client/holdfast_client.h"
#include "lib/config/config.h"
#include "lib/storage/sqlite_store.h"
#include "server/event_service.h"
#include "server/request_validation.h"
#include "server/server.h"
#include "server/store_entry_recorder.h"
#include "server/work_pool.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;

constexpr char kConfig[] = R"pb(
journeys {
  id: "cart_abandon" holdout_share: 0.1
  arms { name: "a" weight: 1 } arms { name: "b" weight: 1 }
  channel_costs { channel: "email" cost_per_send: 0.002 }
}
)pb";

class EventServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = config::LoadConfigText("test.textproto", kConfig);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    holder_ = std::make_unique<ConfigHolder>(
        std::make_shared<ServingConfig>(loaded->compiled, loaded->effective, "test.textproto", 0));
    auto store = SqliteStore::Open(dir_.File("holdfast.db"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    pool_ = std::make_unique<WorkPool>(8, 64);
    recorder_ = std::make_unique<StoreEntryRecorder>(store_.get(), pool_.get());
    HoldfastServer::Options options;
    options.listen_address = "127.0.0.1:0";
    HoldfastServer::Dependencies deps;
    deps.configs = holder_.get();
    deps.clock = &clock_;
    deps.entries = recorder_.get();
    deps.extra_services.push_back(std::make_unique<EventServiceImpl>(holder_.get(), store_.get(), pool_.get()));
    auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<HoldfastClient>(server_->InProcessChannel());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  static holdfast::v1::SendRecord Send(const std::string& id) {
    holdfast::v1::SendRecord s;
    s.set_send_id(id);
    s.set_unit("u1");
    s.set_journey("cart_abandon");
    s.set_channel("email");
    s.mutable_at()->set_seconds(1790000000);
    s.set_cost(0.01);
    return s;
  }

  grpc::Status RecordSends(const holdfast::v1::RecordSendsRequest& req, holdfast::v1::WriteSummary* out) {
    return client_->events()->RecordSends(client_->NewContext().get(), req, out);
  }

  testing::TempDir dir_;
  FakeClock clock_{1790000000LL * 1000000};
  std::unique_ptr<ConfigHolder> holder_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<StoreEntryRecorder> recorder_;
  std::unique_ptr<HoldfastServer> server_;
  std::unique_ptr<HoldfastClient> client_;
};

TEST_F(EventServiceTest, SendsAreIdempotentAndCounted) {
  holdfast::v1::RecordSendsRequest req;
  for (int i = 0; i < 10; ++i) *req.add_sends() = Send("s" + std::to_string(i));
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(RecordSends(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 10);
  EXPECT_EQ(summary.duplicates(), 0);
  *req.add_sends() = Send("s10");
  summary.Clear();
  ASSERT_TRUE(RecordSends(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 1);
  EXPECT_EQ(summary.duplicates(), 10);
}

TEST_F(EventServiceTest, InvalidRecordRejectsWholeBatchNamingIndexAndField) {
  struct Case {
    std::function<void(holdfast::v1::SendRecord*)> mutate;
    std::string want;
  };
  const std::vector<Case> cases = {
      {[](auto* s) { s->set_cost(std::nan("")); }, "sends[3].cost: must be finite and >= 0"},
      {[](auto* s) { s->set_cost(-1); }, "sends[3].cost: must be finite and >= 0"},
      {[](auto* s) { s->set_cost(1e13); }, "sends[3].cost: must be finite and >= 0"},
      {[](auto* s) { s->set_journey("nope"); }, "sends[3].journey: 'nope' is not configured"},
      {[](auto* s) { s->clear_send_id(); }, "sends[3].send_id: must not be empty"},
      {[](auto* s) { s->set_unit(std::string(257, 'u')); }, "sends[3].unit: 257 bytes"},
      {[](auto* s) { s->mutable_at()->set_seconds(-5); }, "sends[3].at:"},
      {[](auto* s) { s->clear_at(); }, "sends[3].at: is required"},
      {[](auto* s) { s->clear_cost(); s->set_channel("sms"); }, "sends[3].cost: not given"},
  };
  for (const Case& c : cases) {
    holdfast::v1::RecordSendsRequest req;
    for (int i = 0; i < 5; ++i) *req.add_sends() = Send("bad-batch-" + std::to_string(i));
    c.mutate(req.mutable_sends(3));
    holdfast::v1::WriteSummary summary;
    grpc::Status s = RecordSends(req, &summary);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.want;
    EXPECT_TRUE(absl::StrContains(s.error_message(), c.want)) << s.error_message();
  }
  // Nothing of any rejected batch was stored.
  holdfast::v1::RecordSendsRequest req;
  for (int i = 0; i < 5; ++i) *req.add_sends() = Send("bad-batch-" + std::to_string(i));
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(RecordSends(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 5);
}

TEST_F(EventServiceTest, MissingCostUsesChannelCost) {
  holdfast::v1::RecordSendsRequest req;
  *req.add_sends() = Send("default-cost");
  req.mutable_sends(0)->clear_cost();
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(RecordSends(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 1);
}

TEST_F(EventServiceTest, OutcomesValidateAndFlagOrphanRefunds) {
  holdfast::v1::RecordOutcomesRequest req;
  auto* order = req.add_outcomes();
  order->set_outcome_id("o1");
  order->set_unit("u1");
  order->mutable_at()->set_seconds(1790000000);
  order->set_type(holdfast::v1::ORDER);
  order->set_revenue(50);
  order->set_margin(15);
  auto* refund = req.add_outcomes();
  refund->set_outcome_id("r1");
  refund->set_unit("u1");
  refund->mutable_at()->set_seconds(1790000100);
  refund->set_type(holdfast::v1::REFUND);
  refund->set_revenue(50);
  refund->set_order_id("o1");
  auto* orphan = req.add_outcomes();
  *orphan = *refund;
  orphan->set_outcome_id("r2");
  orphan->set_order_id("never-seen");
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(client_->events()->RecordOutcomes(client_->NewContext().get(), req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 3);
  EXPECT_EQ(summary.orphan_refunds(), 1);

  holdfast::v1::RecordOutcomesRequest bad;
  *bad.add_outcomes() = *order;
  bad.mutable_outcomes(0)->set_outcome_id("o2");
  bad.mutable_outcomes(0)->set_type(holdfast::v1::OUTCOME_TYPE_UNSPECIFIED);
  grpc::Status s = client_->events()->RecordOutcomes(client_->NewContext().get(), bad, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "outcomes[0].type")) << s.error_message();
  bad.mutable_outcomes(0)->set_type(holdfast::v1::ORDER);
  bad.mutable_outcomes(0)->set_revenue(std::numeric_limits<double>::infinity());
  s = client_->events()->RecordOutcomes(client_->NewContext().get(), bad, &summary);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "outcomes[0].revenue")) << s.error_message();
  bad.mutable_outcomes(0)->set_revenue(1e300);  // finite, but would overflow every sum
  s = client_->events()->RecordOutcomes(client_->NewContext().get(), bad, &summary);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "outcomes[0].revenue")) << s.error_message();
  bad.mutable_outcomes(0)->set_revenue(10);
  bad.mutable_outcomes(0)->set_type(holdfast::v1::REFUND);
  s = client_->events()->RecordOutcomes(client_->NewContext().get(), bad, &summary);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "outcomes[0].order_id")) << s.error_message();
}

TEST_F(EventServiceTest, OutcomeIncentiveCostOnlyOnOrdersFiniteAndNonNegative) {
  holdfast::v1::RecordOutcomesRequest req;
  auto* order = req.add_outcomes();
  order->set_outcome_id("i1");
  order->set_unit("u1");
  order->mutable_at()->set_seconds(1790000000);
  order->set_type(holdfast::v1::ORDER);
  order->set_revenue(50);
  order->set_margin(15);
  order->set_incentive_cost(5);
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(client_->events()->RecordOutcomes(client_->NewContext().get(), req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 1);

  struct Case {
    holdfast::v1::OutcomeType type;
    double incentive;
    const char* reason;
  };
  const Case cases[] = {
      {holdfast::v1::ORDER, -1, "outcomes[0].incentive_cost: must be finite and >= 0"},
      {holdfast::v1::CONVERSION, std::numeric_limits<double>::quiet_NaN(),
       "outcomes[0].incentive_cost: must be finite and >= 0"},
      {holdfast::v1::ORDER, 1e300, "outcomes[0].incentive_cost: must be finite and >= 0"},
      {holdfast::v1::REFUND, 5, "outcomes[0].incentive_cost: only a CONVERSION or ORDER"},
      {holdfast::v1::UNSUBSCRIBE, 0, "outcomes[0].incentive_cost: only a CONVERSION or ORDER"},
      {holdfast::v1::COMPLAINT, 1, "outcomes[0].incentive_cost: only a CONVERSION or ORDER"},
  };
  for (const Case& c : cases) {
    holdfast::v1::RecordOutcomesRequest bad;
    *bad.add_outcomes() = *order;
    bad.mutable_outcomes(0)->set_outcome_id("i2");
    bad.mutable_outcomes(0)->set_type(c.type);
    if (c.type == holdfast::v1::REFUND) bad.mutable_outcomes(0)->set_order_id("i1");
    bad.mutable_outcomes(0)->set_incentive_cost(c.incentive);
    grpc::Status s = client_->events()->RecordOutcomes(client_->NewContext().get(), bad, &summary);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.reason;
    EXPECT_TRUE(absl::StrContains(s.error_message(), c.reason)) << s.error_message();
  }
}

TEST_F(EventServiceTest, FixedCostsRejectEmptyRange) {
  holdfast::v1::RecordFixedCostsRequest req;
  auto* c = req.add_costs();
  c->set_cost_id("c1");
  c->set_journey("cart_abandon");
  c->mutable_start()->set_seconds(1790000000);
  c->mutable_end()->set_seconds(1790000000);
  c->set_amount(100);
  holdfast::v1::WriteSummary summary;
  grpc::Status s = client_->events()->RecordFixedCosts(client_->NewContext().get(), req, &summary);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "costs[0].end: must be after start")) << s.error_message();
  c->mutable_end()->set_seconds(1790086400);
  ASSERT_TRUE(client_->events()->RecordFixedCosts(client_->NewContext().get(), req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 1);
}

TEST_F(EventServiceTest, CustomersValidateWholeBatchAndAreIdempotentByUnit) {
  auto customer = [](const std::string& unit, int64_t seconds) {
    holdfast::v1::CustomerRecord c;
    c.set_unit(unit);
    c.mutable_first_seen()->set_seconds(seconds);
    return c;
  };
  auto record = [&](const holdfast::v1::RecordCustomersRequest& req, holdfast::v1::WriteSummary* out) {
    return client_->events()->RecordCustomers(client_->NewContext().get(), req, out);
  };
  struct Case {
    std::function<void(holdfast::v1::CustomerRecord*)> mutate;
    std::string want;
  };
  const std::vector<Case> cases = {
      {[](auto* c) { c->clear_unit(); }, "customers[2].unit: must not be empty"},
      {[](auto* c) { c->set_unit(std::string(257, 'u')); }, "customers[2].unit: 257 bytes, at most 256"},
      {[](auto* c) { c->clear_first_seen(); }, "customers[2].first_seen: is required"},
      {[](auto* c) { c->mutable_first_seen()->set_seconds(-1); }, "customers[2].first_seen:"},
      {[](auto* c) { c->mutable_first_seen()->set_nanos(-1); }, "customers[2].first_seen:"},
  };
  for (const Case& c : cases) {
    holdfast::v1::RecordCustomersRequest req;
    for (int i = 0; i < 4; ++i) *req.add_customers() = customer("c" + std::to_string(i), 1780000000 + i);
    c.mutate(req.mutable_customers(2));
    holdfast::v1::WriteSummary summary;
    grpc::Status s = record(req, &summary);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.want;
    EXPECT_TRUE(absl::StrContains(s.error_message(), c.want)) << s.error_message();
    EXPECT_LT(s.error_message().size(), 200u) << "the message must not echo the input";
  }
  // Bounded: more than 10,000 in one call is refused whole.
  holdfast::v1::RecordCustomersRequest big;
  for (int i = 0; i < kMaxBatchRecords + 1; ++i) *big.add_customers() = customer("b" + std::to_string(i), 1780000000);
  holdfast::v1::WriteSummary summary;
  grpc::Status s = record(big, &summary);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "customers: 10001 records, at most 10000")) << s.error_message();

  // Nothing of the rejected batches was stored; a repeat unit is a duplicate
  // (in the same batch or later) and its first first_seen stands.
  holdfast::v1::RecordCustomersRequest req;
  for (int i = 0; i < 4; ++i) *req.add_customers() = customer("c" + std::to_string(i), 1780000000 + i);
  *req.add_customers() = customer("c0", 1);
  ASSERT_TRUE(record(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 4);
  EXPECT_EQ(summary.duplicates(), 1);
  summary.Clear();
  ASSERT_TRUE(record(req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 0);
  EXPECT_EQ(summary.duplicates(), 5);
}

TEST_F(EventServiceTest, ImportedEntriesAreAssignedLikeAssign) {
  holdfast::v1::RecordEntriesRequest req;
  for (int i = 0; i < 100; ++i) {
    auto* e = req.add_entries();
    e->set_journey("cart_abandon");
    e->set_unit("cust-" + std::to_string(i));
    e->mutable_at()->set_seconds(1790000000);
  }
  holdfast::v1::WriteSummary summary;
  ASSERT_TRUE(client_->events()->RecordEntries(client_->NewContext().get(), req, &summary).ok());
  EXPECT_EQ(summary.inserted(), 100);
  // Assign at the same time finds the entries already recorded.
  holdfast::v1::AssignRequest assign;
  assign.set_journey("cart_abandon");
  assign.set_unit("cust-7");
  assign.mutable_at()->set_seconds(1790000500);
  auto resp = client_->Assign(assign);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_FALSE(resp->assignment().new_entry());
  assign.set_unit("cust-new");
  resp = client_->Assign(assign);
  ASSERT_TRUE(resp.ok());
  EXPECT_TRUE(resp->assignment().new_entry());
}

TEST_F(EventServiceTest, StreamCommitsEachMessageAndReportsWhereItStopped) {
  holdfast::v1::WriteSummary summary;
  auto context = client_->NewContext();
  auto stream = client_->events()->StreamSends(context.get(), &summary);
  for (int m = 0; m < 3; ++m) {
    holdfast::v1::RecordSendsRequest req;
    for (int i = 0; i < 100; ++i) *req.add_sends() = Send("st-" + std::to_string(m * 100 + i));
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(summary.inserted(), 300);

  summary.Clear();
  auto context2 = client_->NewContext();
  auto bad = client_->events()->StreamSends(context2.get(), &summary);
  holdfast::v1::RecordSendsRequest good;
  for (int i = 0; i < 10; ++i) *good.add_sends() = Send("st2-" + std::to_string(i));
  bad->Write(good);
  holdfast::v1::RecordSendsRequest broken = good;
  broken.mutable_sends(4)->set_cost(-3);
  bad->Write(broken);
  bad->WritesDone();
  grpc::Status s = bad->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "messages[1].sends[4].cost")) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "1 earlier messages committed: 10 inserted")) << s.error_message();
}

}  // namespace
}  // namespace holdfast::server
