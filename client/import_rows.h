// CSV rows → EventService records for `holdfast import`. One `RowParser` per
// file: it maps the header (columns by name, any order) and then turns each
// data row into a record, or an error naming the column, e.g.
// "cost: not a number 'abc'". The column sets are documented in docs/import.md.
//
// Local checks are only those a row cannot pass anywhere (field count, number
// and time syntax, NaN/infinity, enum names); range and configuration rules
// (negative cost, unknown journey, ...) are the server's, which names the
// record's index so the importer can map it back to a line.
//
// Thread-safety: a RowParser is immutable after Create(); Append* may be
// called from several threads on different requests.
#ifndef HOLDFAST_CLIENT_IMPORT_ROWS_H_
#define HOLDFAST_CLIENT_IMPORT_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "holdfast/v1/events.pb.h"

namespace holdfast::cli {

enum class ImportKind { kEntries, kSends, kOutcomes, kCosts, kCustomers };

// "entries", "sends", "outcomes", "costs", "customers" → kind; INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::StatusOr<ImportKind> ParseImportKind(absl::string_view name);
// The kind's name as used on the command line and in server messages
// ("sends[17].cost: ...").
absl::string_view ImportKindName(ImportKind kind);
// One-line description of the kind's columns, for usage text and errors:
// "send_id,unit,journey,channel,at[,cost]".
std::string ImportColumnsHelp(ImportKind kind);

// One of the five request messages, filled row by row.
struct RecordBatch {
  ImportKind kind = ImportKind::kSends;
  holdfast::v1::RecordEntriesRequest entries;
  holdfast::v1::RecordSendsRequest sends;
  holdfast::v1::RecordOutcomesRequest outcomes;
  holdfast::v1::RecordFixedCostsRequest costs;
  holdfast::v1::RecordCustomersRequest customers;
  // Source line of each record, same order as the records.
  std::vector<int64_t> lines;

  int size() const { return static_cast<int>(lines.size()); }
  // Journey of record `i` ("" for outcomes and customers, which have none).
  const std::string& journey(int i) const;
  // A batch of the same kind holding records [begin, end).
  RecordBatch Slice(int begin, int end) const;
  // Removes the last record (a row that failed after it was appended).
  void PopBack();
};

class RowParser {
 public:
  // Maps `header` for `kind`. INVALID_ARGUMENT for an unknown or repeated
  // column, or for missing required columns (all of them named).
  [[nodiscard]] static absl::StatusOr<RowParser> Create(ImportKind kind,
                                                        const std::vector<std::string>& header);

  ImportKind kind() const { return kind_; }
  // Number of header columns; every row must have exactly this many fields.
  size_t num_columns() const { return num_columns_; }

  // Parses `row` and appends its record to `batch` (with `line`). On error
  // the batch is unchanged and the status says what is wrong with which column.
  [[nodiscard]] absl::Status Append(const std::vector<std::string>& row, int64_t line,
                                    RecordBatch* batch) const;

 private:
  RowParser() = default;
  absl::Status AppendEntry(const std::vector<std::string>& row, holdfast::v1::EntryRecord* out) const;
  absl::Status AppendSend(const std::vector<std::string>& row, holdfast::v1::SendRecord* out) const;
  absl::Status AppendOutcome(const std::vector<std::string>& row,
                             holdfast::v1::OutcomeRecord* out) const;
  absl::Status AppendCost(const std::vector<std::string>& row,
                          holdfast::v1::FixedCostRecord* out) const;
  absl::Status AppendCustomer(const std::vector<std::string>& row,
                              holdfast::v1::CustomerRecord* out) const;

  ImportKind kind_ = ImportKind::kSends;
  size_t num_columns_ = 0;
  // Column index of each of the kind's named fields (in the order of the
  // kind's column table), -1 when an optional column is absent.
  std::vector<int> field_column_;
  // entries: (column index, attribute key) of each `attr.KEY` column.
  std::vector<std::pair<int, std::string>> attribute_columns_;
};

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_IMPORT_ROWS_H_
