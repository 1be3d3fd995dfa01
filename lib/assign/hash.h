// Hash scheme version 1 (docs/hashing.md): the first 8 bytes, big-endian, of
// SHA-256 over length-prefixed fields. Each field is written as its byte
// length (uint32, big-endian) followed by its bytes, so ("ab","c") and
// ("a","bc") hash differently. Ids are hashed as the exact UTF-8 bytes given;
// no normalization.
//
// Thread-safety: all functions are safe for concurrent use (each thread keeps
// its own digest context).
#ifndef HOLDFAST_LIB_ASSIGN_HASH_H_
#define HOLDFAST_LIB_ASSIGN_HASH_H_

#include <array>
#include <cstdint>
#include <initializer_list>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace holdfast {

// Hash versions this build implements. A version never changes in place.
inline constexpr uint32_t kLatestHashVersion = 1;
bool IsSupportedHashVersion(uint32_t version);

// SHA-256 of the length-prefixed encoding of `fields`: for each field, its
// byte length as a uint32 big-endian, then its bytes. Fields must be shorter
// than 2^32 bytes.
std::array<uint8_t, 32> LengthPrefixedSha256(absl::Span<const absl::string_view> fields);
std::array<uint8_t, 32> LengthPrefixedSha256(std::initializer_list<absl::string_view> fields);

// Version 1: first 8 bytes of LengthPrefixedSha256(fields) as a big-endian
// unsigned integer.
uint64_t HashV1(absl::Span<const absl::string_view> fields);
uint64_t HashV1(std::initializer_list<absl::string_view> fields);

// Maps a 64-bit hash uniformly onto [0, n) with integers only:
// floor(h * n / 2^64). n must be > 0.
inline uint64_t ScaleToRange(uint64_t h, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(h) * n) >> 64);
}

}  // namespace holdfast

#endif  // HOLDFAST_LIB_ASSIGN_HASH_H_
