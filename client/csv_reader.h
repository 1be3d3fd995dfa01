// An incremental RFC 4180 CSV reader: one record at a time from a stream, so a
// file of any size is read in constant memory (one record plus a fixed buffer).
//
//   std::ifstream in("sends.csv", std::ios::binary);
//   holdfast::cli::CsvReader reader(&in);
//   std::vector<std::string> fields;
//   while (true) {
//     absl::StatusOr<bool> more = reader.Next(&fields);
//     if (!more.ok()) { /* malformed record at reader.record_line() */ continue; }
//     if (!*more) break;
//     ...
//   }
//
// Accepted: fields separated by ','; records ended by LF or CRLF (a lone CR is
// data); fields enclosed in double quotes may hold commas, CR, LF and doubled
// quotes (""). Blank lines are skipped. A UTF-8 byte-order mark at the very
// start is dropped. Not accepted (INVALID_ARGUMENT, the reader then resumes at
// the next line): a quote inside an unquoted field, text after a closing quote
// other than a separator or line end, a quoted field left open at end of input.
//
// Thread-safety: none; one reader per thread.
#ifndef HOLDFAST_CLIENT_CSV_READER_H_
#define HOLDFAST_CLIENT_CSV_READER_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace holdfast::cli {

class CsvReader {
 public:
  // `in` must outlive the reader; open files in binary mode. A record longer
  // than `max_record_bytes` (e.g. an unclosed quote in a huge file) is an
  // error, skipped to the end of the line where the limit was hit, so memory
  // stays bounded whatever the input.
  explicit CsvReader(std::istream* in, size_t buffer_bytes = 1 << 20,
                     size_t max_record_bytes = 1 << 20);

  // Reads the next record into `fields` (cleared first). Returns true when a
  // record was read, false at end of input, INVALID_ARGUMENT for a malformed
  // record (already skipped: the next call reads the following line).
  [[nodiscard]] absl::StatusOr<bool> Next(std::vector<std::string>* fields);

  // 1-based line on which the last record (or malformed record) started.
  int64_t record_line() const { return record_line_; }
  // Bytes consumed from the stream so far (for progress and ETA).
  int64_t bytes_read() const { return bytes_consumed_; }

 private:
  // Next byte or -1 at end of input.
  int Get();
  int Peek();
  bool Refill();
  // Drops input up to and including the next LF (error recovery).
  void SkipLine();

  std::istream* in_;
  std::string buffer_;
  size_t max_record_bytes_;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;
  int64_t line_ = 1;  // line of the next unread byte
  int64_t record_line_ = 0;
  int64_t bytes_consumed_ = 0;
};

}  // namespace holdfast::cli

#endif  // HOLDFAST_CLIENT_CSV_READER_H_
