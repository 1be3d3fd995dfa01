#include "client/csv_reader.h"

#include "absl/strings/str_cat.h"

namespace holdfast::cli {

CsvReader::CsvReader(std::istream* in, size_t buffer_bytes, size_t max_record_bytes)
    : in_(in), buffer_(buffer_bytes > 0 ? buffer_bytes : 1, '\0'), max_record_bytes_(max_record_bytes) {}

bool CsvReader::Refill() {
  if (eof_) return false;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  end_ = static_cast<size_t>(in_->gcount());
  pos_ = 0;
  if (end_ == 0) eof_ = true;
  return end_ > 0;
}

inline int CsvReader::Peek() {
  if (pos_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

inline int CsvReader::Get() {
  if (pos_ == end_ && !Refill()) return -1;
  const int c = static_cast<unsigned char>(buffer_[pos_++]);
  ++bytes_consumed_;
  if (c == '\n') ++line_;
  return c;
}

void CsvReader::SkipLine() {
  for (int c = Get(); c != -1 && c != '\n'; c = Get()) {
  }
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  if (at_start_) {
    at_start_ = false;
    // The BOM some spreadsheet exports put before the header.
    if (Peek() != -1 && end_ - pos_ >= 3 && buffer_.compare(pos_, 3, "\xEF\xBB\xBF") == 0) {
      pos_ += 3;
      bytes_consumed_ += 3;
    }
  }
  // Skip blank lines (LF or CRLF). A CR not followed by LF starts a field.
  bool leading_cr = false;
  while (true) {
    const int c = Peek();
    if (c == -1) return false;
    if (c == '\n') {
      Get();
      continue;
    }
    if (c == '\r') {
      const int64_t line = line_;
      Get();
      if (Peek() == '\n') {
        Get();
        continue;
      }
      record_line_ = line;
      leading_cr = true;
    }
    break;
  }
  if (!leading_cr) record_line_ = line_;

  // Fields are written in place so their capacity is reused record to record.
  size_t n = 0;
  auto next_field = [&]() -> std::string& {
    if (n == fields->size()) fields->emplace_back();
    std::string& f = (*fields)[n++];
    f.clear();
    return f;
  };
  std::string* field = &next_field();
  if (leading_cr) field->push_back('\r');
  size_t record_bytes = 0;
  auto error = [&](absl::string_view what) -> absl::Status {
    fields->resize(n);
    return absl::InvalidArgumentError(absl::StrCat("malformed CSV: ", what));
  };

  while (true) {
    if (field->empty() && Peek() == '"') {
      Get();
      while (true) {
        const int c = Get();
        if (c == -1) return error("quoted field not closed before end of file");
        if (c == '"') {
          if (Peek() != '"') break;
          Get();
        }
        if (++record_bytes > max_record_bytes_) {
          SkipLine();
          return error(absl::StrCat("record longer than ", max_record_bytes_,
                                    " bytes (a quote never closed?)"));
        }
        field->push_back(static_cast<char>(c));
      }
      const int c = Get();
      if (c == ',') {
        field = &next_field();
        continue;
      }
      if (c == '\n' || c == -1) break;
      if (c == '\r' && Peek() == '\n') {
        Get();
        break;
      }
      const int64_t line = line_;
      if (c != '\n') SkipLine();
      return error(line == record_line_ ? "text after a closing quote"
                                        : absl::StrCat("text after a closing quote (line ", line, ")"));
    }
    // Unquoted: read up to the separator or line end.
    bool end_of_record = false;
    while (true) {
      const int c = Get();
      if (c == ',') break;
      if (c == '\n' || c == -1) {
        end_of_record = true;
        break;
      }
      if (c == '\r' && Peek() == '\n') {
        Get();
        end_of_record = true;
        break;
      }
      if (c == '"') {
        SkipLine();
        return error("quote inside an unquoted field (quote the whole field and double the quote)");
      }
      if (++record_bytes > max_record_bytes_) {
        SkipLine();
        return error(absl::StrCat("record longer than ", max_record_bytes_, " bytes"));
      }
      field->push_back(static_cast<char>(c));
    }
    if (end_of_record) break;
    field = &next_field();
  }
  fields->resize(n);
  return true;
}

}  // namespace holdfast::cli
