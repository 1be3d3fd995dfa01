#include "client/import_rows.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace holdfast::cli {
namespace {

using ::testing::HasSubstr;

RowParser MustCreate(ImportKind kind, const std::vector<std::string>& header) {
  absl::StatusOr<RowParser> p = RowParser::Create(kind, header);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

std::string AppendError(const RowParser& parser, const std::vector<std::string>& row) {
  RecordBatch batch;
  batch.kind = parser.kind();
  absl::Status s = parser.Append(row, 7, &batch);
  EXPECT_EQ(batch.size(), 0) << "a failed row must leave the batch unchanged";
  return std::string(s.message());
}

TEST(RowParserTest, SendsColumnsInAnyOrderWithOptionalCost) {
  RowParser p = MustCreate(ImportKind::kSends, {"at", "unit", "send_id", "channel", "journey", " cost "});
  RecordBatch batch;
  batch.kind = ImportKind::kSends;
  ASSERT_TRUE(p.Append({"2026-11-23T10:00:00.5Z", "u1", "s1", "email", "cart_abandon", "0.25"}, 2, &batch).ok());
  ASSERT_TRUE(p.Append({"1700000000", "u2", "s2", "sms", "winback", ""}, 3, &batch).ok());
  ASSERT_EQ(batch.size(), 2);
  const holdfast::v1::SendRecord& a = batch.sends.sends(0);
  EXPECT_EQ(a.send_id(), "s1");
  EXPECT_EQ(a.unit(), "u1");
  EXPECT_EQ(a.journey(), "cart_abandon");
  EXPECT_EQ(a.channel(), "email");
  EXPECT_EQ(a.at().seconds(), 1795428000);
  EXPECT_EQ(a.at().nanos(), 500000000);
  ASSERT_TRUE(a.has_cost());
  EXPECT_EQ(a.cost(), 0.25);
  // Empty cost: unset, so the server applies the journey's channel cost.
  EXPECT_FALSE(batch.sends.sends(1).has_cost());
  EXPECT_EQ(batch.sends.sends(1).at().seconds(), 1700000000);
  EXPECT_EQ(batch.lines, (std::vector<int64_t>{2, 3}));
}

TEST(RowParserTest, HeaderErrorsNameTheColumns) {
  absl::StatusOr<RowParser> p = RowParser::Create(ImportKind::kSends, {"send_id", "unit", "at"});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("missing required columns journey, channel"));
  p = RowParser::Create(ImportKind::kSends, {"send_id", "unit", "journey", "channel", "at", "colour"});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("unknown column 'colour'"));
  p = RowParser::Create(ImportKind::kCosts, {"cost_id", "journey", "start", "end", "amount", "amount"});
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("'amount' appears twice"));
  // attr.* columns are for entries only.
  p = RowParser::Create(ImportKind::kSends,
                        {"send_id", "unit", "journey", "channel", "at", "attr.country"});
  EXPECT_FALSE(p.ok());
}

TEST(RowParserTest, BadValuesNameColumnAndValue) {
  RowParser p = MustCreate(ImportKind::kSends, {"send_id", "unit", "journey", "channel", "at", "cost"});
  EXPECT_EQ(AppendError(p, {"s", "u", "j", "email", "2026-11-23", "abc"}), "cost: not a number 'abc'");
  EXPECT_EQ(AppendError(p, {"s", "u", "j", "email", "2026-11-23", "nan"}),
            "cost: must be a finite number, got 'nan'");
  EXPECT_EQ(AppendError(p, {"s", "u", "j", "email", "2026-11-23", "inf"}),
            "cost: must be a finite number, got 'inf'");
  EXPECT_EQ(AppendError(p, {"s", "u", "j", "email", "2026-11-23", "1.5x"}), "cost: not a number '1.5x'");
  EXPECT_THAT(AppendError(p, {"s", "u", "j", "email", "yesterday", "1"}),
              HasSubstr("at: cannot parse time 'yesterday'"));
  EXPECT_THAT(AppendError(p, {"s", "u", "j", "email", "", "1"}), HasSubstr("at: empty time"));
  EXPECT_EQ(AppendError(p, {"s", "u", "j"}), "expected 6 fields, got 3");
  EXPECT_EQ(AppendError(p, {"s", "u", "j", "email", "2026-11-23", "1", "extra"}), "expected 6 fields, got 7");
}

TEST(RowParserTest, OutcomesTypesAndEmptyMoney) {
  RowParser p = MustCreate(ImportKind::kOutcomes,
                           {"outcome_id", "unit", "at", "type", "revenue", "margin", "order_id"});
  RecordBatch batch;
  batch.kind = ImportKind::kOutcomes;
  ASSERT_TRUE(p.Append({"o1", "u", "2026-11-23", "ORDER", "19.90", "5", ""}, 2, &batch).ok());
  ASSERT_TRUE(p.Append({"o2", "u", "2026-11-24", "refund", "19.90", "5", "o1"}, 3, &batch).ok());
  ASSERT_TRUE(p.Append({"o3", "u", "2026-11-24", "unsubscribe", "", "", ""}, 4, &batch).ok());
  EXPECT_EQ(batch.outcomes.outcomes(0).type(), holdfast::v1::ORDER);
  EXPECT_DOUBLE_EQ(batch.outcomes.outcomes(0).revenue(), 19.90);
  EXPECT_EQ(batch.outcomes.outcomes(1).type(), holdfast::v1::REFUND);
  EXPECT_EQ(batch.outcomes.outcomes(1).order_id(), "o1");
  EXPECT_EQ(batch.outcomes.outcomes(2).revenue(), 0);
  EXPECT_EQ(AppendError(p, {"o4", "u", "2026-11-24", "purchase", "1", "1", ""}),
            "type: 'purchase' is not one of conversion, order, refund, unsubscribe, complaint");
  EXPECT_EQ(AppendError(p, {"o4", "u", "2026-11-24", "order", "1", "-", ""}), "margin: not a number '-'");
}

TEST(RowParserTest, OutcomesIncentiveCostOptional) {
  RowParser p = MustCreate(ImportKind::kOutcomes, {"outcome_id", "unit", "at", "type", "revenue",
                                                   "margin", "order_id", "incentive_cost"});
  RecordBatch batch;
  batch.kind = ImportKind::kOutcomes;
  ASSERT_TRUE(p.Append({"o1", "u", "2026-11-23", "order", "40", "12", "", "4.5"}, 2, &batch).ok());
  ASSERT_TRUE(p.Append({"o2", "u", "2026-11-24", "refund", "40", "12", "o1", ""}, 3, &batch).ok());
  EXPECT_TRUE(batch.outcomes.outcomes(0).has_incentive_cost());
  EXPECT_DOUBLE_EQ(batch.outcomes.outcomes(0).incentive_cost(), 4.5);
  // Empty: unset, so the server's "only an order carries it" rule holds.
  EXPECT_FALSE(batch.outcomes.outcomes(1).has_incentive_cost());
  EXPECT_EQ(AppendError(p, {"o3", "u", "2026-11-24", "order", "1", "1", "", "5%"}),
            "incentive_cost: not a number '5%'");
}

TEST(RowParserTest, CostsAndEntriesWithAttributes) {
  RowParser costs = MustCreate(ImportKind::kCosts, {"cost_id", "journey", "start", "end", "amount"});
  RecordBatch batch;
  batch.kind = ImportKind::kCosts;
  ASSERT_TRUE(costs.Append({"c1", "winback", "2026-11-01", "2026-12-01", "1200"}, 2, &batch).ok());
  EXPECT_EQ(batch.costs.costs(0).amount(), 1200);
  EXPECT_EQ(batch.costs.costs(0).end().seconds() - batch.costs.costs(0).start().seconds(), 30 * 86400);
  EXPECT_EQ(AppendError(costs, {"c2", "winback", "2026-11-01", "2026-12-01", ""}), "amount: not a number ''");

  RowParser entries = MustCreate(ImportKind::kEntries, {"unit", "attr.country", "journey", "at", "attr.tier"});
  RecordBatch e;
  e.kind = ImportKind::kEntries;
  ASSERT_TRUE(entries.Append({"u1", "FR", "winback", "2026-11-01T08:00:00+01:00", ""}, 2, &e).ok());
  const holdfast::v1::EntryRecord& r = e.entries.entries(0);
  EXPECT_EQ(r.journey(), "winback");
  EXPECT_EQ(r.at().seconds(), 1793516400);
  ASSERT_EQ(r.attributes().size(), 1u);  // empty attr.tier cell: no attribute
  EXPECT_EQ(r.attributes().at("country"), "FR");
}

TEST(RowParserTest, CustomersUnitAndFirstSeen) {
  RowParser customers = MustCreate(ImportKind::kCustomers, {"first_seen", "unit"});
  RecordBatch batch;
  batch.kind = ImportKind::kCustomers;
  ASSERT_TRUE(customers.Append({"2026-09-01", "cust-7"}, 2, &batch).ok());
  ASSERT_EQ(batch.size(), 1);
  EXPECT_EQ(batch.customers.customers(0).unit(), "cust-7");
  EXPECT_EQ(batch.customers.customers(0).first_seen().seconds(), 1788220800);
  EXPECT_EQ(batch.journey(0), "");
  EXPECT_EQ(AppendError(customers, {"yesterday", "cust-8"}).rfind("first_seen: ", 0), 0u);
  EXPECT_EQ(batch.Slice(0, 1).customers.customers(0).unit(), "cust-7");
  batch.PopBack();
  EXPECT_EQ(batch.size(), 0);
  EXPECT_FALSE(RowParser::Create(ImportKind::kCustomers, {"unit"}).ok());
  EXPECT_EQ(ImportColumnsHelp(ImportKind::kCustomers), "unit,first_seen");
}

TEST(RowParserTest, KindNames) {
  for (ImportKind k : {ImportKind::kEntries, ImportKind::kSends, ImportKind::kOutcomes, ImportKind::kCosts,
                       ImportKind::kCustomers}) {
    absl::StatusOr<ImportKind> parsed = ParseImportKind(ImportKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  EXPECT_FALSE(ParseImportKind("orders").ok());
}

TEST(RecordBatchTest, SliceKeepsRecordsAndLines) {
  RowParser p = MustCreate(ImportKind::kSends, {"send_id", "unit", "journey", "channel", "at"});
  RecordBatch batch;
  batch.kind = ImportKind::kSends;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(p.Append({"s" + std::to_string(i), "u", "j" + std::to_string(i), "email", "1"}, 10 + i, &batch).ok());
  }
  RecordBatch mid = batch.Slice(1, 4);
  ASSERT_EQ(mid.size(), 3);
  EXPECT_EQ(mid.sends.sends(0).send_id(), "s1");
  EXPECT_EQ(mid.journey(2), "j3");
  EXPECT_EQ(mid.lines, (std::vector<int64_t>{11, 12, 13}));
}

}  // namespace
}  // namespace holdfast::cli
