// AssignmentService over a real in-process gRPC server.
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "client/holdfast_client.h"
#include "lib/assign/assigner.h"
#include "server/request_validation.h"
#include "server/server.h"

namespace holdfast::server {
namespace {

using holdfast::client::HoldfastClient;

std::shared_ptr<const ServingConfig> MakeServingConfig() {
  auto config = std::make_shared<AssignmentConfig>();
  config->version = "cfg-test000000000001";
  config->global_holdout.share_ppm = 20000;
  config->global_holdout.seed = "global:holdout";
  JourneySpec j;
  j.id = "cart_abandon";
  j.holdout.share_ppm = 100000;
  j.holdout.seed = "cart_abandon:holdout";
  j.holdout.rotation.scheme = RotationScheme::kSliding;
  j.holdout.rotation.period_us = 7LL * 86400 * 1000000;
  j.holdout.rotation.stride_ppm = 100000;
  j.holdout.rotation.washout_us = 86400LL * 1000000;
  j.arm_seed = "cart_abandon:arm";
  j.arms = {{"discount", 1}, {"no_discount", 1}};
  config->journeys.push_back(j);
  holdfast::v1::Config effective;
  auto* pj = effective.add_journeys();
  pj->set_id("cart_abandon");
  pj->set_holdout_share(0.1);
  effective.mutable_global_holdout()->set_share(0.02);
  return std::make_shared<ServingConfig>(config, effective, "test.textproto", 0);
}

// Records in memory, like the store would: first entry per (journey, unit, period) is new.
class MemoryRecorder : public EntryRecorder {
 public:
  void Record(std::vector<EntryRow> entries,
              std::function<void(absl::Status, std::vector<bool>)> done) override {
    std::vector<bool> is_new;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& e : entries) is_new.push_back(seen_.insert({e.journey, e.unit, e.period}).second);
      total_ += entries.size();
    }
    done(absl::OkStatus(), is_new);
  }
  size_t total() {
    std::lock_guard<std::mutex> lock(mu_);
    return total_;
  }

 private:
  std::mutex mu_;
  std::set<std::tuple<std::string, std::string, int64_t>> seen_;
  size_t total_ = 0;
};

class AssignmentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HoldfastServer::Options options;
    options.listen_address = "127.0.0.1:0";
    HoldfastServer::Dependencies deps;
    deps.configs = &holder_;
    deps.clock = &clock_;
    deps.entries = &recorder_;
    auto server = HoldfastServer::BuildAndStart(options, std::move(deps));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<HoldfastClient>(server_->InProcessChannel());
  }

  holdfast::v1::AssignRequest Request(const std::string& unit) {
    holdfast::v1::AssignRequest r;
    r.set_journey("cart_abandon");
    r.set_unit(unit);
    return r;
  }

  ConfigHolder holder_{MakeServingConfig()};
  FakeClock clock_{1767225600LL * 1000000};  // 2026-01-01T00:00:00Z
  MemoryRecorder recorder_;
  std::unique_ptr<HoldfastServer> server_;
  std::unique_ptr<HoldfastClient> client_;
};

TEST_F(AssignmentServiceTest, AssignMatchesLibraryAndRecordsEntryOnce) {
  Assigner assigner(holder_.Get()->compiled);
  for (int i = 0; i < 200; ++i) {
    const std::string unit = "cust-" + std::to_string(i);
    auto resp = client_->Assign(Request(unit));
    ASSERT_TRUE(resp.ok()) << resp.status();
    auto want = assigner.Assign("cart_abandon", unit, clock_.NowMicros());
    ASSERT_TRUE(want.ok());
    const auto& a = resp->assignment();
    EXPECT_EQ(static_cast<int>(a.group()), static_cast<int>(want->group));
    EXPECT_EQ(a.period(), want->period);
    EXPECT_EQ(a.config_version(), "cfg-test000000000001");
    EXPECT_TRUE(a.new_entry());
    if (a.group() == holdfast::v1::TREATMENT) {
      EXPECT_TRUE(a.arm() == "discount" || a.arm() == "no_discount");
    } else {
      EXPECT_EQ(a.arm(), "");
    }
  }
  auto again = client_->Assign(Request("cust-0"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->assignment().new_entry());
}

TEST_F(AssignmentServiceTest, DryRunRecordsNothing) {
  auto r = Request("cust-dry");
  r.set_dry_run(true);
  ASSERT_TRUE(client_->Assign(r).ok());
  EXPECT_EQ(recorder_.total(), 0u);
}

TEST_F(AssignmentServiceTest, ExplicitTimeSetsPeriodAndWashout) {
  auto r = Request("cust-1");
  r.mutable_at()->set_seconds(3600);  // one hour after the epoch: period 0, in washout
  auto resp = client_->Assign(r);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->assignment().period(), 0);
  EXPECT_TRUE(resp->assignment().in_washout());
  r.mutable_at()->set_seconds(8 * 86400 + 3 * 86400);  // day 11: period 1, past washout
  resp = client_->Assign(r);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->assignment().period(), 1);
  EXPECT_FALSE(resp->assignment().in_washout());
}

TEST_F(AssignmentServiceTest, UnknownJourneyIsNotFound) {
  auto r = Request("cust-1");
  r.set_journey("nope");
  auto resp = client_->Assign(r);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(resp.status().message().find("journey"), std::string::npos);
}

TEST_F(AssignmentServiceTest, BadUnitsAreInvalidArgumentNamingTheField) {
  EXPECT_EQ(client_->Assign(Request("")).status().code(), absl::StatusCode::kInvalidArgument);
  auto resp = client_->Assign(Request(std::string(257, 'x')));
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resp.status().message().find("unit"), std::string::npos);
  // Invalid UTF-8 never reaches the handler: proto3 string fields are
  // checked when the request is parsed (see RequestValidationTest).
  EXPECT_TRUE(client_->Assign(Request(std::string(256, 'x'))).ok());
  EXPECT_TRUE(client_->Assign(Request("José-顧客")).ok());
}

TEST_F(AssignmentServiceTest, TimeOutOfRangeIsInvalidArgument) {
  auto r = Request("cust-1");
  r.mutable_at()->set_seconds(-1);
  auto resp = client_->Assign(r);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resp.status().message().find("at"), std::string::npos);
  r.mutable_at()->set_seconds(253402300800LL);
  EXPECT_EQ(client_->Assign(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.mutable_at()->set_seconds(0);
  r.mutable_at()->set_nanos(-5);
  EXPECT_EQ(client_->Assign(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AssignmentServiceTest, BadAttributesAreInvalidArgument) {
  auto r = Request("cust-1");
  (*r.mutable_attributes())["bad key"] = "x";
  auto resp = client_->Assign(r);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resp.status().message().find("attributes"), std::string::npos);
}

TEST_F(AssignmentServiceTest, BatchAssignAnswersInOrderAndAgreesWithAssign) {
  holdfast::v1::BatchAssignRequest batch;
  batch.set_journey("cart_abandon");
  batch.set_dry_run(true);
  for (int i = 0; i < 1000; ++i) batch.add_units("u" + std::to_string(i));
  auto resp = client_->BatchAssign(batch);
  ASSERT_TRUE(resp.ok()) << resp.status();
  ASSERT_EQ(resp->assignments_size(), 1000);
  for (int i = 0; i < 1000; i += 97) {
    auto single = Request("u" + std::to_string(i));
    single.set_dry_run(true);
    auto one = client_->Assign(single);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(resp->assignments(i).unit(), "u" + std::to_string(i));
    EXPECT_EQ(resp->assignments(i).group(), one->assignment().group());
    EXPECT_EQ(resp->assignments(i).arm(), one->assignment().arm());
  }
}

TEST_F(AssignmentServiceTest, BatchErrorsNameTheIndex) {
  holdfast::v1::BatchAssignRequest batch;
  batch.set_journey("cart_abandon");
  for (int i = 0; i < 20; ++i) batch.add_units(i == 17 ? "" : "u" + std::to_string(i));
  auto resp = client_->BatchAssign(batch);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resp.status().message().find("units[17]"), std::string::npos) << resp.status();
  EXPECT_EQ(recorder_.total(), 0u);  // the whole batch is rejected

  holdfast::v1::BatchAssignRequest big;
  big.set_journey("cart_abandon");
  for (int i = 0; i < 10001; ++i) big.add_units("u" + std::to_string(i));
  EXPECT_EQ(client_->BatchAssign(big).status().code(), absl::StatusCode::kInvalidArgument);

  holdfast::v1::BatchAssignRequest empty;
  empty.set_journey("cart_abandon");
  EXPECT_EQ(client_->BatchAssign(empty).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AssignmentServiceTest, BatchAttributesAreBoundedPerCall) {
  holdfast::v1::BatchAssignRequest big;
  big.set_journey("cart_abandon");
  for (int i = 0; i < 10000; ++i) big.add_units("u" + std::to_string(i));
  for (int a = 0; a < 32; ++a) (*big.mutable_attributes())["key" + std::to_string(a)] = std::string(256, 'v');
  auto resp = client_->BatchAssign(big);
  EXPECT_EQ(resp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(resp.status().message().find("attributes:"), std::string::npos) << resp.status();
  EXPECT_EQ(recorder_.total(), 0u);
  big.mutable_units()->DeleteSubrange(100, big.units_size() - 100);  // same attributes on 100 units: fine
  EXPECT_TRUE(client_->BatchAssign(big).ok());
}

TEST_F(AssignmentServiceTest, ListAndGetJourneys) {
  auto list = client_->ListJourneys();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->config_version(), "cfg-test000000000001");
  ASSERT_EQ(list->journeys_size(), 1);
  EXPECT_EQ(list->journeys(0).id(), "cart_abandon");
  EXPECT_DOUBLE_EQ(list->global_holdout().share(), 0.02);
  auto one = client_->GetJourney("cart_abandon");
  ASSERT_TRUE(one.ok());
  EXPECT_DOUBLE_EQ(one->journey().holdout_share(), 0.1);
  EXPECT_EQ(client_->GetJourney("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(RequestValidationTest, RejectsInvalidUtf8AndOverlongIds) {
  EXPECT_TRUE(ValidateUnit("unit", "José-顧客-🛒").ok());
  EXPECT_EQ(ValidateUnit("unit", "bad\xff").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateUnit("unit", "\xc0\xaf").code(), absl::StatusCode::kInvalidArgument);  // overlong '/'
  EXPECT_EQ(ValidateUnit("unit", "\xed\xa0\x80").code(), absl::StatusCode::kInvalidArgument);  // surrogate
  EXPECT_EQ(ValidateId("sends[3].send_id", std::string(257, 'a')).message(),
            "sends[3].send_id: 257 bytes, at most 256 allowed");
}

TEST_F(AssignmentServiceTest, PingAnswers) { EXPECT_TRUE(client_->Ping().ok()); }

}  // namespace
}  // namespace holdfast::server
