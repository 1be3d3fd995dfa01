#include "lib/storage/internal/copy_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace holdfast::storage_internal {
namespace {

int OctalValue(char c) { return c >= '0' && c <= '7' ? c - '0' : -1; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one escaped field (COPY's rules, docs "COPY", "Text Format").
void Unescape(absl::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '\\' || i + 1 == in.size()) {
      out->push_back(c);
      continue;
    }
    const char e = in[++i];
    switch (e) {
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case 'x':
        if (i + 1 < in.size() && HexValue(in[i + 1]) >= 0) {
          int v = HexValue(in[++i]);
          if (i + 1 < in.size() && HexValue(in[i + 1]) >= 0) v = v * 16 + HexValue(in[++i]);
          out->push_back(static_cast<char>(v));
        } else {
          out->push_back('x');
        }
        break;
      default:
        if (OctalValue(e) >= 0) {
          int v = OctalValue(e);
          for (int k = 0; k < 2 && i + 1 < in.size() && OctalValue(in[i + 1]) >= 0; ++k) {
            v = v * 8 + OctalValue(in[++i]);
          }
          out->push_back(static_cast<char>(v));
        } else {
          out->push_back(e);  // \\ and any other character: itself
        }
    }
  }
}

}  // namespace

absl::Status CopyTextRow::Parse(absl::string_view line, size_t columns) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  fields_.clear();
  null_.clear();
  if (decoded_.size() < columns) decoded_.resize(columns);
  size_t start = 0;
  for (;;) {
    const size_t tab = line.find('\t', start);
    const absl::string_view raw =
        line.substr(start, tab == absl::string_view::npos ? absl::string_view::npos : tab - start);
    const size_t i = fields_.size();
    if (i == columns) {
      return absl::InternalError(absl::StrCat("COPY row has more than ", columns, " fields"));
    }
    if (raw == "\\N") {
      fields_.emplace_back();
      null_.push_back(true);
    } else if (raw.find('\\') == absl::string_view::npos) {
      fields_.push_back(raw);  // the common case: nothing to decode
      null_.push_back(false);
    } else {
      Unescape(raw, &decoded_[i]);
      fields_.emplace_back(decoded_[i]);
      null_.push_back(false);
    }
    if (tab == absl::string_view::npos) break;
    start = tab + 1;
  }
  if (fields_.size() != columns) {
    return absl::InternalError(
        absl::StrCat("COPY row has ", fields_.size(), " fields, expected ", columns));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> InlineSqlParameters(absl::string_view sql,
                                                absl::Span<const std::string> literals) {
  std::string out;
  out.reserve(sql.size() + 64 * literals.size());
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '$') {
      out.push_back(sql[i]);
      continue;
    }
    size_t j = i + 1;
    size_t n = 0;
    while (j < sql.size() && absl::ascii_isdigit(static_cast<unsigned char>(sql[j])) && n <= literals.size()) {
      n = n * 10 + static_cast<size_t>(sql[j] - '0');
      ++j;
    }
    if (j == i + 1 || n < 1 || n > literals.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("SQL has a '$' that is not a parameter marker 1..", literals.size(), " at ", i));
    }
    out.append(literals[n - 1]);
    i = j - 1;
  }
  return out;
}

}  // namespace holdfast::storage_internal
