// Runs the Store conformance suite (store_conformance_test.cc) on
// PostgresStore: each case gets a new database on this process's server.
#include <memory>
#include <string>

#include "lib/storage/store.h"
#include "tests/storage/store_conformance.h"
#include "tests/storage/test_store.h"

namespace holdfast::testing {
namespace {

absl::StatusOr<std::unique_ptr<Store>> MakePostgresStore(const std::string& /*dir*/) {
  absl::StatusOr<std::string> uri = NewPostgresDatabase();
  if (!uri.ok()) return uri.status();
  return Store::Open(*uri);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"postgres", &MakePostgresStore}),
                         StoreFactoryName);

}  // namespace
}  // namespace holdfast::testing
