#include "tests/testing/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include "absl/strings/str_cat.h"

namespace holdfast::testing {
namespace {

// The socket file is <socket_dir>/.s.PGSQL.<port>; each server has its own
// directory, so every server can use the default port number.
constexpr int kPort = 5432;

struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// PostgreSQL will not run as root: pick an unprivileged system user then.
absl::StatusOr<RunAs> ServerUser() {
  RunAs as;
  if (geteuid() != 0) return as;
  as.switch_user = true;
  for (const char* name : {"postgres", "holdfast-pg"}) {
    if (const passwd* pw = getpwnam(name); pw != nullptr) {
      as.uid = pw->pw_uid;
      as.gid = pw->pw_gid;
      return as;
    }
  }
  // Debian's postgresql-common creates `postgres`; a machine without it
  // gets a dedicated system user with no login and no home.
  if (std::system("useradd --system --no-create-home --shell /usr/sbin/nologin holdfast-pg") != 0) {
    return absl::UnavailableError("running as root and cannot create a user for PostgreSQL");
  }
  const passwd* pw = getpwnam("holdfast-pg");
  if (pw == nullptr) return absl::UnavailableError("user holdfast-pg missing after useradd");
  as.uid = pw->pw_uid;
  as.gid = pw->pw_gid;
  return as;
}

// Forks `argv` as `as` with stdout/stderr appended to `log`. Returns the PID.
pid_t Spawn(const std::vector<std::string>& argv, const RunAs& as, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls until exec.
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  const int null_in = open("/dev/null", O_RDONLY);
  if (null_in >= 0) dup2(null_in, 0);
  // Its own process group, so a Ctrl-C aimed at the test does not reach it
  // before the destructor's orderly shutdown.
  setpgid(0, 0);
  if (as.switch_user) {
    if (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(126);
  }
  execv(args[0], args.data());
  _exit(127);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `argv` as `as` and waits; true on exit status 0.
bool RunToCompletion(const std::vector<std::string>& argv, const RunAs& as, const std::string& log) {
  const pid_t pid = Spawn(argv, as, log);
  if (pid < 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// initdb costs 1-5 s on a loaded 2-core machine, copying its result ~0.3 s:
// one initialised cluster per machine and user is kept under /tmp and
// copied for each server. Built in a private directory and renamed into
// place, so concurrent test binaries never see half a cluster.
absl::StatusOr<std::string> TemplateCluster(const PostgresServer::Options& options, const RunAs& as) {
  const std::string path = absl::StrCat("/tmp/hf-pg-template-15-", as.switch_user ? as.uid : geteuid());
  struct stat st;
  if (stat((path + "/PG_VERSION").c_str(), &st) == 0) return path;
  char tmpl[] = "/tmp/hf-pg-initdb-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::UnavailableError("mkdtemp failed");
  const std::string work = tmpl;
  if (as.switch_user && chown(work.c_str(), as.uid, as.gid) != 0) {
    return absl::UnavailableError("cannot hand the initdb dir to the PostgreSQL user");
  }
  const std::string log = work + "/initdb.log";
  const bool ok = RunToCompletion({options.bin_dir + "/initdb", "-D", work + "/data", "-U", "postgres",
                                   "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
                                   "--no-instructions"},
                                  as, log);
  if (!ok) {
    const std::string text = ReadFile(log);
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
    return absl::UnavailableError(absl::StrCat("initdb failed: ", text));
  }
  if (rename((work + "/data").c_str(), path.c_str()) != 0 && stat((path + "/PG_VERSION").c_str(), &st) != 0) {
    return absl::UnavailableError("cannot move the initialised cluster into place");
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  return path;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::MakeDirectories() {
  absl::StatusOr<RunAs> as = ServerUser();
  if (!as.ok()) return as.status();
  // /tmp, not $TMPDIR: a Unix socket path must stay under ~100 bytes.
  char tmpl[] = "/tmp/hf-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::UnavailableError("mkdtemp failed");
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->dir_ = tmpl;
  server->socket_dir_ = server->dir_ + "/sock";
  server->log_path_ = server->dir_ + "/server.log";
  if (mkdir(server->socket_dir_.c_str(), 0700) != 0) return absl::UnavailableError("mkdir failed");
  if (as->switch_user) {
    if (chown(server->dir_.c_str(), as->uid, as->gid) != 0 ||
        chown(server->socket_dir_.c_str(), as->uid, as->gid) != 0) {
      return absl::UnavailableError("cannot hand the temp dir to the PostgreSQL user");
    }
  }
  return server;
}

absl::Status PostgresServer::Launch(const Options& options,
                                    std::chrono::steady_clock::time_point deadline) {
  absl::StatusOr<RunAs> as = ServerUser();
  if (!as.ok()) return as.status();
  std::vector<std::string> argv = {options.bin_dir + "/postgres", "-D", dir_ + "/data", "-k",
                                   socket_dir_, "-p", std::to_string(kPort), "-c",
                                   "listen_addresses=", "-c",
                                   options.fsync ? "fsync=on" : "fsync=off", "-c",
                                   options.fsync ? "full_page_writes=on" : "full_page_writes=off",
                                   "-c", absl::StrCat("max_connections=", options.max_connections),
                                   "-c", "shared_buffers=128MB", "-c", "max_wal_size=2GB"};
  for (const std::string& setting : options.settings) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  pid_ = Spawn(argv, *as, log_path_);
  if (pid_ < 0) return absl::UnavailableError("fork failed");
  const std::string conninfo = Uri();
  for (;;) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(absl::StrCat("postgres exited: ", log()));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::UnavailableError(absl::StrCat("postgres did not start: ", log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Create(
    const Options& options, const std::function<absl::Status(const std::string& data,
                                                             const std::string& log)>& fill) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.start_timeout_seconds);
  absl::StatusOr<std::unique_ptr<PostgresServer>> server = MakeDirectories();
  if (!server.ok()) return server.status();
  absl::Status filled = fill((*server)->dir_ + "/data", (*server)->log_path_);
  if (!filled.ok()) return filled;
  absl::Status launched = (*server)->Launch(options, deadline);
  if (!launched.ok()) return launched;
  return server;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(const Options& options) {
  return Create(options, [&](const std::string& data, const std::string& log) -> absl::Status {
    absl::StatusOr<RunAs> as = ServerUser();
    if (!as.ok()) return as.status();
    absl::StatusOr<std::string> tmpl_dir = TemplateCluster(options, *as);
    if (!tmpl_dir.ok()) return tmpl_dir.status();
    if (!RunToCompletion({"/bin/cp", "-a", *tmpl_dir, data}, *as, log)) {
      return absl::UnavailableError(absl::StrCat("copying the template cluster failed: ", ReadFile(log)));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::StartStandby(
    const PostgresServer& primary, const Options& options) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(options.start_timeout_seconds);
  absl::StatusOr<std::unique_ptr<PostgresServer>> server =
      Create(options, [&](const std::string& data, const std::string& log) -> absl::Status {
        absl::StatusOr<RunAs> as = ServerUser();
        if (!as.ok()) return as.status();
        // -R writes standby.signal and a primary_conninfo naming the
        // primary's socket; -X stream copies the WAL the backup needs over a
        // second connection; -c fast checkpoints at once instead of
        // spreading it.
        if (!RunToCompletion({options.bin_dir + "/pg_basebackup", "-D", data, "-R", "-X", "stream",
                              "-c", "fast", "--no-sync", "-h", primary.socket_dir_, "-p",
                              std::to_string(kPort), "-U", "postgres"},
                             *as, log)) {
          return absl::UnavailableError(absl::StrCat("pg_basebackup failed: ", ReadFile(log)));
        }
        return absl::OkStatus();
      });
  if (!server.ok()) return server.status();
  // Accepting connections comes before streaming: wait for the primary to
  // list a streaming standby.
  for (;;) {
    absl::StatusOr<std::string> n =
        primary.QueryValue("postgres", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
    if (n.ok() && *n != "0") return server;
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::UnavailableError(absl::StrCat("the standby did not start streaming: ",
                                                 n.ok() ? *n : n.status().ToString(), "; ",
                                                 (*server)->log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::Status PostgresServer::Promote() {
  absl::StatusOr<std::string> promoted = QueryValue("postgres", "SELECT pg_promote(true, 60)");
  if (!promoted.ok()) return promoted.status();
  if (*promoted != "t") return absl::FailedPreconditionError(absl::StrCat("pg_promote: ", *promoted, "; ", log()));
  return absl::OkStatus();
}

void PostgresServer::StopImmediately() {
  if (pid_ <= 0) return;
  kill(pid_, SIGQUIT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

PostgresServer::~PostgresServer() {
  // Immediate shutdown: the directory is deleted next, so the checkpoint a
  // fast shutdown writes would be wasted time.
  StopImmediately();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::Uri(const std::string& dbname) const {
  return absl::StrCat("postgresql:///", dbname, "?host=", socket_dir_, "&port=", kPort,
                      "&user=postgres");
}

namespace {

// Runs `sql` on a new connection to `uri`; with `first_value`, returns the
// first column of its first row (NOT_FOUND without a row), else "".
absl::StatusOr<std::string> RunSql(const std::string& uri, const std::string& sql, bool first_value) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status s = absl::UnavailableError(PQerrorMessage(conn));
    PQfinish(conn);
    return s;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  absl::StatusOr<std::string> out = std::string();
  if (st != PGRES_TUPLES_OK && (first_value || st != PGRES_COMMAND_OK)) {
    out = absl::InternalError(absl::StrCat(sql, ": ", PQerrorMessage(conn)));
  } else if (first_value) {
    if (PQntuples(res) == 0) {
      out = absl::NotFoundError(absl::StrCat(sql, ": no row"));
    } else {
      out = std::string(PQgetvalue(res, 0, 0));
    }
  }
  PQclear(res);
  PQfinish(conn);
  return out;
}

}  // namespace

absl::Status PostgresServer::Exec(const std::string& dbname, const std::string& sql) const {
  return RunSql(Uri(dbname), sql, /*first_value=*/false).status();
}

absl::StatusOr<std::string> PostgresServer::QueryValue(const std::string& dbname,
                                                      const std::string& sql) const {
  return RunSql(Uri(dbname), sql, /*first_value=*/true);
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase(const std::string& name) {
  absl::Status s = Exec("postgres", absl::StrCat("CREATE DATABASE \"", name, "\" TEMPLATE template0"));
  if (!s.ok()) return s;
  return Uri(name);
}

std::string PostgresServer::log() const { return ReadFile(log_path_); }

}  // namespace holdfast::testing
