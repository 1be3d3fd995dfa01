// Where holdfastd may listen with which security.
#include "server/listen_policy.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace holdfast::server {
namespace {

TEST(ListenPolicyTest, LoopbackAddresses) {
  for (const char* a : {"127.0.0.1:50051", "127.1.2.3:0", "localhost:50051", "LOCALHOST:1", "[::1]:50051",
                        "unix:/tmp/holdfast.sock", "unix-abstract:holdfast", "dns:///127.0.0.1:50051"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
  for (const char* a : {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.5:50051", "128.0.0.1:50051",
                        "holdfast.internal:50051", "[::ffff:10.0.0.1]:1", "[2001:db8::1]:50051"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

struct Case {
  const char* name;
  const char* address;
  ListenSecurity security;
  bool ok;
  const char* says;  // substring of the refusal
};

TEST(ListenPolicyTest, RefusesWhatWouldExposeTheServer) {
  const Case cases[] = {
      {"loopback open", "127.0.0.1:50051", {false, false, false}, true, ""},
      {"loopback tokens plaintext", "127.0.0.1:50051", {false, true, false}, true, ""},
      {"network open", "0.0.0.0:50051", {false, false, false}, false, "without --auth_tokens"},
      {"network TLS no tokens", "0.0.0.0:50051", {true, false, false}, false, "without --auth_tokens"},
      {"network insecure flag no tokens", "0.0.0.0:50051", {false, false, true}, false, "without --auth_tokens"},
      {"network tokens no TLS", "0.0.0.0:50051", {false, true, false}, false, "without TLS"},
      {"network tokens allow_insecure", "0.0.0.0:50051", {false, true, true}, true, ""},
      {"network TLS and tokens", "[::]:50051", {true, true, false}, true, ""},
  };
  for (const Case& c : cases) {
    absl::Status s = CheckListenPolicy(c.address, c.security);
    EXPECT_EQ(s.ok(), c.ok) << c.name << ": " << s;
    if (!c.ok) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << c.name;
      EXPECT_TRUE(absl::StrContains(s.message(), c.says)) << c.name << ": " << s;
      EXPECT_TRUE(absl::StrContains(s.message(), c.address)) << c.name << ": " << s;
    }
  }
}

}  // namespace
}  // namespace holdfast::server
