// `holdfast token new`: the printed line is one holdfastd accepts, and it
// matches the printed token.
#include "client/token_new.h"

#include <gtest/gtest.h>

#include "lib/auth/token_table.h"

namespace holdfast::cli {
namespace {

TEST(TokenNewTest, FileLineMatchesTheTokenAndTheRole) {
  absl::StatusOr<NewToken> t = MakeNewToken("analyst", "bi-team");
  ASSERT_TRUE(t.ok()) << t.status();
  absl::StatusOr<auth::TokenTable> table = auth::TokenTable::Parse(t->file_line, "line");
  ASSERT_TRUE(table.ok()) << table.status();
  const auth::TokenEntry* e = table->Find(t->token);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->role, auth::Role::kAnalyst);
  EXPECT_EQ(e->name, "bi-team");
  absl::StatusOr<NewToken> again = MakeNewToken("analyst", "");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->token, t->token);
  EXPECT_EQ(table->Find(again->token), nullptr);
}

TEST(TokenNewTest, RefusesUnknownRolesAndBadNames) {
  EXPECT_EQ(MakeNewToken("root", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeNewToken("admin", "two words").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeNewToken("admin", std::string(65, 'a')).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace holdfast::cli
