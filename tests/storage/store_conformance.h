// The Store conformance suite: every Store implementation must pass it
// (store_conformance_test.cc holds the cases; docs/storage.md the rules).
// A backend registers itself by compiling store_conformance_test.cc into a
// test binary together with one instantiation, as
// sqlite_store_conformance_test.cc does:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
//       ::testing::Values(StoreFactory{"postgres", &MakePostgresStore}),
//       StoreFactoryName);
//
// Each case gets a fresh, empty store from the factory.
#ifndef HOLDFAST_TESTS_STORAGE_STORE_CONFORMANCE_H_
#define HOLDFAST_TESTS_STORAGE_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "absl/status/statusor.h"
#include "lib/storage/store.h"

namespace holdfast::testing {

struct StoreFactory {
  // Readable parameter name ([A-Za-z0-9_]+): the test names end in it.
  std::string name;
  // Returns a new, empty store. `dir` is a fresh temporary directory the
  // store may keep files in (removed after the case).
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir)> make;
};

// How gtest prints the parameter (in ctest's test list): its name, not a
// byte dump of the struct.
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

// For INSTANTIATE_TEST_SUITE_P: the factory's name.
inline std::string StoreFactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {};

// A messy two-journey store (store_conformance_test.cc): rotation periods
// whose re-entries cut windows, arms, holdouts, washout, versions with
// their own windows, incentives, refunds, unsubscribes and complaints.
void RecordMessyTwoJourneyStore(Store& store);
// The query over it whose as_of leaves the last period partly immature.
AnalysisQuery MessyQuery();
// The same with horizons 100 and 150 on both journeys and a curve of three
// points (50, 100, 150).
AnalysisQuery MessyHorizonQuery();

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_STORAGE_STORE_CONFORMANCE_H_
