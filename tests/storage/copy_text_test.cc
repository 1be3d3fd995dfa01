// COPY's text format as the PostgreSQL analysis stream reads it, and the
// parameter inlining COPY needs (lib/storage/internal/copy_text.h).
#include "lib/storage/internal/copy_text.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace holdfast::storage_internal {
namespace {

TEST(CopyTextRowTest, SplitsAtTabsAndTellsNullFromEmpty) {
  CopyTextRow row;
  ASSERT_TRUE(row.Parse("u1\t\\N\t\t3.5\n", 4).ok());
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0], "u1");
  EXPECT_TRUE(row.is_null(1));
  EXPECT_FALSE(row.is_null(2));
  EXPECT_EQ(row[2], "");
  EXPECT_EQ(row[3], "3.5");  // the line's newline is not part of the last field
}

TEST(CopyTextRowTest, DecodesEveryEscapeCopyWrites) {
  CopyTextRow row;
  // What COPY writes for a value with a tab, newline, CR, backslash, the
  // letters N and x after a backslash, and a bytea's hex form.
  ASSERT_TRUE(row.Parse("a\\tb\\nc\\rd\\\\e\tx\\\\N\t\\\\x00ff\t\\b\\f\\v\t\\101\\x41\\q", 5).ok());
  EXPECT_EQ(row[0], "a\tb\nc\rd\\e");
  EXPECT_FALSE(row.is_null(1));
  EXPECT_EQ(row[1], "x\\N");
  EXPECT_EQ(row[2], "\\x00ff");
  EXPECT_EQ(row[3], "\b\f\v");
  EXPECT_EQ(row[4], "AAq");  // octal, hex, and any other character as itself
}

TEST(CopyTextRowTest, EscapedFieldsKeepTheirOwnStorage) {
  CopyTextRow row;
  ASSERT_TRUE(row.Parse("\\\\one\t\\\\two", 2).ok());
  EXPECT_EQ(row[0], "\\one");
  EXPECT_EQ(row[1], "\\two");
}

TEST(CopyTextRowTest, WrongFieldCountIsAnError) {
  CopyTextRow row;
  EXPECT_EQ(row.Parse("a\tb\tc", 2).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(row.Parse("a\tb", 3).code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(row.Parse("a\tb", 2).ok());
}

TEST(InlineSqlParametersTest, ReplacesEachMarkerByItsLiteral) {
  std::vector<std::string> lit;
  for (int i = 1; i <= 11; ++i) lit.push_back("L" + std::to_string(i));
  absl::StatusOr<std::string> s = InlineSqlParameters("a = $1 AND b < $10::bigint OR c=$11", lit);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, "a = L1 AND b < L10::bigint OR c=L11");
  EXPECT_EQ(*InlineSqlParameters("x - $1", {"(-5)"}), "x - (-5)");
}

TEST(InlineSqlParametersTest, RefusesDollarsThatAreNotMarkersInRange) {
  const std::vector<std::string> lit = {"'a'", "(1)"};
  EXPECT_EQ(InlineSqlParameters("$3", lit).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InlineSqlParameters("$0", lit).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InlineSqlParameters("$12", lit).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InlineSqlParameters("$$x$$", lit).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InlineSqlParameters("cost$", lit).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace holdfast::storage_internal
