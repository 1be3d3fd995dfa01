#include "tests/storage/test_store.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "tests/testing/postgres_server.h"

namespace holdfast::testing {
namespace {

// One server per test process; the static's destructor stops it at exit.
absl::StatusOr<PostgresServer*> SharedServer() {
  static std::mutex mu;
  static std::unique_ptr<PostgresServer> server;
  std::lock_guard<std::mutex> lock(mu);
  if (server == nullptr) {
    HF_ASSIGN_OR_RETURN(server, PostgresServer::Start());
  }
  return server.get();
}

}  // namespace

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::kSqlite ? "Sqlite" : "Postgres";
}

absl::StatusOr<std::string> NewPostgresDatabase() {
  static std::atomic<int> counter{0};
  HF_ASSIGN_OR_RETURN(PostgresServer * server, SharedServer());
  return server->CreateDatabase(absl::StrCat("hf_", getpid(), "_", counter.fetch_add(1)));
}

absl::StatusOr<std::unique_ptr<TestStore>> TestStore::Create(StoreBackend backend,
                                                             const StoreOptions& options) {
  std::unique_ptr<TestStore> t(new TestStore());
  if (backend == StoreBackend::kSqlite) {
    t->uri_ = "sqlite:" + t->dir_.File("store.db");
  } else {
    HF_ASSIGN_OR_RETURN(t->uri_, NewPostgresDatabase());
  }
  HF_RETURN_IF_ERROR(t->Reopen(options));
  return t;
}

absl::Status TestStore::Reopen(const StoreOptions& options) {
  store_.reset();
  HF_ASSIGN_OR_RETURN(store_, Store::Open(uri_, options));
  return absl::OkStatus();
}

}  // namespace holdfast::testing
