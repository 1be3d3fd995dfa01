// Helpers for lib/config tests: lint a config given as text and get the
// diagnostics as the formatted lines a user would see.
#ifndef HOLDFAST_TESTS_CONFIG_TEST_UTIL_H_
#define HOLDFAST_TESTS_CONFIG_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/config/config.h"
#include "lib/config/loader.h"

namespace holdfast::config::testing {

// Formatted diagnostics ("c.textproto:3:5: error: ... [rule]") of checking
// `text` as the content of `file_name`; notes excluded.
inline std::vector<std::string> Findings(absl::string_view text,
                                         absl::string_view file_name = "c.textproto") {
  ConfigCheck check = CheckConfig(ParseConfigText(file_name, text));
  std::vector<std::string> out;
  for (const Diagnostic& d : check.diagnostics) {
    if (d.severity != Severity::kNote) out.push_back(FormatDiagnostic(d));
  }
  return out;
}

}  // namespace holdfast::config::testing

#endif  // HOLDFAST_TESTS_CONFIG_TEST_UTIL_H_
