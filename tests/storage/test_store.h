// Fresh, empty stores of every backend for tests that must hold on both
// (the conformance rule: every Store implementation passes the same tests).
// PostgreSQL stores are databases on one real server per test process
// (tests/testing/postgres_server.h), started on first use and stopped at exit.
//
// Example:
//   class MyTest : public ::testing::TestWithParam<StoreBackend> {};
//   TEST_P(MyTest, X) {
//     absl::StatusOr<std::unique_ptr<TestStore>> t = TestStore::Create(GetParam());
//     ASSERT_TRUE(t.ok()) << t.status();
//     (*t)->store()->RecordSends(...);
//   }
//   INSTANTIATE_TEST_SUITE_P(Stores, MyTest, AllStoreBackends(), StoreBackendName);
#ifndef HOLDFAST_TESTS_STORAGE_TEST_STORE_H_
#define HOLDFAST_TESTS_STORAGE_TEST_STORE_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "absl/status/statusor.h"
#include "lib/storage/store.h"
#include "tests/storage/temp_dir.h"

namespace holdfast::testing {

enum class StoreBackend { kSqlite, kPostgres };

// Both backends, for INSTANTIATE_TEST_SUITE_P.
inline auto AllStoreBackends() {
  return ::testing::Values(StoreBackend::kSqlite, StoreBackend::kPostgres);
}
// "Sqlite" / "Postgres": test name suffixes.
std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

class TestStore {
 public:
  // A new empty store (a new file, or a new database) opened through
  // Store::Open with `options`.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<TestStore>> Create(
      StoreBackend backend, const StoreOptions& options = {});

  Store* store() { return store_.get(); }
  // The URI it was opened with: Store::Open(uri()) opens the same data
  // (another replica, or the same one after a restart).
  const std::string& uri() const { return uri_; }
  // Closes the store (finishing its queued writes); the data stays.
  void Close() { store_.reset(); }
  // Opens it again after Close().
  [[nodiscard]] absl::Status Reopen(const StoreOptions& options = {});

 private:
  TestStore() = default;
  TempDir dir_;
  std::string uri_;
  std::unique_ptr<Store> store_;
};

// URI of a new empty PostgreSQL database on this process's test server.
[[nodiscard]] absl::StatusOr<std::string> NewPostgresDatabase();

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_STORAGE_TEST_STORE_H_
