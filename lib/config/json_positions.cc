#include "lib/config/json_positions.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace holdfast::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// Nesting deeper than this is not a config; refuse rather than recurse.
constexpr int kMaxDepth = 64;

class Scanner {
 public:
  Scanner(absl::string_view text, const std::string& file, SourceMap* map)
      : text_(text), file_(file), map_(map) {}

  std::optional<Diagnostic> Run(const Descriptor* descriptor) {
    SkipSpace();
    if (!ParseValue("", descriptor, 0)) return error_;
    SkipSpace();
    if (pos_ < text_.size()) {
      Fail(absl::StrCat("unexpected ", Describe(), " after the top-level value"));
      return error_;
    }
    return std::nullopt;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void Advance() {
    if (AtEnd()) return;
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
      ++col_;  // count UTF-8 characters, not continuation bytes
    }
    ++pos_;
  }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      Advance();
    }
  }

  std::string Describe() const {
    if (AtEnd()) return "end of input";
    const char c = Peek();
    if (static_cast<unsigned char>(c) < 0x20) return absl::StrCat("control character 0x", absl::Hex(c));
    return absl::StrCat("'", absl::string_view(&text_[pos_], 1), "'");
  }

  bool Fail(std::string message) {
    if (!error_) {
      error_ = Diagnostic{Severity::kError, file_, line_, col_, "syntax", std::move(message)};
    }
    return false;
  }

  bool Expect(char c, absl::string_view what) {
    SkipSpace();
    if (Peek() != c) return Fail(absl::StrCat("expected ", what, ", found ", Describe()));
    Advance();
    return true;
  }

  bool ParseValue(const std::string& path, const Descriptor* descriptor, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    SkipSpace();
    switch (Peek()) {
      case '{':
        return ParseObject(path, descriptor, depth);
      case '[':
        return ParseArray(path, descriptor, depth);
      case '"': {
        std::string ignored;
        return ParseString(&ignored);
      }
      case 't':
        return ParseLiteral("true");
      case 'f':
        return ParseLiteral("false");
      case 'n':
        return ParseLiteral("null");
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber();
        return Fail(absl::StrCat("expected a value, found ", Describe()));
    }
  }

  bool ParseLiteral(absl::string_view word) {
    if (!absl::StartsWith(text_.substr(pos_), word)) {
      return Fail(absl::StrCat("expected a value, found ", Describe()));
    }
    for (size_t i = 0; i < word.size(); ++i) Advance();
    return true;
  }

  bool ParseNumber() {
    auto digits = [&] {
      const size_t start = pos_;
      while (Peek() >= '0' && Peek() <= '9') Advance();
      return pos_ > start;
    };
    if (Peek() == '-') Advance();
    if (Peek() == '0') {
      Advance();
    } else if (!digits()) {
      return Fail(absl::StrCat("expected a digit, found ", Describe()));
    }
    if (Peek() == '.') {
      Advance();
      if (!digits()) return Fail(absl::StrCat("expected a digit after '.', found ", Describe()));
    }
    if (Peek() == 'e' || Peek() == 'E') {
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (!digits()) return Fail(absl::StrCat("expected an exponent, found ", Describe()));
    }
    return true;
  }

  // Keys are compared with field names, so only their ASCII content matters;
  // escapes are checked for syntax and kept verbatim.
  bool ParseString(std::string* out) {
    Advance();  // opening quote
    while (true) {
      if (AtEnd()) return Fail("unterminated string");
      const char c = Peek();
      if (c == '"') {
        Advance();
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail(absl::StrCat("unescaped ", Describe(), " in string"));
      }
      if (c == '\\') {
        Advance();
        const char e = Peek();
        if (e == 'u') {
          Advance();
          for (int i = 0; i < 4; ++i) {
            if (!absl::ascii_isxdigit(Peek())) {
              return Fail(absl::StrCat("expected 4 hex digits after \\u, found ", Describe()));
            }
            Advance();
          }
          out->append("\\u");
          continue;
        }
        if (!absl::StrContains("\"\\/bfnrt", e) || AtEnd()) {
          return Fail(absl::StrCat("invalid escape \\", Describe()));
        }
        out->push_back('\\');
        out->push_back(e);
        Advance();
        continue;
      }
      out->push_back(c);
      Advance();
    }
  }

  static const FieldDescriptor* FindField(const Descriptor* descriptor, const std::string& key) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* f = descriptor->field(i);
      if (f->name() == key || f->json_name() == key) return f;
    }
    return nullptr;
  }

  // The message type whose keys we track inside a value of field `f`, or
  // nullptr for scalars and well-known types (Duration, Timestamp are strings).
  static const Descriptor* Tracked(const FieldDescriptor* f) {
    if (f == nullptr || f->type() != FieldDescriptor::TYPE_MESSAGE) return nullptr;
    const Descriptor* d = f->message_type();
    if (absl::StartsWith(d->full_name(), "google.protobuf.")) return nullptr;
    return d;
  }

  bool ParseObject(const std::string& path, const Descriptor* descriptor, int depth) {
    Advance();  // '{'
    SkipSpace();
    if (Peek() == '}') {
      Advance();
      return true;
    }
    while (true) {
      SkipSpace();
      if (Peek() != '"') return Fail(absl::StrCat("expected a string key, found ", Describe()));
      const int key_line = line_;
      const int key_col = col_;
      std::string key;
      if (!ParseString(&key)) return false;
      const FieldDescriptor* field = nullptr;
      std::string child_path;
      if (descriptor != nullptr) {
        field = FindField(descriptor, key);
        if (field == nullptr) {
          error_ = Diagnostic{Severity::kError, file_, key_line, key_col, "syntax",
                              absl::StrCat("unknown field \"", key, "\" in ",
                                           descriptor->full_name())};
          return false;
        }
        child_path = Field(path, field->name());
        map_->Record(child_path, SourceLocation{file_, key_line, key_col});
      }
      if (!Expect(':', "':' after the key")) return false;
      SkipSpace();
      if (field != nullptr && field->is_repeated() && Peek() == '[') {
        if (!ParseRepeated(child_path, Tracked(field), depth + 1)) return false;
      } else if (!ParseValue(child_path, field != nullptr ? Tracked(field) : nullptr, depth + 1)) {
        return false;
      }
      SkipSpace();
      if (Peek() == ',') {
        Advance();
        continue;
      }
      if (Peek() == '}') {
        Advance();
        return true;
      }
      return Fail(absl::StrCat("expected ',' or '}', found ", Describe()));
    }
  }

  // A repeated field's array: element i gets path "field[i]".
  bool ParseRepeated(const std::string& path, const Descriptor* element, int depth) {
    Advance();  // '['
    SkipSpace();
    if (Peek() == ']') {
      Advance();
      return true;
    }
    for (int i = 0;; ++i) {
      SkipSpace();
      const std::string element_path = path.empty() ? std::string() : Index(path, i);
      if (!path.empty()) map_->Record(element_path, SourceLocation{file_, line_, col_});
      if (!ParseValue(element_path, element, depth + 1)) return false;
      SkipSpace();
      if (Peek() == ',') {
        Advance();
        continue;
      }
      if (Peek() == ']') {
        Advance();
        return true;
      }
      return Fail(absl::StrCat("expected ',' or ']', found ", Describe()));
    }
  }

  // An array that is not a repeated field (only inside untracked values).
  bool ParseArray(const std::string& path, const Descriptor* descriptor, int depth) {
    return ParseRepeated(path, nullptr, depth);
  }

  absl::string_view text_;
  const std::string& file_;
  SourceMap* map_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  std::optional<Diagnostic> error_;
};

}  // namespace

std::optional<Diagnostic> ScanJsonPositions(absl::string_view text, const Descriptor* descriptor,
                                            const std::string& file, SourceMap* map) {
  return Scanner(text, file, map).Run(descriptor);
}

}  // namespace holdfast::config
