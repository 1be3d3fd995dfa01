// The CLI's "No Holdfast server answered" hint: printed when the channel
// never reached a server, not when a server answered UNAVAILABLE itself
// (its database unreachable, shutting down), where it would send the user
// looking for a server that is running.
#include "client/cli_output.h"

#include <gtest/gtest.h>

#include "absl/status/status.h"
#include "client/holdfast_client.h"

namespace holdfast::cli {
namespace {

TEST(NoServerAnsweredTest, ARealChannelToAClosedPortNeverAnswered) {
  // Port 1 on loopback: nothing listens there on a test machine.
  std::unique_ptr<client::HoldfastClient> c = client::HoldfastClient::Connect("127.0.0.1:1");
  const absl::Status status = c->Ping();
  ASSERT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(NoServerAnswered(status)) << status;
}

TEST(NoServerAnsweredTest, AServersOwnUnavailableIsNotNoServer) {
  EXPECT_FALSE(NoServerAnswered(absl::UnavailableError(
      "report: postgresql: connection lost: server closed the connection unexpectedly")));
  EXPECT_FALSE(NoServerAnswered(absl::UnavailableError("store is shutting down")));
  EXPECT_FALSE(NoServerAnswered(absl::InternalError("failed to connect to all addresses")));
}

}  // namespace
}  // namespace holdfast::cli
