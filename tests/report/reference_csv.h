// What the reference drivers share: reading the CSV files a Python reference
// check wrote (tests/report/*_reference_check.py) and failing loudly on bad
// input. A driver is a test tool, so errors exit the process with a message
// instead of travelling as a Status.
//
// Example:
//   for (const auto& r : reference::ReadCsv(dir + "/sends.csv")) Use(r[0], reference::Int(r[3]));
#ifndef HOLDFAST_TESTS_REPORT_REFERENCE_CSV_H_
#define HOLDFAST_TESTS_REPORT_REFERENCE_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace holdfast::reference {

// Every line after the header, split on ',' (the checks write no quoted
// fields); empty lines skipped.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// The number in `s`; exits with status 2 when it is not one.
int64_t Int(const std::string& s);
double Real(const std::string& s);

// Exits with status 1, printing `what` and the status, unless `s` is OK.
void Check(const absl::Status& s, const char* what);

}  // namespace holdfast::reference

#endif  // HOLDFAST_TESTS_REPORT_REFERENCE_CSV_H_
