// Store URIs: which backend a value names, the values refused with
// INVALID_ARGUMENT instead of becoming a SQLite file of that name, and
// redaction: no refusal or log line repeats a password, however the URI
// spells it (percent-encoded names, sslpassword, key=value strings, parse
// errors libpq would quote).
#include "lib/storage/store_uri.h"

#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace holdfast {
namespace {

struct Accepted {
  const char* name;
  std::string uri;
  StoreUri::Kind kind;
  std::string target;
};

void PrintTo(const Accepted& p, std::ostream* os) { *os << p.name; }

class AcceptedStoreUriTest : public ::testing::TestWithParam<Accepted> {};

TEST_P(AcceptedStoreUriTest, NamesItsBackend) {
  absl::StatusOr<StoreUri> parsed = ParseStoreUri(GetParam().uri);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->kind, GetParam().kind);
  EXPECT_EQ(parsed->target, GetParam().target);
}

constexpr StoreUri::Kind kSqlite = StoreUri::Kind::kSqlite;
constexpr StoreUri::Kind kPostgres = StoreUri::Kind::kPostgres;

INSTANTIATE_TEST_SUITE_P(
    Values, AcceptedStoreUriTest,
    ::testing::Values(
        Accepted{"RelativePath", "holdfast.db", kSqlite, "holdfast.db"},
        Accepted{"AbsolutePath", "/var/lib/holdfast/holdfast.db", kSqlite, "/var/lib/holdfast/holdfast.db"},
        Accepted{"PathWithAnEqualsSign", "./runs/a=b.db", kSqlite, "./runs/a=b.db"},
        Accepted{"PathWithAColon", "backup:2026-12-04.db", kSqlite, "backup:2026-12-04.db"},
        Accepted{"SqlitePrefix", "sqlite:/tmp/x.db", kSqlite, "/tmp/x.db"},
        Accepted{"SqlitePrefixAnyCase", "SQLite:x.db", kSqlite, "x.db"},
        Accepted{"SqlitePrefixKeepsAKeyValueLookingName", "sqlite:host=db.db", kSqlite, "host=db.db"},
        Accepted{"PostgresqlUri", "postgresql://hf@db:5432/holdfast?sslmode=require", kPostgres,
                 "postgresql://hf@db:5432/holdfast?sslmode=require"},
        Accepted{"PostgresUri", "postgres:///holdfast?host=/run/postgresql", kPostgres,
                 "postgres:///holdfast?host=/run/postgresql"},
        Accepted{"UpperCaseSchemeIsLowered", "PostgreSQL://db/holdfast", kPostgres, "postgresql://db/holdfast"},
        // docs/postgresql.md, "High availability": libpq tries the hosts in order.
        Accepted{"SeveralHosts", "postgresql://hf@db1:5432,db2:5433/holdfast?target_session_attrs=read-write",
                 kPostgres, "postgresql://hf@db1:5432,db2:5433/holdfast?target_session_attrs=read-write"},
        Accepted{"SeveralSocketDirectories", "postgresql:///holdfast?host=/run/a,/run/b&port=5432,5432",
                 kPostgres, "postgresql:///holdfast?host=/run/a,/run/b&port=5432,5432"}),
    [](const ::testing::TestParamInfo<Accepted>& info) { return std::string(info.param.name); });

struct Refused {
  const char* name;
  std::string uri;
  std::string reason;  // a part of the message
};

void PrintTo(const Refused& p, std::ostream* os) { *os << p.name; }

class RefusedStoreUriTest : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedStoreUriTest, IsInvalidArgumentWithoutThePassword) {
  absl::StatusOr<StoreUri> parsed = ParseStoreUri(GetParam().uri);
  ASSERT_FALSE(parsed.ok()) << "accepted as " << parsed->target;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
  EXPECT_NE(parsed.status().message().find(GetParam().reason), absl::string_view::npos)
      << parsed.status();
  EXPECT_EQ(parsed.status().message().find("s3cret"), absl::string_view::npos) << parsed.status();
  EXPECT_LT(parsed.status().message().size(), 400u);
}

INSTANTIATE_TEST_SUITE_P(
    Values, RefusedStoreUriTest,
    ::testing::Values(
        Refused{"Empty", "", "empty"},
        Refused{"LeadingSpace", " postgresql://hf:s3cret@db/x", "space"},
        Refused{"TrailingNewline", "holdfast.db\n", "control character"},
        Refused{"KeyValueString", "host=db port=5432 dbname=hf password=s3cret", "key=value"},
        Refused{"KeyValueStringWithSpacesAroundEquals", "dbname = hf password = 's3cret x'", "key=value"},
        Refused{"PostgresWithoutSlashes", "postgres:s3cret", "begins with 'postgresql://'"},
        Refused{"PostgresqlWithOneSlash", "postgresql:/db/x?password=s3cret", "begins with 'postgresql://'"},
        Refused{"OtherScheme", "mysql://hf:s3cret@db/x", "unknown store URI scheme 'mysql://'"},
        Refused{"UnknownQueryParameter", "postgresql://hf:s3cret@db/x?password=s3cret&colour=red",
                "invalid URI query parameter: \"colour\""},
        Refused{"BadPercentEncoding", "postgresql://db/x?pass%7word=s3cret", "not a valid libpq connection URI"},
        Refused{"UnterminatedIpv6Host", "postgresql://hf:s3cret@[::1/x?password=s3cret",
                "not a valid libpq connection URI"}),
    [](const ::testing::TestParamInfo<Refused>& info) { return std::string(info.param.name); });

TEST(StoreUriTest, LongUnknownSchemeIsNotRepeated) {
  const std::string scheme(200, 'a');
  absl::StatusOr<StoreUri> parsed = ParseStoreUri(scheme + "://x");
  ASSERT_FALSE(parsed.ok());
  EXPECT_LT(parsed.status().message().size(), 200u) << parsed.status();
}

struct Redaction {
  const char* name;
  std::string uri;
  std::string redacted;
};

void PrintTo(const Redaction& p, std::ostream* os) { *os << p.name; }

class RedactStoreUriTest : public ::testing::TestWithParam<Redaction> {};

TEST_P(RedactStoreUriTest, HidesEveryPassword) {
  EXPECT_EQ(RedactStoreUri(GetParam().uri), GetParam().redacted);
}

INSTANTIATE_TEST_SUITE_P(
    Values, RedactStoreUriTest,
    ::testing::Values(
        Redaction{"UserinfoPassword", "postgresql://hf:s3cret@db:5432/x", "postgresql://hf:***@db:5432/x"},
        Redaction{"QueryPassword", "postgres://db/x?user=hf&password=s3cret&sslmode=require",
                  "postgres://db/x?user=hf&password=***&sslmode=require"},
        Redaction{"PercentEncodedName", "postgresql://db/x?pass%77ord=s3cret", "postgresql://db/x?pass%77ord=***"},
        Redaction{"SslPassword", "postgresql://db/x?sslpassword=s3cret", "postgresql://db/x?sslpassword=***"},
        Redaction{"UndecodableName", "postgresql://db/x?pa%zzword=s3cret", "postgresql://db/x?pa%zzword=***"},
        Redaction{"UpperCaseScheme", "POSTGRESQL://hf:s3cret@db/x", "POSTGRESQL://hf:***@db/x"},
        Redaction{"NoPassword", "postgresql://hf@db/x", "postgresql://hf@db/x"},
        Redaction{"SeveralHosts", "postgresql://hf:s3cret@db1:5432,db2:5432/x?target_session_attrs=read-write",
                  "postgresql://hf:***@db1:5432,db2:5432/x?target_session_attrs=read-write"},
        Redaction{"OtherScheme", "mysql://hf:s3cret@db/x", "mysql://hf:***@db/x"},
        Redaction{"PostgresWithoutSlashes", "postgres:s3cret", "postgres:***"},
        Redaction{"KeyValueString", "host=db password='s3 cret' dbname=hf", "password=*** dbname=hf host=db"},
        Redaction{"FilePath", "/var/lib/holdfast.db", "/var/lib/holdfast.db"},
        Redaction{"SqlitePrefix", "sqlite:password=x.db", "sqlite:password=x.db"}),
    [](const ::testing::TestParamInfo<Redaction>& info) { return std::string(info.param.name); });

TEST(StoreUriTest, ConnectionDefaultsFillOnlyWhatTheUriAndEnvironmentLeaveOpen) {
  const std::vector<ConnectionDefault> defaults = {{"connect_timeout", "10", "HF_TEST_CONNECT_TIMEOUT"},
                                                   {"keepalives_idle", "30", nullptr}};
  unsetenv("HF_TEST_CONNECT_TIMEOUT");
  EXPECT_EQ(WithConnectionDefaults("postgresql://db/x", defaults),
            "postgresql://db/x?connect_timeout=10&keepalives_idle=30");
  EXPECT_EQ(WithConnectionDefaults("postgresql://db/x?sslmode=require&keepalives_idle=5", defaults),
            "postgresql://db/x?sslmode=require&keepalives_idle=5&connect_timeout=10");
  setenv("HF_TEST_CONNECT_TIMEOUT", "3", 1);
  EXPECT_EQ(WithConnectionDefaults("postgresql://db/x", defaults), "postgresql://db/x?keepalives_idle=30");
  unsetenv("HF_TEST_CONNECT_TIMEOUT");
  // What comes out still parses as a libpq URI.
  EXPECT_TRUE(ParseStoreUri(WithConnectionDefaults("postgres:///x?host=/tmp", defaults)).ok());
}

}  // namespace
}  // namespace holdfast
