// Text helpers shared by every layer that checks or echoes caller input.
//
//   if (!IsValidUtf8(s)) ...
//   absl::StrCat("journey: '", EchoInput(id), "' is not configured")
//
// EchoInput is the one way an error message quotes input: at most
// kMaxEchoBytes of it, escaped, with the full length when cut. A message
// built from unbounded input would otherwise grow without bound (a 1 MiB
// journey id once made the error trailer overflow the client's metadata
// limit, so the caller saw RESOURCE_EXHAUSTED instead of the real error).
#ifndef HOLDFAST_LIB_BASE_TEXT_H_
#define HOLDFAST_LIB_BASE_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace holdfast {

// Most bytes of input an error message repeats.
inline constexpr size_t kMaxEchoBytes = 64;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(absl::string_view s);

// Value of the hex digit `c` (0-9, a-f, A-F), or -1 for any other byte.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `s` for an error message: control characters and invalid UTF-8 escaped
// (\n, \x00, \377 ...), cut after kMaxEchoBytes input bytes (at a character
// boundary) with "...(N bytes)" appended.
std::string EchoInput(absl::string_view s);

}  // namespace holdfast

#endif  // HOLDFAST_LIB_BASE_TEXT_H_
