// PostgreSQL's COPY ... TO STDOUT text format, read on the client, and the
// parameter inlining COPY needs. The analysis stream reads its rows through
// COPY (query) TO STDOUT rather than a cursor (docs/postgresql.md, "Analysis
// stream"): the server then computes rows while the client folds the ones
// it already sent, instead of waiting for each FETCH.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_COPY_TEXT_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_COPY_TEXT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace holdfast::storage_internal {

// One line of the text format: fields separated by tabs, \N for NULL, and
// backslash escapes for the data's own backslashes, tabs and line breaks
// (\\ \b \f \n \r \t \v, \ooo octal, \xhh hex; any other escaped character is
// itself). Views stay valid until the next Parse.
class CopyTextRow {
 public:
  // Splits `line` (a trailing "\n" is dropped) and decodes escaped fields.
  // INTERNAL when it does not have exactly `columns` fields.
  absl::Status Parse(absl::string_view line, size_t columns);
  size_t size() const { return fields_.size(); }
  bool is_null(size_t i) const { return null_[i]; }
  // The decoded value; empty for NULL.
  absl::string_view operator[](size_t i) const { return fields_[i]; }

 private:
  std::vector<absl::string_view> fields_;
  std::vector<bool> null_;
  std::vector<std::string> decoded_;  // storage of the fields that had escapes
};

// `sql` with each parameter marker $n (1 <= n <= literals.size()) replaced
// by literals[n - 1], written as given: COPY takes no bind parameters, so
// the caller quotes text (pqxx's quote) and parenthesizes numbers (a negative
// value after a minus sign must not become a "--" comment). INVALID_ARGUMENT
// for a '$' without digits or a marker out of range: the analysis SQL has
// no other '$' (no dollar quoting).
absl::StatusOr<std::string> InlineSqlParameters(absl::string_view sql,
                                                absl::Span<const std::string> literals);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_COPY_TEXT_H_
