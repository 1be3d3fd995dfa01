#include "lib/base/text.h"

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace holdfast {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t j = 1; j < len; ++j) {
    const unsigned char cc = static_cast<unsigned char>(s[i + j]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string EchoInput(absl::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size() && i < kMaxEchoBytes) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len > 1) {
      if (i + len > kMaxEchoBytes) break;  // cut before a character, not inside it
      out.append(s.data() + i, len);
      i += len;
      continue;
    }
    // ASCII (escaped when not printable) or a byte of invalid UTF-8.
    out += absl::CEscape(s.substr(i, 1));
    ++i;
  }
  if (i < s.size()) absl::StrAppend(&out, "...(", s.size(), " bytes)");
  return out;
}

}  // namespace holdfast
