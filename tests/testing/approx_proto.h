// Two report protos equal up to floating-point rounding: what tests that
// compute one report two ways (two stores, the entry stream vs the analysis
// in the database, two replicas) compare.
#ifndef HOLDFAST_TESTS_TESTING_APPROX_PROTO_H_
#define HOLDFAST_TESTS_TESTING_APPROX_PROTO_H_

#include <string>

#include <google/protobuf/message.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

namespace holdfast::testing {

// Every field equal, floats to `fraction` relative (plus the same absolute
// margin, for numbers that are zero up to rounding on one side: a sum of
// cancelling terms; an unset field counts as its default); NaN equals NaN. The failure lists the differences.
inline ::testing::AssertionResult ProtosAgree(const google::protobuf::Message& a,
                                              const google::protobuf::Message& b,
                                              double fraction = 1e-9) {
  google::protobuf::util::DefaultFieldComparator cmp;
  cmp.set_float_comparison(google::protobuf::util::DefaultFieldComparator::APPROXIMATE);
  cmp.SetDefaultFractionAndMargin(fraction, fraction);
  cmp.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer diff;
  diff.set_field_comparator(&cmp);
  // A proto3 number that is 0 on one side is absent there: compare it as 0
  // (with the margin) rather than report the field as deleted.
  diff.set_message_field_comparison(google::protobuf::util::MessageDifferencer::EQUIVALENT);
  std::string report;
  diff.ReportDifferencesToString(&report);
  if (diff.Compare(a, b)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << report;
}

}  // namespace holdfast::testing

#endif  // HOLDFAST_TESTS_TESTING_APPROX_PROTO_H_
