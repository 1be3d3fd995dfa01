// The --auth_tokens file format, digest vectors and token generation.
#include "lib/auth/token_table.h"

#include <set>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/auth/token.h"

namespace holdfast::auth {
namespace {

// FIPS 180-2 test vector: SHA-256("abc").
constexpr char kAbcDigest[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(TokenTest, DigestMatchesSha256Vector) {
  EXPECT_EQ(DigestHex(DigestToken("abc")), kAbcDigest);
  std::optional<TokenDigest> parsed = ParseDigestHex(absl::AsciiStrToUpper(kAbcDigest));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(DigestsEqual(*parsed, DigestToken("abc")));
  EXPECT_FALSE(DigestsEqual(*parsed, DigestToken("abd")));
  EXPECT_FALSE(ParseDigestHex("abc").has_value());
  EXPECT_FALSE(ParseDigestHex(std::string(63, 'a') + "g").has_value());
}

TEST(TokenTest, GeneratedTokensAreFreshAndPrintable) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> t = GenerateToken();
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->size(), 67u);
    EXPECT_TRUE(absl::StartsWith(*t, "hf_")) << *t;
    EXPECT_TRUE(ParseDigestHex(t->substr(3)).has_value()) << "64 hex digits after the prefix";
    EXPECT_TRUE(seen.insert(*t).second) << "repeated token";
  }
}

std::string Line(absl::string_view role, absl::string_view token, absl::string_view name = "") {
  return absl::StrCat(role, " ", DigestHex(DigestToken(token)), name.empty() ? "" : " ", name, "\n");
}

TEST(TokenTableTest, ParsesRolesNamesAndComments) {
  const std::string text = absl::StrCat("# holdfast tokens\n\n", Line("assign", "t-assign", "journey-engine"),
                                        "  ", Line("ingest", "t-ingest"), Line("analyst", "t-analyst", "bi@corp"),
                                        "admin ", DigestHex(DigestToken("t-admin")), " ci  # rotated 2026-11\n");
  absl::StatusOr<TokenTable> table = TokenTable::Parse(text, "tokens");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->entries().size(), 4u);
  const TokenEntry* e = table->Find("t-assign");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->role, Role::kAssign);
  EXPECT_EQ(e->name, "journey-engine");
  ASSERT_NE(table->Find("t-ingest"), nullptr);
  EXPECT_EQ(table->Find("t-ingest")->name, "line 4");
  EXPECT_EQ(table->Find("t-analyst")->role, Role::kAnalyst);
  EXPECT_EQ(table->Find("t-admin")->role, Role::kAdmin);
  EXPECT_EQ(table->Find("t-admin")->name, "ci");
  EXPECT_EQ(table->Find("t-admi"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  // The digest itself is not a token.
  EXPECT_EQ(table->Find(DigestHex(DigestToken("t-admin"))), nullptr);
}

struct BadFile {
  const char* name;
  std::string text;
  const char* expected;  // substring of the message
};

TEST(TokenTableTest, BadLinesNameTheLineAndNeverEchoIt) {
  const std::string ok = Line("assign", "x");
  const std::vector<BadFile> cases = {
      {"unknown role", absl::StrCat(ok, "superuser ", DigestHex(DigestToken("y")), "\n"),
       "tokens:2: unknown role"},
      {"raw token instead of digest", "admin hf_secret-token-pasted-by-mistake\n",
       "tokens:1: the second field must be the 64-hex-digit SHA-256"},
      {"role only", "admin\n", "tokens:1: expected 'ROLE SHA256-HEX [name]', got 1 fields"},
      {"too many fields", absl::StrCat("admin ", DigestHex(DigestToken("y")), " a b\n"), "got 4 fields"},
      {"bad name", absl::StrCat("admin ", DigestHex(DigestToken("y")), " na/me\n"), "tokens:1: name must be"},
      {"repeated digest", absl::StrCat(ok, "# c\n", Line("admin", "x")), "tokens:3: the same token digest as line 1"},
      {"no tokens", "# nothing here\n\n", "tokens: no tokens"},
      {"role upper case", absl::StrCat("Admin ", DigestHex(DigestToken("y")), "\n"), "unknown role"},
  };
  for (const BadFile& c : cases) {
    absl::StatusOr<TokenTable> t = TokenTable::Parse(c.text, "tokens");
    ASSERT_FALSE(t.ok()) << c.name;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StrContains(t.status().message(), c.expected)) << c.name << ": " << t.status();
    EXPECT_FALSE(absl::StrContains(t.status().message(), "hf_secret")) << c.name << ": " << t.status();
  }
}

TEST(TokenTableTest, LoadReportsMissingFile) {
  absl::StatusOr<TokenTable> t = TokenTable::Load("/nonexistent/holdfast-tokens");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(t.status().message(), "/nonexistent/holdfast-tokens: cannot read"));
}

TEST(RoleTest, NamesRoundTripAndSetsPrint) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_EQ((RoleSet{Role::kAssign, Role::kAnalyst}).ToString(), "assign or analyst");
  EXPECT_TRUE(RoleSet{}.empty());
}

}  // namespace
}  // namespace holdfast::auth
