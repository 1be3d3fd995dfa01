// The PostgreSQL test server starts, serves SQL on its socket, and is gone
// (process and directory) after the destructor.
#include "tests/testing/postgres_server.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

namespace holdfast::testing {
namespace {

TEST(PostgresServerTest, StartsServesAndStopsByPid) {
  pid_t pid = -1;
  std::string socket_dir;
  {
    absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pid = (*pg)->pid();
    socket_dir = (*pg)->socket_dir();
    ASSERT_GT(pid, 0);
    absl::StatusOr<std::string> uri = (*pg)->CreateDatabase("hf_test");
    ASSERT_TRUE(uri.ok()) << uri.status();
    EXPECT_TRUE((*pg)->Exec("hf_test", "CREATE TABLE t (x int); INSERT INTO t VALUES (1)").ok());
    EXPECT_FALSE((*pg)->Exec("hf_test", "SELECT * FROM missing_table").ok());
    // The server refuses TCP: the only way in is the private socket.
    EXPECT_NE(uri->find(socket_dir), std::string::npos);
  }
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  struct stat st;
  EXPECT_NE(stat(socket_dir.c_str(), &st), 0);
}

}  // namespace
}  // namespace holdfast::testing
