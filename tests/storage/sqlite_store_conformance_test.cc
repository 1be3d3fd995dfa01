// Runs the Store conformance suite (store_conformance_test.cc) on SqliteStore.
#include <memory>
#include <string>

#include "lib/storage/sqlite_store.h"
#include "tests/storage/store_conformance.h"

namespace holdfast::testing {
namespace {

absl::StatusOr<std::unique_ptr<Store>> MakeSqliteStore(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(dir + "/store.db");
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"sqlite", &MakeSqliteStore}),
                         StoreFactoryName);

}  // namespace
}  // namespace holdfast::testing
