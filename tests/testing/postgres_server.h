// A throw-away PostgreSQL 15 server for tests: initdb into a fresh temp
// directory, a postmaster listening only on a Unix socket inside it, stopped
// (by its PID) and deleted by the destructor.
//
// PostgreSQL refuses to run as root, and CI runs as root: then initdb and
// the server run as the `postgres` system user the Debian package creates
// (or `holdfast-pg`, created on first use, when that user is missing). The
// test process itself connects over the socket as the database superuser
// `postgres` with trust authentication, so no password exists anywhere.
//
// Durability settings are for speed (fsync=off): the server may lose data if
// the machine crashes, which no test simulates. A test of the *store's*
// durability kills holdfastd, never this server.
//
// Example:
//   absl::StatusOr<std::unique_ptr<PostgresServer>> pg = PostgresServer::Start();
//   ASSERT_TRUE(pg.ok()) << pg.status();
//   absl::StatusOr<std::string> uri = (*pg)->CreateDatabase("t1");
//   auto store = Store::Open(*uri);
//
// Thread-safety: CreateDatabase may be called concurrently; Start and the
// destructor not.
#ifndef HOLDFAST_TESTS_TESTING_POSTGRES_SERVER_H_
#define HOLDFAST_TESTS_TESTING_POSTGRES_SERVER_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace holdfast::testing {

class PostgresServer {
 public:
  struct Options {
    // Directory of initdb/postgres. Default: Debian's PostgreSQL 15.
    std::string bin_dir = "/usr/lib/postgresql/15/bin";
    // Server connection limit; each holdfastd replica holds a writer and a
    // small read pool. Default 100.
    int max_connections = 100;
    // fsync on the server: off (default) is for speed; benchmarks that time
    // commits turn it on so a commit costs what it costs in production.
    bool fsync = false;
    // How long Start waits for initdb plus the first accepted connection.
    int start_timeout_seconds = 60;
    // Further server settings ("name=value", each passed as `-c`), after the
    // defaults above so they win: benchmarks measure a tuned server beside
    // the default one (shared_buffers=2GB, say).
    std::vector<std::string> settings;
  };

  // Creates the cluster and starts the server; returns once it accepts
  // connections. UNAVAILABLE with the server log when it does not.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(const Options& options);
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresServer>> Start() { return Start(Options()); }

  // A hot standby of `primary`: a base backup of it (pg_basebackup -R, WAL
  // streamed, over the primary's socket) started with `options` and
  // streaming from it. Returns once the standby accepts connections and the
  // primary lists it as streaming. The primary needs full_page_writes=on
  // (Options::fsync, or a `settings` entry).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresServer>> StartStandby(
      const PostgresServer& primary, const Options& options);

  // Immediate shutdown (SIGQUIT to the postmaster, SIGKILL after 20 s), then
  // removes the directory.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // libpq URI of database `dbname` as the superuser, over the socket.
  std::string Uri(const std::string& dbname = "postgres") const;

  // CREATE DATABASE `name` (a plain identifier) and returns its URI.
  [[nodiscard]] absl::StatusOr<std::string> CreateDatabase(const std::string& name);

  // Runs one SQL command on `dbname`; for test set-up (roles, grants).
  [[nodiscard]] absl::Status Exec(const std::string& dbname, const std::string& sql) const;

  // Runs one query on `dbname` and returns the first column of its first
  // row as text ("" for NULL); NOT_FOUND when it returns no row.
  [[nodiscard]] absl::StatusOr<std::string> QueryValue(const std::string& dbname,
                                                       const std::string& sql) const;

  // Promotes a standby (pg_promote, waiting up to 60 s for the end of
  // recovery). FAILED_PRECONDITION when it does not end.
  [[nodiscard]] absl::Status Promote();

  // Stops the server as a crash would: immediate shutdown (no checkpoint,
  // nothing more sent to standbys), waiting for the postmaster to exit.
  // The directory stays until the destructor. A no-op once stopped.
  void StopImmediately();

  pid_t pid() const { return pid_; }
  const std::string& socket_dir() const { return socket_dir_; }
  std::string log() const;

 private:
  PostgresServer() = default;
  // The new server's directory, socket and log, owned by the server user.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresServer>> MakeDirectories();
  // A new server whose data directory `fill` creates (running commands as
  // the server user, appending their output to `log`), then launched.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresServer>> Create(
      const Options& options,
      const std::function<absl::Status(const std::string& data, const std::string& log)>& fill);
  // Starts the postmaster on dir_/data and waits until it accepts
  // connections (by `deadline`).
  [[nodiscard]] absl::Status Launch(const Options& options,
                                    std::chrono::steady_clock::time_point deadline);
  std::string dir_;
  std::string socket_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
};

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_TESTING_POSTGRES_SERVER_H_
